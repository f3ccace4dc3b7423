// TorchScript classifiers exported at test time by packaging/export_torchvision.py (Debian's
// python3-torch and python3-torchvision, random weights): every layer listed with its shape and
// its values equal to PyTorch's own, and a hidden unit visualised.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "dgnam/error.h"
#include "dgnam/network_models.h"
#include "dgnam/pixel_am.h"
#include "dgnam/torchscript_net.h"
#include "test_paths.h"
#include "test_support.h"

namespace dgnam {
namespace {

// The input export_torchvision.py's --reference values are computed on.
at::Tensor probe_input(const std::vector<std::int64_t>& shape) {
    std::int64_t count = 1;
    for (auto d : shape)
        count *= d;
    std::vector<std::int64_t> batch{1};
    batch.insert(batch.end(), shape.begin(), shape.end());
    return (at::arange(count).remainder(251).to(at::kFloat) / 251.0 - 0.5).reshape(batch);
}

class TorchScript : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const auto probe = test::run_command(std::string("'") + DGNAM_PYTHON3_PATH +
                                             "' -c 'import torch, torchvision'");
        available_ = probe.exit_code == 0;
    }
    void SetUp() override {
        if (!available_)
            GTEST_SKIP() << "Debian's python3-torch and python3-torchvision are not installed "
                            "(packaging/install-deps.sh installs them)";
    }
    // Exports `model` with random weights and the per-layer reference sums.
    std::filesystem::path exported(const std::string& model, nlohmann::json* reference) {
        const auto file = scratch_ / (model + ".pt");
        const auto json = scratch_ / (model + ".json");
        const auto r = test::run_command(std::string("'") + DGNAM_PYTHON3_PATH + "' '" +
                                         DGNAM_EXPORT_TORCHVISION + "' " + model + " '" +
                                         file.string() + "' --reference '" + json.string() + "'");
        EXPECT_EQ(r.exit_code, 0) << r.output;
        if (reference) {
            std::ifstream in(json);
            *reference = nlohmann::json::parse(in);
        }
        return file;
    }
    static bool available_;
    test::ScratchFolder scratch_;
};
bool TorchScript::available_ = false;

void expect_layers_match(const TorchScriptNet& net, const nlohmann::json& reference) {
    ASSERT_EQ(net.layers().size(), reference.size());
    const auto x = probe_input(net.input_shape());
    for (const auto& layer : net.layers()) {
        SCOPED_TRACE(layer.name);
        ASSERT_TRUE(reference.contains(layer.name));
        EXPECT_EQ(nlohmann::json(layer.shape), reference[layer.name]["shape"]);
        const double expected = reference[layer.name]["sum"].get<double>();
        const double actual = net.forward_to(x, layer.name).to(at::kDouble).sum().item<double>();
        EXPECT_NEAR(actual, expected, 1e-4 * std::max(1.0, std::abs(expected)));
    }
}

TEST_F(TorchScript, AlexNetListsEveryLayerWithPyTorchsValues) {
    nlohmann::json reference;
    const auto net = TorchScriptNet::load(exported("alexnet", &reference), {3, 224, 224});
    EXPECT_TRUE(net.has_layer_outputs());
    const auto& first = net.layers().front();
    EXPECT_EQ(first.name, "features.0");
    EXPECT_EQ(first.type, "Conv2d");
    EXPECT_EQ(first.kind, LayerKind::Convolution);
    EXPECT_EQ(first.shape, (std::vector<std::int64_t>{64, 55, 55}));
    EXPECT_EQ(net.layers().back().name, "classifier.6");
    EXPECT_EQ(net.layers().back().kind, LayerKind::FullyConnected);
    EXPECT_EQ(net.layers().back().shape, (std::vector<std::int64_t>{1000}));
    // Multiply-adds as counted from the operators the model calls: 64x55x55 outputs reading
    // 3x11x11 weights each, and the eight weighted layers' 714,188,480 in all.
    EXPECT_EQ(first.multiply_adds, 64 * 55 * 55 * 3 * 11 * 11);
    std::int64_t macs = 0;
    for (const auto& layer : net.layers())
        macs += layer.multiply_adds;
    EXPECT_EQ(macs, 714188480);
    EXPECT_EQ(net.layers().back().multiply_adds, 4096 * 1000);
    // The conv output is read before the ReLU after it (the export turns in-place off).
    const auto x = probe_input({3, 224, 224});
    EXPECT_LT(net.forward_to(x, "features.0").min().item<float>(), 0.0f);
    expect_layers_match(net, reference);
}

