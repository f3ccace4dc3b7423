#include "caffe_layers.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>

#include "dgnam/conv_transpose_rewrite.h"
#include "dgnam/convolution.h"
#include "dgnam/error.h"
#include "dgnam/fully_connected.h"
#include "dgnam/local_response_norm.h"
#include "dgnam/max_pooling.h"
#include "dgnam/shape_text.h"

namespace dgnam::caffe_layers {
namespace {

using Shape = std::vector<std::int64_t>;

[[noreturn]] void fail(const std::string& what) {
    throw Error(what);
}

// Caffe's negative axes count from the end.
std::int64_t canonical_axis(std::int64_t axis, std::int64_t dims, const char* what) {
    const auto a = axis < 0 ? axis + dims : axis;
    if (a < 0 || a >= dims)
        fail(std::string(what) + " " + std::to_string(axis) + " is outside a blob of " +
             std::to_string(dims) + " axes");
    return a;
}

// Takes the layer's blobs in order, checking each against the shape the layer needs.
class BlobTaker {
  public:
    BlobTaker(std::vector<Blob> blobs, at::Generator* random)
        : blobs_(std::move(blobs)), random_(random) {}

    at::Tensor take(const Shape& expected, const char* role) {
        taken_.push_back(fetch(expected, role));
        return taken_.back();
    }

    void expect_all_taken() const {
        if (!random_ && next_ != blobs_.size())
            fail("the weights file has " + std::to_string(blobs_.size()) +
                 " parameter blobs for it; it takes " + std::to_string(next_));
    }
    std::vector<at::Tensor>& taken() { return taken_; }

  private:
    at::Tensor drawn(const Shape& expected, const std::string& role) const {
        if (role == "weights") {
            std::int64_t fan_in = 1;
            for (std::size_t i = 1; i < expected.size(); ++i)
                fan_in *= expected[i];
            return at::normal(0.0, std::sqrt(2.0 / static_cast<double>(fan_in)), expected,
                              *random_);
        }
        if (role == "bias" || role == "mean")
            return at::zeros(expected);
        return at::ones(expected);
    }

    at::Tensor fetch(const Shape& expected, const char* role) {
        if (random_)
            return drawn(expected, role);
        if (next_ >= blobs_.size())
            fail("the weights file has " + std::to_string(blobs_.size()) +
                 " parameter blobs for it; its " + role + " (blob " + std::to_string(next_) +
                 ", shape " + shape_text(expected) + ") is missing");
        auto& blob = blobs_[next_];
        const auto index = next_++;
        auto t = blob.values;
        if (t.sizes() == at::IntArrayRef(expected))
            return t.contiguous();
        std::int64_t count = 1;
        for (auto d : expected)
            count *= d;
        if (blob.legacy_shape && t.numel() == count)
            return t.reshape(expected).contiguous();
        fail("its " + std::string(role) + " (blob " + std::to_string(index) + ") has shape " +
             shape_text(t.sizes()) + "; the network needs " + shape_text(expected));
    }

