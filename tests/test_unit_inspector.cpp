// The inspector's thread (real test images, verdicts) yields the cores to the optimisation.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "dgnam/unit_inspector.h"
#include "test_paths.h"

namespace dgnam {
namespace {

// How many of this process's threads run at `nice` (/proc/self/task/*/stat, field 19).
int threads_at_nice(int nice) {
    int count = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream in(task.path() / "stat");
        std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto after_name = stat.rfind(')');
        if (after_name == std::string::npos)
            continue;
        std::istringstream fields(stat.substr(after_name + 2));  // from field 3, the state
        std::string field;
        for (int i = 3; i <= 19 && fields >> field; ++i)
            if (i == 19 && std::stoi(field) == nice)
                ++count;
    }
    return count;
}

TEST(UnitInspector, ItsThreadRunsAtALowerPriority) {
#if !defined(__linux__)
    GTEST_SKIP() << "a nice value per thread is Linux's";
#endif
    const int own = getpriority(PRIO_PROCESS, 0);  // Linux: the calling thread's
    ASSERT_NE(own, UnitInspector::kNiceness) << "run the test at another nice value";
    const int before = threads_at_nice(UnitInspector::kNiceness);
    UnitInspector inspector(DGNAM_BUNDLED_PACK_DIR, "/nonexistent", InspectorEvents{});
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (threads_at_nice(UnitInspector::kNiceness) == before &&
           std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    EXPECT_GT(threads_at_nice(UnitInspector::kNiceness), before);
    EXPECT_EQ(getpriority(PRIO_PROCESS, 0), own) << "the caller's thread keeps its priority";
}

}  // namespace
}  // namespace dgnam
