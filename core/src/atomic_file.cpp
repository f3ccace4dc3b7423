#include "dgnam/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <utility>

#include "dgnam/error.h"
#include "unique_fd.h"

namespace dgnam {
namespace {

namespace fs = std::filesystem;

// Removes the temporary file unless the rename succeeded, so a failure leaves no litter.
class TempPath {
  public:
    explicit TempPath(std::string path) : path_(std::move(path)) {}
    TempPath(TempPath&& other) noexcept : path_(std::exchange(other.path_, {})) {}
    TempPath(const TempPath&) = delete;
    TempPath& operator=(const TempPath&) = delete;
    TempPath& operator=(TempPath&&) = delete;
    ~TempPath() {
        if (!path_.empty()) {
            ::unlink(path_.c_str());
        }
    }
    const std::string& path() const { return path_; }
    void release() { path_.clear(); }

  private:
    std::string path_;
};

std::string advice_for(int error) {
    switch (error) {
        case ENOSPC:
        case EDQUOT:
        case EFBIG:
            return "free some space or choose another folder";
        case EACCES:
        case EPERM:
        case EROFS:
            return "choose a folder you can write to";
        case ENOENT:
        case ENOTDIR:
            return "check that the folder exists or choose another folder";
        case EISDIR:
            return "a folder has that name; choose another file name";
        default:
            return "check the folder or choose another one";
    }
}

[[noreturn]] void fail(const fs::path& target, const char* step, int error) {
    throw Error("Could not write '" + target.string() + "' (" + step +
                "): " + std::strerror(error) + "; " + advice_for(error) + ".");
}

std::string random_suffix() {
    std::random_device device;
    std::uniform_int_distribution<unsigned> digit(0, 35);
    const char* alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
    std::string suffix(8, '0');
    for (char& c : suffix) {
        c = alphabet[digit(device)];
    }
    return suffix;
}

// The temporary file lives beside the target so that rename() stays within one file system.
// open() with O_EXCL instead of mkstemp() so that the process umask applies as for any new file
// (mkstemp always creates mode 0600).
std::pair<UniqueFd, TempPath> create_temp_file(const fs::path& target) {
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    const std::string stem = "." + target.filename().string() + ".tmp-";
    constexpr int kAttempts = 100;
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
        std::string path = (folder / (stem + random_suffix())).string();
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            return {UniqueFd(fd), TempPath(std::move(path))};
        }
        if (errno != EEXIST) {
            fail(target, "creating a temporary file", errno);
        }
    }
    fail(target, "creating a temporary file", EEXIST);
}

// Keeps the mode of a file being replaced, so that replacing it does not change who may read it.
void copy_mode_of_existing(const fs::path& target, int fd) {
    struct stat existing {};
    if (::stat(target.c_str(), &existing) != 0 || !S_ISREG(existing.st_mode)) {
        return;
    }
    if (::fchmod(fd, existing.st_mode & 07777) != 0) {
        fail(target, "setting permissions", errno);
    }
}

void write_all(const fs::path& target, int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t written = ::write(fd, bytes.data(), bytes.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail(target, "writing", errno);
        }
        bytes.remove_prefix(static_cast<std::size_t>(written));
    }
}

// Makes the rename itself durable. Some file systems refuse fsync on a folder; the file is
// already in place by then, so that is no reason to report a failure.
void sync_folder(const fs::path& target) {
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    UniqueFd fd(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() >= 0) {
        ::fsync(fd.get());
    }
}

}  // namespace

void write_file_atomically(const fs::path& target, std::string_view bytes) {
    if (target.empty() || !target.has_filename()) {
        throw Error("Could not write '" + target.string() +
                    "': the path does not name a file; choose a file name.");
    }
    auto [fd, temp] = create_temp_file(target);
    copy_mode_of_existing(target, fd.get());
    write_all(target, fd.get(), bytes);
    // A full disk on delayed allocation or a network file system shows up here, not in write().
    if (::fsync(fd.get()) != 0) {
        fail(target, "flushing to disk", errno);
    }
    if (const int error = fd.close(); error != 0) {
        fail(target, "closing", error);
    }
    if (::rename(temp.path().c_str(), target.c_str()) != 0) {
        fail(target, "moving into place", errno);
    }
    temp.release();
    sync_folder(target);
}

}  // namespace dgnam
