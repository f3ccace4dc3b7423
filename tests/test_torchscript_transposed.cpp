// A TorchScript generator's transposed convolutions run as plain ones on the CPU, as the other
// network sources' do, and give LibTorch's own values and input gradients.
#include <ATen/record_function.h>
#include <gtest/gtest.h>
#include <torch/script.h>

#include <algorithm>
#include <numeric>

#include "dgnam/dgn_am.h"
#include "dgnam/dgn_am_batch.h"
#include "dgnam/model_pack.h"
#include "dgnam/torchscript_net.h"
#include "test_paths.h"
#include "test_support.h"
#include "torchscript_pack.h"

namespace dgnam {
namespace {

// Three transposed convolutions: kernel 4 stride 2 as scripted code writes it, kernel 3 stride 1
// as traced code records it (aten::_convolution, transposed), and kernel 5, which has no rewrite.
constexpr const char* kGeneratorSource = R"(
def layer_outputs(self, x):
    up = torch.relu(torch.conv_transpose2d(x, self.up, self.up_bias, [2, 2], [1, 1]))
    same = torch._convolution(up, self.same, self.same_bias, [1, 1], [1, 1], [1, 1], True,
                              [0, 0], 1, False, False, True, True)
    wide = torch.conv_transpose2d(same, self.wide, None, [1, 1], [2, 2])
    return {"up": up, "same": same, "wide": wide}

def forward(self, x):
    return self.layer_outputs(x)["wide"]
)";

struct Weights {
    at::Tensor up = at::randn({6, 5, 4, 4}) * 0.3, up_bias = at::randn({5});
    at::Tensor same = at::randn({5, 4, 3, 3}) * 0.3, same_bias = at::randn({4});
    at::Tensor wide = at::randn({4, 3, 5, 5}) * 0.3;
};

std::map<std::string, at::Tensor> layers_by_libtorch(const Weights& w, const at::Tensor& x) {
    const auto up = at::relu(at::conv_transpose2d(x, w.up, w.up_bias, 2, 1));
    const auto same = at::conv_transpose2d(up, w.same, w.same_bias, 1, 1);
    return {{"up", up}, {"same", same}, {"wide", at::conv_transpose2d(same, w.wide, {}, 1, 2)}};
}

// The names of the operators this thread calls while it lives (LibTorch's RecordFunction hooks).
class OperatorsCalled {
  public:
    OperatorsCalled()
        : handle_(at::addThreadLocalCallback(
              at::RecordFunctionCallback(&record).scopes({at::RecordScope::FUNCTION}))) {
        names().clear();
    }
    ~OperatorsCalled() { at::removeCallback(handle_); }
    OperatorsCalled(const OperatorsCalled&) = delete;
    OperatorsCalled& operator=(const OperatorsCalled&) = delete;

    long count(const std::string& name) const {
        return std::count(names().begin(), names().end(), name);
    }

