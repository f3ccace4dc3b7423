// `dgnam pack create` from Caffe files, then the pack used like the bundled one: layers listed,
// preferred images synthesized through the Caffe generator for a Caffe classifier.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "caffe_fixture.h"
#include "dgnam/caffe_net.h"
#include "dgnam/gallery.h"
#include "dgnam/model_pack.h"
#include "dgnam/png_io.h"
#include "test_paths.h"
#include "test_support.h"

namespace dgnam {
namespace {

// A small stand-in for the paper's generator: code "feat" 8 -> 48 -> 3x4x4 -> 3x8x8 (BGR).
const char* kGenerator =
    "name: \"tiny_generator\"\n"
    "input: \"feat\"\ninput_shape { dim: 1 dim: 8 }\n"
    "layer { name: \"defc\" type: \"InnerProduct\" bottom: \"feat\" top: \"defc\" "
    "inner_product_param { num_output: 48 } }\n"
    "layer { name: \"relu_defc\" type: \"ReLU\" bottom: \"defc\" top: \"defc\" "
    "relu_param { negative_slope: 0.3 } }\n"
    "layer { name: \"reshape\" type: \"Reshape\" bottom: \"defc\" top: \"reshape\" "
    "reshape_param { shape { dim: 1 dim: 3 dim: 4 dim: 4 } } }\n"
    "layer { name: \"deconv0\" type: \"Deconvolution\" bottom: \"reshape\" top: \"deconv0\" "
    "convolution_param { num_output: 3 kernel_size: 4 stride: 2 pad: 1 } }\n";

// And for CaffeNet: 3x6x6 -> conv -> fc6 (8, the code layer) -> fc8 (3 classes) -> prob.
const char* kClassifier =
    "name: \"tiny_caffenet\"\n"
    "layer { name: \"data\" type: \"Input\" top: \"data\" input_param { shape { dim: 10 dim: 3 "
    "dim: 6 dim: 6 } } }\n"
    "layer { name: \"conv1\" type: \"Convolution\" bottom: \"data\" top: \"conv1\" "
    "convolution_param { num_output: 4 kernel_size: 3 } }\n"
    "layer { name: \"relu1\" type: \"ReLU\" bottom: \"conv1\" top: \"conv1\" }\n"
    "layer { name: \"fc6\" type: \"InnerProduct\" bottom: \"conv1\" top: \"fc6\" "
    "inner_product_param { num_output: 8 } }\n"
    "layer { name: \"relu6\" type: \"ReLU\" bottom: \"fc6\" top: \"fc6\" }\n"
    "layer { name: \"fc8\" type: \"InnerProduct\" bottom: \"fc6\" top: \"fc8\" "
    "inner_product_param { num_output: 3 } }\n"
    "layer { name: \"prob\" type: \"Softmax\" bottom: \"fc8\" top: \"prob\" }\n";

class CaffePack : public ::testing::Test {
  protected:
    void SetUp() override {
        write_net("generator", kGenerator, 1);
        write_net("classifier", kClassifier, 2);
        test::write_text(folder / "fc6.txt", "3 3 3 3 4 4 4 4\n");
        test::write_text(folder / "synset_words.txt",
                         "n01440764 tench, Tinca tinca\nn01443537 goldfish\nn01484850 great "
                         "white shark\n");
    }
    void write_net(const std::string& name, const char* text, std::uint64_t seed) {
        const auto prototxt = folder / (name + ".prototxt");
        test::write_text(prototxt, text);
        CaffeNet::with_random_weights(prototxt, seed)
            .write_caffemodel(folder / (name + ".caffemodel"));
    }
    std::string create_args(const std::string& extra = "") const {
        const auto f = [&](const char* n) { return (folder / n).string(); };
        return "pack create --out " + f("pack") + " --name tiny-caffe --generator " +
               f("generator.prototxt") + " " + f("generator.caffemodel") +
               " --classifier caffenet " + f("classifier.prototxt") + " " +
               f("classifier.caffemodel") + " --bounds " + f("fc6.txt") + " --labels " +
               f("synset_words.txt") + " " + extra;
    }
    test::CommandResult dgnam(const std::string& args) const {
        return test::run_command(std::string(DGNAM_CLI_PATH) + " --device cpu " + args);
    }
    test::ScratchFolder folder;
};

TEST_F(CaffePack, CreatedPackOpensAndSynthesizes) {
    const auto created = dgnam(create_args());
    ASSERT_EQ(created.exit_code, 0) << created.output;
    EXPECT_NE(created.output.find("code 8 -> caffenet:fc6"), std::string::npos) << created.output;

    const auto pack = load_model_pack(folder / "pack");
    const auto& c = pack.classifier("caffenet");
    EXPECT_EQ(c.output_layer(), "fc8");  // the layer the final Softmax reads
    EXPECT_EQ(c.labels(),
              (std::vector<std::string>{"tench, Tinca tinca", "goldfish", "great white shark"}));
    EXPECT_EQ(c.input().space.order, ChannelOrder::BGR);
    EXPECT_EQ(pack.generator->output().shape, (std::vector<std::int64_t>{3, 8, 8}));
    EXPECT_FLOAT_EQ(pack.generator->bounds().upper[5].item<float>(), 4.0f);
    EXPECT_EQ(pack.display.mode, DisplayMapping::Mode::Range);

    const auto layers = dgnam("layers --json --pack " + (folder / "pack").string());
    ASSERT_EQ(layers.exit_code, 0) << layers.output;
    const auto j = nlohmann::json::parse(layers.output);
    EXPECT_EQ(j["classifiers"][0]["layers"][0]["name"], "conv1");
    EXPECT_EQ(j["classifiers"][0]["layers"][0]["shape"], nlohmann::json({4, 4, 4}));

    // An output unit and a hidden conv channel, through the Caffe generator (8x8 -> 6x6 crop).
    const auto out = folder / "gallery";
    const auto synth = dgnam("synthesize --pack " + (folder / "pack").string() +
                             " --units all --iterations 10 --out " + out.string());
    ASSERT_EQ(synth.exit_code, 0) << synth.output;
    const auto index = read_gallery_index(out / "gallery.json");
    ASSERT_EQ(index.items.size(), 3u);
    EXPECT_EQ(index.items[1].label.value_or(""), "goldfish");
    EXPECT_EQ(read_png(out / index.files[0]).width, 8);
    const auto hidden =
        dgnam("synthesize --pack " + (folder / "pack").string() +
              " --layer conv1 --units 2 --iterations 5 --out " + (folder / "hidden").string());
    EXPECT_EQ(hidden.exit_code, 0) << hidden.output;
}

TEST_F(CaffePack, RefusesToReplaceAPackWithoutForce) {
    ASSERT_EQ(dgnam(create_args()).exit_code, 0);
    const auto again = dgnam(create_args());
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.output.find("already holds a model pack; pass --force"), std::string::npos)
        << again.output;
    EXPECT_EQ(dgnam(create_args("--force")).exit_code, 0);
}

TEST_F(CaffePack, MismatchesNameTheFile) {
    test::write_text(folder / "fc6.txt", "3 3 3\n");
    auto r = dgnam(create_args());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("fc6.txt"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(folder / "pack" / "manifest.json"));

    test::write_text(folder / "fc6.txt", "3 3 3 3 4 4 4 4\n");
    test::write_text(folder / "synset_words.txt", "one\ntwo\n");
    r = dgnam(create_args());
    EXPECT_NE(r.output.find("holds 2 labels but classifier \"caffenet\"'s output layer \"fc8\" "
                            "has 3 units"),
              std::string::npos)
        << r.output;

    r = dgnam(create_args("--code-layer fc7"));
    EXPECT_NE(r.output.find("has no code layer \"fc7\""), std::string::npos) << r.output;
    r = dgnam(create_args("--code-layer conv1"));
    EXPECT_NE(r.output.find("has shape [4, 4, 4] but the generator takes a code of 8"),
              std::string::npos)
        << r.output;
}

}  // namespace
}  // namespace dgnam