    std::vector<Blob> blobs_;
    at::Generator* random_;
    std::size_t next_ = 0;
    std::vector<at::Tensor> taken_;
};

void expect_bottoms(const std::vector<at::Tensor>& bottoms, std::size_t count) {
    if (bottoms.size() != count)
        fail("takes " + std::to_string(count) + " input blob" + (count == 1 ? "" : "s") +
             ", the network gives it " + std::to_string(bottoms.size()));
}

void expect_spatial(const at::Tensor& x) {
    if (x.dim() != 4)
        fail("needs a 4-D [N, C, H, W] input, got " + shape_text(x.sizes()));
}

// A value given once for both spatial axes (repeated field), or as separate _h and _w fields.
template <typename Repeated>
std::pair<std::int64_t, std::int64_t> spatial(const Repeated& both, bool has_h, std::int64_t h,
                                              bool has_w, std::int64_t w, std::int64_t fallback,
                                              const char* name) {
    if (has_h || has_w) {
        if (!(has_h && has_w))
            fail(std::string("sets only one of ") + name + "_h and " + name + "_w");
        if (both.size() > 0)
            fail(std::string("sets both ") + name + " and " + name + "_h/_w");
        return {h, w};
    }
    if (both.size() == 0)
        return {fallback, fallback};
    if (both.size() == 1)
        return {both.Get(0), both.Get(0)};
    if (both.size() == 2)
        return {both.Get(0), both.Get(1)};
    fail(std::string("gives ") + std::to_string(both.size()) + " values of " + name +
         " for 2 spatial axes");
}

// ---------------------------------------------------------------------------------------------

class Convolution final : public Op {
  public:
    Convolution(const dgnam_caffe::LayerParameter& layer, const at::Tensor& x, BlobTaker& blobs,
                bool transposed) {
        const auto& p = layer.convolution_param();
        expect_spatial(x);
        if (p.axis() != 1)
            fail("convolves along axis " + std::to_string(p.axis()) + "; only axis 1 is supported");
        if (!p.has_num_output() || p.num_output() == 0)
            fail("has no num_output");
        const std::int64_t out = p.num_output();
        kernel_ = spatial(p.kernel_size(), p.has_kernel_h(), p.kernel_h(), p.has_kernel_w(),
                          p.kernel_w(), 0, "kernel");
        if (kernel_.first < 1 || kernel_.second < 1)
            fail("has no kernel_size");
        stride_ = spatial(p.stride(), p.has_stride_h(), p.stride_h(), p.has_stride_w(),
                          p.stride_w(), 1, "stride");
        pad_ = spatial(p.pad(), p.has_pad_h(), p.pad_h(), p.has_pad_w(), p.pad_w(), 0, "pad");
        dilation_ = spatial(p.dilation(), false, 0, false, 0, 1, "dilation");
        if (stride_.first < 1 || stride_.second < 1 || dilation_.first < 1 || dilation_.second < 1)
            fail("has a stride or dilation of 0");
        groups_ = p.group();
        const auto in = x.size(1);
        if (groups_ < 1 || in % groups_ || out % groups_)
            fail("has " + std::to_string(in) + " input and " + std::to_string(out) +
                 " output channels, not divisible by group " + std::to_string(groups_));
        const Shape weight_shape = transposed
                                       ? Shape{in, out / groups_, kernel_.first, kernel_.second}
                                       : Shape{out, in / groups_, kernel_.first, kernel_.second};
        weights_.push_back(blobs.take(weight_shape, "weights"));
        weights_.push_back(p.bias_term() ? blobs.take({out}, "bias") : at::Tensor());
        if (transposed) {
            auto two = [](const std::pair<std::int64_t, std::int64_t>& v) {
                return TransposedConvolution::Pair{v.first, v.second};
            };
            transposed_conv_.emplace(two(kernel_), two(stride_), two(pad_),
                                     TransposedConvolution::Pair{0, 0}, two(dilation_), groups_);
            weights_changed();
        }
    }

    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        const auto& x = b[0];
        const Shape stride{stride_.first, stride_.second}, pad{pad_.first, pad_.second},
            dilation{dilation_.first, dilation_.second};
        if (transposed_conv_)
            return {transposed_conv_->run(x, weights_[0], weights_[1])};
        return {convolution(x, weights_[0], weights_[1], stride, pad, dilation, groups_)};
    }

    void set_execution_mode(const ExecutionMode& mode) override {
        if (transposed_conv_)
            transposed_conv_->set_rewrite_enabled(mode.rewrite_transposed);
        Op::set_execution_mode(mode);
    }

  protected:
    void weights_changed() override {
        if (transposed_conv_)
            transposed_conv_->prepare(weights_[0], weights_[1]);
    }

  private:
    std::optional<TransposedConvolution> transposed_conv_;
    std::pair<std::int64_t, std::int64_t> kernel_, stride_, pad_, dilation_;
    std::int64_t groups_ = 1;
};

class InnerProduct final : public Op {
  public:
    InnerProduct(const dgnam_caffe::LayerParameter& layer, const at::Tensor& x, BlobTaker& blobs) {
        const auto& p = layer.inner_product_param();
        if (!p.has_num_output() || p.num_output() == 0)
            fail("has no num_output");
        const std::int64_t out = p.num_output();
        axis_ = canonical_axis(p.axis(), x.dim(), "axis");
        if (axis_ == 0)
            fail("axis 0 would mix the samples of a batch");
        std::int64_t in = 1;
        for (std::int64_t d = axis_; d < x.dim(); ++d)
            in *= x.size(d);
        transpose_ = p.transpose();
        weights_.push_back(blobs.take(transpose_ ? Shape{in, out} : Shape{out, in}, "weights"));
        weights_.push_back(p.bias_term() ? blobs.take({out}, "bias") : at::Tensor());
    }

    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        auto x = b[0].flatten(axis_);
        if (transpose_) {
            auto y = at::matmul(x, weights_[0]);
            return {weights_[1].defined() ? y + weights_[1] : y};
        }
        return {fully_connected(x, weights_[0], weights_[1])};
    }

