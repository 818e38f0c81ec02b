// File-list codec (rsync-protocol.md §7.2–7.8): entries, end-of-list marker, uid/gid lists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/file_entry.h"
#include "protocol/wire_error.h"
#include "util/expected.h"

namespace ursync::protocol {

// Longest name (l1 + l2) and symlink target: rsync's MAXPATHLEN (4096) minus its NUL.
inline constexpr size_t k_name_len_max = 4095;
inline constexpr size_t k_symlink_len_max = 4095;
// Longest user/group name (one length byte).
inline constexpr size_t k_id_name_len_max = 255;
// Most ids accepted in one uid or gid list.
inline constexpr size_t k_id_list_count_max = 1u << 20;
// Largest mtime_nsec rsync accepts (MAX_WIRE_NSEC).
inline constexpr uint32_t k_mtime_nsec_max = 999999999;
// io_error bits a receiver keeps from an end-of-list marker (IOERR_VALID_MASK).
inline constexpr int32_t k_io_error_valid_mask = 0x7;

// XMIT_* flag bits (§7.3).
inline constexpr uint32_t k_xmit_top_dir = 1u << 0;
inline constexpr uint32_t k_xmit_same_mode = 1u << 1;
inline constexpr uint32_t k_xmit_extended_flags = 1u << 2;
inline constexpr uint32_t k_xmit_same_uid = 1u << 3;
inline constexpr uint32_t k_xmit_same_gid = 1u << 4;
inline constexpr uint32_t k_xmit_same_name = 1u << 5;
inline constexpr uint32_t k_xmit_long_name = 1u << 6;
inline constexpr uint32_t k_xmit_same_time = 1u << 7;
inline constexpr uint32_t k_xmit_same_rdev_major = 1u << 8;  // devices
inline constexpr uint32_t k_xmit_no_content_dir = 1u << 8;   // directories
inline constexpr uint32_t k_xmit_hlinked = 1u << 9;
inline constexpr uint32_t k_xmit_user_name_follows = 1u << 10;
inline constexpr uint32_t k_xmit_group_name_follows = 1u << 11;
inline constexpr uint32_t k_xmit_hlink_first = 1u << 12;
inline constexpr uint32_t k_xmit_io_error_endlist = 1u << 12;  // byte mode end marker
inline constexpr uint32_t k_xmit_mod_nsec = 1u << 13;
inline constexpr uint32_t k_xmit_same_atime = 1u << 14;
inline constexpr uint32_t k_xmit_crtime_eq_mtime = 1u << 17;
inline constexpr uint32_t k_xmit_known_bits = 0x27FFF;

// The session facts the encoding depends on; both sides derive them from the options and the
// compat flags. Only protocol >= 30 is supported.
struct FlistOptions {
    int32_t protocol = 32;
    bool varint_flags = true;          // CF_VARINT_FLIST_FLAGS; else the legacy 1-or-2-byte flags
    bool safe_flist = true;            // CF_SAFE_FLIST (always on for protocol >= 31)
    bool preserve_uid = false;         // -o
    bool preserve_gid = false;         // -g
    bool preserve_links = false;       // -l: symlink targets are sent
    bool preserve_devices = false;     // -D: rdev of block/char devices is sent
    bool preserve_specials = false;    // -D: (protocol 30 only) an rdev for fifos/sockets
    bool preserve_hard_links = false;  // -H
    bool always_checksum = false;      // -c: a whole-file sum follows each regular file
    size_t checksum_len = 0;           // flist_csum_len with -c (digest_len of the file sum)
    bool atimes = false;               // --atimes
    bool crtimes = false;              // --crtimes
    bool numeric_ids = false;          // --numeric-ids: no names at all
    bool inc_recurse = false;          // CF_INC_RECURSE
    bool id0_names = false;            // CF_ID0_NAMES
    bool delete_missing_args = false;  // mode-0 entries are allowed (missing args)
};

// Ids the sender has met, in first-seen order, with the name it knew for each.
class IdNameTable {
  public:
    // Records id if new; returns true if it was new.
    bool add(uint32_t id, const std::optional<std::string>& name);
    bool contains(uint32_t id) const { return seen_.count(id) != 0; }
    struct Item {
        uint32_t id;
        std::optional<std::string> name;
    };
    const std::vector<Item>& items() const { return items_; }

