// Attribute decisions of the receiving side: time comparison, destination modes, applying
// an entry's mode/owner/times to what is on disk (rsync's same_time, dest_mode, set_file_attrs).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "engine/task.h"
#include "fs/attrs.h"
#include "fs/metadata.h"
#include "protocol/file_entry.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// mirrors rsync util1.c:same_time with --modify-window
bool same_time(int modify_window, int64_t a_sec, uint32_t a_nsec, int64_t b_sec, uint32_t b_nsec);
// The destination's mtime differs from the entry's (rsync generator.c:mtime_differs).
bool mtime_differs(const RecvContext& ctx, const fs::FileAttrs& st, const protocol::FileEntry& e);
// The mode a file gets without -p (rsync rsync.c:dest_mode): existing files keep their
// permission bits (tweaked by -E), new ones get the sender's bits masked by the umask.
uint32_t dest_mode(const RecvContext& ctx, uint32_t flist_mode, uint32_t stat_mode, bool exists);
// The mode to apply for an entry given what exists (nullopt: nothing there).
uint32_t wanted_mode(const RecvContext& ctx, const protocol::FileEntry& e,
                     const std::optional<fs::FileAttrs>& current);

// Flags of rsync's set_file_attrs.
struct SetAttrsFlags {
    bool accurate_time = false;  // ATTRS_ACCURATE_TIME: compare mtimes to the nanosecond
    bool report = false;         // ATTRS_REPORT: "x is uptodate" with -vv
    bool skip_mtime = false;     // ATTRS_SKIP_MTIME
};

// What set_attrs_* carry over for `e` with `mode`: the wanted attributes and which of them.
fs::FileAttrs want_of(const protocol::FileEntry& e, uint32_t mode);
fs::PreserveAttrs preserve_of(const RecvContext& ctx, const protocol::FileEntry& e,
                              SetAttrsFlags flags);

// Applies mode/owner/group/times of `e` (with `mode`) to `rel` beneath the destination, whose
// current attributes are `current`. Failures are reported (FERROR_XFER: the run ends with 23).
// Returns whether anything changed. mirrors rsync rsync.c:set_file_attrs
engine::Task<bool> set_attrs_at(RecvContext& ctx, const std::string& rel,
                                const protocol::FileEntry& e, uint32_t mode,
                                const fs::FileAttrs& current, SetAttrsFlags flags);
// The same on an open file (the temp file before its rename).
engine::Task<bool> set_attrs_fd(RecvContext& ctx, int fd, const std::string& rel,
                                const protocol::FileEntry& e, uint32_t mode,
                                const fs::FileAttrs& current, SetAttrsFlags flags);

// Whether the group of an entry is ours to set: always as root; otherwise only groups we are a
// member of (rsync's FLAG_SKIP_GROUP for the others: neither set nor reported).
bool group_settable(const RecvContext& ctx, uint32_t gid);

// Reports a non-fatal error the way rsync's FERROR_XFER does (the run ends with code 23).
void report_xfer_error(RecvContext& ctx, const std::string& text);

}  // namespace ursync::roles