  private:
    std::int64_t axis_ = 1;
    bool transpose_ = false;
};

class Pooling final : public Op {
  public:
    Pooling(const dgnam_caffe::LayerParameter& layer, const at::Tensor& x) {
        const auto& p = layer.pooling_param();
        expect_spatial(x);
        if (p.pool() == dgnam_caffe::PoolingParameter::STOCHASTIC)
            fail("uses STOCHASTIC pooling, which is not supported; MAX and AVE are");
        max_ = p.pool() == dgnam_caffe::PoolingParameter::MAX;
        ceil_ = p.round_mode() == dgnam_caffe::PoolingParameter::CEIL;
        if (p.global_pooling()) {
            if (p.has_kernel_size() || p.has_kernel_h() || p.has_kernel_w())
                fail("sets a kernel size with global_pooling");
            kernel_ = {x.size(2), x.size(3)};
            stride_ = {1, 1};
            pad_ = {0, 0};
            global_ = true;
            return;
        }
        auto one = [](bool has_both, std::int64_t both, bool has_h, std::int64_t h, bool has_w,
                      std::int64_t w, std::int64_t fallback,
                      const char* name) -> std::pair<std::int64_t, std::int64_t> {
            if (has_h || has_w) {
                if (!(has_h && has_w))
                    fail(std::string("sets only one of ") + name + "_h and " + name + "_w");
                return {h, w};
            }
            return has_both ? std::make_pair(both, both) : std::make_pair(fallback, fallback);
        };
        kernel_ = one(p.has_kernel_size(), p.kernel_size(), p.has_kernel_h(), p.kernel_h(),
                      p.has_kernel_w(), p.kernel_w(), 0, "kernel");
        if (kernel_.first < 1 || kernel_.second < 1)
            fail("has no kernel_size (and no global_pooling)");
        stride_ = one(p.has_stride(), p.stride(), p.has_stride_h(), p.stride_h(), p.has_stride_w(),
                      p.stride_w(), 1, "stride");
        pad_ =
            one(p.has_pad(), p.pad(), p.has_pad_h(), p.pad_h(), p.has_pad_w(), p.pad_w(), 0, "pad");
        if (stride_.first < 1 || stride_.second < 1)
            fail("has a stride of 0");
        if (2 * pad_.first > kernel_.first || 2 * pad_.second > kernel_.second)
            fail("pads by more than half its kernel");
    }

    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        const auto& x = b[0];
        Shape kernel{kernel_.first, kernel_.second};
        if (global_)
            kernel = {x.size(2), x.size(3)};
        const Shape stride{stride_.first, stride_.second}, pad{pad_.first, pad_.second};
        // Caffe rounds the output size up by default and, for AVE, divides by the window's
        // extent inside the padded input: PyTorch's ceil_mode with count_include_pad does both.
        if (max_)
            return {max_pooling(x, {kernel, stride, pad, ceil_})};
        return {at::avg_pool2d(x, kernel, stride, pad, ceil_, true)};
    }

  private:
    bool max_ = true, ceil_ = true, global_ = false;
    std::pair<std::int64_t, std::int64_t> kernel_, stride_, pad_;
};

class LocalResponseNorm final : public Op {
  public:
    explicit LocalResponseNorm(const dgnam_caffe::LayerParameter& layer, const at::Tensor& x)
        : p_(layer.lrn_param()) {
        expect_spatial(x);
        if (p_.local_size() % 2 == 0)
            fail("has an even local_size " + std::to_string(p_.local_size()) + "; Caffe needs odd");
    }

    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        const auto& x = b[0];
        const std::int64_t n = p_.local_size(), pre = (n - 1) / 2;
        if (p_.norm_region() == dgnam_caffe::LRNParameter::ACROSS_CHANNELS)
            return {local_response_norm_across_channels(
                x, LocalResponseNormParams{n, p_.alpha(), p_.beta(), p_.k()})};
        // WITHIN_CHANNEL: 1 + alpha / n^2 * (sum of squares over an n x n window), as Caffe builds
        // it from an AVE pooling (padding counted) and a power layer.
        auto s = at::avg_pool2d(x * x, {n, n}, {1, 1}, {pre, pre}, true, true);
        return {x * at::pow(1.0 + p_.alpha() * s, -p_.beta())};
    }

  private:
    dgnam_caffe::LRNParameter p_;
};

