// The DGN-AM step on networks small enough to compute by hand: a linear generator from a 2-unit
// code to a 4x4 image, and a linear classifier reading the centre 2x2 crop.
#include <gtest/gtest.h>

#include <array>
#include <cmath>

#include "dgnam/dgn_am.h"
#include "dgnam/error.h"
#include "test_support.h"

namespace dgnam {
namespace {

constexpr int kPixels = 16;
constexpr int kCode = 2;
// The centre 2x2 of a 4x4 image, row-major: offset (1, 1).
constexpr std::array<int, 4> kCrop = {5, 6, 9, 10};

double generator_weight(int pixel, int unit) {
    return unit == 0 ? (pixel % 5) - 2.0 : (pixel % 3) - 1.0 + 0.25 * pixel / 16.0;
}

const std::array<std::array<double, 4>, 3> kClassifier = {{
    {1.0, -2.0, 3.0, 0.5},   // unit 0
    {0.0, 0.0, 0.0, 0.0},    // unit 1: no gradient at all
    {-1.0, 0.5, 0.25, 2.0},  // unit 2
}};

at::Tensor generator_matrix() {
    auto w = at::zeros({kPixels, kCode});
    for (int p = 0; p < kPixels; ++p)
        for (int d = 0; d < kCode; ++d)
            w[p][d] = generator_weight(p, d);
    return w;
}

at::Tensor classifier_matrix() {
    auto w = at::zeros({3, 4});
    for (int k = 0; k < 3; ++k)
        for (int i = 0; i < 4; ++i)
            w[k][i] = kClassifier[k][i];
    return w;
}

struct HandStep {
    std::array<double, kCode> code;
    double activation;
};

// One step of the released code's update, written out in plain arithmetic.
HandStep hand_step(std::array<double, kCode> h, int unit, double lr, double lower0, double upper0,
                   double l2) {
    std::array<double, kPixels> image{};
    for (int p = 0; p < kPixels; ++p)
        image[p] = generator_weight(p, 0) * h[0] + generator_weight(p, 1) * h[1];
    double activation = 0.0;
    double mean_g = 0.0;
    for (int i = 0; i < 4; ++i) {
        activation += kClassifier[unit][i] * image[kCrop[i]];
        mean_g += std::abs(kClassifier[unit][i]) / 4.0;
    }
    std::array<double, kPixels> difference{};  // zero outside the crop
    for (int i = 0; i < 4; ++i)
        difference[kCrop[i]] = lr / mean_g * kClassifier[unit][i];
    std::array<double, kCode> gh{};
    for (int d = 0; d < kCode; ++d)
        for (int p = 0; p < kPixels; ++p)
            gh[d] += generator_weight(p, d) * difference[p];
    const double mean_gh = (std::abs(gh[0]) + std::abs(gh[1])) / 2.0;
    std::array<double, kCode> next{};
    const std::array<double, kCode> lower{lower0, -10.0}, upper{upper0, 10.0};
    for (int d = 0; d < kCode; ++d) {
        next[d] = h[d] + lr / mean_gh * gh[d];
        next[d] = std::min(std::max(next[d], lower[d]), upper[d]);
        next[d] *= l2;
    }
    return {next, activation};
}

struct Fixture {
    std::unique_ptr<NetworkGenerator> generator;
    std::unique_ptr<NetworkClassifier> classifier;

