// The per-file record generator, sender and receiver exchange: ndx, item flags, the basis type,
// the xname and, with -X, the generator's request for long xattr values (rsync-protocol.md §8.1,
// §9.1; the ITEM_* and FNAMECMP_* values of rsync.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/ndx.h"
#include "protocol/wire_error.h"
#include "protocol/xattr_codec.h"

namespace ursync::protocol {

// ITEM_* bits. The low 16 travel on the wire (protocol >= 29); the others are local to
// itemizing and logging and never leave the process.
inline constexpr uint32_t k_item_report_atime = 1u << 0;
inline constexpr uint32_t k_item_report_change = 1u << 1;
inline constexpr uint32_t k_item_report_size = 1u << 2;      // regular files
inline constexpr uint32_t k_item_report_timefail = 1u << 2;  // symlinks
inline constexpr uint32_t k_item_report_time = 1u << 3;
inline constexpr uint32_t k_item_report_perms = 1u << 4;
inline constexpr uint32_t k_item_report_owner = 1u << 5;
inline constexpr uint32_t k_item_report_group = 1u << 6;
inline constexpr uint32_t k_item_report_acl = 1u << 7;
inline constexpr uint32_t k_item_report_xattr = 1u << 8;
inline constexpr uint32_t k_item_report_crtime = 1u << 10;
inline constexpr uint32_t k_item_basis_type_follows = 1u << 11;
inline constexpr uint32_t k_item_xname_follows = 1u << 12;
inline constexpr uint32_t k_item_is_new = 1u << 13;
inline constexpr uint32_t k_item_local_change = 1u << 14;
inline constexpr uint32_t k_item_transfer = 1u << 15;
inline constexpr uint32_t k_item_missing_data = 1u << 16;  // local: log_formatted
inline constexpr uint32_t k_item_deleted = 1u << 17;       // local: log_formatted
inline constexpr uint32_t k_item_matched = 1u << 18;       // local: itemize
// The bits a record carries.
inline constexpr uint32_t k_item_wire_mask = 0xFFFFu;
// Bits that make an item worth reporting (rsync's SIGNIFICANT_ITEM_FLAGS).
inline constexpr uint32_t k_item_significant =
    ~(k_item_basis_type_follows | k_item_xname_follows | k_item_local_change) & k_item_wire_mask;

// fnamecmp_type: the basis the receiver used. 0x00..0x7F index the --compare/copy/link-dest
// directories (FNAMECMP_BASIS_DIR_LOW..HIGH).
inline constexpr uint8_t k_fnamecmp_basis_dir_high = 0x7F;
inline constexpr uint8_t k_fnamecmp_fname = 0x80;        // the destination itself (never sent)
inline constexpr uint8_t k_fnamecmp_partial_dir = 0x81;  // its --partial-dir copy
inline constexpr uint8_t k_fnamecmp_backup = 0x82;
inline constexpr uint8_t k_fnamecmp_fuzzy = 0x83;

// Longest xname a record may carry: rsync reads it with read_vstring(f, buf, MAXPATHLEN), which
// refuses len >= MAXPATHLEN (4096).
inline constexpr size_t k_xname_len_max = 4095;
// Most nums one xattr request may carry: each names a distinct long value of one list, and a
// list holds at most k_xattr_count_max items.
inline constexpr size_t k_xattr_request_nums_max = static_cast<size_t>(k_xattr_count_max);

// One record. A negative ndx (NDX_DONE, NDX_DEL_STATS, a file-list marker) stands alone: the
// other fields are unused and whatever follows it on the wire is the caller's.
struct ItemRecord {
    int32_t ndx = k_ndx_done;
    uint16_t iflags = 0;
    uint8_t basis_type = k_fnamecmp_fname;  // on the wire with k_item_basis_type_follows
    std::string xname;                      // on the wire with k_item_xname_follows
    // -X, generator -> sender: the nums of the long values wanted (send_xattr_request without
    // a file name); nullopt when no request follows the record.
    std::optional<std::vector<int32_t>> xattr_nums;

    bool operator==(const ItemRecord&) const = default;
};

// Whether a record with these iflags carries an xattr exchange when -X is on and the run is not
// a dry run: the generator's request after its record, the sender's answer after its echo.
// With xattr_optim (protocol >= 31) a hard-link record (XNAME_FOLLOWS|LOCAL_CHANGE) has none.
// mirrors the condition in rsync generator.c:itemize, sender.c:send_files and
// receiver.c:recv_files
bool xattr_exchange_follows(bool xattr_optim, uint32_t iflags);

// What the reader of a record knows that the bytes do not say.
struct ItemRecordOptions {
    // Records come from a generator with -X in a real run: an xattr request follows those for
    // which xattr_exchange_follows() holds (the sender's side; a receiver reads the sender's
    // answer itself, with the xattr codec).
    bool xattr_requests = false;
    bool xattr_optim = false;  // CF_AVOID_XATTR_OPTIM not set, protocol >= 31
};

// Appends a record: ndx (none when rec.ndx < 0, as rsync generator.c:itemize), shortint iflags,
// [byte basis_type], [vstring xname], [xattr request]. Preconditions: rec.xname.size() <=
// k_xname_len_max when it is sent; the xattr nums are each within [1, k_xattr_count_max].
// mirrors the write side of rsync generator.c:itemize and sender.c:send_files
void put_item_record(ByteWriter& out, NdxState& ndx_state, const ItemRecord& rec);

// Reads one record. A negative ndx comes back alone. `ndx_state` changes only on success, so
// the caller may retry from the same position after Kind::incomplete (MuxIn::decode). Refused
// (malformed): an out-of-range ndx, an xname longer than k_xname_len_max, an xattr num outside
// [1, k_xattr_count_max] or more than k_xattr_request_nums_max of them.
// mirrors the wire reads of rsync rsync.c:read_ndx_and_attrs (protocol >= 29) and
// xattrs.c:recv_xattr_request (sender side)
WireResult<ItemRecord> get_item_record(ByteCursor& in, NdxState& ndx_state,
                                       const ItemRecordOptions& options = {});

}  // namespace ursync::protocol
