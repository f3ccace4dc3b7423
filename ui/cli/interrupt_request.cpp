#include "interrupt_request.h"

namespace dgnam::cli {
namespace {

// A signal handler can only reach state with static storage; this flag is the one place, and only
// the live InterruptRequest sets up the handler that writes it.
volatile std::sig_atomic_t received_signal = 0;

void note_signal(int number) {
    received_signal = number;
}

// Keeps the previous action in `previous`. A signal the parent set to be ignored stays ignored:
// a shell without job control starts background commands with SIGINT ignored, so that Ctrl+C
// reaches only the foreground one.
void catch_once(int number, struct sigaction& previous) {
    sigaction(number, nullptr, &previous);
    if (previous.sa_handler == SIG_IGN)
        return;
    struct sigaction action {};
    action.sa_handler = note_signal;
    sigemptyset(&action.sa_mask);
    // SA_RESETHAND: the second Ctrl+C meets the default action and ends the process.
    action.sa_flags = SA_RESETHAND;
    sigaction(number, &action, nullptr);
}

}  // namespace

InterruptRequest::InterruptRequest() {
    received_signal = 0;
    catch_once(SIGINT, previous_int_);
    catch_once(SIGTERM, previous_term_);
}

InterruptRequest::~InterruptRequest() {
    sigaction(SIGINT, &previous_int_, nullptr);
    sigaction(SIGTERM, &previous_term_, nullptr);
}

bool InterruptRequest::requested() const {
    return received_signal != 0;
}

int InterruptRequest::signal_number() const {
    return received_signal;
}

}  // namespace dgnam::cli
