// Caffe networks read natively: each layer type's output against a plain-loop computation of
// Caffe's definition (not ATen's operators), weights encoded by protoc from text.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <cmath>

#include "caffe_fixture.h"
#include "dgnam/caffe_net.h"
#include "dgnam/error.h"
#include "test_support.h"

namespace dgnam {
namespace {

using test::blob_text;
using test::seeded_values;

at::Tensor tensor_of(const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
    return at::tensor(values).reshape(shape).clone();
}

at::Tensor seeded(const std::vector<std::int64_t>& shape, std::uint32_t seed) {
    std::int64_t n = 1;
    for (auto d : shape)
        n *= d;
    return tensor_of(shape, seeded_values(static_cast<std::size_t>(n), seed));
}

std::vector<float> values_of(const at::Tensor& t) {
    auto c = t.contiguous();
    return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

std::string blob_of(const at::Tensor& t, bool legacy = false) {
    return blob_text(t.sizes().vec(), values_of(t), legacy);
}

std::string input_layer(const std::vector<std::int64_t>& shape, const std::string& top = "data") {
    std::string dims;
    for (auto d : shape)
        dims += " dim: " + std::to_string(d);
    return "layer { name: \"input\" type: \"Input\" top: \"" + top + "\" input_param { shape {" +
           dims + " } } }\n";
}

class CaffeLayers : public ::testing::Test {
  protected:
    CaffeNet load(const std::string& deploy, const std::string& weights = "") {
        const auto prototxt = scratch_ / "net.prototxt";
        const auto caffemodel = scratch_ / "net.caffemodel";
        test::write_text(prototxt, deploy);
        test::encode_caffemodel(weights, caffemodel);
        return CaffeNet::load(prototxt, caffemodel);
    }
    std::string load_error(const std::string& deploy, const std::string& weights = "") {
        try {
            load(deploy, weights);
        } catch (const Error& e) {
            return e.what();
        }
        return "(no error)";
    }
    test::ScratchFolder scratch_;
};

void expect_close(const at::Tensor& actual, const at::Tensor& expected, double tolerance = 1e-4) {
    ASSERT_EQ(actual.sizes(), expected.sizes());
    const double worst = (actual - expected).abs().max().item<double>();
    EXPECT_LT(worst, tolerance) << "largest difference " << worst;
}

// Caffe's convolution: out[o][y][x] = b[o] + sum over the group's input channels and taps.
at::Tensor conv_reference(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                          int stride_h, int stride_w, int pad_h, int pad_w, int dilation,
                          int group) {
    const int C = static_cast<int>(x.size(1)), H = static_cast<int>(x.size(2)),
              W = static_cast<int>(x.size(3));
    const int O = static_cast<int>(w.size(0)), KH = static_cast<int>(w.size(2)),
              KW = static_cast<int>(w.size(3));
    const int OH = (H + 2 * pad_h - (dilation * (KH - 1) + 1)) / stride_h + 1;
    const int OW = (W + 2 * pad_w - (dilation * (KW - 1) + 1)) / stride_w + 1;
    auto out = at::zeros({1, O, OH, OW});
    auto xa = x.accessor<float, 4>();
    auto wa = w.accessor<float, 4>();
    auto oa = out.accessor<float, 4>();
    const int in_per_group = C / group, out_per_group = O / group;
    for (int o = 0; o < O; ++o)
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox) {
                double sum = b.defined() ? b[o].item<float>() : 0.0;
                const int g = o / out_per_group;
                for (int c = 0; c < in_per_group; ++c)
                    for (int ky = 0; ky < KH; ++ky)
                        for (int kx = 0; kx < KW; ++kx) {
                            const int iy = oy * stride_h - pad_h + ky * dilation;
                            const int ix = ox * stride_w - pad_w + kx * dilation;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W)
                                continue;
                            sum += xa[0][g * in_per_group + c][iy][ix] * wa[o][c][ky][kx];
                        }
                oa[0][o][oy][ox] = static_cast<float>(sum);
            }
    return out;
}

// Caffe's deconvolution scatters each input value through the kernel (weights [in, out/g, k, k]).
at::Tensor deconv_reference(const at::Tensor& x, const at::Tensor& w, const at::Tensor& b,
                            int stride, int pad, int group) {
    const int C = static_cast<int>(x.size(1)), H = static_cast<int>(x.size(2)),
              W = static_cast<int>(x.size(3));
    const int out_per_group = static_cast<int>(w.size(1)), K = static_cast<int>(w.size(2));
    const int O = out_per_group * group, in_per_group = C / group;
    const int OH = (H - 1) * stride - 2 * pad + K, OW = (W - 1) * stride - 2 * pad + K;
    auto out = at::zeros({1, O, OH, OW});
    auto xa = x.accessor<float, 4>();
    auto wa = w.accessor<float, 4>();
    auto oa = out.accessor<float, 4>();
    for (int c = 0; c < C; ++c)
        for (int y = 0; y < H; ++y)
            for (int xx = 0; xx < W; ++xx)
                for (int o = 0; o < out_per_group; ++o)
                    for (int ky = 0; ky < K; ++ky)
                        for (int kx = 0; kx < K; ++kx) {
                            const int oy = y * stride - pad + ky, ox = xx * stride - pad + kx;
                            if (oy < 0 || oy >= OH || ox < 0 || ox >= OW)
                                continue;
                            oa[0][(c / in_per_group) * out_per_group + o][oy][ox] +=
                                xa[0][c][y][xx] * wa[c][o][ky][kx];
                        }
    if (b.defined())
        out += b.view({1, O, 1, 1});
    return out;
}

// Caffe's pooling loop (pooling_layer.cpp's arithmetic, written from its definition).
at::Tensor pool_reference(const at::Tensor& x, bool max, int k, int stride, int pad) {
    const int C = static_cast<int>(x.size(1)), H = static_cast<int>(x.size(2)),
              W = static_cast<int>(x.size(3));
    auto pooled = [&](int size) {
        int n = static_cast<int>(std::ceil(static_cast<double>(size + 2 * pad - k) / stride)) + 1;
        if (pad > 0 && (n - 1) * stride >= size + pad)
            --n;
        return n;
    };
    const int PH = pooled(H), PW = pooled(W);
    auto out = at::zeros({1, C, PH, PW});
    auto xa = x.accessor<float, 4>();
    auto oa = out.accessor<float, 4>();
    for (int c = 0; c < C; ++c)
        for (int py = 0; py < PH; ++py)
            for (int px = 0; px < PW; ++px) {
                int hs = py * stride - pad, ws = px * stride - pad;
                int he = std::min(hs + k, H + pad), we = std::min(ws + k, W + pad);
                const int pool_size = (he - hs) * (we - ws);
                hs = std::max(hs, 0);
                ws = std::max(ws, 0);
                he = std::min(he, H);
                we = std::min(we, W);
                double acc = max ? -1e30 : 0.0;
                for (int y = hs; y < he; ++y)
                    for (int xx = ws; xx < we; ++xx)
                        acc = max ? std::max<double>(acc, xa[0][c][y][xx]) : acc + xa[0][c][y][xx];
                oa[0][c][py][px] = static_cast<float>(max ? acc : acc / pool_size);
            }
    return out;
}

TEST_F(CaffeLayers, ConvolutionWithGroupsPadStrideAndRectangularKernel) {
    auto x = seeded({1, 4, 7, 6}, 1);
    auto w = seeded({6, 2, 3, 2}, 2);
    auto b = seeded({6}, 3);
    auto net = load(input_layer({1, 4, 7, 6}) +
                        "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: "
                        "\"conv\" convolution_param { num_output: 6 kernel_h: 3 kernel_w: 2 "
                        "stride: 2 pad: 1 group: 2 } }\n",
                    "layer { name: \"conv\" " + blob_of(w) + blob_of(b) + "}");
    expect_close(net.forward_to(x, "conv"), conv_reference(x, w, b, 2, 2, 1, 1, 1, 2));
    EXPECT_EQ(net.layers().at(0).shape, (std::vector<std::int64_t>{6, 4, 4}));
    EXPECT_EQ(net.layers().at(0).kind, LayerKind::Convolution);
}

TEST_F(CaffeLayers, DilatedConvolutionWithoutBias) {
    auto x = seeded({1, 3, 9, 9}, 4);
    auto w = seeded({2, 3, 3, 3}, 5);
    auto net = load(input_layer({1, 3, 9, 9}) +
                        "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: "
                        "\"conv\" convolution_param { num_output: 2 kernel_size: 3 dilation: 2 "
                        "bias_term: false } }\n",
                    "layer { name: \"conv\" " + blob_of(w) + "}");
    expect_close(net.forward_to(x, "conv"), conv_reference(x, w, {}, 1, 1, 0, 0, 2, 1));
}

TEST_F(CaffeLayers, DeconvolutionFastAndGeneralForms) {
    // k4 s2 p1 (the generator's upsampling, run through the convolution rewrite), k3 s1 p1 (its
    // conv5_1) and k3 s2 p0 with groups (LibTorch's own transposed convolution).
    struct Case {
        int kernel, stride, pad, group;
    };
    for (const Case c : {Case{4, 2, 1, 1}, Case{3, 1, 1, 1}, Case{3, 2, 0, 2}}) {
        SCOPED_TRACE("kernel " + std::to_string(c.kernel) + " stride " + std::to_string(c.stride) +
                     " group " + std::to_string(c.group));
        auto x = seeded({1, 4, 5, 4}, 6);
        auto w = seeded({4, 6 / c.group, c.kernel, c.kernel}, 7);
        auto b = seeded({6}, 8);
        auto net = load(
            input_layer({1, 4, 5, 4}) +
                "layer { name: \"up\" type: \"Deconvolution\" bottom: \"data\" top: \"up\" "
                "convolution_param { num_output: 6 kernel_size: " +
                std::to_string(c.kernel) + " stride: " + std::to_string(c.stride) +
                " pad: " + std::to_string(c.pad) + " group: " + std::to_string(c.group) + " } }\n",
            "layer { name: \"up\" " + blob_of(w) + blob_of(b) + "}");
        expect_close(net.forward_to(x, "up"), deconv_reference(x, w, b, c.stride, c.pad, c.group));
    }
}

TEST_F(CaffeLayers, InnerProductFlattensFromItsAxis) {
    auto x = seeded({2, 3, 2, 2}, 9);
    auto w = seeded({5, 12}, 10);
    auto b = seeded({5}, 11);
    auto net = load(input_layer({2, 3, 2, 2}) +
                        "layer { name: \"fc\" type: \"InnerProduct\" bottom: \"data\" top: \"fc\" "
                        "inner_product_param { num_output: 5 } }\n",
                    "layer { name: \"fc\" " + blob_of(w) + blob_of(b) + "}");
    auto expected = at::zeros({2, 5});
    for (int n = 0; n < 2; ++n)
        for (int o = 0; o < 5; ++o) {
            double sum = b[o].item<float>();
            for (int i = 0; i < 12; ++i)
                sum += x.view({2, 12})[n][i].item<float>() * w[o][i].item<float>();
            expected[n][o] = sum;
        }
    expect_close(net.forward_to(x, "fc"), expected);
    EXPECT_EQ(net.layers().at(0).kind, LayerKind::FullyConnected);
    EXPECT_EQ(net.input_shape(), (std::vector<std::int64_t>{3, 2, 2}));
}

TEST_F(CaffeLayers, PoolingRoundsUpAsCaffeDoes) {
    auto x = seeded({1, 2, 6, 7}, 12);
    auto net = load(input_layer({1, 2, 6, 7}) +
                    "layer { name: \"max\" type: \"Pooling\" bottom: \"data\" top: \"max\" "
                    "pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }\n"
                    "layer { name: \"ave\" type: \"Pooling\" bottom: \"data\" top: \"ave\" "
                    "pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }\n"
                    "layer { name: \"ave0\" type: \"Pooling\" bottom: \"data\" top: \"ave0\" "
                    "pooling_param { pool: AVE kernel_size: 3 stride: 2 } }\n"
                    "layer { name: \"global\" type: \"Pooling\" bottom: \"data\" top: \"global\" "
                    "pooling_param { pool: AVE global_pooling: true } }\n");
    expect_close(net.forward_to(x, "max"), pool_reference(x, true, 3, 2, 1));
    expect_close(net.forward_to(x, "ave"), pool_reference(x, false, 3, 2, 1));
    // 6 rows, kernel 3, stride 2, no pad: Caffe gives ceil(3 / 2) + 1 = 3 rows (floor would be 2).
    const auto ave0 = net.forward_to(x, "ave0");
    EXPECT_EQ(ave0.size(2), 3);
    expect_close(ave0, pool_reference(x, false, 3, 2, 0));
    expect_close(net.forward_to(x, "global"), x.mean({2, 3}, true));
}

TEST_F(CaffeLayers, LocalResponseNormalisationAcrossAndWithinChannels) {
    auto x = seeded({1, 5, 3, 3}, 13) * 3;
    auto net = load(input_layer({1, 5, 3, 3}) +
                    "layer { name: \"across\" type: \"LRN\" bottom: \"data\" top: \"across\" "
                    "lrn_param { local_size: 3 alpha: 0.3 beta: 0.75 k: 2 } }\n"
                    "layer { name: \"within\" type: \"LRN\" bottom: \"data\" top: \"within\" "
                    "lrn_param { local_size: 3 alpha: 0.3 beta: 0.75 norm_region: WITHIN_CHANNEL "
                    "} }\n");
    auto across = at::zeros_like(x), within = at::zeros_like(x);
    auto xa = x.accessor<float, 4>();
    for (int c = 0; c < 5; ++c)
        for (int y = 0; y < 3; ++y)
            for (int xx = 0; xx < 3; ++xx) {
                double sum = 0;
                for (int d = c - 1; d <= c + 1; ++d)
                    if (d >= 0 && d < 5)
                        sum += xa[0][d][y][xx] * xa[0][d][y][xx];
                across[0][c][y][xx] = xa[0][c][y][xx] * std::pow(2.0 + 0.3 / 3 * sum, -0.75);
                double window = 0;
                for (int yy = y - 1; yy <= y + 1; ++yy)
                    for (int xw = xx - 1; xw <= xx + 1; ++xw)
                        if (yy >= 0 && yy < 3 && xw >= 0 && xw < 3)
                            window += xa[0][c][yy][xw] * xa[0][c][yy][xw];
                within[0][c][y][xx] = xa[0][c][y][xx] * std::pow(1.0 + 0.3 / 9 * window, -0.75);
            }
    expect_close(net.forward_to(x, "across"), across);
    expect_close(net.forward_to(x, "within"), within);
}

TEST_F(CaffeLayers, ActivationsAndShapeLayers) {
    auto x = seeded({2, 4, 3, 2}, 14);
    auto net = load(input_layer({2, 4, 3, 2}) +
                    "layer { name: \"leaky\" type: \"ReLU\" bottom: \"data\" top: \"leaky\" "
                    "relu_param { negative_slope: 0.3 } }\n"
                    "layer { name: \"sig\" type: \"Sigmoid\" bottom: \"data\" top: \"sig\" }\n"
                    "layer { name: \"tanh\" type: \"TanH\" bottom: \"data\" top: \"tanh\" }\n"
                    "layer { name: \"pow\" type: \"Power\" bottom: \"sig\" top: \"pow\" "
                    "power_param { power: 2 scale: 3 shift: 1 } }\n"
                    "layer { name: \"flat\" type: \"Flatten\" bottom: \"data\" top: \"flat\" "
                    "flatten_param { axis: 2 } }\n"
                    "layer { name: \"shape\" type: \"Reshape\" bottom: \"data\" top: \"shape\" "
                    "reshape_param { shape { dim: 0 dim: -1 dim: 3 } } }\n"
                    "layer { name: \"soft\" type: \"Softmax\" bottom: \"data\" top: \"soft\" }\n");
    auto xa = x.accessor<float, 4>();
    auto leaky = net.forward_to(x, "leaky");
    auto pow = net.forward_to(x, "pow");
    auto soft = net.forward_to(x, "soft");
    for (int n = 0; n < 2; ++n)
        for (int y = 0; y < 3; ++y)
            for (int xx = 0; xx < 2; ++xx) {
                double denominator = 0;
                for (int c = 0; c < 4; ++c)
                    denominator += std::exp(xa[n][c][y][xx]);
                for (int c = 0; c < 4; ++c) {
                    const double v = xa[n][c][y][xx];
                    EXPECT_NEAR(leaky[n][c][y][xx].item<float>(), v > 0 ? v : 0.3 * v, 1e-6);
                    const double s = 1 / (1 + std::exp(-v));
                    EXPECT_NEAR(pow[n][c][y][xx].item<float>(), (1 + 3 * s) * (1 + 3 * s), 1e-5);
                    EXPECT_NEAR(soft[n][c][y][xx].item<float>(), std::exp(v) / denominator, 1e-6);
                }
            }
    expect_close(net.forward_to(x, "tanh"), at::tanh(x), 1e-6);
    EXPECT_EQ(net.forward_to(x, "flat").sizes(), (at::IntArrayRef{2, 4, 6}));
    EXPECT_EQ(net.forward_to(x, "shape").sizes(), (at::IntArrayRef{2, 8, 3}));
    // Values keep their order through reshapes.
    EXPECT_TRUE(at::equal(net.forward_to(x, "shape").flatten(), x.flatten()));
}

TEST_F(CaffeLayers, ReshapeThatNamesTheDeployBatchFollowsTheRunningBatch) {
    // The paper's generator reshapes its 4096 values with "dim: <deploy batch> dim: 256 ...".
    auto x = seeded({3, 32}, 15);
    auto net = load(input_layer({10, 32}) +
                    "layer { name: \"shape\" type: \"Reshape\" bottom: \"data\" top: \"shape\" "
                    "reshape_param { shape { dim: 10 dim: 2 dim: 4 dim: 4 } } }\n");
    EXPECT_EQ(net.forward_to(x, "shape").sizes(), (at::IntArrayRef{3, 2, 4, 4}));
}

TEST_F(CaffeLayers, ConcatEltwiseBatchNormScaleAndCrop) {
    // Two blobs from one input: a = data, b = 0.25 - 0.5 * data.
    auto x = seeded({1, 3, 4, 4}, 16);
    auto a = x, b = 0.25 - 0.5 * x;
    auto mean = seeded({3}, 18), variance = seeded({3}, 19).abs() + 0.5;
    auto factor = tensor_of({1}, {2.0f});
    auto gamma = seeded({3}, 20), beta = seeded({3}, 21);
    auto net = load(
        input_layer({1, 3, 4, 4}) +
            "layer { name: \"b\" type: \"Power\" bottom: \"data\" top: \"b\" "
            "power_param { scale: -0.5 shift: 0.25 } }\n"
            "layer { name: \"cat\" type: \"Concat\" bottom: \"data\" bottom: \"b\" top: \"cat\" }\n"
            "layer { name: \"sum\" type: \"Eltwise\" bottom: \"data\" bottom: \"b\" top: \"sum\" "
            "eltwise_param { operation: SUM coeff: 2 coeff: -1 } }\n"
            "layer { name: \"prod\" type: \"Eltwise\" bottom: \"data\" bottom: \"b\" top: "
            "\"prod\" eltwise_param { operation: PROD } }\n"
            "layer { name: \"max\" type: \"Eltwise\" bottom: \"data\" bottom: \"b\" top: \"max\" "
            "eltwise_param { operation: MAX } }\n"
            "layer { name: \"bn\" type: \"BatchNorm\" bottom: \"data\" top: \"bn\" }\n"
            "layer { name: \"scale\" type: \"Scale\" bottom: \"bn\" top: \"bn\" "
            "scale_param { bias_term: true } }\n"
            "layer { name: \"small\" type: \"Pooling\" bottom: \"data\" top: \"small\" "
            "pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
            "layer { name: \"crop\" type: \"Crop\" bottom: \"b\" bottom: \"small\" top: \"crop\" "
            "crop_param { axis: 2 offset: 1 offset: 2 } }\n",
        "layer { name: \"bn\" " + blob_of(mean) + blob_of(variance) + blob_of(factor) +
            "}\nlayer { name: \"scale\" " + blob_of(gamma) + blob_of(beta) + "}");
    expect_close(net.forward_to(x, "cat"), at::cat({a, b}, 1), 1e-6);
    expect_close(net.forward_to(x, "sum"), 2 * a - b, 1e-6);
    expect_close(net.forward_to(x, "prod"), a * b, 1e-6);
    expect_close(net.forward_to(x, "max"), at::maximum(a, b), 1e-6);
    auto xa = x.accessor<float, 4>();
    auto scaled = net.forward_to(x, "scale");
    for (int c = 0; c < 3; ++c) {
        // Caffe stores running sums; the factor blob divides them.
        const double m = mean[c].item<float>() / 2, v = variance[c].item<float>() / 2;
        for (int y = 0; y < 4; ++y)
            for (int xx = 0; xx < 4; ++xx)
                EXPECT_NEAR(scaled[0][c][y][xx].item<float>(),
                            (xa[0][c][y][xx] - m) / std::sqrt(v + 1e-5) * gamma[c].item<float>() +
                                beta[c].item<float>(),
                            1e-5);
    }
    // "bn" is read before the in-place Scale ran on it.
    EXPECT_FALSE(at::allclose(net.forward_to(x, "bn"), scaled));
    expect_close(net.forward_to(x, "crop"), b.narrow(2, 1, 2).narrow(3, 2, 2), 1e-6);
}

TEST_F(CaffeLayers, InPlaceLayersAreSeparateEntriesAndOnlyNeededLayersRun) {
    auto w = seeded({4, 6}, 22);
    auto net = load(input_layer({1, 6}) +
                        "layer { name: \"fc\" type: \"InnerProduct\" bottom: \"data\" top: \"fc\" "
                        "inner_product_param { num_output: 4 bias_term: false } }\n"
                        "layer { name: \"relu\" type: \"ReLU\" bottom: \"fc\" top: \"fc\" }\n"
                        "layer { name: \"drop\" type: \"Dropout\" bottom: \"fc\" top: \"fc\" }\n"
                        "layer { name: \"prob\" type: \"Softmax\" bottom: \"fc\" top: \"prob\" }\n"
                        "layer { name: \"train_only\" type: \"Accuracy\" bottom: \"prob\" top: "
                        "\"acc\" include { phase: TRAIN } }\n",
                    "layer { name: \"fc\" " + blob_of(w) + "}");
    std::vector<std::string> names;
    for (const auto& l : net.layers())
        names.push_back(l.name);
    // Input and the test-time identity Dropout are not listed; the TRAIN-only layer is gone.
    EXPECT_EQ(names, (std::vector<std::string>{"fc", "relu", "prob"}));
    auto x = seeded({1, 6}, 23);
    auto fc = net.forward_to(x, "fc");
    expect_close(fc, at::matmul(x, w.t()), 1e-5);
    expect_close(net.forward_to(x, "relu"), at::relu(fc), 1e-6);
    expect_close(net.forward_to(x, ""), at::softmax(at::relu(fc), 1), 1e-6);
    EXPECT_EQ(net.parameter_count(), 24);
    // Gradients reach the input through every layer.
    auto xg = x.clone().requires_grad_(true);
    net.forward_to(xg, "relu").sum().backward();
    ASSERT_TRUE(xg.grad().defined());
}

TEST_F(CaffeLayers, LegacyV1EncodingGivesTheSameNetwork) {
    auto x = seeded({1, 2, 5, 5}, 24);
    auto cw = seeded({3, 2, 3, 3}, 25), cb = seeded({3}, 26);
    auto fw = seeded({4, 12}, 27), fb = seeded({4}, 28);
    const std::string current =
        input_layer({1, 2, 5, 5}) +
        "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"conv\" "
        "convolution_param { num_output: 3 kernel_size: 3 } }\n"
        "layer { name: \"relu\" type: \"ReLU\" bottom: \"conv\" top: \"conv\" }\n"
        "layer { name: \"pool\" type: \"Pooling\" bottom: \"conv\" top: \"pool\" "
        "pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
        "layer { name: \"fc\" type: \"InnerProduct\" bottom: \"pool\" top: \"fc\" "
        "inner_product_param { num_output: 4 } }\n";
    const std::string current_weights = "layer { name: \"conv\" " + blob_of(cw) + blob_of(cb) +
                                        "}\nlayer { name: \"fc\" " + blob_of(fw) + blob_of(fb) +
                                        "}\n";
    // Old model-zoo files: net-level input fields, `layers` with enum types, 4-D blob dims.
    const std::string legacy =
        "input: \"data\" input_dim: 1 input_dim: 2 input_dim: 5 input_dim: 5\n"
        "layers { name: \"conv\" type: CONVOLUTION bottom: \"data\" top: \"conv\" "
        "convolution_param { num_output: 3 kernel_size: 3 } }\n"
        "layers { name: \"relu\" type: RELU bottom: \"conv\" top: \"conv\" }\n"
        "layers { name: \"pool\" type: POOLING bottom: \"conv\" top: \"pool\" "
        "pooling_param { pool: MAX kernel_size: 2 stride: 2 } }\n"
        "layers { name: \"fc\" type: INNER_PRODUCT bottom: \"pool\" top: \"fc\" "
        "inner_product_param { num_output: 4 } }\n";
    const std::string legacy_weights = "layers { name: \"conv\" type: CONVOLUTION " +
                                       blob_of(cw, true) + blob_of(cb, true) +
                                       "}\nlayers { name: \"fc\" type: INNER_PRODUCT " +
                                       blob_of(fw, true) + blob_of(fb, true) + "}\n";
    const auto expected = load(current, current_weights).forward_to(x, "fc");
    auto old = load(legacy, legacy_weights);
    expect_close(old.forward_to(x, "fc"), expected, 1e-6);
    EXPECT_EQ(old.layers().size(), 4u);
    EXPECT_EQ(old.layers().at(0).type, "Convolution");
    // The reference through plain loops.
    auto conv = at::relu(conv_reference(x, cw, cb, 1, 1, 0, 0, 1, 1));
    auto pooled = pool_reference(conv, true, 2, 2, 0);
    expect_close(expected, at::matmul(pooled.view({1, 12}), fw.t()) + fb, 1e-4);
}

}  // namespace
}  // namespace dgnam
