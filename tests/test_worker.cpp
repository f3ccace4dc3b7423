// The worker thread: runs, live parameters, pause, cancel, replacement and the frame mailbox.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "dgnam/device.h"
#include "dgnam/dgn_am_batch.h"
#include "dgnam/error.h"
#include "dgnam/network_models.h"
#include "dgnam/safetensors.h"
#include "dgnam/soak_run.h"
#include "dgnam/stall_watch.h"
#include "dgnam/worker.h"
#include "test_support.h"

namespace dgnam {
namespace {
using namespace std::chrono_literals;

// Records the worker's events for the test thread.
struct EventLog {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<UnitResult> units;
    std::vector<std::pair<std::uint64_t, RunEnd>> ends;
    std::vector<std::string> messages;

    WorkerEvents events() {
        WorkerEvents e;
        e.unit_done = [this](const UnitResult& r) {
            std::lock_guard<std::mutex> lock(mutex);
            units.push_back(r);
            changed.notify_all();
        };
        e.run_finished = [this](std::uint64_t id, RunEnd end, const std::string& message) {
            std::lock_guard<std::mutex> lock(mutex);
            ends.emplace_back(id, end);
            messages.push_back(message);
            changed.notify_all();
        };
        return e;
    }
    bool wait_for_end(std::uint64_t id, std::chrono::seconds timeout = 60s) {
        std::unique_lock<std::mutex> lock(mutex);
        return changed.wait_for(lock, timeout, [&] {
            for (const auto& e : ends)
                if (e.first == id)
                    return true;
            return false;
        });
    }
    RunEnd end_of(std::uint64_t id) {
        std::lock_guard<std::mutex> lock(mutex);
        for (const auto& e : ends)
            if (e.first == id)
                return e.second;
        return RunEnd::Failed;
    }
};

class WorkerTest : public ::testing::Test {
  protected:
    void SetUp() override { test::write_tiny_pack(folder.path()); }
    std::unique_ptr<Worker> make_worker() {
        return std::make_unique<Worker>(load_model_pack(folder.path()), at::kCPU, log.events());
    }
    RunRequest request(std::vector<std::int64_t> units, int iterations) {
        RunRequest r;
        r.units = std::move(units);
        r.params.iterations = iterations;
        return r;
    }
    test::ScratchFolder folder;
    EventLog log;
};

TEST_F(WorkerTest, RunsEveryUnitAndPublishesFrames) {
    auto worker = make_worker();
    const auto id = worker->start(request({0, 1, 2}, 20));
    ASSERT_TRUE(log.wait_for_end(id));
    EXPECT_EQ(log.end_of(id), RunEnd::Completed);
    ASSERT_EQ(log.units.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(log.units[i].unit, static_cast<std::int64_t>(i));
        EXPECT_EQ(log.units[i].iterations, 20);
        EXPECT_EQ(log.units[i].image.width, 10);
        EXPECT_EQ(log.units[i].image.height, 10);
        ASSERT_TRUE(log.units[i].probability.has_value());
        EXPECT_GE(log.units[i].best_activation, log.units[i].activation - 1e-9);
    }
    EXPECT_EQ(log.units[1].label.value_or(""), "one");
    const auto frame = worker->frames().newest();
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ(frame->run_id, id);
    EXPECT_EQ(frame->unit, 2);
    EXPECT_EQ(frame->step.iteration, 19);
    ASSERT_TRUE(frame->image);
    EXPECT_EQ(frame->image->width, 10);
}

TEST_F(WorkerTest, TheLastFrameTracesEveryStepOfItsBatch) {
    auto worker = make_worker();
    const RunRequest r = request({1, 2}, 25);
    const auto id = worker->start(r);  // nobody reads frames while it runs
    ASSERT_TRUE(log.wait_for_end(id));
    const auto frame = worker->frames().newest();
    ASSERT_TRUE(frame.has_value());
    EXPECT_EQ(frame->unit, 2);
    ASSERT_EQ(frame->trace.size(), 25u);  // unit 2's batch only: the trace restarts per batch

    // The same unit stepped here one step at a time gives the same points.
    const ModelPack pack = load_model_pack(folder.path());
    const Classifier& classifier = pack.classifier("");
    Objective objective;
    objective.layer = classifier.output_layer();
    auto optimizer =
        make_dgn_am(*pack.generator, classifier, objective, {2}, r.params, r.initial, at::kCPU);
    for (std::size_t i = 0; i < 25; ++i) {
        const StepResult step = optimizer->step();
        const TracePoint& point = frame->trace[i];
        EXPECT_NEAR(point.activation, step.rows[0].activation,
                    1e-5 * std::max(1.0, std::abs(point.activation)))
            << "step " << i;
        ASSERT_TRUE(point.probability.has_value());
        EXPECT_NEAR(*point.probability, *step.rows[0].probability, 1e-5) << "step " << i;
    }
    EXPECT_EQ(frame->trace[24].activation, frame->step.rows[0].activation);
}

TEST_F(WorkerTest, FramesReadDuringARunHoldTheSameTraceSoFar) {
    auto worker = make_worker();
    const auto id = worker->start(request({2}, 400));
    std::optional<StepTrace> first;  // the first frame read: later frames must begin with it
    int frames = 0;
    std::uint64_t seen = 0;
    for (;;) {
        const bool ended = log.wait_for_end(id, 0s);
        if (auto frame = worker->frames().newer_than(seen)) {
            ++frames;
            const StepTrace& trace = frame->trace;
            ASSERT_EQ(trace.size(), static_cast<std::size_t>(frame->step.iteration) + 1);
            EXPECT_EQ(trace[trace.size() - 1].activation, frame->step.rows[0].activation);
            if (!first)
                first = trace;
            for (std::size_t i = 0; i < first->size(); ++i)
                ASSERT_EQ(trace[i].activation, (*first)[i].activation) << "step " << i;
        }
        if (ended)
            break;
        std::this_thread::sleep_for(1ms);
    }
    EXPECT_GE(frames, 1);
    ASSERT_TRUE(first.has_value());
}

TEST_F(WorkerTest, BatchedRunsGiveTheSameImagesAsOneByOne) {
    auto worker = make_worker();
    auto one_by_one = request({0, 1, 2}, 15);
    const auto a = worker->start(one_by_one);
    ASSERT_TRUE(log.wait_for_end(a));
    auto batched = one_by_one;
    batched.batch_size = 3;
    const auto b = worker->start(batched);
    ASSERT_TRUE(log.wait_for_end(b));
    ASSERT_EQ(log.units.size(), 6u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(log.units[i].activation, log.units[i + 3].activation, 1e-3) << i;
        int max_difference = 0;
        for (std::size_t k = 0; k < log.units[i].image.rgb.size(); ++k)
            max_difference = std::max(max_difference, std::abs(int(log.units[i].image.rgb[k]) -
                                                               int(log.units[i + 3].image.rgb[k])));
        EXPECT_LE(max_difference, 1) << "unit " << i;
    }
}

TEST_F(WorkerTest, ParametersChangedWhileRunningReachALaterStep) {
    auto worker = make_worker();
    auto r = request({0}, 100000);
    const auto id = worker->start(r);
    std::uint64_t seen = 0;
    // Wait until the run is stepping, then change the learning rate.
    while (!worker->frames().newer_than(seen))
        std::this_thread::sleep_for(1ms);
    auto changed = r.params;
    changed.lr_start = 1000.0;
    changed.lr_end = 1000.0;
    EXPECT_TRUE(worker->set_params(changed));
    EXPECT_EQ(worker->params().lr_start, 1000.0);
    bool arrived = false;
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!arrived && std::chrono::steady_clock::now() < deadline) {
        if (auto f = worker->frames().newer_than(seen))
            arrived = f->step.step_size == 1000.0;
        std::this_thread::sleep_for(1ms);
    }
    EXPECT_TRUE(arrived);
    worker->cancel();
    ASSERT_TRUE(log.wait_for_end(id));
    EXPECT_EQ(log.end_of(id), RunEnd::Cancelled);
    EXPECT_THROW(worker->set_params([] {
        OptimizerParams p;
        p.iterations = 0;
        return p;
    }()),
                 Error);
}

TEST_F(WorkerTest, ParametersAreTakenUntilTheLastStepAndRefusedAfter) {
    auto worker = make_worker();
    auto r = request({0}, 100000);
    const auto id = worker->start(r);
    EXPECT_TRUE(worker->set_params(r.params));  // waiting to start or running: taken
    std::uint64_t seen = 0;
    while (!worker->frames().newer_than(seen))
        std::this_thread::sleep_for(1ms);
    worker->pause();
    int steps_done = -1;
    for (int last = -2; steps_done != last; std::this_thread::sleep_for(100ms)) {
        last = steps_done;  // until the step in flight has finished
        steps_done = worker->frames().newest()->step.iteration + 1;
    }
    // Held before its next step, the run takes iterations lowered to the steps done and ends
    // there with the change applied.
    auto shorter = r.params;
    shorter.iterations = steps_done;
    EXPECT_TRUE(worker->set_params(shorter));
    worker->resume();
    ASSERT_TRUE(log.wait_for_end(id));
    EXPECT_EQ(log.end_of(id), RunEnd::Completed);
    ASSERT_EQ(log.units.size(), 1u);
    EXPECT_EQ(log.units[0].iterations, steps_done);
    // Past its last step the run takes nothing: a front end restarts the unit instead.
    EXPECT_FALSE(worker->set_params(r.params));

    const auto cancelled = worker->start(r);
    while (worker->frames().newest()->run_id != cancelled)
        std::this_thread::sleep_for(1ms);
    worker->cancel();
    EXPECT_FALSE(worker->set_params(r.params));
    ASSERT_TRUE(log.wait_for_end(cancelled));
    EXPECT_FALSE(worker->set_params(r.params));  // idle
}

TEST_F(WorkerTest, PauseHoldsTheRunAndResumeContinues) {
    auto worker = make_worker();
    const auto id = worker->start(request({0}, 100000));
    std::uint64_t seen = 0;
    while (!worker->frames().newer_than(seen))
        std::this_thread::sleep_for(1ms);
    worker->pause();
    EXPECT_TRUE(worker->paused());
    std::this_thread::sleep_for(50ms);  // let a step in flight finish
    const auto held = worker->frames().newest()->step.iteration;
    std::this_thread::sleep_for(200ms);
    EXPECT_EQ(worker->frames().newest()->step.iteration, held);
    worker->resume();
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (worker->frames().newest()->step.iteration == held &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(1ms);
    EXPECT_GT(worker->frames().newest()->step.iteration, held);
    worker->cancel();
    ASSERT_TRUE(log.wait_for_end(id));
}

TEST_F(WorkerTest, ANewRunReplacesTheCurrentOne) {
    auto worker = make_worker();
    const auto first = worker->start(request({0}, 100000));
    std::uint64_t seen = 0;
    while (!worker->frames().newer_than(seen))
        std::this_thread::sleep_for(1ms);
    const auto second = worker->start(request({2}, 10));
    EXPECT_GT(second, first);
    ASSERT_TRUE(log.wait_for_end(second));
    EXPECT_EQ(log.end_of(first), RunEnd::Cancelled);
    EXPECT_EQ(log.end_of(second), RunEnd::Completed);
    ASSERT_EQ(log.units.size(), 1u);
    EXPECT_EQ(log.units[0].unit, 2);
    EXPECT_TRUE(worker->wait_until_idle(10s));
}

TEST_F(WorkerTest, CancelAndDestructionEndWithinAStep) {
    auto worker = make_worker();
    const auto id = worker->start(request({0}, 1000000));
    std::uint64_t seen = 0;
    while (!worker->frames().newer_than(seen))
        std::this_thread::sleep_for(1ms);
    const auto started = std::chrono::steady_clock::now();
    worker->cancel();
    ASSERT_TRUE(log.wait_for_end(id, 10s));
    EXPECT_EQ(log.end_of(id), RunEnd::Cancelled);
    worker->start(request({1}, 1000000));
    worker.reset();  // joins the thread mid-run
    EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(WorkerTest, AHundredSwitchesInASecondLeaveOnlyTheLastRun) {
    auto worker = make_worker();
    std::vector<std::uint64_t> ids;
    const auto started = std::chrono::steady_clock::now();
    for (int click = 0; click < 100; ++click) {
        ids.push_back(worker->start(request({click % 3}, 1000000)));
        std::this_thread::sleep_for(10ms);
    }
    // The last one runs; every earlier one ended cancelled (or never began), none left behind.
    std::uint64_t seen = 0;
    while (true) {
        auto frame = worker->frames().newer_than(seen);
        if (frame && frame->run_id == ids.back())
            break;
        ASSERT_LT(std::chrono::steady_clock::now() - started, 30s);
        std::this_thread::sleep_for(1ms);
    }
    worker->cancel();
    ASSERT_TRUE(log.wait_for_end(ids.back(), 10s));
    EXPECT_TRUE(worker->wait_until_idle(10s));
    std::lock_guard<std::mutex> lock(log.mutex);
    std::set<std::uint64_t> ended;
    for (const auto& [id, end] : log.ends) {
        EXPECT_EQ(end, RunEnd::Cancelled) << "run " << id;
        EXPECT_TRUE(ended.insert(id).second) << "run " << id << " ended twice";
        EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << "unknown run " << id;
    }
    EXPECT_TRUE(ended.count(ids.back()));
    EXPECT_TRUE(log.units.empty()) << "a replaced run reported a unit";
}

// Weights so large that every activation overflows: each step meets a non-finite gradient and
// is skipped, so the unit cannot move. The run says so and ends long before its iterations.
TEST_F(WorkerTest, AUnitWhoseStepsKeepBeingSkippedEndsEarlyAndSaysWhy) {
    const auto weights = folder.path() / "classifier_a.safetensors";
    TensorMap overflowing = read_safetensors(weights).tensors;
    for (auto& [name, tensor] : overflowing)
        tensor = tensor * 1e30;
    write_safetensors(weights, overflowing);
    auto worker = make_worker();
    const auto id = worker->start(request({1, 2}, 100000));
    ASSERT_TRUE(log.wait_for_end(id, 60s));
    EXPECT_EQ(log.end_of(id), RunEnd::Completed);
    ASSERT_EQ(log.units.size(), 2u);
    for (const auto& unit : log.units) {
        EXPECT_EQ(unit.iterations, StallWatch::kDefaultLimit);
        EXPECT_EQ(unit.skipped_steps, StallWatch::kDefaultLimit);
        EXPECT_NE(unit.stopped_early.find("not finite"), std::string::npos) << unit.stopped_early;
    }
    EXPECT_NE(log.messages.back().find("unit 1: stopped after 10 skipped steps in a row"),
              std::string::npos)
        << log.messages.back();
    EXPECT_NE(log.messages.back().find("unit 2: "), std::string::npos);

    // A healthy run reports no such note (a new worker counts its runs from 1 again).
    worker.reset();
    {
        std::lock_guard<std::mutex> lock(log.mutex);
        log.ends.clear();
        log.messages.clear();
        log.units.clear();
    }
    write_safetensors(weights, [&] {
        for (auto& [name, tensor] : overflowing)
            tensor = tensor / 1e30;
        return overflowing;
    }());
    auto healthy = make_worker();
    const auto fine = healthy->start(request({1}, 20));
    ASSERT_TRUE(log.wait_for_end(fine, 60s));
    EXPECT_EQ(log.messages.back(), "");
    EXPECT_TRUE(log.units.back().stopped_early.empty());
    EXPECT_EQ(log.units.back().iterations, 20);
}

TEST_F(WorkerTest, ASoakRunVisualisesUnitAfterUnitAndSamplesMemory) {
    const SoakReport r = soak_worker(load_model_pack(folder.path()), at::kCPU, 6, 3, 2);
    EXPECT_EQ(r.visualisations, 6);
    EXPECT_EQ(r.iterations, 3);
    EXPECT_EQ(r.early, 2);
    EXPECT_GT(r.resident_after_early, 10 << 20) << "LibTorch alone takes more than 10 MiB";
    EXPECT_GT(r.resident_at_end, 10 << 20);
    EXPECT_GT(r.seconds, 0.0);
    EXPECT_THROW(soak_worker(load_model_pack(folder.path()), at::kCPU, 0, 3), Error);
}

TEST_F(WorkerTest, BadRequestsAreRejectedAtTheBoundary) {
    auto worker = make_worker();
    auto r = request({3}, 10);
    EXPECT_THROW(worker->start(r), Error);  // unit out of range
    r = request({0}, 10);
    r.objective.layer = "conv7";
    EXPECT_THROW(worker->start(r), Error);
    r = request({0}, 10);
    r.classifier = "Q";
    EXPECT_THROW(worker->start(r), Error);
    r = request({0}, 10);
    r.params.l2 = -1;
    EXPECT_THROW(worker->start(r), Error);
    EXPECT_TRUE(worker->wait_until_idle(1s));
}

TEST_F(WorkerTest, HiddenConvolutionalUnitsAndThePixelMethodRun) {
    auto worker = make_worker();
    auto r = request({0, 3}, 5);
    r.objective.layer = "conv1";
    r.objective.spatial = SpatialMode::Mean;
    const auto a = worker->start(r);
    ASSERT_TRUE(log.wait_for_end(a));
    EXPECT_EQ(log.end_of(a), RunEnd::Completed);
    r.method = Method::Pixel;
    const auto b = worker->start(r);
    ASSERT_TRUE(log.wait_for_end(b));
    EXPECT_EQ(log.end_of(b), RunEnd::Completed);
    ASSERT_EQ(log.units.size(), 4u);
    EXPECT_FALSE(log.units[0].probability.has_value());
    EXPECT_EQ(log.units[2].image.width, 8) << "pixel images have the classifier's size";
}

TEST(WorkerMemory, ABatchThatDoesNotFitFailsNamingItsSizeAndTheWorkerGoesOn) {
    int overcommit = 0;
    std::ifstream("/proc/sys/vm/overcommit_memory") >> overcommit;
    if (overcommit == 1)
        GTEST_SKIP() << "vm.overcommit_memory = 1 grants every allocation: a batch too large for "
                        "memory would be killed by the kernel, not refused";
    // Small 128x128 images widened to 4096 channels by the first layer: 256 MiB per image, so a
    // batch of all 4096 units asks for 1 TiB at once, more than any machine this runs on.
    const nlohmann::json layers = {
        {{"name", "wide"}, {"type", "conv2d"}, {"out", 4096}, {"kernel", 1}, {"bias", false}},
        {{"name", "pool"}, {"type", "global_avg_pool"}}};
    ModelPack pack;
    pack.name = "wide";
    pack.classifiers.push_back(std::make_unique<NetworkClassifier>(
        "W", "wide",
        SequentialNet(layers, {1, 128, 128}, {{"wide.weight", at::ones({4096, 1, 1, 1})}}, "wide"),
        ImageSpec{{1, 128, 128}, test::identity_grey_space()}, "pool", std::vector<std::string>{}));
    EventLog log;
    Worker worker(std::move(pack), at::kCPU, log.events());
    RunRequest request;
    request.method = Method::Pixel;
    request.objective.layer = "pool";
    for (std::int64_t u = 0; u < 4096; ++u)
        request.units.push_back(u);
    request.batch_size = 4096;
    request.params.iterations = 2;
    request.publish_frames = false;
    const auto id = worker.start(request);
    ASSERT_TRUE(log.wait_for_end(id));
    ASSERT_EQ(log.end_of(id), RunEnd::Failed);
    const std::string message = log.messages.back();
    EXPECT_NE(message.find("a batch of 4096 units does not fit in the memory of cpu"),
              std::string::npos)
        << message;
    EXPECT_NE(
        message.find("lower the batch size (--batch, or the gallery's batch) to 2048 or less"),
        std::string::npos)
        << message;

    // The worker is intact: a batch that fits runs.
    request.units = {0, 1};
    request.batch_size = 2;
    const auto small = worker.start(request);
    ASSERT_TRUE(log.wait_for_end(small));
    EXPECT_EQ(log.end_of(small), RunEnd::Completed) << log.messages.back();
}

TEST(WorkerMemory, OutOfMemoryIsToldApartFromOtherErrors) {
    EXPECT_TRUE(is_out_of_memory(std::bad_alloc()));
    EXPECT_FALSE(is_out_of_memory(std::runtime_error("can't allocate memory")))
        << "only LibTorch's and the runtime's own allocation failures count";
    EXPECT_FALSE(is_out_of_memory(Error("out of memory")));
    const auto one = out_of_memory_message(1, at::Device(at::kCPU), std::bad_alloc());
    EXPECT_NE(one.find("one unit does not fit in the memory of cpu (std::bad_alloc)"),
              std::string::npos)
        << one;
}

TEST(LatestValue, ReadersSeeOnlyTheNewest) {
    LatestValue<int> box;
    std::uint64_t seen = 0;
    EXPECT_FALSE(box.newer_than(seen));
    for (int i = 0; i < 100; ++i)
        box.publish(i);
    EXPECT_EQ(box.newer_than(seen).value_or(-1), 99);
    EXPECT_FALSE(box.newer_than(seen));
    box.publish(100);
    EXPECT_EQ(box.newest().value_or(-1), 100);
    EXPECT_EQ(box.sequence(), 101u);
}

}  // namespace
}  // namespace dgnam
