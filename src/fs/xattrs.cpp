// xattr calls on an fd, or on a leaf beneath a directory fd through /proc/self/fd (the l-calls
// never follow the leaf; the directory is the pinned fd, not a path).
#include "fs/xattrs.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include "fs/beneath.h"

namespace ursync::fs {

namespace {

std::string proc_path(const XattrTarget& t) {
    std::string p = "/proc/self/fd/" + std::to_string(t.dir_fd) + "/";
    p.append(t.leaf);
    return p;
}

ssize_t list_raw(const XattrTarget& t, char* buf, size_t size) {
    if (t.fd >= 0) return ::flistxattr(t.fd, buf, size);
    return ::llistxattr(proc_path(t).c_str(), buf, size);
}

ssize_t get_raw(const XattrTarget& t, const char* name, void* buf, size_t size) {
    if (t.fd >= 0) return ::fgetxattr(t.fd, name, buf, size);
    return ::lgetxattr(proc_path(t).c_str(), name, buf, size);
}

bool no_support(int err) {
    return err == ENOTSUP;
}

}  // namespace

int open_parent_beneath(int root_fd, std::string_view rel, std::string* leaf) {
    const size_t slash = rel.rfind('/');
    *leaf = std::string(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
    if (slash == std::string_view::npos) {
        const int fd = ::fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
        return fd < 0 ? -errno : fd;
    }
    const std::string parent(rel.substr(0, slash));
    open_how how = beneath_how(O_PATH | O_DIRECTORY, 0);
    long fd = ::syscall(SYS_openat2, root_fd, parent.c_str(), &how, sizeof how);
    if (fd >= 0) return static_cast<int>(fd);
    if (errno != ENOSYS && errno != EPERM && errno != E2BIG) return -errno;
    // No openat2: one component at a time, none followed.
    int cur = ::fcntl(root_fd, F_DUPFD_CLOEXEC, 0);
    if (cur < 0) return -errno;
    for (size_t pos = 0; pos <= parent.size();) {
        size_t end = parent.find('/', pos);
        if (end == std::string::npos) end = parent.size();
        const std::string part = parent.substr(pos, end - pos);
        const int next = ::openat(cur, part.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const int err = errno;
        ::close(cur);
        if (next < 0) return -err;
        cur = next;
        pos = end + 1;
    }
    return cur;
}

Expected<std::vector<std::string>, int> list_xattr_names(const XattrTarget& t) {
    std::string buf(256, '\0');
    for (;;) {
        ssize_t n = list_raw(t, buf.data(), buf.size());
        if (n >= 0) {
            buf.resize(static_cast<size_t>(n));
            break;
        }
        if (no_support(errno)) return std::vector<std::string>{};
        if (errno != ERANGE) return Unexpected{errno};
        n = list_raw(t, nullptr, 0);
        if (n < 0) return Unexpected{errno};
        buf.assign(static_cast<size_t>(n) + 256, '\0');
    }
    std::vector<std::string> names;
    for (size_t pos = 0; pos < buf.size();) {
        size_t end = buf.find('\0', pos);
        if (end == std::string::npos) end = buf.size();
        if (end > pos) names.emplace_back(buf, pos, end - pos);
        pos = end + 1;
    }
    return names;
}

Expected<std::string, int> get_xattr(const XattrTarget& t, const std::string& name) {
    for (;;) {
        ssize_t n = get_raw(t, name.c_str(), nullptr, 0);
        if (n < 0) return Unexpected{no_support(errno) ? ENODATA : errno};
        std::string value(static_cast<size_t>(n), '\0');
        if (n == 0) return value;
        ssize_t got = get_raw(t, name.c_str(), value.data(), value.size());
        if (got >= 0) {
            value.resize(static_cast<size_t>(got));
            return value;
        }
        if (errno != ERANGE) return Unexpected{errno};  // ERANGE: it grew meanwhile; again
    }
}

int set_xattr(const XattrTarget& t, const std::string& name, std::string_view value) {
    int rc = t.fd >= 0 ? ::fsetxattr(t.fd, name.c_str(), value.data(), value.size(), 0)
                       : ::lsetxattr(proc_path(t).c_str(), name.c_str(), value.data(),
                                     value.size(), 0);
    return rc < 0 ? errno : 0;
}

int remove_xattr(const XattrTarget& t, const std::string& name) {
    int rc = t.fd >= 0 ? ::fremovexattr(t.fd, name.c_str())
                       : ::lremovexattr(proc_path(t).c_str(), name.c_str());
    return rc < 0 ? errno : 0;
}

}  // namespace ursync::fs
