#pragma once
// Runs the parts of one piece of work at the same time, each part on its own core with one
// compute thread, and waits for all of them.
//
// Why one compute thread a part: a small network's step is bound by the cost of each operation
// (hundreds of small kernels), not by arithmetic, so spreading each operation over the cores
// gains little; running independent parts side by side, one core each, overlaps that cost.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace at {
class ThreadLocalState;
}

namespace dgnam {

class ConcurrentParts {
  public:
    // `parts` - 1 threads are started here and kept until destruction; part 0 runs on the
    // thread that calls run(). Throws dgnam::Error for fewer than 1 part.
    explicit ConcurrentParts(int parts);
    ~ConcurrentParts();
    ConcurrentParts(const ConcurrentParts&) = delete;
    ConcurrentParts& operator=(const ConcurrentParts&) = delete;

    int parts() const { return static_cast<int>(helpers_.size()) + 1; }

    // Calls work(i) for every part i at once, with the caller's thread-local LibTorch state (grad
    // mode, autocast) and one OpenMP thread in each part; returns when all have returned. If
    // parts throw, the first part's exception (lowest i) is rethrown after all have finished.
    // The caller's own OpenMP thread count is restored afterwards; with one part, work(0) simply
    // runs on the caller. Not reentrant.
    void run(const std::function<void(int)>& work);

  private:
    void serve(int part);
    void stop();  // ends and joins the helpers

    std::mutex mutex_;
    std::condition_variable start_, finished_;
    const std::function<void(int)>* work_ = nullptr;  // set for the duration of one run()
    const at::ThreadLocalState* caller_state_ = nullptr;
    // Changed under the mutex, read without it while a thread spins before it blocks.
    std::atomic<std::uint64_t> round_{0};  // bumped by each run(); helpers follow it
    std::atomic<int> running_{0};          // helpers still inside this round's work
    bool stopping_ = false;
    std::vector<std::exception_ptr> errors_;
    std::vector<std::thread> helpers_;
};

}  // namespace dgnam
