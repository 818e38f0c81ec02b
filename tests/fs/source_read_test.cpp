// fs::open_and_read: a worker job's confined open of a source file, both resolutions.
#include "fs/source_read.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace ursync::fs {
namespace {

class SourceRead : public ::testing::TestWithParam<bool> {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/ursync-source-read-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
        dir_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        ASSERT_GE(dir_fd_, 0);
        if (GetParam()) {
            open_how how{};
            how.flags = O_PATH;
            how.resolve = RESOLVE_BENEATH;
            const long probe = ::syscall(SYS_openat2, dir_fd_, ".", &how, sizeof how);
            if (probe < 0) GTEST_SKIP() << "openat2 not available";
            ::close(static_cast<int>(probe));
        }
    }
    void TearDown() override {
        if (dir_fd_ >= 0) ::close(dir_fd_);
        std::system(("rm -rf '" + dir_ + "'").c_str());
    }
    void write(const std::string& name, const std::string& text) {
        const int fd = ::open((dir_ + "/" + name).c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ASSERT_GE(fd, 0);
        ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
        ::close(fd);
    }
    fs::SourceRead read(const char* leaf, uint64_t whole_max = 1024) {
        return open_and_read(dir_fd_, leaf, GetParam(), whole_max);
    }

    std::string dir_;
    int dir_fd_ = -1;
};

TEST_P(SourceRead, ASmallFileIsReadWhole) {
    write("f", "hello");
    auto r = read("f");
    EXPECT_EQ(r.err, 0);
    EXPECT_TRUE(r.whole);
    EXPECT_EQ(r.size, 5u);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.data().data()), r.data().size()),
              "hello");
    EXPECT_EQ(r.read_err, 0);
    EXPECT_EQ(r.fd, -1);
}

TEST_P(SourceRead, ALargeFileComesBackOpenForBlockingReads) {
    write("big", std::string(5000, 'x'));
    auto r = read("big");
    EXPECT_EQ(r.err, 0);
    EXPECT_FALSE(r.whole);
    EXPECT_EQ(r.size, 5000u);
    ASSERT_GE(r.fd, 0);
    EXPECT_EQ(::fcntl(r.fd, F_GETFL) & O_NONBLOCK, 0);  // the ring would get EAGAIN otherwise
    EXPECT_NE(::fcntl(r.fd, F_GETFD) & FD_CLOEXEC, 0);
    ::close(r.fd);
}

TEST_P(SourceRead, OnlyRegularFilesAreOpenedAndNothingIsFollowed) {
    write("f", "data");
    ASSERT_EQ(::symlink("f", (dir_ + "/l").c_str()), 0);
    ASSERT_EQ(::mkfifo((dir_ + "/p").c_str(), 0600), 0);
    ASSERT_EQ(::mkdir((dir_ + "/d").c_str(), 0755), 0);
    EXPECT_EQ(read("l").err, ELOOP);
    EXPECT_EQ(read("p").err, EINVAL);  // a fifo without a writer does not block the open
    EXPECT_EQ(read("d").err, EISDIR);
    EXPECT_EQ(read("missing").err, ENOENT);
}

TEST_P(SourceRead, AnEmptyFileIsWholeAndEmpty) {
    write("e", "");
    auto r = read("e");
    EXPECT_EQ(r.err, 0);
    EXPECT_TRUE(r.whole);
    EXPECT_TRUE(r.data().empty());
}

INSTANTIATE_TEST_SUITE_P(Resolution, SourceRead, ::testing::Values(true, false),
                         [](const auto& p) { return p.param ? "openat2" : "walk"; });

}  // namespace
}  // namespace ursync::fs