  private:
    std::vector<Item> items_;
    std::unordered_set<uint32_t> seen_;
};

// The per-direction compression state (§7.4): kept for the whole session, across segments.
// One instance encodes or decodes one direction; the id tables are used by the encoder only.
struct FlistCodecState {
    std::string prev_name;  // empty before the first entry
    uint32_t prev_mode = 0;
    int64_t prev_mtime = 0;
    int64_t prev_atime = 0;
    uint32_t prev_uid = 0;
    uint32_t prev_gid = 0;
    uint32_t prev_rdev_major = 0;
    IdNameTable sent_uids;
    IdNameTable sent_gids;
};

// Where the entry being coded sits: its segment's first index and, for decoding, the entries of
// this segment received so far (in received order; abbreviated hard links copy from them).
struct SegmentContext {
    int32_t ndx_start = 0;  // 0 without incremental recursion, 1 for the first segment
    std::span<const FileEntry> received;
};

// End of a list (segment), with the io_error the sender reported.
struct FlistEnd {
    int32_t io_error = 0;  // raw value; receivers keep only k_io_error_valid_mask bits
};

using FlistItem = std::variant<FileEntry, FlistEnd>;

// Appends one entry exactly as stock rsync's sender does (flist.c:send_file_entry) and updates
// state. Fails (nothing usable written) when the entry cannot be represented: empty or over-long
// name, NUL in a name, over-long symlink target or id name, wrong checksum length, hard-link
// data without -H, negative size.
Expected<void, WireError> encode_entry(ByteWriter& out, FlistCodecState& state,
                                       const FlistOptions& options, const FileEntry& entry,
                                       const SegmentContext& segment);

// Appends the end-of-list marker (flist.c:write_end_of_flist). Returns false if io_error != 0
// could not be carried (byte mode without safe flist): the marker is then a plain 0.
bool encode_end_of_list(ByteWriter& out, const FlistOptions& options, int32_t io_error);

// Reads one entry or the end marker (flist.c:recv_file_entry and its caller's loop). On success
// the cursor moves past it and state is updated; on any error neither changes (incomplete means
// "call again with more bytes"). Names are checked only for wire validity here (length, no NUL,
// l1 within the previous name); apply check_received_name() before using them as paths.
WireResult<FlistItem> decode_entry(ByteCursor& in, FlistCodecState& state,
                                   const FlistOptions& options, const SegmentContext& segment);

// The uid/gid lists after a non-incremental list (§7.8, uidlist.c:send_id_lists).
struct IdName {
    uint32_t id = 0;
    std::string name;
};
struct IdList {
    std::vector<IdName> ids;              // ids != 0, in wire order
    std::optional<std::string> id0_name;  // only with CF_ID0_NAMES (may be empty)
};
struct IdLists {
    std::optional<IdList> uids;  // present iff -o (the list is on the wire)
    std::optional<IdList> gids;  // present iff -g
};

// True when a list is sent: not incremental, not --numeric-ids, and -o or -g.
bool id_lists_present(const FlistOptions& options);

// Appends the lists from the encoder's tables (most recently met id first, as rsync's list is
// built by prepending; ids 0 and ids without a name are left out). uid0_name/gid0_name are
// sent only with CF_ID0_NAMES. Writes nothing unless id_lists_present(options).
Expected<void, WireError> encode_id_lists(ByteWriter& out, const FlistOptions& options,
                                          const FlistCodecState& state, std::string_view uid0_name,
                                          std::string_view gid0_name);

// Reads the lists (nothing if !id_lists_present(options)). The cursor moves only on success.
WireResult<IdLists> decode_id_lists(ByteCursor& in, const FlistOptions& options);

// The receiver's path check (flist.c:recv_file_entry, util1.c:clean_fname): the name must not be
// empty, absolute (unless `relative`, i.e. --relative), contain a ".." component, an empty
// component (no "//", no trailing '/') or a "." component; the only exception is the transfer
// root "." itself, which must be a directory.
Expected<void, WireError> check_received_name(std::string_view name, bool is_dir,
                                              bool relative = false);

}  // namespace ursync::protocol
