// `dgnam train`'s code paths, a handful of steps each on small data made here (the shipped pack
// is not retrained in CI).
#include <gtest/gtest.h>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/core/grad_mode.h>

#include "dgnam/error.h"
#include "dgnam/fashion_pack.h"
#include "dgnam/network_models.h"
#include "dgnam/training.h"
#include "test_support.h"

namespace dgnam {
namespace {

TEST(Training, ClassifierALearnsAndItsWeightsLoad) {
    const auto data = test::square_images();
    ClassifierTraining options;
    options.epochs = 6;
    options.batch_size = 16;
    options.augment = false;
    std::vector<double> losses;
    const auto result = train_classifier(fashion_classifier_a_layers(), fashion_classifier_input(),
                                         data, options, [&](const TrainingProgress& p) {
                                             losses.push_back(p.loss);
                                             EXPECT_EQ(p.steps, 30);
                                             return true;
                                         });
    EXPECT_EQ(result.steps, 30);
    ASSERT_EQ(losses.size(), 30u);
    EXPECT_LT(losses.back(), losses.front());
    EXPECT_GE(result.test_accuracy, 0.8) << "held-out squares";
    // The weights fit the architecture exactly (no missing or extra tensor).
    SequentialNet net(fashion_classifier_a_layers(), {1, 28, 28}, result.weights, "trained");
    EXPECT_EQ(net.index_of("relu4"), 9);
    EXPECT_EQ(net.layers()[9].shape, (std::vector<std::int64_t>{kFashionCodeSize}));
}

TEST(Training, FgsmBatchStaysInsideItsBallAndRaisesTheLoss) {
    const auto data = test::square_images();
    ClassifierTraining options;
    options.epochs = 4;
    options.batch_size = 16;
    options.augment = false;
    const auto trained =
        train_classifier(fashion_classifier_a_layers(), fashion_classifier_input(), data, options);
    SequentialNet net(fashion_classifier_a_layers(), {1, 28, 28}, trained.weights, "trained");
    const auto& space = fashion_classifier_input().space;
    const auto x = data.test.images.to(at::kFloat) / 255.0;
    const auto& y = data.test.labels;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
    const double eps = 0.1;
    const auto attacked = fgsm_random_start(net, space, x, y, eps, gen);
    EXPECT_LE((attacked - x).abs().max().item<double>(), eps + 1e-6);
    EXPECT_GE(attacked.min().item<double>(), 0.0);
    EXPECT_LE(attacked.max().item<double>(), 1.0);
    EXPECT_GT((attacked - x).abs().mean().item<double>(), 0.5 * eps) << "most pixels move";
    at::NoGradGuard no_grad;
    auto loss = [&](const at::Tensor& unit) {
        return at::nll_loss(at::log_softmax(net.forward(space.from_unit(unit)), 1), y)
            .item<double>();
    };
    EXPECT_GT(loss(attacked), loss(x));
}

TEST(Training, AdversarialTrainingRunsAndDiffersFromClean) {
    const auto data = test::square_images();
    ClassifierTraining options;
    options.max_steps = 3;
    options.batch_size = 16;
    const auto clean =
        train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(), data, options);
    options.adversarial_epsilon = 0.1;
    const auto robust =
        train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(), data, options);
    EXPECT_EQ(robust.steps, 3);
    ASSERT_EQ(clean.weights.size(), robust.weights.size());
    const auto& name = clean.weights.begin()->first;
    EXPECT_FALSE(at::equal(clean.weights.at(name), robust.weights.at(name)));
    options.adversarial_share = 0.5;
    const auto mixed =
        train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(), data, options);
    EXPECT_FALSE(at::equal(mixed.weights.at(name), robust.weights.at(name)));
    EXPECT_FALSE(at::equal(mixed.weights.at(name), clean.weights.at(name)));
    options.adversarial_share = 0.0;
    const auto none =
        train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(), data, options);
    EXPECT_TRUE(at::equal(none.weights.at(name), clean.weights.at(name)))
        << "a share of 0 trains on clean images only";
}

TEST(Training, SameSeedSameWeightsAndTheCallbackCanStop) {
    const auto data = test::square_images();
    ClassifierTraining options;
    options.max_steps = 2;
    options.batch_size = 16;
    const auto a =
        train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(), data, options);
    const auto b =
        train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(), data, options);
    ASSERT_EQ(a.weights.size(), b.weights.size());
    for (const auto& [name, tensor] : a.weights)
        EXPECT_TRUE(at::equal(tensor, b.weights.at(name))) << name;
    EXPECT_TRUE(a.weights.count("block2.shortcut.project.weight"));
    int calls = 0;
    const auto stopped = train_classifier(fashion_classifier_b_layers(), fashion_classifier_input(),
                                          data, options, [&](const TrainingProgress&) {
                                              ++calls;
                                              return false;
                                          });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(stopped.steps, 1);
}

