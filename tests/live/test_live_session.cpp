// LiveSession on the bundled pack, on the CPU: the core driven the way the window drives it,
// polled as each frame would.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <thread>

#include "dgnam/device.h"
#include "dgnam/error.h"
#include "dgnam/gallery.h"
#include "dgnam/png_io.h"
#include "live_session.h"
#include "torchscript_pack.h"

namespace dgnam::live {
namespace {

namespace fs = std::filesystem;

class LiveSessionTest : public ::testing::Test {
  protected:
    void SetUp() override {
        set_compute_threads(2);
        session_ = std::make_unique<LiveSession>(DGNAM_TEST_PACK_DIR, c10::Device(c10::kCPU));
    }

    // Polls as the window's loop does until `done` or 60 s.
    bool poll_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (std::chrono::steady_clock::now() < deadline) {
            session_->poll();
            if (done())
                return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }

    RunSettings short_run(int iterations) const {
        RunSettings settings = session_->settings();
        settings.params.iterations = iterations;
        return settings;
    }

    fs::path scratch(const std::string& name) const {
        const fs::path folder = fs::path(DGNAM_LIVE_OUTPUT_DIR) / "session_scratch" / name;
        fs::remove_all(folder);
        return folder;
    }

    std::unique_ptr<LiveSession> session_;
};

TEST_F(LiveSessionTest, ResolvesTheDefaultsAndRejectsUnknownUnits) {
    const UnitRef first = session_->resolve(UnitRef{"", "", 3});
    EXPECT_EQ(first.classifier, session_->pack().classifier().id());
    EXPECT_EQ(first.layer, session_->pack().classifier().output_layer());
    EXPECT_EQ(first.unit, 3);
    EXPECT_THROW(session_->resolve(UnitRef{"", "", 10}), Error);
    EXPECT_THROW(session_->resolve(UnitRef{"", "no_such_layer", 0}), Error);
    EXPECT_THROW(session_->resolve(UnitRef{"Z", "", 0}), Error);
}

TEST_F(LiveSessionTest, FramesArriveAndTheRunFinishesIntoTheResults) {
    session_->set_settings(short_run(12));
    session_->select_unit(UnitRef{"", "", 1});
    ASSERT_TRUE(poll_until([&] { return !session_->run_active(); }));
    ASSERT_TRUE(session_->newest_frame());
    EXPECT_FALSE(session_->newest_frame()->image->empty());
    EXPECT_FALSE(session_->history().empty());
    EXPECT_FALSE(session_->history().probability().empty());  // the output layer
    ASSERT_EQ(session_->finished().size(), 1u);
    EXPECT_EQ(session_->finished().front()->unit, 1);
    EXPECT_FALSE(session_->take_error());
}

TEST_F(LiveSessionTest, ParametersReachTheRunningOptimisation) {
    session_->set_settings(short_run(2000));
    session_->select_unit(UnitRef{"", "", 0});
    ASSERT_TRUE(poll_until([&] { return session_->newest_frame().has_value(); }));
    const std::uint64_t run = session_->newest_frame()->run_id;

    RunSettings faster = session_->settings();
    faster.params.iterations = 30;
    EXPECT_EQ(session_->set_settings(faster), SettingsEffect::NextStep);
    ASSERT_TRUE(poll_until([&] { return !session_->run_active(); }));
    EXPECT_EQ(session_->newest_frame()->run_id, run);  // the same run, cut short
    EXPECT_LE(session_->newest_frame()->step.iterations, 30);
}

TEST_F(LiveSessionTest, ChangesAfterTheEndStartTheRunAgain) {
    session_->set_settings(short_run(5));
    session_->select_unit(UnitRef{"", "", 2});
    ASSERT_TRUE(poll_until([&] { return !session_->run_active(); }));

    RunSettings changed = session_->settings();
    changed.params.l2 = 0.95;
    EXPECT_EQ(session_->set_settings(changed), SettingsEffect::Restart);
    EXPECT_TRUE(session_->run_active());
    ASSERT_TRUE(poll_until([&] { return !session_->run_active(); }));
}

TEST_F(LiveSessionTest, OutOfRangeSettingsAreRefusedAndKept) {
    const RunSettings before = session_->settings();
    RunSettings bad = before;
    bad.params.iterations = 0;
    EXPECT_THROW(session_->set_settings(bad), Error);
    EXPECT_TRUE(session_->settings() == before);
}

TEST_F(LiveSessionTest, NextSeedAndUnitSteppingWrap) {
    session_->set_settings(short_run(3));
    session_->select_unit(UnitRef{"", "", 0});
    session_->restart_with_next_seed();
    EXPECT_EQ(session_->settings().params.seed, 1u);
    session_->step_unit(-1);
    EXPECT_EQ(session_->current().unit, 9);
    session_->step_unit(+1);
    EXPECT_EQ(session_->current().unit, 0);
}

TEST_F(LiveSessionTest, SavesTheImageAndExportsAGallery) {
    const fs::path folder = scratch("export");
    EXPECT_THROW(session_->save_image(folder), Error);             // no image yet
    EXPECT_THROW(session_->export_gallery(folder, false), Error);  // nothing finished yet

    session_->set_settings(short_run(6));
    session_->select_unit(UnitRef{"", "", 4});
    ASSERT_TRUE(poll_until([&] { return !session_->run_active(); }));
    const fs::path image = session_->save_image(folder);
    EXPECT_EQ(read_png(image), *session_->newest_frame()->image);

    session_->export_gallery(folder, false);
    const GalleryIndex index = read_gallery_index(folder / "gallery.json");
    ASSERT_EQ(index.items.size(), 1u);
    EXPECT_EQ(index.items.front().unit, 4);
    EXPECT_THROW(session_->export_gallery(folder, false), Error);  // never replaced silently
    EXPECT_NO_THROW(session_->export_gallery(folder, true));
}

// Runs `unit` for `iterations` steps on a session of its own, polling as the window's loop does
// until the run ends (or 60 s).
void run_to_the_end(LiveSession& session, const UnitRef& unit, int iterations) {
    RunSettings settings = session.settings();
    settings.params.iterations = iterations;
    session.set_settings(settings);
    session.select_unit(session.resolve(unit));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (session.run_active() && std::chrono::steady_clock::now() < deadline) {
        session.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    session.poll();
}

// The session's precision reaches the worker's networks: the same run ends near, not at, the
// float32 activation.
TEST(LiveSessionPrecision, ABFloat16SessionRunsItsNetworksInBFloat16) {
    auto final_activation = [](const ExecutionMode& mode) {
        LiveSession session(DGNAM_TEST_PACK_DIR, c10::Device(c10::kCPU), PackTrust::DataOnly, mode);
        run_to_the_end(session, UnitRef{"", "", 1}, 12);
        EXPECT_EQ(session.finished().size(), 1u);
        return session.finished().empty() ? 0.0 : session.finished().front()->activation;
    };
    const double full = final_activation(ExecutionMode::fast());
    const double reduced = final_activation(ExecutionMode::fast_bfloat16());
    EXPECT_NE(reduced, full);
    EXPECT_NEAR(reduced, full, 0.2 * std::abs(full));  // 6% apart when measured
}

TEST(LiveSessionTrust, ATorchScriptPackLoadsOnlyWhenTrusted) {
    const fs::path folder = fs::path(DGNAM_LIVE_OUTPUT_DIR) / "session_scratch" / "torchscript";
    fs::remove_all(folder);
    dgnam::test::write_pack_with_torchscript(DGNAM_TEST_PACK_DIR, folder);
    try {
        LiveSession refused(folder, c10::Device(c10::kCPU));
        FAIL() << "a TorchScript pack loaded without consent";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--allow-torchscript"), std::string::npos) << e.what();
    }
    LiveSession session(folder, c10::Device(c10::kCPU), PackTrust::AllowTorchScript);
    run_to_the_end(session, UnitRef{"T", "", 5}, 4);
    ASSERT_EQ(session.results().size(), 1u);
    EXPECT_NE(session.results().find("T", "fc", 5), nullptr);
}

}  // namespace
}  // namespace dgnam::live
