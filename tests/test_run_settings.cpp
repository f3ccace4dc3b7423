// The run settings both front ends share: the request they build and what a change needs.
#include <gtest/gtest.h>

#include "dgnam/run_settings.h"

namespace dgnam {
namespace {

TEST(RunRequestFromSettings, CarriesTheUnitAndEverySetting) {
    RunSettings settings;
    settings.params.lr_start = 3.0;
    settings.spatial = SpatialMode::Mean;
    settings.initial = InitialCode::Kind::Zeros;
    const auto request = make_run_request(UnitRef{"B", "conv2", 7}, settings);
    EXPECT_EQ(request.classifier, "B");
    EXPECT_EQ(request.objective.layer, "conv2");
    EXPECT_EQ(request.objective.spatial, SpatialMode::Mean);
    EXPECT_EQ(request.units, (std::vector<std::int64_t>{7}));
    EXPECT_EQ(request.method, Method::Dgn);
    EXPECT_EQ(request.params.lr_start, 3.0);
    EXPECT_EQ(request.initial.kind, InitialCode::Kind::Zeros);
    EXPECT_FALSE(request.start_image.has_value());
}

TEST(RunRequestFromSettings, StartImageOnlyForDgnAm) {
    RunSettings settings;
    settings.start_image = Image8(4, 4);
    EXPECT_TRUE(make_run_request(UnitRef{"", "fc5", 0}, settings).start_image.has_value());
    settings.method = Method::Pixel;
    EXPECT_FALSE(make_run_request(UnitRef{"", "fc5", 0}, settings).start_image.has_value())
        << "pixel AM has no code to start from";
}

TEST(SettingsEffect, UnchangedDoesNothing) {
    EXPECT_EQ(settings_effect(RunSettings{}, RunSettings{}, true), SettingsEffect::None);
    EXPECT_EQ(settings_effect(RunSettings{}, RunSettings{}, false), SettingsEffect::None);
}

TEST(SettingsEffect, StepParametersReachTheRunningOptimisation) {
    RunSettings changed;
    changed.params.lr_start = 2.0;
    changed.params.iterations = 50;
    changed.params.l2 = 0.95;
    changed.params.clip_scale = 2.0;
    changed.params.jitter = 3;
    EXPECT_EQ(settings_effect(RunSettings{}, changed, true), SettingsEffect::NextStep);
}

TEST(SettingsEffect, AFinishedRunStartsAgain) {
    RunSettings changed;
    changed.params.lr_end = 0.5;
    EXPECT_EQ(settings_effect(RunSettings{}, changed, false), SettingsEffect::Restart);
}

TEST(SettingsEffect, SeedMethodObjectiveAndStartRestart) {
    RunSettings seed;
    seed.params.seed = 1;
    RunSettings method;
    method.method = Method::Pixel;
    RunSettings spatial;
    spatial.spatial = SpatialMode::Mean;
    RunSettings zeros;
    zeros.initial = InitialCode::Kind::Zeros;
    RunSettings picture;
    picture.start_image = Image8(2, 2);
    for (const RunSettings& changed : {seed, method, spatial, zeros, picture})
        EXPECT_EQ(settings_effect(RunSettings{}, changed, true), SettingsEffect::Restart);
    RunSettings other_picture;
    Image8 other(2, 2);
    other.rgb[0] = 9;
    other_picture.start_image = other;
    EXPECT_EQ(settings_effect(picture, other_picture, true), SettingsEffect::Restart);
    EXPECT_EQ(settings_effect(picture, picture, true), SettingsEffect::None);
}

}  // namespace
}  // namespace dgnam
