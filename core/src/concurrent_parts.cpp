#include "dgnam/concurrent_parts.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>
#include <dlfcn.h>

#include <chrono>

#include "dgnam/error.h"

namespace dgnam {
namespace {

// LibTorch's OpenMP runtime's omp_set_num_threads, looked up as it is loaded: compiling this file
// with -fopenmp would link the compiler's runtime, which under clang (the fuzz build) is not the
// libgomp LibTorch uses. Null for a LibTorch without OpenMP.
using SetOmpThreads = void (*)(int);
SetOmpThreads omp_thread_setter() {
    static const auto setter =
        reinterpret_cast<SetOmpThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    return setter;
}

// One OpenMP thread on the current thread for the guard's lifetime. omp_set_num_threads acts on
// the calling thread only, where at::set_num_threads would also change the count that every
// thread started later begins with.
class OneComputeThread {
  public:
    OneComputeThread() : set_(omp_thread_setter()), previous_(at::get_num_threads()) {
        if (set_)
            set_(1);
    }
    ~OneComputeThread() {
        if (set_)
            set_(previous_);
    }
    OneComputeThread(const OneComputeThread&) = delete;
    OneComputeThread& operator=(const OneComputeThread&) = delete;

  private:
    SetOmpThreads set_;
    int previous_;  // at::get_num_threads() also applies LibTorch's count once to a new thread
};

// Spins on `ready` for up to kSpin before the caller blocks: a thread woken from a condition
// variable starts ~150 us later on this kind of virtual machine, and a split gallery step of the
// bundled pack is ~4.5 ms. Measured there, from the caller's signal to the helper's work: 105-168
// us on average without the spin, 52-91 us with it (median 2-4 us; the rest is steps where the
// caller's part ran over 200 us longer). The sync's cost over unsynchronised halves went from
// 385-530 to 106-228 us a step.
constexpr auto kSpin = std::chrono::microseconds(200);

template <typename Ready>
bool spin_until(Ready ready) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int i = 0;; ++i) {
        if (ready())
            return true;
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();  // lets the core's other hardware thread run while this one waits
#endif
        if (i % 64 == 63 && std::chrono::steady_clock::now() >= until)
            return false;
    }
}

}  // namespace

ConcurrentParts::ConcurrentParts(int parts) {
    if (parts < 1)
        throw Error("a batch cannot be split into " + std::to_string(parts) + " parts");
    errors_.resize(static_cast<std::size_t>(parts));
    helpers_.reserve(static_cast<std::size_t>(parts - 1));
    try {
        for (int part = 1; part < parts; ++part)
            helpers_.emplace_back([this, part] { serve(part); });
    } catch (...) {
        stop();  // the destructor does not run for a half-made object
        throw;
    }
}

ConcurrentParts::~ConcurrentParts() {
    stop();
}

void ConcurrentParts::stop() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
    }
    start_.notify_all();
    for (auto& helper : helpers_)
        helper.join();
}

void ConcurrentParts::serve(int part) {
    const OneComputeThread one_thread;
    std::uint64_t seen = 0;
    for (;;) {
        const std::function<void(int)>* work = nullptr;
        const at::ThreadLocalState* state = nullptr;
        spin_until([&] { return round_.load() != seen; });
        {
            std::unique_lock<std::mutex> lock(mutex_);
            start_.wait(lock, [&] { return stopping_ || round_ != seen; });
            if (stopping_)
                return;
            seen = round_;
            work = work_;
            state = caller_state_;
        }
        std::exception_ptr error;
        try {
            const at::ThreadLocalStateGuard as_caller(*state);
            (*work)(part);
        } catch (...) {
            error = std::current_exception();
        }
        {
            // Moved, not copied: this thread must hold no reference once it unlocks, or the
            // exception's last release could fall on either thread depending on timing.
            std::lock_guard<std::mutex> lock(mutex_);
            errors_[static_cast<std::size_t>(part)] = std::move(error);
            --running_;
        }
        finished_.notify_one();
    }
}

void ConcurrentParts::run(const std::function<void(int)>& work) {
    if (helpers_.empty()) {
        work(0);  // nothing to share the cores with: the caller's thread count stays
        return;
    }
    const at::ThreadLocalState state;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        work_ = &work;
        caller_state_ = &state;
        running_ = static_cast<int>(helpers_.size());
        ++round_;  // errors_ is all null: the last run() emptied it
    }
    start_.notify_all();
    try {
        const OneComputeThread one_thread;
        work(0);
    } catch (...) {
        errors_[0] = std::current_exception();  // helpers write only their own entries
    }
    spin_until([this] { return running_.load() == 0; });
    std::unique_lock<std::mutex> lock(mutex_);
    finished_.wait(lock, [this] { return running_ == 0; });
    work_ = nullptr;
    caller_state_ = nullptr;
    std::exception_ptr first;
    for (auto& e : errors_) {
        if (e && !first)
            first = std::move(e);
        e = nullptr;  // the exceptions are released here, on the caller, under the lock
    }
    lock.unlock();
    if (first)
        std::rethrow_exception(first);
}

}  // namespace dgnam
