// The fc6 generator as Lucent's PyTorch port saves it (a state dict of upconvGAN("fc6")), written
// at test time by Debian's python3-torch with random weights, loaded without Python: its images
// must equal PyTorch's.
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "dgnam/error.h"
#include "dgnam/upconv_gan.h"
#include "test_paths.h"
#include "test_support.h"

namespace dgnam {
namespace {

// The module as Lucent states it (layer names of the released prototxt, LeakyReLU 0.3, the
// forward swapping BGR to RGB), random weights scaled down so that values stay moderate.
const char* kWriter = R"(
import collections, json, sys, torch
from torch import nn
torch.manual_seed(0)
class View(nn.Module):
    def __init__(self, *shape):
        super().__init__(); self.shape = shape
    def forward(self, x):
        return x.view(*self.shape)
class UpconvGAN(nn.Module):
    def __init__(self):
        super().__init__()
        layers = []
        for name in ["defc7", "defc6", "defc5"]:
            layers += [(name, nn.Linear(4096, 4096)), ("relu_" + name, nn.LeakyReLU(0.3))]
        layers.append(("reshape", View(-1, 256, 4, 4)))
        spec = [("deconv5", 256, 256, 4, 2), ("conv5_1", 256, 512, 3, 1), ("deconv4", 512, 256, 4, 2),
                ("conv4_1", 256, 256, 3, 1), ("deconv3", 256, 128, 4, 2), ("conv3_1", 128, 128, 3, 1),
                ("deconv2", 128, 64, 4, 2), ("deconv1", 64, 32, 4, 2), ("deconv0", 32, 3, 4, 2)]
        for name, cin, cout, k, s in spec:
            layers.append((name, nn.ConvTranspose2d(cin, cout, k, s, 1)))
            if name != "deconv0":
                layers.append(("relu_" + name, nn.LeakyReLU(0.3)))
        self.G = nn.Sequential(collections.OrderedDict(layers))
    def forward(self, x):
        return self.G(x)[:, [2, 1, 0], :, :]
g = UpconvGAN().eval()
torch.save(g.state_dict(), sys.argv[1])
code = ((torch.arange(4096) % 97).float() / 97.0 * 4.0).reshape(1, 4096)
with torch.no_grad():
    image = g(code)[0]
json.dump({"channel_sums": [float(image[c].double().sum()) for c in range(3)],
           "pixel": [float(image[c, 100, 37]) for c in range(3)]}, open(sys.argv[2], "w"))
)";

TEST(UpconvGan, LucentStateDictGivesPyTorchsImages) {
    const auto python =
        test::run_command(std::string("'") + DGNAM_PYTHON3_PATH + "' -c 'import torch'");
    if (python.exit_code != 0)
        GTEST_SKIP() << "Debian's python3-torch is not installed";
    test::ScratchFolder scratch;
    {
        std::ofstream out(scratch / "write.py");
        out << kWriter;
    }
    const auto state = scratch / "upconvGAN_fc6.pt";
    const auto reference_path = scratch / "reference.json";
    const auto r = test::run_command(std::string("'") + DGNAM_PYTHON3_PATH + "' '" +
                                     (scratch / "write.py").string() + "' '" + state.string() +
                                     "' '" + reference_path.string() + "'");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::ifstream in(reference_path);
    const auto reference = nlohmann::json::parse(in);

    const auto g =
        load_upconv_gan_fc6(state, {at::zeros({4096}), at::full({4096}, 12.0), "test bounds"});
    EXPECT_EQ(g->code_size(), 4096);
    EXPECT_EQ(g->output().shape, (std::vector<std::int64_t>{3, 256, 256}));
    const auto code =
        ((at::arange(4096).remainder(97)).to(at::kFloat) / 97.0 * 4.0).view({1, 4096});
    // Stored BGR; Lucent's forward shows the same values as RGB.
    const auto rgb = g->generate(code)[0].flip({0});
    for (int c = 0; c < 3; ++c) {
        const double expected = reference["channel_sums"][c].get<double>();
        EXPECT_NEAR(rgb[c].to(at::kDouble).sum().item<double>(), expected,
                    1e-4 * std::max(1.0, std::abs(expected)));
        EXPECT_NEAR(rgb[c][100][37].item<float>(), reference["pixel"][c].get<double>(), 1e-4);
    }
}

TEST(UpconvGan, WrongFilesNameTheProblem) {
    test::ScratchFolder scratch;
    const auto bogus = scratch / "bogus.pt";
    {
        std::ofstream out(bogus);
        out << "not an archive";
    }
    const CodeBounds bounds{at::zeros({4096}), at::ones({4096}), ""};
    try {
        load_upconv_gan_fc6(bogus, bounds);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("bogus.pt: not a state dict saved by torch.save"),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(load_upconv_gan_fc6(scratch / "missing.pt", bounds), Error);

    // A pickle that names any other Python object is refused before anything is built.
    const auto hostile = scratch / "hostile.pt";
    const auto r =
        test::run_command(std::string("'") + DGNAM_PYTHON3_PATH +
                          "' -c 'import collections, torch, sys; torch.save({\"w\": "
                          "torch.zeros(2), \"x\": collections.Counter()}, sys.argv[1])' '" +
                          hostile.string() + "'");
    if (r.exit_code != 0)
        GTEST_SKIP() << "Debian's python3-torch is not installed";
    try {
        load_upconv_gan_fc6(hostile, bounds);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("refers to the Python object collections.Counter"),
                  std::string::npos)
            << e.what();
    }
}

}  // namespace
}  // namespace dgnam
