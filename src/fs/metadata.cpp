// Metadata application: a plan made on the engine thread, carried out by one offloaded call.
#include "fs/metadata.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include "fs/rel_path.h"

namespace ursync::fs {

using engine::Task;

namespace {

constexpr uint32_t k_chmod_bits = 07777;

// Where the syscalls go: an fd (fd >= 0), or a leaf name in a directory fd.
struct Target {
    int fd = -1;
    int dir_fd = -1;
    const char* name = nullptr;
};

int restat_mode(const Target& t, uint32_t& mode) {
    struct stat st {};
    int r = t.fd >= 0 ? ::fstat(t.fd, &st) : ::fstatat(t.dir_fd, t.name, &st, AT_SYMLINK_NOFOLLOW);
    if (r != 0) return errno;
    mode = st.st_mode;
    return 0;
}

}  // namespace

// Runs on a worker thread (offload): plain syscalls are fine here.
AttrOutcome apply_attrs_now(int fd, int dir_fd, const char* name, const FileAttrs& want,
                            FileAttrs current, const PreserveAttrs& p) {
    const Target t{fd, dir_fd, name};
    AttrOutcome out;
    bool change_uid = p.owner && current.uid != want.uid;
    bool change_gid = p.group && current.gid != want.gid;
    if (change_uid || change_gid) {
        auto uid = change_uid ? static_cast<uid_t>(want.uid) : static_cast<uid_t>(-1);
        auto gid = change_gid ? static_cast<gid_t>(want.gid) : static_cast<gid_t>(-1);
        int r = t.fd >= 0 ? ::fchown(t.fd, uid, gid)
                          : ::fchownat(t.dir_fd, t.name, uid, gid, AT_SYMLINK_NOFOLLOW);
        if (r != 0) return {out.changes, errno, change_uid ? "chown" : "chgrp"};
        out.changes.uid = change_uid;
        out.changes.gid = change_gid;
        if (current.mode & (S_ISUID | S_ISGID)) {
            if (int e = restat_mode(t, current.mode)) return {out.changes, e, "stat"};
        }
    }
    bool set_mtime = p.mtime && !same_mtime(want, current, p);
    bool set_atime = p.atime && !current.is_dir() &&
                     (p.accurate_time || want.atime_sec != current.atime_sec);
    if (set_mtime || set_atime) {
        timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
        if (set_atime) ts[0] = {static_cast<time_t>(want.atime_sec), want.atime_nsec};
        if (set_mtime) ts[1] = {static_cast<time_t>(want.mtime_sec), want.mtime_nsec};
        int r = t.fd >= 0 ? ::futimens(t.fd, ts)
                          : ::utimensat(t.dir_fd, t.name, ts, AT_SYMLINK_NOFOLLOW);
        if (r != 0) return {out.changes, errno, "set times"};
        out.changes.mtime = set_mtime;
        out.changes.atime = set_atime;
    }
    if (p.perms && !current.is_symlink() &&
        (current.mode & k_chmod_bits) != (want.mode & k_chmod_bits)) {
        auto mode = static_cast<mode_t>(want.mode & k_chmod_bits);
        int r = t.fd >= 0 ? ::fchmod(t.fd, mode)
                          : ::fchmodat(t.dir_fd, t.name, mode, AT_SYMLINK_NOFOLLOW);
        if (r != 0) return {out.changes, errno, "set permissions"};
        out.changes.mode = true;
    }
    return out;
}

namespace {

Task<FsResult<AttrChanges>> run_plan(engine::Engine& engine, Target target, const FileAttrs& want,
                                     const FileAttrs& current, PreserveAttrs preserve,
                                     const std::string& rel) {
    // A named lambda: g++ 12 mishandles lambda temporaries inside co_await expressions.
    auto apply = [target, &want, &current, &preserve] {
        return apply_attrs_now(target.fd, target.dir_fd, target.name, want, current, preserve);
    };
    AttrOutcome out = co_await engine.offload(apply);
    if (out.err != 0) co_return Unexpected{sys_error(out.op, rel, out.err)};
    co_return out.changes;
}

}  // namespace

bool same_mtime(const FileAttrs& want, const FileAttrs& current, const PreserveAttrs& p) {
    if (p.accurate_time || p.modify_window_sec < 0)
        return want.mtime_sec == current.mtime_sec && want.mtime_nsec == current.mtime_nsec;
    int64_t diff = want.mtime_sec - current.mtime_sec;
    if (diff < 0) diff = -diff;
    return diff <= p.modify_window_sec;
}

bool attrs_differ(const FileAttrs& want, const FileAttrs& current, const PreserveAttrs& p) {
    if (p.owner && current.uid != want.uid) return true;
    if (p.group && current.gid != want.gid) return true;
    if (p.mtime && !same_mtime(want, current, p)) return true;
    if (p.atime && !current.is_dir() && (p.accurate_time || want.atime_sec != current.atime_sec))
        return true;
    return p.perms && !current.is_symlink() &&
           (current.mode & k_chmod_bits) != (want.mode & k_chmod_bits);
}

Task<FsResult<AttrChanges>> apply_attrs_fd(engine::Engine& engine, int fd, FileAttrs want,
                                           FileAttrs current, PreserveAttrs preserve,
                                           std::string rel) {
    if (!attrs_differ(want, current, preserve)) co_return AttrChanges{};  // no worker needed
    co_return co_await run_plan(engine, Target{fd, -1, nullptr}, want, current, preserve, rel);
}

Task<FsResult<AttrChanges>> apply_attrs_at(DirRoot& root, std::string rel, FileAttrs want,
                                           FileAttrs current, PreserveAttrs preserve) {
    if (!attrs_differ(want, current, preserve)) co_return AttrChanges{};  // no worker needed
    if (is_root_rel(rel))
        co_return co_await run_plan(root.engine(), Target{root.fd(), -1, nullptr}, want, current,
                                    preserve, rel);
    auto leaf = co_await root.leaf(rel, "set attributes");
    if (!leaf) co_return Unexpected{std::move(leaf).error()};
    // `leaf` (its dir fd and name) stays alive in this frame until the offload has finished.
    co_return co_await run_plan(root.engine(), Target{-1, leaf->dir->get(), leaf->name.c_str()},
                                want, current, preserve, rel);
}

}  // namespace ursync::fs
