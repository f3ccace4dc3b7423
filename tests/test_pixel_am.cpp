// The pixel-space baseline shares the normalised step; checked by hand on a linear classifier.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "dgnam/pixel_am.h"
#include "test_support.h"

namespace dgnam {
namespace {

OptimizerParams pixel_params() {
    OptimizerParams p;
    p.lr_start = 2.0;
    p.lr_end = 0.0;
    p.iterations = 4;
    p.l2 = 0.5;
    p.seed = 3;
    return p;
}

TEST(PixelAm, OneStepIsTheNormalisedGradientStepInGreyLevels) {
    auto weight = at::tensor({1.0f, -2.0f, 3.0f, 0.5f}).view({1, 4});
    auto classifier = test::linear_classifier(weight, 2, 2);
    PixelAm am(*classifier, Objective{}, {0}, pixel_params(), at::kCPU);
    // The start: the mean image (0 here) plus seeded noise of 0.05 unit standard deviation.
    auto gen = at::make_generator<at::CPUGeneratorImpl>(3);
    auto start = (at::randn({1, 2, 2}, gen) * 0.05).view({4});
    ASSERT_TRUE(at::allclose(am.current_images().view({4}), start));

    const auto step = am.step();
    // identity grey space: one grey level is 1/255.
    const double lr = 2.0 / 255.0;
    const double mean_g = (1.0 + 2.0 + 3.0 + 0.5) / 4.0;
    auto expected = ((start + lr / mean_g * weight.view({4})) * 0.5).clamp(0.0, 1.0);
    EXPECT_TRUE(at::allclose(am.current_images().view({4}), expected, 1e-5, 1e-6))
        << am.current_images() << expected;
    EXPECT_NEAR(step.rows[0].activation, (weight.view({4}) * start).sum().item<double>(), 1e-6);
}

TEST(PixelAm, JitterAndBlurKeepTheImageInRangeAndDeterministic) {
    test::ScratchFolder folder;
    test::write_tiny_pack(folder.path());
    const auto pack = load_model_pack(folder.path());
    auto p = pixel_params();
    p.iterations = 12;
    p.lr_start = 8.0;
    p.jitter = 2;
    p.blur_sigma = 0.7;
    p.blur_every = 3;
    auto run = [&] {
        PixelAm am(pack.classifier(), Objective{}, {0, 2}, p, at::kCPU);
        while (!am.done())
            am.step();
        return am.evaluate();
    };
    const auto a = run();
    const auto b = run();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_TRUE(at::equal(a[0].image, b[0].image));
    EXPECT_TRUE(at::equal(a[1].image, b[1].image));
    // The classifier's space maps [0, 1] to [-1, 1].
    EXPECT_LE(a[0].image.max().item<float>(), 1.0f + 1e-6f);
    EXPECT_GE(a[0].image.min().item<float>(), -1.0f - 1e-6f);
    EXPECT_TRUE(a[0].probability.has_value());
    EXPECT_GE(a[0].best_activation, a[0].activation - 1e-9);
}

TEST(PixelAm, RaisesTheTargetActivation) {
    test::ScratchFolder folder;
    test::write_tiny_pack(folder.path());
    const auto pack = load_model_pack(folder.path());
    auto p = pixel_params();
    p.iterations = 40;
    p.lr_start = 16.0;
    p.l2 = 1.0;
    PixelAm am(pack.classifier(), Objective{}, {1}, p, at::kCPU);
    const double first = am.step().rows[0].activation;
    while (!am.done())
        am.step();
    EXPECT_GT(am.evaluate()[0].activation, first + 0.1);
}

}  // namespace
}  // namespace dgnam
