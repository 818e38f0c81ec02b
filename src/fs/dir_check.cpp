// The held-directory check of dir_check.h: a fresh confined open of the path, then (st_dev,
// st_ino) compared with the held fd.
#include "fs/dir_check.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "fs/beneath.h"
#include "fs/rel_path.h"

namespace ursync::fs {

namespace {

constexpr int k_walk_dir_flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// A fresh O_PATH fd of `rel_dir` beneath `root_fd`, or -errno.
int open_fresh(int root_fd, const std::string& rel_dir, bool use_openat2) {
    if (use_openat2) {
        open_how how = beneath_how(O_PATH | O_DIRECTORY, 0);
        const long fd = ::syscall(SYS_openat2, root_fd, rel_dir.c_str(), &how, sizeof how);
        return fd >= 0 ? static_cast<int>(fd) : -errno;
    }
    int base = root_fd;
    size_t done = 0;
    while (done < rel_dir.size()) {
        const size_t slash = rel_dir.find('/', done);
        const size_t end = slash == std::string::npos ? rel_dir.size() : slash;
        const std::string part = rel_dir.substr(done, end - done);
        const int fd = ::openat(base, part.c_str(), k_walk_dir_flags);
        const int err = errno;
        if (base != root_fd) ::close(base);
        if (fd < 0) return -err;
        base = fd;
        done = end + 1;
    }
    return base;
}

}  // namespace

int dir_at_place(int root_fd, std::string_view rel_dir, int held_fd, bool use_openat2) {
    if (rel_dir.empty() || is_root_rel(rel_dir)) return 0;
    struct stat held {};
    if (::fstat(held_fd, &held) != 0) return errno;
    const int fresh = open_fresh(root_fd, std::string(rel_dir), use_openat2);
    if (fresh < 0) return -fresh == ENOTDIR || -fresh == ELOOP ? ENOENT : -fresh;
    struct stat now {};
    const int got = ::fstat(fresh, &now);
    const int err = errno;
    ::close(fresh);
    if (got != 0) return err;
    return now.st_dev == held.st_dev && now.st_ino == held.st_ino ? 0 : ENOENT;
}

}  // namespace ursync::fs