  private:
    // The hook is a plain function: it cannot reach an object.
    static std::vector<std::string>& names() {
        thread_local std::vector<std::string> called;
        return called;
    }
    static std::unique_ptr<at::ObserverContext> record(const at::RecordFunction& fn) {
        names().emplace_back(fn.name());
        return nullptr;
    }
    at::CallbackHandle handle_;
};

class TorchScriptTransposed : public ::testing::Test {
  protected:
    void SetUp() override {
        at::manual_seed(5);
        torch::jit::Module generator("TinyGenerator");
        generator.register_parameter("up", weights_.up, false);
        generator.register_parameter("up_bias", weights_.up_bias, false);
        generator.register_parameter("same", weights_.same, false);
        generator.register_parameter("same_bias", weights_.same_bias, false);
        generator.register_parameter("wide", weights_.wide, false);
        generator.define(kGeneratorSource);
        generator.save(path_.string());
    }
    test::ScratchFolder scratch_;
    std::filesystem::path path_ = scratch_ / "generator.pt";
    Weights weights_;
};

TEST_F(TorchScriptTransposed, RewrittenLayersGiveLibTorchsValuesAndInputGradients) {
    TorchScriptNet net = TorchScriptNet::load(path_, {6, 5, 5});
    EXPECT_EQ(net.rewritten_transposed_convolutions(), 2) << "kernel 4 and kernel 3, not 5";
    const auto x = at::randn({3, 6, 5, 5});
    const auto expected = layers_by_libtorch(weights_, x);
    for (const std::string layer : {"up", "same", "wide"}) {
        const auto xa = x.clone().requires_grad_(), xb = x.clone().requires_grad_();
        const auto y = net.forward_to(xa, layer);
        const auto want = layers_by_libtorch(weights_, xb).at(layer);
        EXPECT_LT(test::relative_error(y, expected.at(layer)), 1e-5) << layer;
        const auto grad_y = at::randn_like(want);
        y.backward(grad_y);
        want.backward(grad_y);
        EXPECT_LT(test::relative_error(xa.grad(), xb.grad()), 1e-5) << layer;
    }
}

// As for the other sources (TransposedConvolution::rewrite_pays_off): LibTorch's own form for one
// row smaller than 8x8, the plain form from 2 rows or 8x8 on. The kernel-4 layer reads the 5x5
// input, the kernel-3 layer its 10x10 output; the kernel-5 layer stays as written.
TEST_F(TorchScriptTransposed, EachLayerTakesThePlainFormWhereItPaysOff) {
    TorchScriptNet net = TorchScriptNet::load(path_, {6, 5, 5});
    ASSERT_EQ(net.rewritten_transposed_convolutions(), 2);
    const at::NoGradGuard no_grad;
    for (const std::int64_t rows : {1, 2}) {
        const auto x = at::randn({rows, 6, 5, 5});
        const auto want = layers_by_libtorch(weights_, x).at("wide");
        OperatorsCalled called;
        EXPECT_LT(test::relative_error(net.forward_to(x, "wide"), want), 1e-5);
        const bool one_row = rows == 1;
        EXPECT_EQ(called.count("dgnam::transposed_convolution"), 2) << rows << " rows";
        EXPECT_EQ(called.count("aten::conv_transpose2d"), one_row ? 2 : 1) << rows << " rows";
    }
}

TEST_F(TorchScriptTransposed, TheStraightforwardFormRunsTheModelAsItCame) {
    TorchScriptNet net = TorchScriptNet::load(path_, {6, 5, 5});
    net.set_execution_mode(ExecutionMode::straightforward());
    EXPECT_EQ(net.rewritten_transposed_convolutions(), 0);
    const auto x = at::randn({2, 6, 5, 5});
    const auto y = net.forward_to(x, "wide");
    EXPECT_TRUE(y.requires_grad()) << "weights take gradients in the straightforward form";
    EXPECT_LT(test::relative_error(y, layers_by_libtorch(weights_, x).at("wide")), 1e-6);
    net.set_execution_mode(ExecutionMode::fast());
    EXPECT_EQ(net.rewritten_transposed_convolutions(), 2);
}

// The product's path end to end: a pack's TorchScript generator runs DGN-AM as the same generator
// from its layer list does, in one batch split over the cores as a gallery runs it.
TEST_F(TorchScriptTransposed, TheBundledGeneratorAsTorchScriptReachesTheSameClasses) {
    const ModelPack layered = load_model_pack(DGNAM_BUNDLED_PACK_DIR);
    test::write_pack_with_torchscript_generator(DGNAM_BUNDLED_PACK_DIR, scratch_ / "pack");
    const ModelPack scripted = load_model_pack(scratch_ / "pack", PackTrust::AllowTorchScript);
    for (const std::int64_t rows : {1, 2}) {
        const auto code = at::rand({rows, 256}) * 3.0;
        const auto a = code.clone().requires_grad_(), b = code.clone().requires_grad_();
        const auto want = layered.generator->generate(a), got = scripted.generator->generate(b);
        EXPECT_LT(test::relative_error(got, want), 1e-5) << rows << " rows";
        const auto grad = at::randn_like(want);
        want.backward(grad);
        got.backward(grad);
        EXPECT_LT(test::relative_error(b.grad(), a.grad()), 1e-4) << rows << " rows";
    }
    std::vector<std::int64_t> units(10);
    std::iota(units.begin(), units.end(), 0);
    const Classifier& classifier = scripted.classifier();
    const Objective objective{classifier.layers().back().name};
    OptimizerParams params;  // the paper's: 200 steps
    const auto am = make_dgn_am(*scripted.generator, classifier, objective, units, params,
                                InitialCode::random(), c10::Device(c10::kCPU), 2);
    while (!am->done())
        am->steps(am->steps_per_call());
    for (const auto& row : am->evaluate()) {
        ASSERT_TRUE(row.probability.has_value());
        EXPECT_GT(*row.probability, 0.5) << "unit " << row.unit;
    }
}

}  // namespace
}  // namespace dgnam
