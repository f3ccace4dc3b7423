#include <gtest/gtest.h>

#include <fstream>
#include <limits>

#include "dgnam/error.h"
#include "dgnam/model_pack.h"
#include "dgnam/safetensors.h"
#include "test_paths.h"
#include "test_support.h"
#include "torchscript_pack.h"

namespace dgnam {
namespace {

using test::error_of;

TEST(SequentialNet, InfersEveryLayersShape) {
    test::ScratchFolder folder;
    test::write_tiny_pack(folder.path());
    const auto pack = load_model_pack(folder.path());
    const auto& a = pack.classifier("A");
    ASSERT_EQ(a.layers().size(), 6u);
    EXPECT_EQ(a.layer("conv1").shape, (std::vector<std::int64_t>{4, 8, 8}));
    EXPECT_EQ(a.layer("conv1").kind, LayerKind::Convolution);
    EXPECT_EQ(a.layer("pool1").shape, (std::vector<std::int64_t>{4, 4, 4}));
    EXPECT_EQ(a.layer("fc2").kind, LayerKind::FullyConnected);
    EXPECT_EQ(a.layer("fc3").shape, (std::vector<std::int64_t>{3}));
    EXPECT_EQ(a.output_layer(), "fc3");
    EXPECT_EQ(a.labels().at(1), "one");
    EXPECT_EQ(a.label_of("fc3", 2), "two");
    EXPECT_EQ(a.label_of("fc2", 2), "");
    ASSERT_TRUE(pack.generator);
    EXPECT_EQ(pack.generator->code_size(), 16);
    EXPECT_EQ(pack.generator->output().shape, (std::vector<std::int64_t>{1, 10, 10}));
    EXPECT_FLOAT_EQ(pack.generator->bounds().upper[5].item<float>(), 3.0f);
    EXPECT_FLOAT_EQ(pack.generator->bounds().lower[5].item<float>(), 0.0f);
    EXPECT_EQ(pack.display.mode, DisplayMapping::Mode::Range);
    // A forward pass to a hidden layer keeps the batch.
    auto hidden = a.forward_to(at::zeros({2, 1, 8, 8}), "pool1");
    EXPECT_EQ(hidden.sizes(), (at::IntArrayRef{2, 4, 4, 4}));
}

TEST(SequentialNet, WeightsAreFrozen) {
    test::ScratchFolder folder;
    test::write_tiny_pack(folder.path());
    const auto pack = load_model_pack(folder.path());
    auto x = at::zeros({1, 1, 8, 8}).requires_grad_(true);
    auto y = pack.classifier().forward_to(x, "fc3").sum();
    y.backward();
    EXPECT_TRUE(x.grad().defined());
}

TEST(SequentialNet, ChecksEveryTensorAgainstTheArchitecture) {
    const nlohmann::json layers = {{{"name", "fc"}, {"type", "linear"}, {"out", 3}}};
    const std::string file = "weights.safetensors";
    EXPECT_NE(error_of([&] {
                  SequentialNet(layers, {4}, {{"fc.weight", at::zeros({3, 4})}}, file);
              }).find("missing tensor \"fc.bias\""),
              std::string::npos);
    auto shape_error = error_of([&] {
        SequentialNet(layers, {4}, {{"fc.weight", at::zeros({3, 5})}, {"fc.bias", at::zeros({3})}},
                      file);
    });
    EXPECT_NE(shape_error.find("weights.safetensors"), std::string::npos) << shape_error;
    EXPECT_NE(shape_error.find("[3, 5]"), std::string::npos) << shape_error;
    EXPECT_NE(shape_error.find("[3, 4]"), std::string::npos) << shape_error;
    auto extra = error_of([&] {
        SequentialNet(layers, {4},
                      {{"fc.weight", at::zeros({3, 4})},
                       {"fc.bias", at::zeros({3})},
                       {"fc9.weight", at::zeros({1})}},
                      file);
    });
    EXPECT_NE(extra.find("fc9.weight"), std::string::npos) << extra;
    auto dtype = error_of([&] {
        SequentialNet(layers, {4},
                      {{"fc.weight", at::zeros({3, 4}, at::kLong)}, {"fc.bias", at::zeros({3})}},
                      file);
    });
    EXPECT_NE(dtype.find("dtype"), std::string::npos) << dtype;
    auto unknown = error_of([&] {
        SequentialNet({{{"name", "x"}, {"type", "capsule"}}}, {4}, {}, file);
    });
    EXPECT_NE(unknown.find("capsule"), std::string::npos) << unknown;
    auto wrong_input = error_of([&] {
        SequentialNet({{{"name", "c"}, {"type", "conv2d"}, {"out", 2}, {"kernel", 3}}}, {4}, {},
                      file);
    });
    EXPECT_NE(wrong_input.find("layer \"c\""), std::string::npos) << wrong_input;
}

TEST(SequentialNet, TransposedConvolutionDoublesTheSize) {
    const nlohmann::json layers = {{{"name", "up"},
                                    {"type", "conv_transpose2d"},
                                    {"out", 2},
                                    {"kernel", 4},
                                    {"stride", 2},
                                    {"pad", 1}}};
    SequentialNet net(layers, {3, 5, 5},
                      {{"up.weight", at::ones({3, 2, 4, 4})}, {"up.bias", at::zeros({2})}}, "w");
    EXPECT_EQ(net.layers()[0].shape, (std::vector<std::int64_t>{2, 10, 10}));
    // An interior output pixel of a k4 s2 p1 transposed conv gathers 2x2 taps from each input
    // channel: 3 channels x 4 taps x 1.
    auto y = net.forward(at::ones({1, 3, 5, 5}));
    EXPECT_FLOAT_EQ(y[0][0][4][4].item<float>(), 12.0f);
}

class BrokenPack : public ::testing::Test {
  protected:
    void SetUp() override { test::write_tiny_pack(folder.path()); }
    nlohmann::json manifest() {
        std::ifstream in(folder / "manifest.json");
        return nlohmann::json::parse(in);
    }
    void save(const nlohmann::json& m) { std::ofstream(folder / "manifest.json") << m.dump(); }
    std::string load_error() {
        return error_of([&] { load_model_pack(folder.path()); });
    }
    test::ScratchFolder folder;
};

TEST_F(BrokenPack, MissingManifest) {
    std::filesystem::remove(folder / "manifest.json");
    EXPECT_NE(load_error().find("manifest.json"), std::string::npos);
}

TEST_F(BrokenPack, InvalidJson) {
    std::ofstream(folder / "manifest.json") << "{ \"format\": ";
    const auto e = load_error();
    EXPECT_NE(e.find("not valid JSON"), std::string::npos) << e;
}

TEST_F(BrokenPack, WrongFormat) {
    auto m = manifest();
    m["format"] = "onnx";
    save(m);
    EXPECT_NE(load_error().find("dgnam-pack"), std::string::npos);
}

TEST_F(BrokenPack, WeightsOutsideThePack) {
    auto m = manifest();
    m["classifiers"][0]["weights"] = "../elsewhere.safetensors";
    save(m);
    EXPECT_NE(load_error().find("must not leave the pack folder"), std::string::npos);
}

TEST_F(BrokenPack, CorruptWeights) {
    std::ofstream(folder / "classifier_a.safetensors", std::ios::trunc) << "garbage";
    const auto e = load_error();
    EXPECT_NE(e.find("classifier_a.safetensors"), std::string::npos) << e;
}

TEST_F(BrokenPack, BoundFileWithTooFewValues) {
    std::ofstream(folder / "bounds_upper.txt", std::ios::trunc) << "1 2 3\n";
    const auto e = load_error();
    EXPECT_NE(e.find("bounds_upper.txt"), std::string::npos) << e;
    EXPECT_NE(e.find("16"), std::string::npos) << e;
}

TEST_F(BrokenPack, BoundFileWithANonNumber) {
    std::ofstream(folder / "bounds_upper.txt", std::ios::trunc) << "1 2 nan 4\n";
    const auto e = load_error();
    EXPECT_NE(e.find("not a finite number"), std::string::npos) << e;
}

TEST_F(BrokenPack, LabelsOfTheWrongCount) {
    auto m = manifest();
    m["classifiers"][0]["labels"] = {"a", "b"};
    save(m);
    EXPECT_NE(load_error().find("2 labels"), std::string::npos);
}

TEST_F(BrokenPack, GeneratorForAnUnknownClassifier) {
    auto m = manifest();
    m["generator"]["classifier"] = "Z";
    save(m);
    EXPECT_NE(load_error().find("\"Z\""), std::string::npos);
}

// Found by the manifest fuzzer (tests/fuzz/regressions/manifest/reshape-size-mismatch.json):
// LibTorch threw a std::runtime_error that escaped without naming the file or the layer.
TEST_F(BrokenPack, AReshapeThatDoesNotFitNamesTheLayerAndItsInput) {
    auto m = manifest();
    m["generator"]["layers"][2]["shape"] = {3, 5, 5};
    save(m);
    const auto e = load_error();
    EXPECT_NE(e.find("generator.safetensors: layer \"reshape\" cannot take an input of shape "
                     "[1, 100]"),
              std::string::npos)
        << e;
}

TEST_F(BrokenPack, NonFiniteWeightsNameTheTensor) {
    auto weights = read_safetensors(folder / "classifier_a.safetensors").tensors;
    weights["fc2.weight"][3][5] = std::numeric_limits<float>::quiet_NaN();
    write_safetensors(folder / "classifier_a.safetensors", weights);
    const auto e = load_error();
    EXPECT_NE(e.find("classifier_a.safetensors: tensor \"fc2.weight\" holds NaN or infinite"),
              std::string::npos)
        << e;
}

TEST(ModelPack, UnknownClassifierListsTheKnownOnes) {
    test::ScratchFolder folder;
    test::write_tiny_pack(folder.path());
    const auto pack = load_model_pack(folder.path());
    const auto e = error_of([&] { pack.classifier("B"); });
    EXPECT_NE(e.find("it has: A"), std::string::npos) << e;
    EXPECT_EQ(pack.summary()["pack"], "tiny test pack");
}

// The front ends ask before a pack's code runs: pack_code_files names it from the manifest
// alone, and the pack loads only when trusted.
TEST(ModelPack, CodeFilesAreNamedBeforeAnythingLoads) {
    const std::filesystem::path bundled = DGNAM_TEST_SOURCE_DIR "/../resources/packs/fashion-mnist";
    EXPECT_TRUE(pack_code_files(bundled).empty());

    test::ScratchFolder scratch;
    const auto folder = scratch / "with-torchscript";
    test::write_pack_with_torchscript(bundled, folder);
    EXPECT_EQ(pack_code_files(folder), std::vector<std::filesystem::path>{folder / "tiny.pt"});
    nlohmann::json manifest;
    {
        std::ifstream in(folder / "manifest.json");
        manifest = nlohmann::json::parse(in);
    }
    const std::string last = std::to_string(manifest["classifiers"].size() - 1);  // T
    const auto refused = error_of([&] { load_model_pack(folder); });
    EXPECT_NE(refused.find("classifier " + last + ": is a TorchScript model, which runs code"),
              std::string::npos)
        << refused;
    EXPECT_NE(refused.find("--allow-torchscript"), std::string::npos) << refused;

    const auto pack = load_model_pack(folder, PackTrust::AllowTorchScript);
    const Classifier& t = pack.classifier("T");
    EXPECT_EQ(t.output_layer(), "fc");
    EXPECT_EQ(t.layer("pool").shape, (std::vector<std::int64_t>{1, 7, 7}));
    EXPECT_EQ(t.label_of("fc", 8), "Bag");

    // An entry whose file lies outside the pack is refused here too, before any question.
    manifest["classifiers"].back()["file"] = "../elsewhere.pt";
    {
        std::ofstream out(folder / "manifest.json");
        out << manifest.dump();
    }
    const auto outside = error_of([&] { pack_code_files(folder); });
    EXPECT_NE(outside.find("classifier " + last), std::string::npos) << outside;
}

}  // namespace
}  // namespace dgnam
