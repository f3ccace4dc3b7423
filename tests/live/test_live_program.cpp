// dgnam-live as a program: the scripted mode's screenshots (under Xvfb with Mesa's software
// OpenGL) and its errors.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "dgnam/png_io.h"
#include "live_layout.h"
#include "window_close_request.h"

namespace dgnam::live {
namespace {

namespace fs = std::filesystem;

struct Outcome {
    int exit_code = -1;
    std::string err;
};

// Runs dgnam-live with `arguments` (shell words), stderr captured.
Outcome run_live(const std::string& arguments, const std::string& environment = "") {
    // One file per process and call: CTest runs these tests in parallel processes.
    static int calls = 0;
    const fs::path err_file =
        fs::path(DGNAM_LIVE_OUTPUT_DIR) /
        ("live_stderr_" + std::to_string(getpid()) + "_" + std::to_string(++calls) + ".txt");
    const std::string command = environment + " '" + std::string(DGNAM_LIVE_PATH) + "' " +
                                arguments + " > /dev/null 2> '" + err_file.string() + "'";
    const int status = std::system(command.c_str());
    Outcome outcome;
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_file);
    std::stringstream text;
    text << in.rdbuf();
    outcome.err = text.str();
    in.close();
    fs::remove(err_file);
    return outcome;
}

// The middle half of the image area, well clear of the caption drawn over its top-left corner.
struct Region {
    int x0, y0, x1, y1;
};

Region image_region(const Image8& shot) {
    const LiveLayout layout =
        compute_layout(static_cast<float>(shot.width), static_cast<float>(shot.height));
    const Rect& v = layout.viewport;
    return Region{static_cast<int>(v.x + v.w / 4), static_cast<int>(v.y + v.h / 4),
                  static_cast<int>(v.x + v.w * 3 / 4), static_cast<int>(v.y + v.h * 3 / 4)};
}

Image8 screenshot(int frames, const std::string& name) {
    const fs::path file = fs::path(DGNAM_LIVE_OUTPUT_DIR) / name;
    fs::remove(file);
    const Outcome outcome = run_live("--device cpu --threads 2 --frames " + std::to_string(frames) +
                                     " --screenshot '" + file.string() + "'");
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_TRUE(fs::exists(file)) << outcome.err;
    return fs::exists(file) ? read_png(file) : Image8();
}

TEST(LiveRender, ScreenshotShowsAnImage) {
    // Past the run's 200 steps: the finished image, the same on every machine however fast.
    const Image8 shot = screenshot(220, "live_screenshot.png");
    ASSERT_EQ(shot.width, 1280);
    ASSERT_EQ(shot.height, 800);
    const Region r = image_region(shot);
    std::set<int> greys;
    double sum = 0.0, sum_sq = 0.0;
    int count = 0;
    for (int y = r.y0; y < r.y1; ++y)
        for (int x = r.x0; x < r.x1; ++x) {
            const std::uint8_t* p = shot.pixel(x, y);
            const int grey = (p[0] + p[1] + p[2]) / 3;
            greys.insert(grey);
            sum += grey;
            sum_sq += double(grey) * grey;
            ++count;
        }
    const double mean = sum / count;
    const double deviation = std::sqrt(std::max(0.0, sum_sq / count - mean * mean));
    // A picture, not the empty view's flat grey: several levels and real contrast. (The
    // generator's 28x28 pixels are magnified and many are saturated, so the levels are few.)
    EXPECT_GE(greys.size(), 3u);
    EXPECT_GT(deviation, 10.0);
    const int background = static_cast<int>(std::lround(0.16 * 255));  // the empty view's grey
    EXPECT_FALSE(greys.size() == 1 && *greys.begin() == background);
}

TEST(LiveRender, ScreenshotsChangeAsTheRunGoesOn) {
    // The early picture against the finished one: the live activation swings a lot in the
    // first hundred steps, so two mid-run frames a few steps apart may look alike by chance.
    const Image8 early = screenshot(5, "live_frames_5.png");
    const Image8 later = screenshot(220, "live_frames_220.png");
    ASSERT_EQ(early.width, later.width);
    ASSERT_EQ(early.height, later.height);
    const Region r = image_region(early);
    double difference = 0.0;
    int count = 0;
    for (int y = r.y0; y < r.y1; ++y)
        for (int x = r.x0; x < r.x1; ++x)
            for (int c = 0; c < 3; ++c, ++count)
                difference += std::abs(int(early.pixel(x, y)[c]) - int(later.pixel(x, y)[c]));
    EXPECT_GT(difference / count, 2.0);  // mean absolute difference per channel value
}

TEST(LiveClose, ClosingTheWindowMidRunEndsTheProgramAtOnce) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        execl(DGNAM_LIVE_PATH, "dgnam-live", "--device", "cpu", "--threads", "2", "--iterations",
              "1000000", static_cast<char*>(nullptr));
        _exit(127);
    }
    // A run of a million steps is surely going when the close arrives, a few seconds in.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, WNOHANG), 0) << "dgnam-live ended before it was closed";
    const auto closed = std::chrono::steady_clock::now();
    const bool sent = request_close("dgnam-live", std::chrono::seconds(60));
    pid_t ended = 0;
    while (sent && (ended = waitpid(pid, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() - closed < std::chrono::seconds(20))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (ended != pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
    }
    ASSERT_TRUE(sent) << "no window titled dgnam-live appeared";
    ASSERT_EQ(ended, pid) << "dgnam-live was still running 20 s after its window was closed";
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - closed);
    std::printf("closed mid-run: the program ended %lld ms after the close request\n",
                static_cast<long long>(took.count()));
    ASSERT_TRUE(WIFEXITED(status)) << "dgnam-live ended by signal " << WTERMSIG(status);
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(LiveProgram, BadPackIsOneLineAndExitOne) {
    const Outcome outcome = run_live("--pack /nonexistent/pack");
    EXPECT_EQ(outcome.exit_code, 1);
    EXPECT_EQ(outcome.err,
              "dgnam-live: error: the model pack folder /nonexistent/pack does not exist\n");

    // A folder that is there but is no pack: the core's message names it.
    // Its own folder: the render tests write into the output folder while this runs.
    const std::filesystem::path folder =
        std::filesystem::path(DGNAM_LIVE_OUTPUT_DIR) / "not-a-pack";
    std::filesystem::create_directories(folder);
    const Outcome not_a_pack = run_live("--pack '" + folder.string() + "'");
    EXPECT_EQ(not_a_pack.exit_code, 1);
    EXPECT_EQ(not_a_pack.err.rfind("dgnam-live: error: ", 0), 0u) << not_a_pack.err;
    EXPECT_NE(not_a_pack.err.find(folder.string()), std::string::npos) << not_a_pack.err;
    EXPECT_EQ(std::count(not_a_pack.err.begin(), not_a_pack.err.end(), '\n'), 1);
}

TEST(LiveProgram, BadUsageExitsTwo) {
    EXPECT_EQ(run_live("--no-such-option").exit_code, 2);
    EXPECT_EQ(run_live("--unit many").exit_code, 2);
    // A unit the layer lacks is a bad value, not bad usage.
    const Outcome outcome = run_live("--unit 99");
    EXPECT_EQ(outcome.exit_code, 1);
    EXPECT_NE(outcome.err.find("unit 99 is out of range"), std::string::npos) << outcome.err;
}

TEST(LiveProgram, NoDisplayIsAClearError) {
    const Outcome outcome = run_live("--device cpu", "env -u DISPLAY -u WAYLAND_DISPLAY");
    EXPECT_EQ(outcome.exit_code, 1);
    EXPECT_NE(outcome.err.find("dgnam-live: error: cannot open a window"), std::string::npos)
        << outcome.err;
}

}  // namespace
}  // namespace dgnam::live
