// A batch split into parts that run at once (split_batch.h, dgn_am_batch.h): the rows get what
// one batch gives them, the parts really run side by side on one compute thread each, and a
// failing part is reported without losing the others. Also built under ThreadSanitizer.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <ATen/core/grad_mode.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "dgnam/dgn_am_batch.h"
#include "dgnam/error.h"
#include "dgnam/split_batch.h"
#include "dgnam/step_benchmark.h"
#include "test_support.h"

namespace dgnam {
namespace {
using namespace std::chrono_literals;

class TinyPack : public ::testing::Test {
  protected:
    void SetUp() override {
        test::write_tiny_pack(folder.path());
        pack = load_model_pack(folder.path());
    }
    std::unique_ptr<ActivationMaximizer> make(std::vector<std::int64_t> units, int parts,
                                              InitialCode initial = InitialCode::random()) {
        OptimizerParams params;
        params.iterations = 12;
        params.seed = 3;
        const Classifier& c = pack.classifier(pack.generator_classifier);
        return make_dgn_am(*pack.generator, c, Objective{c.output_layer()}, std::move(units),
                           params, std::move(initial), at::kCPU, parts);
    }
    test::ScratchFolder folder;
    ModelPack pack;
};

void expect_same_rows(const StepResult& split, const StepResult& one) {
    ASSERT_EQ(split.rows.size(), one.rows.size());
    EXPECT_EQ(split.iteration, one.iteration);
    EXPECT_DOUBLE_EQ(split.step_size, one.step_size);
    for (std::size_t i = 0; i < one.rows.size(); ++i) {
        EXPECT_EQ(split.rows[i].unit, one.rows[i].unit) << "row " << i;
        EXPECT_NEAR(split.rows[i].activation, one.rows[i].activation,
                    1e-4 * (1.0 + std::abs(one.rows[i].activation)))
            << "row " << i << " at iteration " << one.iteration;
        EXPECT_EQ(split.rows[i].skipped, one.rows[i].skipped) << "row " << i;
    }
    ASSERT_TRUE(split.images.defined());
    EXPECT_EQ(split.images.sizes(), one.images.sizes());
}

TEST_F(TinyPack, SideBySideTimesOnePartAloneAndTheSlowestOfAll) {
    const Classifier& c = pack.classifier(pack.generator_classifier);
    const auto t =
        time_parts_side_by_side(*pack.generator, c, c.output_layer(), 2, 3, 4, at::kCPU, 2);
    EXPECT_EQ(t.parts, 2);
    EXPECT_EQ(t.rows_per_part, 3);
    EXPECT_GT(t.ms_alone, 0.0);
    EXPECT_GT(t.ms_side_by_side, 0.0);
    EXPECT_THROW(time_parts_side_by_side(*pack.generator, c, c.output_layer(), 2, 0, 4, at::kCPU),
                 Error);
    EXPECT_THROW(
        time_parts_side_by_side(*pack.generator, c, c.output_layer(), 2, 3, 4, at::kCPU, 0), Error);
    EXPECT_THROW(time_parts_side_by_side(*pack.generator, c, c.output_layer(), 0, 3, 4, at::kCPU),
                 Error);
    EXPECT_THROW(time_parts_side_by_side(*pack.generator, c, c.output_layer(), 2, 3, 0, at::kCPU),
                 Error);
}

TEST_F(TinyPack, ASplitBatchGivesEveryRowWhatOneBatchGivesIt) {
    const std::vector<std::int64_t> units{0, 1, 2, 0, 1};
    auto split = make(units, 3);
    auto one = make(units, 1);
    ASSERT_NE(dynamic_cast<SplitBatch*>(split.get()), nullptr);
    EXPECT_EQ(dynamic_cast<SplitBatch*>(split.get())->part_count(), 3);
    ASSERT_EQ(dynamic_cast<SplitBatch*>(one.get()), nullptr);
    while (!one->done()) {
        ASSERT_FALSE(split->done());
        expect_same_rows(split->step(), one->step());
    }
    EXPECT_TRUE(split->done());
    EXPECT_EQ(split->iteration(), 12);
    const auto a = split->evaluate(), b = one->evaluate();
    ASSERT_EQ(a.size(), units.size());
    ASSERT_EQ(b.size(), units.size());
    for (std::size_t i = 0; i < units.size(); ++i) {
        EXPECT_EQ(a[i].unit, units[i]);
        EXPECT_NEAR(a[i].activation, b[i].activation, 1e-4 * (1.0 + std::abs(b[i].activation)));
        EXPECT_TRUE(at::allclose(a[i].image, b[i].image, 1e-4, 1e-2)) << "row " << i;
        EXPECT_TRUE(at::allclose(a[i].best_image, b[i].best_image, 1e-4, 1e-2)) << "row " << i;
    }
    EXPECT_TRUE(at::allclose(split->current_images(), one->current_images(), 1e-4, 1e-2));
}

TEST_F(TinyPack, StepsTakenTogetherAreTheStepsTakenOneByOne) {
    const std::vector<std::int64_t> units{0, 1, 2, 0, 1};
    auto together = make(units, 2);
    auto one_by_one = make(units, 2);
    EXPECT_EQ(together->steps_per_call(), 1);  // nothing measured yet
    const auto first = together->steps(5);
    ASSERT_EQ(first.size(), 5u);
    EXPECT_EQ(together->iteration(), 5);
    EXPECT_GE(together->steps_per_call(), 1);
    for (std::size_t k = 0; k < first.size(); ++k) {
        const StepResult expected = one_by_one->step();
        EXPECT_EQ(first[k].iteration, static_cast<int>(k));
        expect_same_rows(first[k], expected);
        // the same parts on the same threads: the very same numbers
        for (std::size_t i = 0; i < units.size(); ++i)
            EXPECT_EQ(first[k].rows[i].activation, expected.rows[i].activation) << "row " << i;
        EXPECT_TRUE(at::equal(first[k].images, expected.images)) << "step " << k;
    }
    // Asked for more than are left, it takes what is left; done, it takes none.
    EXPECT_EQ(together->steps(100).size(), 7u);
    EXPECT_TRUE(together->done());
    EXPECT_TRUE(together->steps(3).empty());
    auto unsplit = make(units, 1);
    EXPECT_EQ(unsplit->steps_per_call(), 1);
    EXPECT_EQ(unsplit->steps(20).size(), 12u);
}

TEST_F(TinyPack, EachPartStartsFromItsOwnRowsOfAGivenCode) {
    const std::int64_t code_size = pack.generator->code_size();
    auto generator = at::make_generator<at::CPUGeneratorImpl>(5);
    const at::Tensor codes = at::rand({5, code_size}, generator) * 3.0;
    auto split = make({0, 1, 2, 0, 1}, 2, InitialCode::given(codes));
    auto one = make({0, 1, 2, 0, 1}, 1, InitialCode::given(codes));
    const at::Tensor a = split->current_images(), b = one->current_images();
    ASSERT_EQ(a.size(0), 5);
    EXPECT_TRUE(at::allclose(a, b, 1e-5, 1e-3));
    // rows 2 and 3 are told apart, so a part given the wrong rows would show
    EXPECT_FALSE(at::allclose(a[2], a[3], 1e-3, 1e-1));
}

TEST_F(TinyPack, ChangedParametersReachEveryPart) {
    auto split = make({0, 1, 2, 0}, 2);
    auto one = make({0, 1, 2, 0}, 1);
    expect_same_rows(split->step(), one->step());
    auto changed = split->params();
    changed.lr_start = 4.0;
    changed.l2 = 0.5;
    changed.iterations = 3;
    split->set_params(changed);
    one->set_params(changed);
    EXPECT_EQ(split->params().iterations, 3);
    for (int i = 0; i < 2; ++i)
        expect_same_rows(split->step(), one->step());
    EXPECT_TRUE(split->done());
    changed.l2 = -1.0;  // invalid: no part may change
    EXPECT_THROW(split->set_params(changed), Error);
    EXPECT_DOUBLE_EQ(split->params().l2, 0.5);
}

TEST_F(TinyPack, BadSplitsAndCodesAreRejectedWithTheirValues) {
    EXPECT_NE(test::error_of([&] { make({0, 1}, -2); }).find("-2 parts"), std::string::npos);
    auto clamped = make({0, 1}, 8);  // more parts than rows: one row a part
    ASSERT_NE(dynamic_cast<SplitBatch*>(clamped.get()), nullptr);
    EXPECT_EQ(dynamic_cast<SplitBatch*>(clamped.get())->part_count(), 2);
    const auto message = test::error_of([&] {
        make({0, 1, 2}, 2, InitialCode::given(at::zeros({3, 5})));
    });
    EXPECT_NE(message.find("[3, 5]"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(pack.generator->code_size())), std::string::npos)
        << message;
}

// A part that records where and how it ran, meets the other parts at a barrier, and can fail.
struct Meeting {
    std::mutex mutex;
    std::condition_variable arrived;
    int count = 0;
    // True when all `parts` arrive within the timeout: they were running at the same time.
    bool meet(int parts) {
        std::unique_lock<std::mutex> lock(mutex);
        ++count;
        arrived.notify_all();
        return arrived.wait_for(lock, 20s, [&] { return count >= parts; });
    }
};

class RecordingPart final : public ActivationMaximizer {
  public:
    RecordingPart(std::int64_t unit, Meeting* meeting, int parts, bool fail)
        : unit_(unit), meeting_(meeting), parts_(parts), fail_(fail) {}

