#pragma once
// A latest-value mailbox: the writer replaces the value, a reader always gets the newest one.
// Nothing queues up behind a slow reader.
#include <cstdint>
#include <mutex>
#include <optional>

namespace dgnam {

template <typename T>
class LatestValue {
  public:
    void publish(T value) {
        std::lock_guard<std::mutex> lock(mutex_);
        value_ = std::move(value);
        ++sequence_;
    }
    std::optional<T> newest() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return value_;
    }
    // The newest value if it was published after `seen`, which is then advanced.
    std::optional<T> newer_than(std::uint64_t& seen) const {
        std::lock_guard<std::mutex> lock(mutex_);
        if (sequence_ == seen || !value_)
            return std::nullopt;
        seen = sequence_;
        return value_;
    }
    std::uint64_t sequence() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return sequence_;
    }

  private:
    mutable std::mutex mutex_;
    std::optional<T> value_;
    std::uint64_t sequence_ = 0;
};

}  // namespace dgnam