class Elementwise final : public Op {
  public:
    using Function = std::function<at::Tensor(const at::Tensor&)>;
    explicit Elementwise(Function f) : f_(std::move(f)) {}
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        return {f_(b[0])};
    }

  private:
    Function f_;
};

class Concat final : public Op {
  public:
    Concat(const dgnam_caffe::LayerParameter& layer, const std::vector<at::Tensor>& bottoms) {
        if (bottoms.empty())
            fail("has no input blobs");
        const auto& p = layer.concat_param();
        const std::int64_t axis = p.has_concat_dim() && !p.has_axis() ? p.concat_dim() : p.axis();
        axis_ = canonical_axis(axis, bottoms[0].dim(), "axis");
        for (const auto& b : bottoms) {
            auto a = b.sizes().vec(), first = bottoms[0].sizes().vec();
            if (a.size() != first.size())
                fail("joins blobs of different ranks " + shape_text(first) + " and " +
                     shape_text(a));
            a[axis_] = first[axis_];
            if (a != first)
                fail("joins " + shape_text(bottoms[0].sizes()) + " and " + shape_text(b.sizes()) +
                     ", which differ outside axis " + std::to_string(axis_));
        }
    }
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        return {at::cat(b, axis_)};
    }

  private:
    std::int64_t axis_ = 1;
};

class Eltwise final : public Op {
  public:
    Eltwise(const dgnam_caffe::LayerParameter& layer, const std::vector<at::Tensor>& bottoms)
        : p_(layer.eltwise_param()) {
        if (bottoms.size() < 2)
            fail("needs at least 2 input blobs");
        for (const auto& b : bottoms)
            if (b.sizes() != bottoms[0].sizes())
                fail("combines blobs of shapes " + shape_text(bottoms[0].sizes()) + " and " +
                     shape_text(b.sizes()));
        if (p_.coeff_size() > 0) {
            if (p_.operation() != dgnam_caffe::EltwiseParameter::SUM)
                fail("gives coefficients, which only the SUM operation takes");
            if (p_.coeff_size() != static_cast<int>(bottoms.size()))
                fail("gives " + std::to_string(p_.coeff_size()) + " coefficients for " +
                     std::to_string(bottoms.size()) + " input blobs");
        }
    }
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        at::Tensor y = p_.coeff_size() > 0 ? b[0] * p_.coeff(0) : b[0];
        for (std::size_t i = 1; i < b.size(); ++i) {
            switch (p_.operation()) {
                case dgnam_caffe::EltwiseParameter::PROD:
                    y = y * b[i];
                    break;
                case dgnam_caffe::EltwiseParameter::MAX:
                    y = at::maximum(y, b[i]);
                    break;
                case dgnam_caffe::EltwiseParameter::SUM:
                    y = p_.coeff_size() > 0 ? y + b[i] * p_.coeff(static_cast<int>(i)) : y + b[i];
                    break;
            }
        }
        return {y};
    }

  private:
    dgnam_caffe::EltwiseParameter p_;
};

class BatchNorm final : public Op {
  public:
    BatchNorm(const dgnam_caffe::LayerParameter& layer, const at::Tensor& x, BlobTaker& blobs) {
        const auto& p = layer.batch_norm_param();
        if (p.has_use_global_stats() && !p.use_global_stats())
            fail(
                "sets use_global_stats: false (statistics of each batch), which changes what a "
                "unit computes from image to image; remove it or set it to true");
        if (x.dim() < 2)
            fail("needs an input with a channel axis");
        const auto c = x.size(1);
        auto mean = blobs.take({c}, "mean");
        auto variance = blobs.take({c}, "variance");
        auto factor = blobs.take({1}, "moving-average factor");
        // Caffe stores sums scaled by a factor; 0 means no statistics were gathered.
        const float f = factor.item<float>();
        const float inv = f == 0.0f ? 0.0f : 1.0f / f;
        const Shape bc = broadcast_shape(x.dim(), c);
        auto m = (mean * inv).view(bc);
        auto v = (variance * inv).view(bc);
        weights_.push_back(m);
        weights_.push_back(at::rsqrt(v + p.eps()));
    }
    static Shape broadcast_shape(std::int64_t dims, std::int64_t c) {
        Shape s(static_cast<std::size_t>(dims), 1);
        s[1] = c;
        return s;
    }
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        return {(b[0] - weights_[0]) * weights_[1]};
    }
};

