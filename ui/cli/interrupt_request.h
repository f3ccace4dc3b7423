#pragma once
// Ctrl+C (SIGINT) or SIGTERM during a long command, turned into a request the command polls at
// its own cancellation point, so that it can save its state before it ends. A second signal
// ends the process at once, as a user pressing Ctrl+C twice expects. One instance at a time;
// the previous handlers come back when it goes.
#include <csignal>

namespace dgnam::cli {

class InterruptRequest {
  public:
    InterruptRequest();
    ~InterruptRequest();
    InterruptRequest(const InterruptRequest&) = delete;
    InterruptRequest& operator=(const InterruptRequest&) = delete;

    bool requested() const;
    int signal_number() const;  // 0 before any signal
    // The exit status a shell reports for a command ended by that signal (128 + number).
    int exit_status() const { return 128 + signal_number(); }

  private:
    struct sigaction previous_int_ {};
    struct sigaction previous_term_ {};
};

}  // namespace dgnam::cli
