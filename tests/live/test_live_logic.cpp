// dgnam-live's toolkit-free logic: the unit filter, what a settings change means for the run,
// the plot's history, the layout and the command line.
#include <gtest/gtest.h>

#include "activation_history.h"
#include "dgnam/run_settings.h"
#include "live_layout.h"
#include "live_options.h"
#include "unit_filter.h"

namespace dgnam::live {
namespace {

std::vector<UnitEntry> fashion_units() {
    return {{0, "T-shirt/top"}, {1, "Trouser"}, {2, "Pullover"}, {3, "Dress"}, {4, "Coat"},
            {5, "Sandal"},      {6, "Shirt"},   {7, "Sneaker"},  {8, "Bag"},   {9, "Ankle boot"}};
}

std::vector<std::int64_t> units_of(const std::vector<UnitEntry>& entries) {
    std::vector<std::int64_t> units;
    for (const UnitEntry& entry : entries)
        units.push_back(entry.unit);
    return units;
}

TEST(UnitFilter, BlankShowsEverything) {
    EXPECT_EQ(filter_units(fashion_units(), "").size(), 10u);
    EXPECT_EQ(filter_units(fashion_units(), "   ").size(), 10u);
}

TEST(UnitFilter, NumberPicksThatUnitOnly) {
    EXPECT_EQ(units_of(filter_units(fashion_units(), "7")), (std::vector<std::int64_t>{7}));
    EXPECT_EQ(units_of(filter_units(fashion_units(), " 3 ")), (std::vector<std::int64_t>{3}));
    EXPECT_TRUE(filter_units(fashion_units(), "12").empty());
}

TEST(UnitFilter, TextMatchesLabelsIgnoringCase) {
    EXPECT_EQ(units_of(filter_units(fashion_units(), "SHIRT")), (std::vector<std::int64_t>{0, 6}));
    EXPECT_EQ(units_of(filter_units(fashion_units(), "boot")), (std::vector<std::int64_t>{9}));
    EXPECT_TRUE(filter_units(fashion_units(), "hat").empty());
}

TEST(UnitFilter, UnlabelledUnitsMatchOnlyByNumber) {
    const std::vector<UnitEntry> hidden = {{0, ""}, {1, ""}, {10, ""}};
    EXPECT_EQ(units_of(filter_units(hidden, "1")), (std::vector<std::int64_t>{1}));
    EXPECT_TRUE(filter_units(hidden, "conv").empty());
}

TEST(UnitFilter, CaptionShowsNumberAndLabel) {
    EXPECT_EQ(unit_caption({7, "Sneaker"}), "7  Sneaker");
    EXPECT_EQ(unit_caption({12, ""}), "12");
}

StepTrace trace_of(std::vector<TracePoint> points) {
    StepTrace trace;
    for (const TracePoint& point : points)
        trace.append(point);
    return trace;
}

TEST(ActivationHistory, TakesOnlyThePointsNewSinceTheLastUpdate) {
    ActivationHistory history;
    StepTrace trace = trace_of({{1.0, std::nullopt}});
    history.update(trace);
    trace.append({2.0, std::nullopt});
    trace.append({4.0, std::nullopt});  // two steps whose frames the screen never read
    history.update(trace);
    history.update(trace);  // the same frame again adds nothing
    EXPECT_EQ(history.activation(), (std::vector<float>{1.0f, 2.0f, 4.0f}));
    EXPECT_TRUE(history.probability().empty());
}

TEST(ActivationHistory, ProbabilityFollowsWhenEveryStepHasOne) {
    ActivationHistory history;
    history.update(trace_of({{1.0, 0.1}, {3.0, 0.5}}));
    EXPECT_EQ(history.probability(), (std::vector<float>{0.1f, 0.5f}));
    history.update(trace_of({{1.0, 0.1}, {3.0, 0.5}, {4.0, std::nullopt}}));
    EXPECT_TRUE(history.probability().empty());
    EXPECT_EQ(history.activation().size(), 3u);
    history.clear();
    EXPECT_TRUE(history.empty());
}

TEST(ActivationHistory, AShorterTraceStartsOver) {
    ActivationHistory history;
    history.update(trace_of({{0.0, std::nullopt}, {1.0, std::nullopt}, {2.0, std::nullopt}}));
    history.update(trace_of({{7.0, std::nullopt}, {9.0, std::nullopt}}));
    EXPECT_EQ(history.activation(), (std::vector<float>{7.0f, 9.0f}));
}

TEST(LiveLayout, PanelsTileTheWindow) {
    const LiveLayout layout = compute_layout(1280.0f, 800.0f);
    EXPECT_FLOAT_EQ(layout.left.x, 0.0f);
    EXPECT_FLOAT_EQ(layout.left.w + layout.viewport.w + layout.right.w, 1280.0f);
    EXPECT_FLOAT_EQ(layout.viewport.x, layout.left.w);
    EXPECT_FLOAT_EQ(layout.viewport.h + layout.strip.h, 800.0f);
    EXPECT_GT(layout.viewport.w, 500.0f);
    EXPECT_GT(layout.viewport.h, 600.0f);
}

TEST(LiveLayout, TinyWindowKeepsSizesValid) {
    const LiveLayout layout = compute_layout(90.0f, 30.0f);
    for (const Rect& r : {layout.left, layout.right, layout.viewport, layout.strip}) {
        EXPECT_GE(r.w, 0.0f);
        EXPECT_GE(r.h, 0.0f);
    }
    EXPECT_NEAR(layout.viewport.w, 30.0f, 1e-4f);
}

ParsedOptions parse(std::vector<const char*> args) {
    args.insert(args.begin(), "dgnam-live");
    return parse_live_options(static_cast<int>(args.size()), args.data());
}

TEST(LiveOptions, Defaults) {
    const ParsedOptions parsed = parse({});
    ASSERT_TRUE(parsed.options);
    EXPECT_EQ(parsed.options->device, "auto");
    EXPECT_EQ(parsed.options->precision, "float32");
    EXPECT_EQ(parsed.options->unit, 0);
    EXPECT_FALSE(parsed.options->scripted());
}

TEST(LiveOptions, EveryOption) {
    const ParsedOptions parsed =
        parse({"--pack", "p", "--layer", "fc4", "--unit", "5", "--device", "cpu", "--threads", "2",
               "--frames", "7", "--screenshot", "s.png", "--precision", "bfloat16"});
    ASSERT_TRUE(parsed.options);
    EXPECT_EQ(parsed.options->pack, "p");
    EXPECT_EQ(parsed.options->layer, "fc4");
    EXPECT_EQ(parsed.options->unit, 5);
    EXPECT_EQ(parsed.options->device, "cpu");
    EXPECT_EQ(parsed.options->threads, 2);
    EXPECT_EQ(parsed.options->precision, "bfloat16");
    EXPECT_EQ(parsed.options->frames, 7);
    EXPECT_TRUE(parsed.options->scripted());
}

TEST(LiveOptions, MalformedArgumentsExitTwo) {
    for (const auto& args :
         std::vector<std::vector<const char*>>{{"--unit", "-1"},
                                               {"--threads", "many"},
                                               {"--precision", "float16"},
                                               {"--frames", "5"},  // without --screenshot
                                               {"--frames", "0", "--screenshot", "s.png"},
                                               {"--no-such-option"}}) {
        const ParsedOptions parsed = parse(args);
        EXPECT_FALSE(parsed.options) << args.front();
        EXPECT_EQ(parsed.exit_code, 2) << args.front();
    }
}

}  // namespace
}  // namespace dgnam::live