class Scale final : public Op {
  public:
    Scale(const dgnam_caffe::LayerParameter& layer, const std::vector<at::Tensor>& bottoms,
          BlobTaker& blobs) {
        const auto& p = layer.scale_param();
        if (bottoms.empty() || bottoms.size() > 2)
            fail("takes 1 or 2 input blobs");
        const auto& x = bottoms[0];
        axis_ = canonical_axis(p.axis(), x.dim(), "axis");
        Shape factor_shape;
        if (bottoms.size() == 2) {
            for (auto d : bottoms[1].sizes())
                factor_shape.push_back(d);
        } else {
            const std::int64_t end =
                p.num_axes() < 0 ? x.dim() : std::min<std::int64_t>(x.dim(), axis_ + p.num_axes());
            for (std::int64_t d = axis_; d < end; ++d)
                factor_shape.push_back(x.size(d));
            weights_.push_back(blobs.take(factor_shape, "scale"));
        }
        for (std::size_t i = 0; i < factor_shape.size(); ++i)
            if (axis_ + static_cast<std::int64_t>(i) >= x.dim() ||
                factor_shape[i] != x.size(axis_ + static_cast<std::int64_t>(i)))
                fail("scales " + shape_text(x.sizes()) + " by a factor of shape " +
                     shape_text(factor_shape) + " from axis " + std::to_string(axis_));
        view_ = Shape(static_cast<std::size_t>(x.dim()), 1);
        for (std::size_t i = 0; i < factor_shape.size(); ++i)
            view_[static_cast<std::size_t>(axis_) + i] = factor_shape[i];
        two_bottoms_ = bottoms.size() == 2;
        bias_ = p.bias_term();
        if (bias_)
            weights_.push_back(blobs.take(factor_shape, "bias"));
    }
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        std::size_t next = 0;
        at::Tensor factor;
        if (two_bottoms_) {
            Shape v = view_;
            if (axis_ == 0)
                v[0] = b[1].size(0);
            factor = b[1].reshape(v);
        } else {
            factor = weights_[next++].view(view_);
        }
        auto y = b[0] * factor;
        if (bias_)
            y = y + weights_[next].view(view_);
        return {y};
    }

  private:
    std::int64_t axis_ = 1;
    Shape view_;
    bool two_bottoms_ = false, bias_ = false;
};

class Reshape final : public Op {
  public:
    Reshape(const dgnam_caffe::LayerParameter& layer, const at::Tensor& x, std::int64_t input_batch)
        : p_(layer.reshape_param()), input_batch_(input_batch) {
        output_shape(x.sizes().vec());  // validates
    }
    Shape output_shape(const Shape& in) const {
        const auto dims = static_cast<std::int64_t>(in.size());
        const std::int64_t start = p_.axis() < 0 ? p_.axis() + dims + 1 : p_.axis();
        if (start < 0 || start > dims)
            fail("axis " + std::to_string(p_.axis()) + " is outside the input " + shape_text(in));
        const std::int64_t end = p_.num_axes() < 0 ? dims : start + p_.num_axes();
        if (p_.num_axes() < -1 || end > dims)
            fail("num_axes " + std::to_string(p_.num_axes()) + " reaches past the input " +
                 shape_text(in));
        Shape out(in.begin(), in.begin() + start);
        int infer = -1;
        for (int i = 0; i < p_.shape().dim_size(); ++i) {
            std::int64_t d = p_.shape().dim(i);
            // Deploy files spell out their own batch size; the network runs any batch.
            if (start == 0 && i == 0 && d > 0 && d == input_batch_)
                d = in[0];
            if (d == 0) {
                if (start + i >= dims)
                    fail("copies axis " + std::to_string(start + i) + ", which the input " +
                         shape_text(in) + " lacks");
                d = in[static_cast<std::size_t>(start + i)];
            } else if (d == -1) {
                if (infer >= 0)
                    fail("infers more than one axis (-1)");
                infer = static_cast<int>(out.size());
            } else if (d < -1) {
                fail("has a negative dimension " + std::to_string(d));
            }
            out.push_back(d);
        }
        out.insert(out.end(), in.begin() + end, in.end());
        std::int64_t count = 1, known = 1;
        for (auto d : in)
            count *= d;
        for (auto d : out)
            if (d != -1)
                known *= d;
        if (infer >= 0) {
            if (known == 0 || count % known)
                fail("cannot infer an axis: " + std::to_string(count) +
                     " values do not divide into " + std::to_string(known));
            out[static_cast<std::size_t>(infer)] = count / known;
        } else if (known != count) {
            fail("turns " + shape_text(in) + " (" + std::to_string(count) + " values) into " +
                 shape_text(out) + " (" + std::to_string(known) + ")");
        }
        return out;
    }
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        return {b[0].reshape(output_shape(b[0].sizes().vec()))};
    }

  private:
    dgnam_caffe::ReshapeParameter p_;
    std::int64_t input_batch_;
};

