#pragma once
// A one-line progress bar on stderr when it is a terminal; in a log, one line per tenth.
#include <chrono>
#include <cstddef>
#include <string>

namespace dgnam::cli {

class ProgressBar {
  public:
    explicit ProgressBar(std::string title);
    ~ProgressBar();  // ends the line
    // Fraction in [0, 1]; redraws at most ten times a second.
    void update(double fraction, const std::string& detail);

  private:
    std::string title_;
    bool enabled_;
    bool drawn_ = false;
    int logged_tenths_ = 0;
    std::chrono::steady_clock::time_point started_, last_draw_;
};

}  // namespace dgnam::cli
