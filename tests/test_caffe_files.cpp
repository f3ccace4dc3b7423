// Caffe files that are broken or hostile: each gives an error naming the file and the problem.
// And the wire format itself, assembled byte by byte, pins the schema's field numbers.
#include <gtest/gtest.h>

#include <ATen/ATen.h>

#include <fstream>

#include "caffe_fixture.h"
#include "dgnam/caffe_net.h"
#include "dgnam/error.h"
#include "test_support.h"

namespace dgnam {
namespace {

const std::string kConvNet =
    "name: \"tiny\"\n"
    "layer { name: \"input\" type: \"Input\" top: \"data\" input_param { shape { dim: 1 dim: 1 "
    "dim: 4 dim: 4 } } }\n"
    "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"conv\" "
    "convolution_param { num_output: 2 kernel_size: 3 } }\n";

std::string conv_weights(const std::string& weight_shape = "dim: 2 dim: 1 dim: 3 dim: 3",
                         int weight_values = 18) {
    std::string w = "layer { name: \"conv\" blobs { shape { " + weight_shape + " }";
    for (int i = 0; i < weight_values; ++i)
        w += " data: 0.5";
    return w + " } blobs { shape { dim: 2 } data: 1 data: 2 } }";
}

class CaffeFiles : public ::testing::Test {
  protected:
    std::string error_of(const std::string& deploy, const std::string& weights) {
        test::write_text(prototxt(), deploy);
        test::encode_caffemodel(weights, caffemodel());
        return error_loading();
    }
    std::string error_loading() {
        try {
            CaffeNet::load(prototxt(), caffemodel());
        } catch (const Error& e) {
            return e.what();
        }
        return "(loaded without an error)";
    }
    std::filesystem::path prototxt() const { return scratch_ / "net.prototxt"; }
    std::filesystem::path caffemodel() const { return scratch_ / "net.caffemodel"; }
    test::ScratchFolder scratch_;
};

#define EXPECT_MENTIONS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST_F(CaffeFiles, AValidNetLoads) {
    EXPECT_EQ(error_of(kConvNet, conv_weights()), "(loaded without an error)");
}

TEST_F(CaffeFiles, SyntaxErrorNamesFileLineAndColumn) {
    const auto e = error_of(kConvNet + "layer { name: \"broken\" type: 7 }\n", conv_weights());
    EXPECT_MENTIONS(e, prototxt().string());
    EXPECT_MENTIONS(e, "line 4, column 30");
}

TEST_F(CaffeFiles, UnsupportedLayerTypeNamesLayerAndType) {
    const auto e = error_of(kConvNet +
                                "layer { name: \"odd\" type: \"ROIPooling\" bottom: \"conv\" top: "
                                "\"odd\" }\n",
                            conv_weights());
    EXPECT_MENTIONS(e, "layer \"odd\"");
    EXPECT_MENTIONS(e, "ROIPooling");
    EXPECT_MENTIONS(e, "supported: ");
}

TEST_F(CaffeFiles, TrainValLayersAreRejectedWithTheirType) {
    const auto e = error_of("layer { name: \"data\" type: \"Data\" top: \"data\" }\n", "");
    EXPECT_MENTIONS(e, "\"Data\"");
}

TEST_F(CaffeFiles, MissingWeightsNameTheLayerAndBlob) {
    const auto e = error_of(kConvNet, "layer { name: \"other\" }");
    EXPECT_MENTIONS(e, "layer \"conv\"");
    EXPECT_MENTIONS(e, "weights (blob 0, shape [2, 1, 3, 3]) is missing");
    EXPECT_MENTIONS(e, caffemodel().string());
}

TEST_F(CaffeFiles, MisshapenBlobNamesBothShapes) {
    const auto e = error_of(kConvNet, conv_weights("dim: 2 dim: 1 dim: 9", 18));
    EXPECT_MENTIONS(e, "layer \"conv\"");
    EXPECT_MENTIONS(e, "[2, 1, 9]");
    EXPECT_MENTIONS(e, "[2, 1, 3, 3]");
}

TEST_F(CaffeFiles, BlobWithTooFewValues) {
    const auto e = error_of(kConvNet, conv_weights("dim: 2 dim: 1 dim: 3 dim: 3", 17));
    EXPECT_MENTIONS(e, "layer \"conv\" blob 0 holds 17 values for its shape [2, 1, 3, 3] (18)");
}

TEST_F(CaffeFiles, SurplusBlobsAreAnError) {
    auto weights = conv_weights();
    weights.insert(weights.size() - 1, " blobs { shape { dim: 1 } data: 3 } ");
    const auto e = error_of(kConvNet, weights);
    EXPECT_MENTIONS(e, "has 3 parameter blobs for it; it takes 2");
}

TEST_F(CaffeFiles, NonFiniteWeights) {
    auto weights = conv_weights();
    weights.replace(weights.find("data: 1 "), 8, "data: nan ");
    const auto e = error_of(kConvNet, weights);
    EXPECT_MENTIONS(e, "NaN or infinite");
    EXPECT_MENTIONS(e, "layer \"conv\" blob 1");
}

TEST_F(CaffeFiles, TruncatedWeightsFile) {
    test::write_text(prototxt(), kConvNet);
    test::encode_caffemodel(conv_weights(), caffemodel());
    const auto size = std::filesystem::file_size(caffemodel());
    std::filesystem::resize_file(caffemodel(), size - 7);
    const auto e = error_loading();
    EXPECT_MENTIONS(e, caffemodel().string());
    EXPECT_MENTIONS(e, "not a Caffe weights file");
}

TEST_F(CaffeFiles, DescriptionGivenAsWeights) {
    test::write_text(prototxt(), kConvNet);
    test::write_text(caffemodel(), kConvNet);
    EXPECT_MENTIONS(error_loading(), "not a Caffe weights file");
}

TEST_F(CaffeFiles, MissingFiles) {
    test::write_text(prototxt(), kConvNet);
    EXPECT_MENTIONS(error_loading(), caffemodel().string());
    std::filesystem::remove(prototxt());
    EXPECT_MENTIONS(error_loading(), prototxt().string());
}

TEST_F(CaffeFiles, UnknownBottomBlob) {
    const auto e = error_of(kConvNet +
                                "layer { name: \"relu\" type: \"ReLU\" bottom: \"convv\" top: "
                                "\"relu\" }\n",
                            conv_weights());
    EXPECT_MENTIONS(e, "reads blob \"convv\", which no earlier layer or input produces");
}

TEST_F(CaffeFiles, NoInputAndTwoInputs) {
    EXPECT_MENTIONS(
        error_of("layer { name: \"relu\" type: \"ReLU\" bottom: \"x\" top: \"x\" }\n", ""),
        "reads blob \"x\"");
    EXPECT_MENTIONS(error_of("name: \"empty\"\n", ""), "declares no input");
    EXPECT_MENTIONS(
        error_of(kConvNet + "input: \"second\" input_shape { dim: 1 dim: 3 }\n", conv_weights()),
        "declares a second input");
}

TEST_F(CaffeFiles, DuplicateLayerNames) {
    const auto e = error_of(kConvNet +
                                "layer { name: \"conv\" type: \"ReLU\" bottom: \"conv\" top: "
                                "\"conv\" }\n",
                            conv_weights());
    EXPECT_MENTIONS(e, "shares its name");
}

TEST_F(CaffeFiles, ImpossibleGeometryNamesTheLayer) {
    const auto e = error_of(kConvNet +
                                "layer { name: \"pool\" type: \"Pooling\" bottom: \"conv\" top: "
                                "\"pool\" pooling_param { kernel_size: 9 } }\n",
                            conv_weights());
    EXPECT_MENTIONS(e, "layer \"pool\" (Pooling)");
}

TEST_F(CaffeFiles, UnknownFieldsAreWarningsWithTheirLine) {
    test::write_text(prototxt(), kConvNet +
                                     "layer { name: \"relu\" type: \"ReLU\" bottom: \"conv\" top: "
                                     "\"conv\" fancy_param { speed: 3 } }\n");
    test::encode_caffemodel(conv_weights(), caffemodel());
    const auto net = CaffeNet::load(prototxt(), caffemodel());
    ASSERT_EQ(net.warnings().size(), 1u);
    EXPECT_MENTIONS(net.warnings()[0], "line 4");
    EXPECT_MENTIONS(net.warnings()[0], "fancy_param");
}

TEST_F(CaffeFiles, WrongInputShapeAtRunTime) {
    test::write_text(prototxt(), kConvNet);
    test::encode_caffemodel(conv_weights(), caffemodel());
    const auto net = CaffeNet::load(prototxt(), caffemodel());
    try {
        net.forward_to(at::zeros({1, 3, 4, 4}), "conv");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_MENTIONS(std::string(e.what()), "[N, 1, 4, 4]");
    }
    EXPECT_THROW(net.forward_to(at::zeros({1, 1, 4, 4}), "conv9"), Error);
}

// A .caffemodel assembled from the protobuf wire format by hand: NetParameter.layer (field 100),
// LayerParameter.name (1) and blobs (7), BlobProto.shape (7) with BlobShape.dim (1, packed) and
// BlobProto.data (5, packed floats). If the schema's numbers were wrong, these weights would
// not arrive.
TEST_F(CaffeFiles, HandAssembledWireFormatLoads) {
    auto bytes_of_float = [](float f) {
        std::string s(4, '\0');
        std::memcpy(s.data(), &f, 4);
        return s;
    };
    auto field = [](int number, int wire, const std::string& payload) {
        std::string s;
        unsigned key = static_cast<unsigned>(number) << 3 | static_cast<unsigned>(wire);
        while (key >= 0x80) {
            s += static_cast<char>((key & 0x7f) | 0x80);
            key >>= 7;
        }
        s += static_cast<char>(key);
        std::size_t n = payload.size();
        while (n >= 0x80) {
            s += static_cast<char>((n & 0x7f) | 0x80);
            n >>= 7;
        }
        s += static_cast<char>(n);
        return s + payload;
    };
    auto blob = [&](const std::string& dims, const std::vector<float>& values) {
        std::string data;
        for (float v : values)
            data += bytes_of_float(v);
        return field(7, 2, field(7, 2, field(1, 2, dims)) + field(5, 2, data));
    };
    std::vector<float> weight(18);
    for (int i = 0; i < 18; ++i)
        weight[static_cast<std::size_t>(i)] = 0.25f * static_cast<float>(i % 5);
    const std::string layer = field(1, 2, "conv") +
                              blob(std::string("\x02\x01\x03\x03", 4), weight) +
                              blob(std::string("\x02", 1), {1.0f, -2.0f});
    {
        std::ofstream out(caffemodel(), std::ios::binary);
        const auto message = field(100, 2, layer);
        out.write(message.data(), static_cast<std::streamsize>(message.size()));
    }
    test::write_text(prototxt(), kConvNet);
    const auto net = CaffeNet::load(prototxt(), caffemodel());
    auto x = at::ones({1, 1, 4, 4});
    const auto y = net.forward_to(x, "conv");
    // Each output: the sum of its filter's nine weights plus its bias.
    auto w = at::tensor(weight).view({2, 9}).sum(1);
    EXPECT_NEAR(y[0][0][0][0].item<float>(), w[0].item<float>() + 1.0f, 1e-5);
    EXPECT_NEAR(y[0][1][1][1].item<float>(), w[1].item<float>() - 2.0f, 1e-5);
}

}  // namespace
}  // namespace dgnam