TEST(Training, GeneratorStepsAndReportsItsTestMetrics) {
    const auto data = test::square_images();
    const auto classifier_a = test::briefly_trained_classifier_a(data);
    const NetworkClassifier& classifier = *classifier_a;
    GeneratorTraining options;
    options.max_steps = 3;
    options.batch_size = 16;
    std::int64_t reported = 0;
    const auto g = train_generator(classifier, kFashionCodeLayer, fashion_generator_layers(),
                                   fashion_generator_output(), fashion_discriminator_layers(), data,
                                   options, [&](const TrainingProgress& p) {
                                       reported = p.step;
                                       EXPECT_TRUE(std::isfinite(p.loss));
                                       return true;
                                   });
    EXPECT_EQ(reported, 3);
    EXPECT_GE(g.test_class_agreement, 0.0);
    EXPECT_LE(g.test_class_agreement, 1.0);
    EXPECT_GT(g.test_psnr, 0.0);
    // The generator's weights load as the pack loads them, and produce 32x32 images.
    NetworkGenerator generator(
        SequentialNet(fashion_generator_layers(), {kFashionCodeSize}, g.generator, "g"),
        fashion_generator_output(),
        CodeBounds{at::zeros({kFashionCodeSize}), at::ones({kFashionCodeSize}), "test"});
    EXPECT_EQ(generator.generate(at::zeros({2, kFashionCodeSize})).sizes(),
              (at::IntArrayRef{2, 1, 32, 32}));
    SequentialNet d(fashion_discriminator_layers(), {1, 32, 32}, g.discriminator, "d");
    EXPECT_EQ(d.layers().back().shape, (std::vector<std::int64_t>{1}));
}

TEST(Training, CodeBoundsAreMeanPlusThreeStandardDeviations) {
    // A linear "classifier" whose only layer reads two pixels: unit 0 = pixel 0, unit 1 = 2 x
    // pixel 1.
    auto w = at::zeros({2, 28 * 28});
    w[0][0] = 1.0;
    w[1][1] = 2.0;
    auto classifier = test::linear_classifier(w, 28, 28);
    LabelledImages data{at::zeros({4, 1, 28, 28}, at::kByte), at::zeros({4}, at::kLong)};
    const std::uint8_t values[4] = {0, 51, 102, 255};
    for (int i = 0; i < 4; ++i)
        data.images[i][0][0][0] = values[i];
    const auto upper = code_upper_bounds(*classifier, "fc", data);
    std::vector<double> x = {0.0, 0.2, 0.4, 1.0};
    double mean = 0, sq = 0;
    for (double v : x)
        mean += v / 4;
    for (double v : x)
        sq += (v - mean) * (v - mean) / 4;
    ASSERT_EQ(upper.size(), 2u);
    EXPECT_NEAR(upper[0], mean + 3 * std::sqrt(sq), 1e-5);
    EXPECT_NEAR(upper[1], 0.0, 1e-6);
}

TEST(SequentialNet, ResidualBlockAddsItsShortcut) {
    const nlohmann::json layers = {
        {{"name", "block"},
         {"type", "residual"},
         {"main",
          {{{"name", "scale"}, {"type", "conv2d"}, {"out", 2}, {"kernel", 1}, {"bias", false}}}},
         {"shortcut",
          {{{"name", "project"},
            {"type", "conv2d"},
            {"out", 2},
            {"kernel", 1},
            {"bias", false}}}}}};
    auto scale = at::tensor({2.0f, 0.0f, 0.0f, 3.0f}).view({2, 2, 1, 1});
    auto project = at::tensor({1.0f, 1.0f, 0.0f, 0.0f}).view({2, 2, 1, 1});
    SequentialNet net(
        layers, {2, 1, 1},
        {{"block.main.scale.weight", scale}, {"block.shortcut.project.weight", project}}, "w");
    auto y = net.forward(at::tensor({1.0f, 10.0f}).view({1, 2, 1, 1}));
    EXPECT_FLOAT_EQ(y[0][0][0][0].item<float>(), 2.0f + 11.0f);
    EXPECT_FLOAT_EQ(y[0][1][0][0].item<float>(), 30.0f + 0.0f);
    EXPECT_EQ(net.state().size(), 2u);
    EXPECT_THROW(SequentialNet(layers, {2, 1, 1}, {{"block.main.scale.weight", scale}}, "w"),
                 Error);
}

}  // namespace
}  // namespace dgnam