    explicit Fixture(double lower0 = -10.0, double upper0 = 10.0) {
        generator = test::linear_generator(generator_matrix(), 4, 4,
                                           at::tensor({static_cast<float>(lower0), -10.0f}),
                                           at::tensor({static_cast<float>(upper0), 10.0f}));
        classifier = test::linear_classifier(classifier_matrix(), 2, 2);
    }
    DgnAm make(std::vector<std::int64_t> units, OptimizerParams params,
               std::array<double, kCode> h = {0.5, 1.5}) const {
        auto code = at::tensor({static_cast<float>(h[0]), static_cast<float>(h[1])});
        return DgnAm(*generator, *classifier, Objective{}, std::move(units), params,
                     InitialCode::given(code), at::kCPU);
    }
};

OptimizerParams params(double lr_start, double lr_end, int n, double l2) {
    OptimizerParams p;
    p.lr_start = lr_start;
    p.lr_end = lr_end;
    p.iterations = n;
    p.l2 = l2;
    return p;
}

TEST(DgnAmArithmetic, OneStepMatchesTheReleasedUpdate) {
    Fixture f;
    auto am = f.make({0}, params(2.0, 0.0, 4, 0.9));
    const auto step = am.step();
    const auto expected = hand_step({0.5, 1.5}, 0, 2.0, -10.0, 10.0, 0.9);
    EXPECT_EQ(step.iteration, 0);
    EXPECT_DOUBLE_EQ(step.step_size, 2.0);
    ASSERT_EQ(step.rows.size(), 1u);
    EXPECT_NEAR(step.rows[0].activation, expected.activation, 1e-5);
    // "fc" is the classifier's output layer, so the target probability is its softmax.
    ASSERT_TRUE(step.rows[0].probability.has_value());
    EXPECT_GT(*step.rows[0].probability, 0.0);
    EXPECT_LT(*step.rows[0].probability, 1.0);
    EXPECT_NEAR(am.code()[0][0].item<double>(), expected.code[0], 1e-5);
    EXPECT_NEAR(am.code()[0][1].item<double>(), expected.code[1], 1e-5);
}

TEST(DgnAmArithmetic, StepSizeFollowsTheLinearScheduleOverSteps) {
    Fixture f;
    auto am = f.make({2}, params(3.0, 1.0, 4, 0.95));
    std::array<double, kCode> h = {0.5, 1.5};
    const double expected_lr[] = {3.0, 2.5, 2.0, 1.5};
    for (int i = 0; i < 4; ++i) {
        const auto step = am.step();
        EXPECT_DOUBLE_EQ(step.step_size, expected_lr[i]);
        const auto expected = hand_step(h, 2, expected_lr[i], -10.0, 10.0, 0.95);
        EXPECT_NEAR(step.rows[0].activation, expected.activation, 1e-4);
        h = expected.code;
        EXPECT_NEAR(am.code()[0][0].item<double>(), h[0], 1e-4) << "step " << i;
        EXPECT_NEAR(am.code()[0][1].item<double>(), h[1], 1e-4) << "step " << i;
    }
    EXPECT_TRUE(am.done());
}

TEST(DgnAmArithmetic, CodeIsClippedToItsBoundsBeforeTheDecay) {
    Fixture f(/*lower0=*/0.0, /*upper0=*/0.6);
    auto am = f.make({0}, params(2.0, 0.0, 4, 0.9));
    am.step();
    const auto expected = hand_step({0.5, 1.5}, 0, 2.0, 0.0, 0.6, 0.9);
    const double clipped = am.code()[0][0].item<double>();
    EXPECT_NEAR(clipped, expected.code[0], 1e-5);
    EXPECT_TRUE(std::abs(clipped - 0.6 * 0.9) < 1e-5 || std::abs(clipped) < 1e-5)
        << "the first unit must sit on a bound times the decay, got " << clipped;
}

TEST(DgnAmArithmetic, ClipScaleMultipliesTheBounds) {
    Fixture f(/*lower0=*/0.0, /*upper0=*/0.6);
    auto p = params(2.0, 0.0, 4, 1.0);
    p.clip_scale = 0.5;
    auto am = f.make({0}, p, {0.1, 0.1});
    am.step();
    const double u0 = am.code()[0][0].item<double>();
    EXPECT_GE(u0, -1e-6);
    EXPECT_LE(u0, 0.3 + 1e-6);
}

TEST(DgnAmArithmetic, DecayIsOffAtOne) {
    Fixture f;
    auto am = f.make({0}, params(2.0, 0.0, 4, 1.0));
    am.step();
    const auto expected = hand_step({0.5, 1.5}, 0, 2.0, -10.0, 10.0, 1.0);
    EXPECT_NEAR(am.code()[0][1].item<double>(), expected.code[1], 1e-5);
}

TEST(DgnAmArithmetic, ZeroGradientSkipsTheRowAndReportsIt) {
    Fixture f;
    auto am = f.make({1}, params(2.0, 0.0, 4, 0.9));
    const auto step = am.step();
    ASSERT_TRUE(step.rows[0].skipped);
    EXPECT_NE(step.rows[0].skip_reason.find("zero"), std::string::npos) << step.rows[0].skip_reason;
    EXPECT_FLOAT_EQ(am.code()[0][0].item<float>(), 0.5f);
    EXPECT_FLOAT_EQ(am.code()[0][1].item<float>(), 1.5f);
}

TEST(DgnAmArithmetic, NonFiniteGradientIsNeverPropagated) {
    auto w = generator_matrix();
    auto generator = test::linear_generator(w, 4, 4, at::full({2}, -10.0), at::full({2}, 10.0));
    // Loading refuses NaN weights, so the NaN goes into the loaded weight (the same storage).
    w[5][0] = std::nanf("");
    ASSERT_TRUE(std::isnan(generator->generate(at::ones({1, 2}))[0][0][1][1].item<float>()));
    auto classifier = test::linear_classifier(classifier_matrix(), 2, 2);
    DgnAm am(*generator, *classifier, Objective{}, {0, 2}, params(2.0, 0.0, 4, 0.9),
             InitialCode::given(at::tensor({0.5f, 1.5f})), at::kCPU);
    const auto step = am.step();
    for (const auto& row : step.rows) {
        EXPECT_TRUE(row.skipped);
        EXPECT_NE(row.skip_reason.find("not finite"), std::string::npos) << row.skip_reason;
    }
    EXPECT_TRUE(at::isfinite(am.code()).all().item<bool>());
    EXPECT_FLOAT_EQ(am.code()[1][1].item<float>(), 1.5f);
    const auto outcome = am.evaluate();
    EXPECT_EQ(outcome[0].skipped_steps, 1);
}

TEST(DgnAmArithmetic, RowsOfABatchStepIndependently) {
    Fixture f;
    auto am = f.make({0, 1, 2}, params(2.0, 0.0, 4, 0.9));
    const auto step = am.step();
    const auto e0 = hand_step({0.5, 1.5}, 0, 2.0, -10.0, 10.0, 0.9);
    const auto e2 = hand_step({0.5, 1.5}, 2, 2.0, -10.0, 10.0, 0.9);
    EXPECT_FALSE(step.rows[0].skipped);
    EXPECT_TRUE(step.rows[1].skipped);
    EXPECT_FALSE(step.rows[2].skipped);
    EXPECT_NEAR(am.code()[0][0].item<double>(), e0.code[0], 1e-5);
    EXPECT_NEAR(am.code()[2][1].item<double>(), e2.code[1], 1e-5);
    EXPECT_FLOAT_EQ(am.code()[1][0].item<float>(), 0.5f);
}

TEST(DgnAmArithmetic, ParametersChangedBetweenStepsApplyToTheNextStep) {
    Fixture f;
    auto am = f.make({0}, params(2.0, 0.0, 4, 0.9));
    const auto first = am.step();
    auto changed = am.params();
    changed.lr_start = 6.0;
    changed.l2 = 0.5;
    am.set_params(changed);
    std::array<double, kCode> h = hand_step({0.5, 1.5}, 0, 2.0, -10.0, 10.0, 0.9).code;
    const auto second = am.step();
    EXPECT_DOUBLE_EQ(first.step_size, 2.0);
    EXPECT_DOUBLE_EQ(second.step_size, 6.0 + (0.0 - 6.0) * 1 / 4.0);
    const auto expected = hand_step(h, 0, 4.5, -10.0, 10.0, 0.5);
    EXPECT_NEAR(am.code()[0][0].item<double>(), expected.code[0], 1e-4);
}

TEST(DgnAmArithmetic, RejectsBadInput) {
    Fixture f;
    EXPECT_THROW(f.make({3}, params(2.0, 0.0, 4, 0.9)), Error);  // unit out of range
    EXPECT_THROW(f.make({0}, params(2.0, 0.0, 0, 0.9)), Error);  // no iterations
    EXPECT_THROW(f.make({0}, params(std::nan(""), 0.0, 4, 0.9)), Error);
    EXPECT_THROW(DgnAm(*f.generator, *f.classifier, Objective{}, {0}, params(2, 0, 4, 0.9),
                       InitialCode::given(at::zeros({3})), at::kCPU),
                 Error);
    Objective unknown;
    unknown.layer = "conv9";
    try {
        DgnAm(*f.generator, *f.classifier, unknown, {0}, params(2, 0, 4, 0.9),
              InitialCode::random(), at::kCPU);
        FAIL() << "an unknown layer must be an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("conv9"), std::string::npos);
    }
}

TEST(DgnAmArithmetic, RandomStartIsTheSeededNormalForEveryRow) {
    Fixture f;
    auto p = params(2.0, 0.0, 4, 0.9);
    p.seed = 11;
    DgnAm am(*f.generator, *f.classifier, Objective{}, {0, 2}, p, InitialCode::random(), at::kCPU);
    const auto expected = seeded_normal(2, 11);
    EXPECT_TRUE(at::equal(am.code()[0], expected));
    EXPECT_TRUE(at::equal(am.code()[1], expected));
    EXPECT_FALSE(at::equal(seeded_normal(2, 12), expected));
}

}  // namespace
}  // namespace dgnam
