#pragma once
// Small networks and packs the tests build themselves, and a scratch folder.
#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dgnam/fashion_mnist.h"
#include "dgnam/model_pack.h"
#include "dgnam/network_models.h"
#include "fashion_mnist_subset.h"

namespace dgnam::test {

// A fresh folder under the system's temporary folder, removed with everything in it.
class ScratchFolder {
  public:
    ScratchFolder();
    ~ScratchFolder();
    ScratchFolder(const ScratchFolder&) = delete;
    ScratchFolder& operator=(const ScratchFolder&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

  private:
    std::filesystem::path path_;
};

// A file's bytes written as they are (no atomic rename: tests also write damaged files), and read
// back; "" for a file that cannot be read.
void write_bytes(const std::filesystem::path& path, const std::string& bytes);
std::string read_bytes(const std::filesystem::path& path);

PixelSpace identity_grey_space();

// G: code [D] -> linear (no bias, weight W [H*W, D]) -> reshape [1, H, W]; identity grey space.
std::unique_ptr<NetworkGenerator> linear_generator(const at::Tensor& weight, std::int64_t height,
                                                   std::int64_t width, at::Tensor lower,
                                                   at::Tensor upper);

// C: [1, H, W] -> linear (no bias, weight [K, H*W]) named "fc"; identity grey space.
std::unique_ptr<NetworkClassifier> linear_classifier(const at::Tensor& weight, std::int64_t height,
                                                     std::int64_t width);

// A small convolutional pack written to `folder`: classifier "A" on 1x8x8 grey images
// (conv1, relu1, pool1, fc2, relu2, fc3 with labels zero/one/two), a generator from a 16-unit
// code to a 1x10x10 image in a 0-255 grey space, bounds [0, 3]. Random weights from `seed`.
void write_tiny_pack(const std::filesystem::path& folder, std::uint64_t seed = 7);

// Ten classes of 28x28 grey images told apart by where a bright 8x8 square sits: easy enough for
// the training code to learn in a few steps. 80 training and 40 test images.
FashionMnist square_images();

// Classifier A of the bundled pack's architecture after 3 training steps on `data`: the
// classifier a generator-training test inverts.
std::unique_ptr<NetworkClassifier> briefly_trained_classifier_a(const FashionMnist& data);

// Runs a command line, returns its exit code; stdout and stderr are captured together.
struct CommandResult {
    int exit_code = -1;
    std::string output;
};
CommandResult run_command(const std::string& command_line);

// The message of the dgnam::Error that `action` throws, or "(no error)".
std::string error_of(const std::function<void()>& action);

// The largest difference, in double, relative to the largest magnitude of the expected values.
double relative_error(const at::Tensor& actual, const at::Tensor& expected);

}  // namespace dgnam::test
