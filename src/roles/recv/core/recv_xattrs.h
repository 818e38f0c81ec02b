// -X on the receiving side: lists read from the file list, the generator's comparison and
// request, the sender's answer, and setting the attributes (rsync xattrs.c, receiver half).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/task.h"
#include "fs/xattrs.h"
#include "protocol/byte_cursor.h"
#include "protocol/file_entry.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// Reads the list after a file-list entry into the table and returns its index.
// mirrors rsync xattrs.c:receive_xattr
engine::Task<SessionResult<int32_t>> recv_xattr_list(RecvContext& ctx);

// Whether the sender's list for `e` differs from what the destination `rel` has (`exists`
// false: nothing there). Marks the long values to ask the sender for. Reads the destination's
// attributes (blocking, confined beneath the destination).
// mirrors the xattr part of rsync generator.c:itemize (xattr_diff with find_all)
bool xattrs_differ_marking(const RecvContext& ctx, const protocol::FileEntry& e,
                           const std::string& rel, bool exists);

// For the generator's record for ndx with `iflags`: the nums of the long values it marked, to
// go out as the record's xattr request, or nullopt when no request follows (only the
// bookkeeping is done). mirrors rsync send_xattr_request(NULL, ...)
std::optional<std::vector<int32_t>> take_xattr_request(RecvContext& ctx, int32_t ndx,
                                                       uint32_t iflags);

// The sender's answer after an echoed record for `e`. mirrors rsync recv_xattr_request
engine::Task<SessionResult<void>> recv_xattr_answer(RecvContext& ctx, const protocol::FileEntry& e);

// Before a transfer of `e` is handed on: the long values not received are taken from `cmp_rel`
// (where their digests match), while it is sure to be unchanged. A later record with the same
// list may rely on them (the generator asked only once). In a worker job.
engine::Task<void> take_long_values(RecvContext& ctx, const protocol::FileEntry& e,
                                    const std::string& cmp_rel);

// Gives the open file `fd` (`rel` in messages) exactly e's list: sets every value, removes the
// names it manages that the list lacks. A long value not received is taken from `cmp_rel`
// (the file the generator compared with) when its digest matches. Failures are reported
// (code 23). In a worker job. mirrors rsync set_xattr
engine::Task<void> apply_xattrs(RecvContext& ctx, int fd, const std::string& rel,
                                const protocol::FileEntry& e, const std::string& cmp_rel);
// The same on `rel` itself (records without a transfer); when anything changed, the times are
// set again as rsync's set_file_attrs does.
engine::Task<void> apply_xattrs_at(RecvContext& ctx, const std::string& rel,
                                   const protocol::FileEntry& e);

}  // namespace ursync::roles