    StepResult step() override {
        thread = std::this_thread::get_id();
        compute_threads = at::get_num_threads();
        grad_enabled = at::GradMode::is_enabled();
        met_the_others = meeting_->meet(parts_);
        ++iteration_;
        if (fail_)
            throw Error("part with unit " + std::to_string(unit_) + " failed");
        StepResult r;
        r.iteration = iteration_ - 1;
        r.rows.push_back({unit_, static_cast<double>(unit_), std::nullopt, false, ""});
        r.images = at::full({1, 1, 2, 2}, static_cast<double>(unit_));
        return r;
    }
    std::vector<RowOutcome> evaluate() override {
        RowOutcome row;
        row.unit = unit_;
        return {row};
    }
    at::Tensor current_images() override { return at::full({1, 1, 2, 2}, double(unit_)); }
    const PixelSpace& image_space() const override { return space_; }
    int iteration() const override { return iteration_; }
    const OptimizerParams& params() const override { return params_; }
    void set_params(const OptimizerParams& params) override { params_ = params; }

    std::thread::id thread;
    int compute_threads = 0;
    bool grad_enabled = false;
    bool met_the_others = false;

  private:
    std::int64_t unit_;
    Meeting* meeting_;
    int parts_;
    bool fail_;
    int iteration_ = 0;
    OptimizerParams params_;
    PixelSpace space_ = test::identity_grey_space();
};

struct RecordedSplit {
    Meeting meeting;
    std::vector<RecordingPart*> parts;
    std::unique_ptr<SplitBatch> batch;

