#include "dgnam/atomic_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

#include "dgnam/error.h"
#include "test_support.h"

namespace fs = std::filesystem;

namespace {

// Temporary files are hidden (".name.tmp-..."); none may survive a write, good or failed.
int leftover_temp_files(const fs::path& folder) {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(folder)) {
        if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
            ++count;
        }
    }
    return count;
}

std::string message_of_write(const fs::path& target, const std::string& bytes) {
    try {
        dgnam::write_file_atomically(target, bytes);
    } catch (const dgnam::Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "writing " << target << " did not throw";
    return "";
}

// Lowers the largest file this process may write and lets write() fail with EFBIG instead of
// raising SIGXFSZ, which behaves like a disk that fills up half-way, even as root.
class FileSizeLimit {
  public:
    explicit FileSizeLimit(rlim_t bytes) {
        old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
        ::getrlimit(RLIMIT_FSIZE, &old_limit_);
        rlimit lowered = old_limit_;
        lowered.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &lowered);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &old_limit_);
        ::signal(SIGXFSZ, old_handler_);
    }
    FileSizeLimit(const FileSizeLimit&) = delete;
    FileSizeLimit& operator=(const FileSizeLimit&) = delete;

  private:
    rlimit old_limit_{};
    sighandler_t old_handler_;
};

}  // namespace

TEST(AtomicFile, WritesNewFileWithExactBytes) {
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "data.bin";
    const std::string bytes("binary\0with zero\xff", 18);
    dgnam::write_file_atomically(target, bytes);
    EXPECT_EQ(dgnam::test::read_bytes(target), bytes);
    EXPECT_EQ(leftover_temp_files(folder.path()), 0);
}

TEST(AtomicFile, WritesEmptyFile) {
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "empty.txt";
    dgnam::write_file_atomically(target, "");
    ASSERT_TRUE(fs::exists(target));
    EXPECT_EQ(fs::file_size(target), 0u);
}

TEST(AtomicFile, ReplacesExistingFile) {
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "config.json";
    dgnam::test::write_bytes(target, "old content that is longer than the new one");
    dgnam::write_file_atomically(target, "new");
    EXPECT_EQ(dgnam::test::read_bytes(target), "new");
    EXPECT_EQ(leftover_temp_files(folder.path()), 0);
}

TEST(AtomicFile, NewFileGetsUsualPermissions) {
    dgnam::test::ScratchFolder folder;
    const mode_t mask = ::umask(0);
    ::umask(mask);
    const fs::path target = folder.path() / "shared.png";
    dgnam::write_file_atomically(target, "x");
    struct stat info {};
    ASSERT_EQ(::stat(target.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0666 & ~mask);
}

TEST(AtomicFile, ReplacingKeepsPermissions) {
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "private.txt";
    dgnam::test::write_bytes(target, "old");
    ASSERT_EQ(::chmod(target.c_str(), 0640), 0);
    dgnam::write_file_atomically(target, "new");
    struct stat info {};
    ASSERT_EQ(::stat(target.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0640u);
}

TEST(AtomicFile, MissingFolderGivesErrorNamingTarget) {
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "no_such_folder" / "out.txt";
    const std::string message = message_of_write(target, "x");
    EXPECT_NE(message.find(target.string()), std::string::npos) << message;
    EXPECT_NE(message.find("No such file or directory"), std::string::npos) << message;
    EXPECT_FALSE(fs::exists(target));
}

// Fails for root too: a regular file cannot hold other files.
TEST(AtomicFile, ParentThatIsAFileGivesError) {
    dgnam::test::ScratchFolder folder;
    const fs::path not_a_folder = folder.path() / "plain_file";
    dgnam::test::write_bytes(not_a_folder, "keep me");
    const fs::path target = not_a_folder / "out.txt";
    const std::string message = message_of_write(target, "x");
    EXPECT_NE(message.find(target.string()), std::string::npos) << message;
    EXPECT_NE(message.find("Not a directory"), std::string::npos) << message;
    EXPECT_EQ(dgnam::test::read_bytes(not_a_folder), "keep me");
}

TEST(AtomicFile, ReadOnlyFolderGivesErrorAndKeepsFile) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "root writes into read-only folders; see ParentThatIsAFileGivesError";
    }
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "kept.txt";
    dgnam::test::write_bytes(target, "previous");
    fs::permissions(folder.path(), fs::perms::owner_read | fs::perms::owner_exec);
    const std::string message = message_of_write(target, "replacement");
    fs::permissions(folder.path(), fs::perms::owner_all);
    EXPECT_NE(message.find(target.string()), std::string::npos) << message;
    EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
    EXPECT_EQ(dgnam::test::read_bytes(target), "previous");
}

// The rename is the step that fails here, after the temporary file was written in full.
TEST(AtomicFile, TargetThatIsAFolderGivesErrorAndLeavesNoTemporaryFile) {
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "taken";
    fs::create_directory(target);
    const std::string message = message_of_write(target, "x");
    EXPECT_NE(message.find(target.string()), std::string::npos) << message;
    EXPECT_TRUE(fs::is_directory(target));
    EXPECT_EQ(leftover_temp_files(folder.path()), 0);
}

TEST(AtomicFile, WriteThatRunsOutOfSpaceKeepsPreviousFile) {
    dgnam::test::ScratchFolder folder;
    const fs::path target = folder.path() / "weights.bin";
    dgnam::test::write_bytes(target, "previous content");
    std::string message;
    {
        FileSizeLimit limit(4096);
        message = message_of_write(target, std::string(64 * 1024, 'z'));
    }
    EXPECT_NE(message.find(target.string()), std::string::npos) << message;
    EXPECT_NE(message.find("File too large"), std::string::npos) << message;
    EXPECT_NE(message.find("free some space"), std::string::npos) << message;
    EXPECT_EQ(dgnam::test::read_bytes(target), "previous content");
    EXPECT_EQ(leftover_temp_files(folder.path()), 0);
}

TEST(AtomicFile, PathWithoutFileNameIsRejected) {
    EXPECT_THROW(dgnam::write_file_atomically("", "x"), dgnam::Error);
    dgnam::test::ScratchFolder folder;
    EXPECT_THROW(dgnam::write_file_atomically(folder.path() / "", "x"), dgnam::Error);
}