class Crop final : public Op {
  public:
    Crop(const dgnam_caffe::LayerParameter& layer, const std::vector<at::Tensor>& bottoms) {
        expect_bottoms(bottoms, 2);
        const auto& p = layer.crop_param();
        const auto& x = bottoms[0];
        const auto& ref = bottoms[1];
        if (x.dim() != ref.dim())
            fail("crops " + shape_text(x.sizes()) + " to a reference of another rank " +
                 shape_text(ref.sizes()));
        axis_ = canonical_axis(p.axis(), x.dim(), "axis");
        const auto cropped = x.dim() - axis_;
        if (p.offset_size() > 1 && p.offset_size() != cropped)
            fail("gives " + std::to_string(p.offset_size()) + " offsets for " +
                 std::to_string(cropped) + " cropped axes");
        for (std::int64_t i = 0; i < cropped; ++i) {
            const std::int64_t o =
                p.offset_size() == 0 ? 0 : p.offset(p.offset_size() == 1 ? 0 : static_cast<int>(i));
            const auto a = axis_ + i;
            if (o + ref.size(a) > x.size(a))
                fail("crops axis " + std::to_string(a) + " of " + shape_text(x.sizes()) + " from " +
                     std::to_string(o) + " to a length of " + std::to_string(ref.size(a)) +
                     ", past its end");
            offsets_.push_back(o);
        }
    }
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        auto y = b[0];
        for (std::size_t i = 0; i < offsets_.size(); ++i) {
            const auto a = axis_ + static_cast<std::int64_t>(i);
            y = y.narrow(a, offsets_[i], b[1].size(a));
        }
        return {y};
    }

  private:
    std::int64_t axis_ = 2;
    Shape offsets_;
};

class Split final : public Op {
  public:
    explicit Split(std::size_t tops) : tops_(tops) {}
    std::vector<at::Tensor> run(const std::vector<at::Tensor>& b) const override {
        return std::vector<at::Tensor>(tops_, b[0]);
    }

  private:
    std::size_t tops_;
};

using Factory = std::function<std::unique_ptr<Op>(
    const dgnam_caffe::LayerParameter&, const std::vector<at::Tensor>&, BlobTaker&, std::int64_t)>;

