// Itemizing on the receiving side: the iflags of an entry compared with what is on disk, the
// records the generator sends for them, and the lines a client prints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fs/attrs.h"
#include "protocol/byte_cursor.h"
#include "protocol/file_entry.h"
#include "protocol/item_record.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

// rsync's fnamecmp_type for the destination file itself (never sent); defined with the record
// (protocol/item_record.h).
using protocol::k_fnamecmp_fname;

// The iflags rsync's itemize() computes: `current` is the destination's attributes (nullopt when
// statret != 0: the item is new), `iflags` the caller's bits. mirrors rsync generator.c:itemize
uint32_t itemize_flags(const RecvContext& ctx, const protocol::FileEntry& e,
                       const std::optional<fs::FileAttrs>& current, uint32_t iflags,
                       bool time_failed = false);

// Whether itemize() sends a record for these flags (significant bits, -ii, -vv, an xname).
bool record_wanted(const RecvContext& ctx, uint32_t iflags, std::string_view xname = {});

// The generator's record for the sender (protocol::put_item_record: [ndx] iflags [basis type]
// [xname], then with -X the xattr request, whose bookkeeping is done here too); in a local copy
// numbered for the order of the sender's lines. ndx < 0 writes no index.
void write_record(RecvContext& ctx, protocol::ByteWriter& out, int32_t ndx, uint32_t iflags,
                  uint8_t fnamecmp_type = k_fnamecmp_fname, std::string_view xname = {});

// A client prints what it received: rsync log.c:maybe_log_item for echoed records, log_item
// for transfers (`transfer` true). `bytes` is %b for the transfer.
void log_received_item(RecvContext& ctx, const protocol::FileEntry& e, const std::string& name,
                       uint32_t iflags, std::string_view xname, bool transfer, int64_t bytes = 0);

}  // namespace ursync::roles