TEST_F(TorchScript, ResNet18HiddenUnitIsVisualised) {
    nlohmann::json reference;
    auto net = TorchScriptNet::load(exported("resnet18", &reference), {3, 224, 224});
    expect_layers_match(net, reference);
    NetworkClassifier classifier("resnet18", "ResNet-18",
                                 std::make_unique<TorchScriptNet>(std::move(net)),
                                 {{3, 224, 224}, PixelSpace::torchvision_imagenet()}, "fc", {});
    OptimizerParams params;
    params.iterations = 6;
    params.lr_start = 2.0;
    PixelAm am(classifier, {"layer3.1.conv2"}, {5}, params, at::kCPU);
    std::vector<double> values;
    while (!am.done())
        values.push_back(am.step().rows.at(0).activation);
    values.push_back(am.evaluate().at(0).activation);
    EXPECT_GT(values.back(), values.front() + 0.1) << "channel 5 of layer3.1.conv2 did not rise";
}

TEST_F(TorchScript, ErrorsNameTheFile) {
    const auto bogus = scratch_ / "bogus.pt";
    {
        std::ofstream out(bogus);
        out << "not a zip archive";
    }
    try {
        TorchScriptNet::load(bogus, {3, 224, 224});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("bogus.pt: not a TorchScript file"), std::string::npos)
            << e.what();
    }
    const auto alexnet = exported("alexnet", nullptr);
    try {
        TorchScriptNet::load(alexnet, {1, 8, 8});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("fails on an input of shape [1, 1, 8, 8]"),
                  std::string::npos)
            << e.what();
    }
    const auto net = TorchScriptNet::load(alexnet, {3, 224, 224});
    EXPECT_THROW(net.forward_to(probe_input({3, 224, 224}), "features.99"), Error);
}

TEST_F(TorchScript, PackEntryNeedsConsentThenWorksLikeAnyClassifier) {
    const auto pack = scratch_ / "pack";
    std::filesystem::create_directories(pack);
    std::filesystem::rename(exported("alexnet", nullptr), pack / "alexnet.pt");
    const nlohmann::json manifest = {
        {"format", "dgnam-pack"},
        {"name", "torchvision"},
        {"classifiers",
         {{{"id", "alexnet"},
           {"format", "torchscript"},
           {"file", "alexnet.pt"},
           {"input",
            {{"shape", {3, 224, 224}},
             {"space", PixelSpace::torchvision_imagenet().to_json()}}}}}}};
    {
        std::ofstream out(pack / "manifest.json");
        out << manifest.dump(2);
    }
    const std::string dgnam =
        std::string(DGNAM_CLI_PATH) + " --device cpu --pack " + pack.string() + " ";
    const auto refused = test::run_command(dgnam + "layers");
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.output.find("runs code from its file when loaded"), std::string::npos)
        << refused.output;

    const auto layers = test::run_command(dgnam + "--allow-torchscript layers --json");
    ASSERT_EQ(layers.exit_code, 0) << layers.output;
    const auto j = nlohmann::json::parse(layers.output);
    EXPECT_EQ(j["classifiers"][0]["output_layer"], "classifier.6");
    EXPECT_EQ(j["classifiers"][0]["layers"][8]["name"], "features.8");

    const auto synth = test::run_command(dgnam +
                                         "--allow-torchscript synthesize --method pixel --layer "
                                         "features.8 --units 3 --iterations 3 --out " +
                                         (scratch_ / "gallery").string());
    EXPECT_EQ(synth.exit_code, 0) << synth.output;
    EXPECT_TRUE(std::filesystem::exists(scratch_ / "gallery" / "gallery.json"));
}

}  // namespace
}  // namespace dgnam
