// Whole-file copies in a batch on one worker thread (see copy_job.h).
#include "fs/copy_job.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <vector>

#include "fs/dir_check.h"
#include "fs/temp_registry.h"
#include "fs/xattrs.h"

namespace ursync::fs {

namespace {

constexpr size_t k_copy_chunk_bytes = size_t{1} << 30;  // per copy_file_range call
constexpr size_t k_rw_buffer_bytes = 256 * 1024;          // the read/write fallback's buffer
constexpr int k_temp_flags = O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC;
constexpr mode_t k_temp_mode = 0600;

// How much to ask for next: a chunk, or what is left of `expected` (when not -1).
size_t next_chunk(int64_t done, int64_t expected, size_t chunk) {
    if (expected < 0) return chunk;
    return static_cast<size_t>(std::min<int64_t>(expected - done, static_cast<int64_t>(chunk)));
}

int64_t copy_by_read_write(int src, int dst, int64_t done, int64_t expected) {
    auto buf = std::make_unique<char[]>(k_rw_buffer_bytes);
    for (;;) {
        if (expected >= 0 && done >= expected) return done;
        const ssize_t n = ::read(src, buf.get(), next_chunk(done, expected, k_rw_buffer_bytes));
        if (n == 0) return done;
        if (n < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        for (ssize_t off = 0; off < n;) {
            const ssize_t w = ::write(dst, buf.get() + off, static_cast<size_t>(n - off));
            if (w < 0) {
                if (errno == EINTR) continue;
                return -errno;
            }
            off += w;
        }
        done += n;
    }
}

// Writes all of `data` to `fd` from its current offset; the bytes written, or -errno.
int64_t write_memory(int fd, std::span<const std::byte> data) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t w = ::write(fd, data.data() + done, data.size() - done);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -errno;
        }
        done += static_cast<size_t>(w);
    }
    return static_cast<int64_t>(done);
}

FileAttrs attrs_of(const struct stat& st) {
    FileAttrs a;
    a.type = file_type_of(st.st_mode);
    a.mode = st.st_mode;
    a.uid = st.st_uid;
    a.gid = st.st_gid;
    a.size = static_cast<uint64_t>(st.st_size);
    a.mtime_sec = st.st_mtim.tv_sec;
    a.mtime_nsec = static_cast<uint32_t>(st.st_mtim.tv_nsec);
    a.atime_sec = st.st_atim.tv_sec;
    a.atime_nsec = static_cast<uint32_t>(st.st_atim.tv_nsec);
    return a;
}

// Unnamed temp files are used until the first one that cannot be linked in (no /proc, no
// capability): from then on named ones.
std::atomic<bool> g_unnamed_ok{true};

// Gives the O_TMPFILE inode `fd` the name `name` in `dir`; 0 or the errno. linkat never follows
// a symlink at `name` (it fails with EEXIST).
int link_unnamed(int fd, int dir, const char* name) {
    if (::linkat(fd, "", dir, name, AT_EMPTY_PATH) == 0) return 0;
    // Without CAP_DAC_READ_SEARCH AT_EMPTY_PATH gives ENOENT; /proc's link to our own fd works.
    if (errno != ENOENT && errno != EPERM) return errno;
    char path[48];
    std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (::linkat(AT_FDCWD, path, dir, name, AT_SYMLINK_FOLLOW) == 0) return 0;
    return errno;
}

