#include "progress_bar.h"

#include <unistd.h>

#include <cstdio>

namespace dgnam::cli {

ProgressBar::ProgressBar(std::string title)
    : title_(std::move(title)),
      enabled_(isatty(STDERR_FILENO) != 0),
      started_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
    if (drawn_)
        std::fputc('\n', stderr);
}

void ProgressBar::update(double fraction, const std::string& detail) {
    const auto now = std::chrono::steady_clock::now();
    if (!enabled_) {
        const int tenths = static_cast<int>(fraction * 10.0);
        if (tenths <= logged_tenths_)
            return;
        logged_tenths_ = tenths;
        const double elapsed = std::chrono::duration<double>(now - started_).count();
        std::fprintf(stderr, "%s: %3.0f%% %s, %.0f s elapsed, %.0f s left\n", title_.c_str(),
                     fraction * 100.0, detail.c_str(), elapsed,
                     fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0);
        return;
    }
    if (drawn_ && fraction < 1.0 && now - last_draw_ < std::chrono::milliseconds(100))
        return;
    last_draw_ = now;
    drawn_ = true;
    constexpr int width = 30;
    const int filled = static_cast<int>(fraction * width + 0.5);
    const double elapsed = std::chrono::duration<double>(now - started_).count();
    const double left = fraction > 0.0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
    std::fprintf(stderr, "\r%s [%s%s] %3.0f%% %s, %.0f s left   ", title_.c_str(),
                 std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 fraction * 100.0, detail.c_str(), left);
    std::fflush(stderr);
}

}  // namespace dgnam::cli