const std::map<std::string, Factory>& factories() {
    using L = dgnam_caffe::LayerParameter;
    using B = std::vector<at::Tensor>;
    static const std::map<std::string, Factory> table = {
        {"Convolution",
         [](const L& l, const B& b, BlobTaker& w, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<Convolution>(l, b[0], w, false);
         }},
        {"Deconvolution",
         [](const L& l, const B& b, BlobTaker& w, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<Convolution>(l, b[0], w, true);
         }},
        {"InnerProduct",
         [](const L& l, const B& b, BlobTaker& w, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<InnerProduct>(l, b[0], w);
         }},
        {"Pooling",
         [](const L& l, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<Pooling>(l, b[0]);
         }},
        {"LRN",
         [](const L& l, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<LocalResponseNorm>(l, b[0]);
         }},
        {"ReLU",
         [](const L& l, const B& b, BlobTaker&, std::int64_t) -> std::unique_ptr<Op> {
             expect_bottoms(b, 1);
             const double slope = l.relu_param().negative_slope();
             if (slope == 0.0)
                 return std::make_unique<Elementwise>(
                     [](const at::Tensor& x) { return at::relu(x); });
             return std::make_unique<Elementwise>(
                 [slope](const at::Tensor& x) { return at::leaky_relu(x, slope); });
         }},
        {"Sigmoid",
         [](const L&, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<Elementwise>(
                 [](const at::Tensor& x) { return at::sigmoid(x); });
         }},
        {"TanH",
         [](const L&, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<Elementwise>([](const at::Tensor& x) { return at::tanh(x); });
         }},
        {"Power",
         [](const L& l, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             const double power = l.power_param().power(), scale = l.power_param().scale(),
                          shift = l.power_param().shift();
             return std::make_unique<Elementwise>([=](const at::Tensor& x) {
                 auto y = x * scale + shift;
                 return power == 1.0 ? y : at::pow(y, power);
             });
         }},
        {"Dropout",  // identity at test time: Caffe scales while training
         [](const L&, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<Elementwise>([](const at::Tensor& x) { return x; });
         }},
        {"Softmax",
         [](const L& l, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             const auto axis = canonical_axis(l.softmax_param().axis(), b[0].dim(), "axis");
             return std::make_unique<Elementwise>(
                 [axis](const at::Tensor& x) { return at::softmax(x, axis); });
         }},
        {"Flatten",
         [](const L& l, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             const auto dims = b[0].dim();
             const auto start = canonical_axis(l.flatten_param().axis(), dims, "axis");
             const auto end = canonical_axis(l.flatten_param().end_axis(), dims, "end_axis");
             if (end < start)
                 fail("ends (axis " + std::to_string(end) + ") before it starts (axis " +
                      std::to_string(start) + ")");
             return std::make_unique<Elementwise>(
                 [start, end](const at::Tensor& x) { return x.flatten(start, end); });
         }},
        {"Concat", [](const L& l, const B& b, BlobTaker&,
                      std::int64_t) { return std::make_unique<Concat>(l, b); }},
        {"Eltwise", [](const L& l, const B& b, BlobTaker&,
                       std::int64_t) { return std::make_unique<Eltwise>(l, b); }},
        {"BatchNorm",
         [](const L& l, const B& b, BlobTaker& w, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<BatchNorm>(l, b[0], w);
         }},
        {"Scale", [](const L& l, const B& b, BlobTaker& w,
                     std::int64_t) { return std::make_unique<Scale>(l, b, w); }},
        {"Reshape",
         [](const L& l, const B& b, BlobTaker&, std::int64_t batch) {
             expect_bottoms(b, 1);
             return std::make_unique<Reshape>(l, b[0], batch);
         }},
        {"Crop", [](const L& l, const B& b, BlobTaker&,
                    std::int64_t) { return std::make_unique<Crop>(l, b); }},
        {"Split",
         [](const L& l, const B& b, BlobTaker&, std::int64_t) {
             expect_bottoms(b, 1);
             return std::make_unique<Split>(static_cast<std::size_t>(l.top_size()));
         }},
    };
    return table;
}

}  // namespace

void Op::to(const at::Device& device) {
    for (auto& t : weights_)
        if (t.defined())
            t = t.to(device);
    weights_changed();
}

void Op::set_execution_mode(const ExecutionMode& mode) {
    for (auto& t : weights_)
        if (t.defined())
            t.requires_grad_(!mode.frozen_weights);
    weights_changed();
}

std::int64_t Op::parameter_count() const {
    std::int64_t n = 0;
    for (const auto& t : weights_)
        if (t.defined())
            n += t.numel();
    return n;
}

const std::vector<std::string>& supported_types() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out{"Input"};
        for (const auto& [name, factory] : factories())
            out.push_back(name);
        std::sort(out.begin(), out.end());
        return out;
    }();
    return names;
}

BuiltOp make_op(const dgnam_caffe::LayerParameter& layer, const std::vector<at::Tensor>& bottoms,
                std::vector<Blob> blobs, std::int64_t input_batch, at::Generator* random) {
    const auto it = factories().find(layer.type());
    if (it == factories().end()) {
        std::string known;
        for (const auto& t : supported_types())
            known += (known.empty() ? "" : ", ") + t;
        fail("has type \"" + layer.type() +
             "\", which DGN-AM Studio cannot run; supported: " + known);
    }
    BlobTaker taker(std::move(blobs), random);
    auto op = it->second(layer, bottoms, taker, input_batch);
    taker.expect_all_taken();
    return {std::move(op), std::move(taker.taken())};
}

}  // namespace dgnam::caffe_layers