// Creates the temp file: unnamed when the destination name is free and the file system has
// O_TMPFILE, else ".name.XXXXXX" (item.temp_named).
int create_temp(CopyItem& item, mode_t mode) {
    if (item.dest_absent && g_unnamed_ok.load(std::memory_order_relaxed)) {
        const int fd = ::openat(item.dst_dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
        if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
    }
    const int fd = ::openat(item.dst_dir, item.temp_name.c_str(), k_temp_flags, mode);
    item.temp_named = fd >= 0;
    return fd;
}

// Whether the source changed while it was copied: fewer bytes came than its size at open
// (`err` = ENODATA: it shrank), or its size or mtime is no longer what it was then (`err` = 0,
// or the errno of a failed fstat).
bool source_changed(int src, const struct stat& at_open, int64_t copied, int& err) {
    err = 0;
    if (copied != at_open.st_size) {
        err = ENODATA;  // rsync's sender: "read errors mapping ...: No data available"
        return true;
    }
    struct stat now {};
    if (::fstat(src, &now) != 0) {
        err = errno;
        return true;
    }
    return now.st_size != at_open.st_size || now.st_mtim.tv_sec != at_open.st_mtim.tv_sec ||
           now.st_mtim.tv_nsec != at_open.st_mtim.tv_nsec;
}

// Everything before the copy is put in place: source opened and checked, temp file created
// and filled, attributes set. Returns with item.stage/err set (done: ready to commit), `tmp`
// still open only for an unnamed temp file (a named one is closed: its delayed write errors
// are seen here). `src`/`tmp` are closed by the caller.
void prepare_one(CopyItem& item, int& src, int& tmp) {
    struct stat sst {};
    if (item.from_memory) {
        sst.st_size = static_cast<off_t>(item.data.size());
    } else {
        src = ::openat(item.src_dir, item.src_name.c_str(),
                       O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (src < 0) {
            item.stage = CopyStage::open_source;
            item.err = errno;
            return;
        }
        if (::fstat(src, &sst) != 0 || !S_ISREG(sst.st_mode)) {
            item.stage = CopyStage::not_regular;
            item.err = S_ISDIR(sst.st_mode) ? EISDIR : EINVAL;
            return;
        }
    }
    item.source_size = static_cast<int64_t>(sst.st_size);
    // Created with its final permission bits where the umask allows (saves the chmod; nobody
    // else can see the name yet), never with more than 0777.
    const auto create_mode = static_cast<mode_t>(item.preserve.perms ? (item.want.mode & 0777) | 0600
                                                                    : k_temp_mode);
    {
        TempCreation creation;
        if (!creation.allowed()) {  // the process is exiting on a signal
            item.stage = CopyStage::create_temp;
            item.err = EINTR;
            return;
        }
        tmp = create_temp(item, create_mode);
    }
    if (tmp < 0) {
        item.stage = CopyStage::create_temp;
        item.err = errno;
        return;
    }
    const int64_t copied = item.from_memory
                               ? write_memory(tmp, item.data)
                               : copy_fd_data(src, tmp, static_cast<int64_t>(sst.st_size));
    if (copied < 0) {
        item.stage = CopyStage::copy_data;
        item.err = static_cast<int>(-copied);
        return;
    }
    item.bytes = copied;
    // The copy is whole only if the source stood still meanwhile (a local copy has no
    // whole-file checksum to catch it): else the caller redoes it. Data from memory was
    // verified by its caller.
    if (!item.from_memory && source_changed(src, sst, copied, item.err)) {
        item.stage = CopyStage::source_changed;
        return;
    }
    // Attribute failures are reported but the file still goes into place (rsync's
    // finish_transfer); without a stat of the temp file they are skipped, as there.
    for (const auto& [name, value] : item.xattrs) {
        std::string read;
        const std::string* v = value ? &*value : nullptr;
        if (!v && src < 0) continue;  // from memory: every value is given
        if (!v) {  // a long value: the source's own, as the sender would send it
            auto got = get_xattr(XattrTarget::of_fd(src), name);
            if (!got) {
                if (!item.attr_err) {
                    item.attr_err = got.error();
                    item.attr_op = "fgetxattr";
                }
                continue;
            }
            read = std::move(*got);
            v = &read;
        }
        if (::fsetxattr(tmp, name.c_str(), v->data(), v->size(), 0) != 0 && !item.attr_err) {
            item.attr_err = errno;
            item.attr_op = "fsetxattr";
        }
    }
    struct stat tst {};
    if (::fstat(tmp, &tst) == 0) {
        const AttrOutcome set =
            apply_attrs_now(tmp, -1, nullptr, item.want, attrs_of(tst), item.preserve);
        if (set.err) {
            item.attr_err = set.err;
            item.attr_op = set.op;
        }
    }
    if (item.fsync && ::fsync(tmp) != 0) {
        item.stage = CopyStage::fsync;
        item.err = errno;
        return;
    }
    if (item.temp_named) {
        const int closed = ::close(tmp);
        tmp = -1;
        if (closed != 0) {  // a delayed write error (NFS, a full disk): the data is not all there
            item.stage = CopyStage::copy_data;
            item.err = errno;
            return;
        }
    }
    item.stage = CopyStage::done;
}

// Puts a prepared copy in place; returns with item.stage/err set. `tmp`: the unnamed temp
// file's fd (closed by the caller).
void commit_one(CopyItem& item, int& tmp) {
    if (!item.temp_named) {
        int err = link_unnamed(tmp, item.dst_dir, item.final_name.c_str());
        if (err == 0) return;
        if (err == EEXIST) {  // taken meanwhile: replaced by a rename, as any other file
            err = link_unnamed(tmp, item.dst_dir, item.temp_name.c_str());
            item.temp_named = err == 0;
        }
        if (err != 0) {
            // Cannot be named here (no /proc, no capability): this copy and the later ones
            // take named temp files.
            g_unnamed_ok.store(false, std::memory_order_relaxed);
            ::close(tmp);
            tmp = -1;
            item.dest_absent = false;
            item.attr_err = 0;
            item.attr_op = nullptr;
            int src = -1;
            prepare_one(item, src, tmp);
            if (src >= 0) ::close(src);
            if (item.stage != CopyStage::done) return;
        }
        ::close(tmp);
        tmp = -1;
    }
    if (::renameat(item.dst_dir, item.temp_name.c_str(), item.dst_dir, item.final_name.c_str()) != 0) {
        item.stage = CopyStage::rename;
        item.err = errno;
    }
}

// The check of each destination directory the batch puts copies in: (fd, path, result).
struct DirCheck {
    int fd;
    const std::string* rel;
    int err;
};

// Checks every distinct directory of `items` that has a copy to put in place.
std::vector<DirCheck> check_dirs(std::span<CopyItem> items, const CopyRoot& root) {
    std::vector<DirCheck> dirs;
    for (const CopyItem& item : items) {
        if (item.stage != CopyStage::done) continue;
        bool seen = false;
        for (const DirCheck& d : dirs) seen = seen || d.fd == item.dst_dir;
        if (!seen) {
            dirs.push_back(DirCheck{item.dst_dir, &item.dst_rel_dir,
                                    dir_at_place(root.fd, item.dst_rel_dir, item.dst_dir,
                                                 root.use_openat2)});
        }
    }
    return dirs;
}

int dir_error(const std::vector<DirCheck>& dirs, int fd) {
    for (const DirCheck& d : dirs)
        if (d.fd == fd) return d.err;
    return 0;
}

void fail_moved(CopyItem& item, int err) {
    item.stage = CopyStage::rename;
    item.err = err;
    item.dir_moved = true;
}

}  // namespace

int64_t copy_fd_data(int src, int dst, int64_t expected) {
    int64_t done = 0;
    for (;;) {
        // The size the source had when opened is what is sent (as rsync's sender does); a
        // file that grew meanwhile is cut there, one that shrank ends early.
        if (expected >= 0 && done >= expected) return done;
        const ssize_t n = ::copy_file_range(src, nullptr, dst, nullptr,
                                            next_chunk(done, expected, k_copy_chunk_bytes), 0);
        if (n > 0) {
            done += n;
            continue;
        }
        if (n == 0) return done;
        if (errno == EINTR) continue;
        // Not possible between these two files (EXDEV on old kernels, EINVAL/EOPNOTSUPP on some
        // file systems, ENOSYS): the offsets are where copy_file_range left them.
        if (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)
            return copy_by_read_write(src, dst, done, expected);
        return -errno;
    }
}

void run_copy_job(std::span<CopyItem> items, CopyRoot root) {
    // Copies, each source closed when done; unnamed temp files stay open until linked in.
    std::vector<int> tmps(items.size(), -1);
    for (size_t i = 0; i < items.size(); ++i) {
        int src = -1;
        prepare_one(items[i], src, tmps[i]);
        if (src >= 0) ::close(src);
    }
    // Into place, each directory checked just before, and again just after.
    std::vector<DirCheck> before;
    if (root.fd >= 0) before = check_dirs(items, root);
    for (size_t i = 0; i < items.size(); ++i) {
        CopyItem& item = items[i];
        if (item.stage != CopyStage::done) continue;
        if (const int err = dir_error(before, item.dst_dir); err != 0) {
            fail_moved(item, err);
            continue;
        }
        commit_one(item, tmps[i]);
    }
    if (root.fd >= 0) {
        // Moved while the copies went in: what went in under a free name is taken back out.
        const std::vector<DirCheck> after = check_dirs(items, root);
        for (CopyItem& item : items) {
            const int err = dir_error(after, item.dst_dir);
            if (item.stage != CopyStage::done || err == 0 || !item.dest_absent) continue;
            ::unlinkat(item.dst_dir, item.final_name.c_str(), 0);
            fail_moved(item, err);
        }
    }
    for (size_t i = 0; i < items.size(); ++i) {
        if (tmps[i] >= 0) ::close(tmps[i]);
        if (items[i].stage != CopyStage::done && items[i].temp_named)
            ::unlinkat(items[i].dst_dir, items[i].temp_name.c_str(), 0);
    }
}

}  // namespace ursync::fs
