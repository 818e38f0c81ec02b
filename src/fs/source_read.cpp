// open_and_read: one confined open, an fstat of the fd, and pread()s, all blocking (worker jobs).
#include "fs/source_read.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <span>

#include "fs/beneath.h"

namespace ursync::fs {

namespace {

constexpr int k_source_open_flags = O_RDONLY | O_NONBLOCK | O_NOCTTY;

int open_confined(int dir_fd, const char* leaf, bool use_openat2) {
    for (;;) {
        long fd = 0;
        if (use_openat2) {
            open_how how = beneath_how(k_source_open_flags, 0);
            fd = ::syscall(SYS_openat2, dir_fd, leaf, &how, sizeof how);
        } else {
            fd = ::openat(dir_fd, leaf, k_source_open_flags | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd >= 0 || errno != EINTR) return fd >= 0 ? static_cast<int>(fd) : -errno;
    }
}

// Reads `out.size()` bytes from offset 0; zero-fills from the first failure or early EOF and
// returns its errno (ENODATA for EOF), 0 when everything was read.
int read_all(int fd, std::span<std::byte> out) {
    size_t done = 0;
    while (done < out.size()) {
        const ssize_t n =
            ::pread(fd, out.data() + done, out.size() - done, static_cast<off_t>(done));
        if (n > 0) {
            done += static_cast<size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        const int err = n == 0 ? ENODATA : errno;
        std::memset(out.data() + done, 0, out.size() - done);
        return err;
    }
    return 0;
}

}  // namespace

SourceRead open_and_read(int dir_fd, const char* leaf, bool use_openat2, uint64_t whole_max) {
    SourceRead r;
    const int fd = open_confined(dir_fd, leaf, use_openat2);
    if (fd < 0) {
        r.err = -fd;
        return r;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        r.err = errno;
    } else if (!S_ISREG(st.st_mode)) {
        r.err = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    }
    if (r.err != 0) {
        ::close(fd);
        return r;
    }
    r.size = static_cast<uint64_t>(st.st_size);
    if (r.size <= whole_max) {
        // O_NONBLOCK does not change pread() of a regular file.
        r.bytes = std::make_unique_for_overwrite<std::byte[]>(r.size);
        r.read_err = read_all(fd, std::span(r.bytes.get(), r.size));
        r.whole = true;
        ::close(fd);
        return r;
    }
    // The ring reads this one: io_uring honours O_NONBLOCK (EAGAIN instead of a wait), so clear it.
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        r.err = errno;
        ::close(fd);
        return r;
    }
    r.fd = fd;
    return r;
}

}  // namespace ursync::fs
