#include <gtest/gtest.h>

#include "dgnam/error.h"
#include "dgnam/objective.h"
#include "dgnam/optimizer_params.h"
#include "dgnam/unit_selection.h"

namespace dgnam {
namespace {

TEST(Objective, FullyConnectedUnitPerRow) {
    auto a = at::arange(6).to(at::kFloat).view({2, 3});
    auto v = objective_values(a, {2, 0}, Objective{});
    EXPECT_EQ(v[0].item<float>(), 2.0f);
    EXPECT_EQ(v[1].item<float>(), 3.0f);
}

TEST(Objective, ConvolutionalCentreMeanPositionAndNegation) {
    // 13x13 like the paper's conv5: the centre is (6, 6).
    auto a = at::zeros({1, 2, 13, 13});
    a[0][1][6][6] = 5.0;
    a[0][1][0][3] = 13.0 * 13.0;
    Objective centre;
    EXPECT_EQ(objective_values(a, {1}, centre)[0].item<float>(), 5.0f);
    Objective mean;
    mean.spatial = SpatialMode::Mean;
    EXPECT_NEAR(objective_values(a, {1}, mean)[0].item<float>(), (5.0 + 169.0) / 169.0, 1e-5);
    Objective at_position;
    at_position.spatial = SpatialMode::Position;
    at_position.y = 0;
    at_position.x = 3;
    EXPECT_EQ(objective_values(a, {1}, at_position)[0].item<float>(), 169.0f);
    centre.negate = true;
    EXPECT_EQ(objective_values(a, {1}, centre)[0].item<float>(), -5.0f);
}

TEST(Objective, ReadoutGivesRawActivationAndOutputProbability) {
    auto logits = at::tensor({1.0f, 2.0f, 3.0f}).view({1, 3});
    Objective negated;
    negated.negate = true;
    auto r = read_objective(logits, {2}, negated, true);
    EXPECT_EQ(r.values[0].item<float>(), -3.0f);
    EXPECT_DOUBLE_EQ(r.activations[0], 3.0);
    ASSERT_TRUE(r.probabilities[0].has_value());
    EXPECT_NEAR(*r.probabilities[0],
                std::exp(3.0) / (std::exp(1.0) + std::exp(2.0) + std::exp(3.0)), 1e-6);
    EXPECT_FALSE(read_objective(logits, {2}, Objective{}, false).probabilities[0].has_value());
}

TEST(Objective, EachRowsProbabilityIsOfItsOwnUnit) {
    const auto logits =
        at::tensor({0.0f, 1.0f, 2.0f, 5.0f, 1.0f, 0.0f, -1.0f, 3.0f, 1.0f}).view({3, 3});
    const std::vector<std::int64_t> units{2, 0, 1};
    const auto r = read_objective(logits, units, Objective{}, true);
    const auto softmax = at::softmax(logits.to(at::kDouble), 1);
    for (std::int64_t i = 0; i < 3; ++i) {
        ASSERT_TRUE(r.probabilities[i].has_value()) << "row " << i;
        EXPECT_NEAR(*r.probabilities[i], softmax[i][units[i]].item<double>(), 1e-6) << "row " << i;
        EXPECT_DOUBLE_EQ(r.activations[i], logits[i][units[i]].item<double>()) << "row " << i;
    }
}

TEST(Objective, ValidationNamesTheValue) {
    LayerInfo conv{"conv5", "conv2d", LayerKind::Convolution, {256, 13, 13}};
    EXPECT_NO_THROW(validate_objective(conv, {0, 255}, Objective{}));
    try {
        validate_objective(conv, {256}, Objective{});
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("256"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("conv5"), std::string::npos);
    }
    Objective outside;
    outside.spatial = SpatialMode::Position;
    outside.y = 13;
    outside.x = 0;
    EXPECT_THROW(validate_objective(conv, {0}, outside), Error);
    EXPECT_THROW(validate_objective(conv, {}, Objective{}), Error);
}

TEST(StepSchedule, LinearFromStartToEnd) {
    OptimizerParams p;  // the released defaults: 8 -> 1e-10 over 200
    EXPECT_DOUBLE_EQ(p.step_size(0), 8.0);
    EXPECT_NEAR(p.step_size(100), 8.0 + (1e-10 - 8.0) * 0.5, 1e-12);
    EXPECT_NEAR(p.step_size(199), 8.0 + (1e-10 - 8.0) * 199.0 / 200.0, 1e-12);
    EXPECT_EQ(p.iterations, 200);
    EXPECT_EQ(p.l2, 0.99);
    EXPECT_EQ(p.seed, 0u);
}

TEST(StepSchedule, ValidationRejectsOutOfRangeValues) {
    OptimizerParams p;
    p.l2 = 1.5;
    EXPECT_THROW(p.validate(), Error);
    p = {};
    p.lr_end = std::numeric_limits<double>::infinity();
    EXPECT_THROW(p.validate(), Error);
    p = {};
    p.clip_scale = 0;
    EXPECT_THROW(p.validate(), Error);
    p = {};
    EXPECT_NO_THROW(p.validate());
}

TEST(UnitSelection, ListsRangesAndAll) {
    EXPECT_EQ(parse_unit_selection("all", 3), (std::vector<std::int64_t>{0, 1, 2}));
    EXPECT_EQ(parse_unit_selection("0-3", 10), (std::vector<std::int64_t>{0, 1, 2, 3}));
    EXPECT_EQ(parse_unit_selection("5,1,2-3,1", 10), (std::vector<std::int64_t>{5, 1, 2, 3}));
    EXPECT_THROW(parse_unit_selection("10", 10), Error);
    EXPECT_THROW(parse_unit_selection("3-1", 10), Error);
    EXPECT_THROW(parse_unit_selection("x", 10), Error);
    EXPECT_THROW(parse_unit_selection("-1", 10), Error);
    EXPECT_THROW(parse_unit_selection("", 10), Error);
}

}  // namespace
}  // namespace dgnam
