// StepTrace: every step's point survives copies taken as the run goes, across chunk boundaries.
#include <gtest/gtest.h>

#include "dgnam/step_trace.h"

namespace dgnam {
namespace {

TracePoint point_of(std::size_t step) {
    const double activation = 0.5 * static_cast<double>(step);
    return {activation, step % 3 == 0 ? std::optional<double>() : 1.0 / (1.0 + step)};
}

TEST(StepTrace, HoldsEveryPointInOrderAcrossChunks) {
    StepTrace trace;
    EXPECT_TRUE(trace.empty());
    const std::size_t count = 2 * StepTrace::kChunk + 7;
    for (std::size_t i = 0; i < count; ++i)
        trace.append(point_of(i));
    ASSERT_EQ(trace.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
        EXPECT_EQ(trace[i].activation, point_of(i).activation) << i;
        EXPECT_EQ(trace[i].probability, point_of(i).probability) << i;
    }
}

TEST(StepTrace, ACopyKeepsWhatItHadWhileTheOriginalGrows) {
    StepTrace trace;
    std::vector<StepTrace> copies;
    // Copies at a chunk's last point, at its first, and within one, as frames take them.
    for (std::size_t i = 0; i < 3 * StepTrace::kChunk; ++i) {
        trace.append(point_of(i));
        if (i + 1 == StepTrace::kChunk || i == StepTrace::kChunk || i == 2 * StepTrace::kChunk + 9)
            copies.push_back(trace);
    }
    const std::vector<std::size_t> sizes = {StepTrace::kChunk, StepTrace::kChunk + 1,
                                            2 * StepTrace::kChunk + 10};
    ASSERT_EQ(copies.size(), sizes.size());
    for (std::size_t c = 0; c < copies.size(); ++c) {
        ASSERT_EQ(copies[c].size(), sizes[c]);
        for (std::size_t i = 0; i < sizes[c]; ++i)
            ASSERT_EQ(copies[c][i].activation, point_of(i).activation) << c << " " << i;
    }
    // Appending to a copy leaves the original and the other copies as they were.
    copies[1].append({-1.0, std::nullopt});
    EXPECT_EQ(copies[1][StepTrace::kChunk + 1].activation, -1.0);
    EXPECT_EQ(trace[StepTrace::kChunk + 1].activation, point_of(StepTrace::kChunk + 1).activation);
    EXPECT_EQ(copies[2][StepTrace::kChunk + 1].activation,
              point_of(StepTrace::kChunk + 1).activation);
}

}  // namespace
}  // namespace dgnam
