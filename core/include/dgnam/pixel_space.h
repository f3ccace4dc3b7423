#pragma once
// How a network stores an image: channel count and order, value scale, per-channel mean and
// standard deviation. A stored value is (unit * scale - mean[c]) / stddev[c], where unit is the
// pixel in [0, 1]. The paper's networks use BGR, scale 255, mean-subtracted, stddev 1.
#include <ATen/Tensor.h>
#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace dgnam {

enum class ChannelOrder { RGB, BGR };

struct PixelSpace {
    int channels = 3;  // 1 (grey) or 3
    ChannelOrder order = ChannelOrder::RGB;
    double scale = 1.0;
    std::vector<double> mean = {0.0, 0.0, 0.0};    // per stored channel
    std::vector<double> stddev = {1.0, 1.0, 1.0};  // per stored channel

    // [N, channels, H, W] stored values -> [N, channels, H, W] unit values in RGB order.
    at::Tensor to_unit(const at::Tensor& stored) const;
    // Inverse of to_unit. Differentiable (plain tensor arithmetic).
    at::Tensor from_unit(const at::Tensor& unit) const;
    // How many stored units one grey level (1/255 of the unit range) spans, averaged over
    // channels; 1 for the paper's 0-255 networks.
    double stored_per_grey_level() const;

    // The space of the paper's Caffe networks and generator: BGR, 0-255, minus the per-channel
    // ImageNet mean (B 104, G 117, R 123), standard deviation 1.
    static PixelSpace caffe_imagenet();
    // torchvision's classifiers: RGB in [0, 1], normalised by the ImageNet mean
    // (0.485, 0.456, 0.406) and standard deviation (0.229, 0.224, 0.225).
    static PixelSpace torchvision_imagenet();

    // Throws dgnam::Error naming `where` and the field on a malformed description.
    static PixelSpace from_json(const nlohmann::json& j, const std::string& where);
    nlohmann::json to_json() const;
};

}  // namespace dgnam
