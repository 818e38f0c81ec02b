// Receiving the file list: the first list (with id lists or the lookahead segment) and the
// incremental segments that arrive between file data.
#pragma once

#include <cstdint>

#include "engine/task.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// Most entries one list or segment may bring (a hostile sender cannot make us grow forever).
inline constexpr size_t k_segment_entries_max = size_t{1} << 24;

// Reads the first (or only) file list: entries, the end marker, the uid/gid lists of a
// non-incremental list, and with incremental recursion the one extra segment (or
// NDX_FLIST_EOF) that follows a first segment of exactly one entry.
// mirrors rsync flist.c:recv_file_list and main.c's recv_additional_file_list call
engine::Task<SessionResult<void>> recv_first_file_list(RecvContext& ctx);

// Handles a negative index read where the receiver expects one: NDX_FLIST_EOF, or a segment
// marker (validated by the directory table) followed by that segment's entries.
// mirrors the flist branch of rsync rsync.c:read_ndx_and_attrs
engine::Task<SessionResult<void>> recv_flist_marker(RecvContext& ctx, int32_t ndx);

}  // namespace ursync::roles
