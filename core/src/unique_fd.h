#pragma once
// Owns a POSIX file descriptor (atomic_file.cpp, safetensors.cpp). close() reports errors where
// they matter (the last chance to hear of a failed delayed write); the destructor is the silent
// fallback.
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace dgnam {

class UniqueFd {
  public:
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd& operator=(UniqueFd&&) = delete;
    ~UniqueFd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    // Returns 0 or an errno value.
    int close() {
        const int fd = std::exchange(fd_, -1);
        // Linux releases the descriptor even when close fails, so retrying would be wrong.
        return ::close(fd) == 0 ? 0 : errno;
    }

  private:
    int fd_;
};

}  // namespace dgnam
