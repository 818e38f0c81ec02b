// Applying mode, owner and times to an open fd or to a leaf beneath a root, changing only what differs.
#pragma once

#include <cstdint>
#include <string>

#include "engine/engine.h"
#include "engine/task.h"
#include "fs/attrs.h"
#include "fs/beneath.h"

namespace ursync::fs {

// Which attributes the caller wants carried over (rsync -p, -o, -g, -t, -U) and how times compare.
struct PreserveAttrs {
    bool perms = false;  // the 07777 bits of FileAttrs::mode
    bool owner = false;  // uid (only root can change it; the caller decides)
    bool group = false;  // gid
    bool mtime = false;
    bool atime = false;  // never applied to directories, as rsync does
    // rsync --modify-window: 0 compares seconds only, N allows N seconds of difference, -1
    // compares nanoseconds too.
    int modify_window_sec = 0;
    // rsync's ATTRS_ACCURATE_TIME (after a transfer): mtime compared to the nanosecond and the
    // atime always set.
    bool accurate_time = false;
};

// What was changed, for itemize output (rsync's UPDATED_* flags).
struct AttrChanges {
    bool mode = false;
    bool uid = false;
    bool gid = false;
    bool mtime = false;
    bool atime = false;
    bool any() const { return mode || uid || gid || mtime || atime; }
};

// True when rsync would call the two mtimes the same under `preserve`'s rules.
bool same_mtime(const FileAttrs& want, const FileAttrs& current, const PreserveAttrs& preserve);

// Whether apply_attrs_* would change anything (it changes exactly what differs).
bool attrs_differ(const FileAttrs& want, const FileAttrs& current, const PreserveAttrs& preserve);

// mirrors rsync rsync.c:set_file_attrs. Order: owner and group first (a chown clears setuid and
// setgid bits, so the file is re-stat'ed after it), then times, then permissions last.
// Symlinks: owner and times are set on the link itself; permissions are skipped (Linux cannot
// chmod a symlink). `current` is what is on disk now. All syscalls run in one offload.

// On an open fd (fchown, futimens, fchmod); `rel` labels errors.
engine::Task<FsResult<AttrChanges>> apply_attrs_fd(engine::Engine& engine, int fd,
                                                   FileAttrs want, FileAttrs current,
                                                   PreserveAttrs preserve, std::string rel);

// The same, synchronously, for code already on a worker thread: on `fd` when fd >= 0, else on
// `name` in `dir_fd` (AT_SYMLINK_NOFOLLOW). On failure `err` is the errno and `op` names the step.
struct AttrOutcome {
    AttrChanges changes;
    int err = 0;
    const char* op = nullptr;
};
AttrOutcome apply_attrs_now(int fd, int dir_fd, const char* name, const FileAttrs& want,
                            FileAttrs current, const PreserveAttrs& preserve);

// On `rel` beneath `root` without opening it (symlinks, devices, directories): fchownat,
// utimensat and fchmodat with AT_SYMLINK_NOFOLLOW relative to the confined parent directory.
// "." is the root itself.
engine::Task<FsResult<AttrChanges>> apply_attrs_at(DirRoot& root, std::string rel,
                                                   FileAttrs want, FileAttrs current,
                                                   PreserveAttrs preserve);

}  // namespace ursync::fs