    explicit RecordedSplit(int count, int failing = -1) {
        std::vector<std::unique_ptr<ActivationMaximizer>> owned;
        for (int i = 0; i < count; ++i) {
            auto part = std::make_unique<RecordingPart>(10 + i, &meeting, count, i == failing);
            parts.push_back(part.get());
            owned.push_back(std::move(part));
        }
        batch = std::make_unique<SplitBatch>(std::move(owned));
    }
};

TEST(SplitBatch, PartsRunAtOnceEachOnOneComputeThreadAndTheCallerKeepsItsCount) {
    RecordedSplit split(3);
    // two, so that "one a part" and "the caller keeps its count" differ even where the
    // environment asks for one thread (the tsan preset)
    const int before = at::get_num_threads();
    at::set_num_threads(2);
    const int caller_threads = at::get_num_threads();
    ASSERT_EQ(caller_threads, 2);
    const StepResult step = split.batch->step();
    EXPECT_EQ(at::get_num_threads(), caller_threads);
    std::set<std::thread::id> threads;
    for (const auto* part : split.parts) {
        EXPECT_TRUE(part->met_the_others);
        EXPECT_EQ(part->compute_threads, 1);
        threads.insert(part->thread);
    }
    EXPECT_EQ(threads.size(), 3u);
    EXPECT_EQ(split.parts[0]->thread, std::this_thread::get_id());
    ASSERT_EQ(step.rows.size(), 3u);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(step.rows[static_cast<std::size_t>(i)].unit, 10 + i);
        EXPECT_EQ(step.images[i].max().item<double>(), 10.0 + i);
    }
    EXPECT_EQ(split.batch->evaluate().size(), 3u);
    EXPECT_EQ(split.batch->current_images().size(0), 3);
    at::set_num_threads(before);
}

TEST(SplitBatch, TheCallersGradModeReachesEveryPart) {
    RecordedSplit split(2);
    {
        const at::NoGradGuard no_grad;
        split.meeting.count = 0;
        split.batch->step();
    }
    for (const auto* part : split.parts)
        EXPECT_FALSE(part->grad_enabled);
    split.meeting.count = 0;
    split.batch->step();
    for (const auto* part : split.parts)
        EXPECT_TRUE(part->grad_enabled);
}

TEST(SplitBatch, AFailingPartIsReportedAfterEveryPartHasFinished) {
    RecordedSplit split(3, 1);
    EXPECT_EQ(test::error_of([&] { split.batch->step(); }), "part with unit 11 failed");
    for (const auto* part : split.parts) {
        EXPECT_TRUE(part->met_the_others);
        EXPECT_EQ(part->iteration(), 1);
    }
    // the threads are still there for the next call
    split.meeting.count = 0;
    EXPECT_THROW(split.batch->step(), Error);
    EXPECT_EQ(split.parts[2]->iteration(), 2);
}

TEST(SplitBatch, RejectsNoParts) {
    EXPECT_THROW(SplitBatch(std::vector<std::unique_ptr<ActivationMaximizer>>{}), Error);
    std::vector<std::unique_ptr<ActivationMaximizer>> with_empty(2);
    EXPECT_THROW(SplitBatch(std::move(with_empty)), Error);
}

TEST(BatchParts, OnlySmallStepsOnTheCpuAreSplit) {
    const at::Device cpu(at::kCPU), cuda(at::kCUDA, 0);
    EXPECT_EQ(batch_parts(10, 46e6, cpu, 2), 2);
    EXPECT_EQ(batch_parts(3, 46e6, cpu, 16), 3);   // at most one part a row
    EXPECT_EQ(batch_parts(10, 46e6, cuda, 2), 1);  // an accelerator runs one batch
    EXPECT_EQ(batch_parts(10, 46e6, cpu, 1), 1);   // nothing to spread over
    EXPECT_EQ(batch_parts(1, 46e6, cpu, 2), 1);    // one row
    EXPECT_EQ(batch_parts(10, 0.0, cpu, 2), 1);    // cost unknown (TorchScript)
    EXPECT_EQ(batch_parts(8, 6.9e9, cpu, 2), 1);   // paper scale: one batch is faster
    EXPECT_EQ(batch_parts(32, 46e6, cpu, 2), 1);   // 1.5 GFLOP a step
    EXPECT_EQ(batch_parts(21, 46e6, cpu, 2), 2);   // 0.97 GFLOP
}

}  // namespace
}  // namespace dgnam
