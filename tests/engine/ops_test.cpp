// One test per awaitable: each op does its real job on files, pipes and directories.
#include <fcntl.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>

#include <array>
#include <cstring>
#include <vector>

#include "engine/io_helpers.h"
#include "engine_test_util.h"

namespace ursync::engine {
namespace {

using testing::bytes_of;
using testing::EngineTest;
using testing::string_of;

Task<void> file_round_trip(Engine& e, std::string path) {
    SysResult fd = co_await e.openat(AT_FDCWD, path.c_str(), O_CREAT | O_RDWR | O_TRUNC, 0644);
    EXPECT_TRUE(fd) << fd.message();
    int f = static_cast<int>(fd.value());
    SysResult w = co_await e.write(f, bytes_of("hello, ring"), 0);
    EXPECT_EQ(w.value(), 11);
    EXPECT_TRUE(co_await e.fsync(f));
    EXPECT_TRUE(co_await e.fdatasync(f));
    EXPECT_TRUE(co_await e.fallocate(f, 0, 0, 4096));
    EXPECT_TRUE(co_await e.fadvise(f, 0, 0, POSIX_FADV_SEQUENTIAL));
    std::array<std::byte, 32> buf{};
    SysResult r = co_await e.read(f, buf, 0);
    EXPECT_EQ(r.value(), 32);  // fallocate extended it to 4096
    EXPECT_EQ(string_of(std::span(buf).first(11)), "hello, ring");
    struct statx stx {};
    EXPECT_TRUE(co_await e.statx(f, "", AT_EMPTY_PATH, STATX_SIZE | STATX_MODE, &stx));
    EXPECT_EQ(stx.stx_size, 4096u);
    EXPECT_EQ(stx.stx_mode & 07777, 0644u);
    EXPECT_TRUE(co_await e.close(f));
}

TEST_P(EngineTest, OpenWriteSyncAllocateReadStatClose) {
    engine().run(file_round_trip(engine(), path("f")));
}

Task<void> vectored(Engine& e, std::string path) {
    int f = static_cast<int>((co_await e.openat(AT_FDCWD, path.c_str(), O_CREAT | O_RDWR, 0600)).value());
    std::string a = "abc", b = "defgh";
    std::array<iovec, 2> out{iovec{a.data(), a.size()}, iovec{b.data(), b.size()}};
    EXPECT_EQ((co_await e.writev(f, out, 0)).value(), 8);
    std::array<char, 5> x{}, y{};
    std::array<iovec, 2> in{iovec{x.data(), 5}, iovec{y.data(), 3}};
    EXPECT_EQ((co_await e.readv(f, in, 0)).value(), 8);
    EXPECT_EQ(std::string(x.data(), 5), "abcde");
    EXPECT_EQ(std::string(y.data(), 3), "fgh");
    co_await e.close(f);
}

TEST_P(EngineTest, ReadvWritev) { engine().run(vectored(engine(), path("v"))); }

Task<void> namespace_ops(Engine& e, std::string dir) {
    int d = static_cast<int>((co_await e.openat(AT_FDCWD, dir.c_str(), O_DIRECTORY | O_RDONLY)).value());
    EXPECT_TRUE(co_await e.mkdirat(d, "sub", 0750));
    int f = static_cast<int>((co_await e.openat(d, "sub/a", O_CREAT | O_WRONLY, 0600)).value());
    co_await e.close(f);
    EXPECT_TRUE(co_await e.renameat(d, "sub/a", d, "sub/b"));
    EXPECT_TRUE(co_await e.linkat(d, "sub/b", d, "sub/c"));
    EXPECT_TRUE(co_await e.symlinkat("b", d, "sub/l"));
    std::array<char, 64> target{};
    SysResult n = co_await e.readlinkat(d, "sub/l", target);
    EXPECT_EQ(std::string(target.data(), static_cast<size_t>(n.value())), "b");
    struct statx stx {};
    EXPECT_TRUE(co_await e.statx(d, "sub/c", AT_SYMLINK_NOFOLLOW, STATX_NLINK, &stx));
    EXPECT_EQ(stx.stx_nlink, 2u);
    EXPECT_TRUE(co_await e.fchmodat(d, "sub/b", 0640));
    EXPECT_TRUE(co_await e.fchownat(d, "sub/b", getuid(), getgid(), AT_SYMLINK_NOFOLLOW));
    timespec times[2] = {{1000, 5}, {1704164645, 123456789}};
    EXPECT_TRUE(co_await e.utimensat(d, "sub/b", times, AT_SYMLINK_NOFOLLOW));
    EXPECT_TRUE(co_await e.statx(d, "sub/b", 0, STATX_MTIME | STATX_MODE, &stx));
    EXPECT_EQ(stx.stx_mtime.tv_sec, 1704164645);
    EXPECT_EQ(stx.stx_mtime.tv_nsec, 123456789u);
    EXPECT_EQ(stx.stx_mode & 07777, 0640u);
    EXPECT_TRUE(co_await e.mknodat(d, "sub/fifo", S_IFIFO | 0600, 0));
    EXPECT_TRUE(co_await e.statx(d, "sub/fifo", AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx));
    EXPECT_TRUE(S_ISFIFO(stx.stx_mode));
    // getdents lists what we made
    int sub = static_cast<int>((co_await e.openat(d, "sub", O_DIRECTORY | O_RDONLY)).value());
    std::vector<std::byte> buf(4096);
    SysResult got = co_await e.getdents(sub, buf);
    EXPECT_GT(got.value(), 0);
    std::vector<std::string> names;
    for (size_t off = 0; off < static_cast<size_t>(got.value());) {
        auto* ent = reinterpret_cast<const char*>(buf.data() + off);
        unsigned short reclen;
        std::memcpy(&reclen, ent + 16, sizeof reclen);
        names.emplace_back(ent + 19);
        off += reclen;
    }
    EXPECT_EQ(names.size(), 6u);  // . .. b c l fifo
    co_await e.close(sub);
    EXPECT_TRUE(co_await e.unlinkat(d, "sub/l"));
    EXPECT_EQ((co_await e.unlinkat(d, "sub", AT_REMOVEDIR)).err(), ENOTEMPTY);
    co_await e.close(d);
}

TEST_P(EngineTest, DirectoryAndNameOps) { engine().run(namespace_ops(engine(), dir_)); }

Task<void> beneath(Engine& e, std::string dir) {
    int d = static_cast<int>((co_await e.openat(AT_FDCWD, dir.c_str(), O_DIRECTORY | O_RDONLY)).value());
    open_how how{};
    how.flags = O_RDONLY;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
    SysResult escape = co_await e.openat2(d, "../", how);
    EXPECT_EQ(escape.err(), EXDEV);
    co_await e.symlinkat("/etc/passwd", d, "evil");
    SysResult via_link = co_await e.openat2(d, "evil", how);
    EXPECT_EQ(via_link.err(), EXDEV);
    SysResult self = co_await e.openat2(d, ".", how);
    EXPECT_TRUE(self);
    co_await e.close(static_cast<int>(self.value()));
    co_await e.close(d);
}

TEST_P(EngineTest, Openat2StaysBeneath) { engine().run(beneath(engine(), dir_)); }

Task<void> xattrs(Engine& e, std::string path) {
    int f = static_cast<int>((co_await e.openat(AT_FDCWD, path.c_str(), O_CREAT | O_RDWR, 0600)).value());
    std::string value = "v1";
    SysResult set = co_await e.fsetxattr(f, "user.ursync", value.data(), value.size());
    if (set.err() == ENOTSUP || set.err() == EOPNOTSUPP) {
        co_await e.close(f);
        co_return;  // filesystem without user xattrs; the test body below is skipped by caller
    }
    EXPECT_TRUE(set) << set.message();
    std::array<char, 16> back{};
    SysResult got = co_await e.fgetxattr(f, "user.ursync", back.data(), back.size());
    EXPECT_EQ(got.value(), 2);
    EXPECT_EQ(std::string(back.data(), 2), "v1");
    co_await e.close(f);
}

TEST_P(EngineTest, Xattrs) { engine().run(xattrs(engine(), path("x"))); }

Task<void> pipes(Engine& e, std::string path) {
    int p[2];
    EXPECT_EQ(pipe(p), 0);
    SysResult ready = co_await e.poll(p[1], POLLOUT);
    EXPECT_TRUE(ready.value() & POLLOUT);
    co_await write_all(e, p[1], bytes_of("spliced bytes"));
    int f = static_cast<int>((co_await e.openat(AT_FDCWD, path.c_str(), O_CREAT | O_RDWR, 0600)).value());
    SysResult moved = co_await e.splice(p[0], -1, f, 0, 13);
    EXPECT_EQ(moved.value(), 13);
    std::array<std::byte, 13> back{};
    co_await read_full(e, f, back, 0);
    EXPECT_EQ(string_of(back), "spliced bytes");
    // copy_file_range between files
    int g = static_cast<int>((co_await e.openat(AT_FDCWD, (path + "2").c_str(), O_CREAT | O_RDWR, 0600)).value());
    EXPECT_EQ((co_await e.copy_file_range(f, 0, g, 0, 13)).value(), 13);
    co_await read_full(e, g, back, 0);
    EXPECT_EQ(string_of(back), "spliced bytes");
    co_await e.close(f);
    co_await e.close(g);
    co_await e.close(p[0]);
    co_await e.close(p[1]);
}

TEST_P(EngineTest, PollSpliceCopyFileRange) { engine().run(pipes(engine(), path("s"))); }

Task<int> offloaded(Engine& e) {
    int sum = co_await e.offload([] {
        int s = 0;
        for (int i = 1; i <= 100; ++i) s += i;
        return s;
    });
    co_return sum;
}

TEST_P(EngineTest, OffloadReturnsValueOnEngineThread) { EXPECT_EQ(engine().run(offloaded(engine())), 5050); }

}  // namespace
}  // namespace ursync::engine
