// File-list encoder: one entry as rsync's sender writes it, and the end-of-list marker.
#include <algorithm>
#include <string>

#include "protocol/flist_codec.h"
#include "protocol/varint.h"

namespace ursync::protocol {

namespace {

Expected<void, WireError> reject(std::string what) {
    return malformed(std::move(what));
}

Expected<void, WireError> check_encodable(const FlistOptions& options, const FileEntry& entry) {
    if (options.protocol < 30) return unsupported("file lists need protocol 30 or newer");
    if (options.crtimes && !options.varint_flags) {
        return unsupported("--crtimes needs varint file-list flags");
    }
    if (entry.name.empty()) return reject("empty file-list name");
    if (entry.name.size() > k_name_len_max) return reject("file-list name too long: " + entry.name);
    if (entry.name.find('\0') != std::string::npos) return reject("NUL in file-list name");
    if (entry.size < 0) return reject("negative size for " + entry.name);
    if (entry.mtime_nsec > k_mtime_nsec_max) return reject("mtime_nsec out of range");
    if (entry.symlink_target.size() > k_symlink_len_max) return reject("symlink target too long");
    if (entry.user_name && entry.user_name->size() > k_id_name_len_max) {
        return reject("user name too long");
    }
    if (entry.group_name && entry.group_name->size() > k_id_name_len_max) {
        return reject("group name too long");
    }
    if (options.always_checksum && entry.is_regular()) {
        if (options.checksum_len > k_digest_len_max || entry.checksum.len != options.checksum_len) {
            return reject("file-list checksum of the wrong length for " + entry.name);
        }
    }
    if (entry.hlink.linked && !options.preserve_hard_links) {
        return reject("hard-link data without -H for " + entry.name);
    }
    if (entry.hlink.linked && !entry.hlink.first && entry.hlink.first_ndx < 0) {
        return reject("hard link without a first index for " + entry.name);
    }
    return {};
}

size_t common_prefix_len(std::string_view a, std::string_view b) {
    const size_t limit = std::min({a.size(), b.size(), size_t{255}});
    size_t n = 0;
    while (n < limit && a[n] == b[n]) ++n;
    return n;
}

void put_short_name(ByteWriter& out, const std::string& name) {
    put_byte(out, static_cast<uint8_t>(name.size()));
    out.put(name);
}

void put_flags(ByteWriter& out, const FlistOptions& options, uint32_t xflags, bool is_dir) {
    if (options.varint_flags) {
        put_varint(out, static_cast<int32_t>(xflags != 0 ? xflags : k_xmit_extended_flags));
        return;
    }
    // Byte mode: a non-dir that would send 0 borrows XMIT_TOP_DIR as a filler.
    if (xflags == 0 && !is_dir) xflags |= k_xmit_top_dir;
    if ((xflags & 0xFF00u) != 0 || xflags == 0) {
        put_shortint(out, static_cast<uint16_t>(xflags | k_xmit_extended_flags));
    } else {
        put_byte(out, static_cast<uint8_t>(xflags));
    }
}

}  // namespace

// mirrors rsync flist.c:send_file_entry (protocol >= 30)
Expected<void, WireError> encode_entry(ByteWriter& out, FlistCodecState& state,
                                       const FlistOptions& options, const FileEntry& entry,
                                       const SegmentContext& segment) {
    if (auto ok = check_encodable(options, entry); !ok) return ok;

    const uint32_t mode = entry.mode;
    const bool is_dir = mode_is_dir(mode);
    const bool first_entry = state.prev_name.empty();
    uint32_t xflags = 0;
    if (is_dir) {
        if (entry.top_dir) xflags |= k_xmit_top_dir;
        if (entry.no_content_dir) xflags |= k_xmit_no_content_dir;
    }
    if (mode == state.prev_mode) xflags |= k_xmit_same_mode;

    bool send_rdev = false;
    uint32_t rdev_minor = 0;
    if (options.preserve_devices && mode_is_device(mode)) {
        send_rdev = true;
        rdev_minor = entry.rdev_minor;
        if (entry.rdev_major == state.prev_rdev_major) xflags |= k_xmit_same_rdev_major;
    } else if (options.preserve_specials && mode_is_special(mode) && options.protocol < 31) {
        send_rdev = true;  // protocol 30 sends a dummy minor 0 for fifos and sockets
        xflags |= k_xmit_same_rdev_major;
    }

    if (!options.preserve_uid || (entry.uid == state.prev_uid && !first_entry)) {
        xflags |= k_xmit_same_uid;
    } else if (!options.numeric_ids) {
        const bool is_new = state.sent_uids.add(entry.uid, entry.user_name);
        if (options.inc_recurse && is_new && entry.user_name) xflags |= k_xmit_user_name_follows;
    }
    if (!options.preserve_gid || (entry.gid == state.prev_gid && !first_entry)) {
        xflags |= k_xmit_same_gid;
    } else if (!options.numeric_ids) {
        const bool is_new = state.sent_gids.add(entry.gid, entry.group_name);
        if (options.inc_recurse && is_new && entry.group_name) xflags |= k_xmit_group_name_follows;
    }
    if (entry.mtime_sec == state.prev_mtime) xflags |= k_xmit_same_time;
    if (entry.mtime_nsec != 0 && options.protocol >= 31) xflags |= k_xmit_mod_nsec;
    const bool send_atime = options.atimes && !is_dir;
    if (send_atime && entry.atime_sec == state.prev_atime) xflags |= k_xmit_same_atime;
    if (options.crtimes && entry.crtime_sec == entry.mtime_sec) xflags |= k_xmit_crtime_eq_mtime;
    if (entry.hlink.linked) {
        xflags |= k_xmit_hlinked;
        if (entry.hlink.first) xflags |= k_xmit_hlink_first;
    }

    const size_t l1 = common_prefix_len(state.prev_name, entry.name);
    const size_t l2 = entry.name.size() - l1;
    if (l1 > 0) xflags |= k_xmit_same_name;
    if (l2 > 255) xflags |= k_xmit_long_name;

    put_flags(out, options, xflags, is_dir);
    if (xflags & k_xmit_same_name) put_byte(out, static_cast<uint8_t>(l1));
    if (xflags & k_xmit_long_name) {
        put_varint(out, static_cast<int32_t>(l2));
    } else {
        put_byte(out, static_cast<uint8_t>(l2));
    }
    out.put(std::string_view(entry.name).substr(l1));

    // A later member of a hard-link group whose first member is in this segment: the receiver
    // copies everything else from that entry.
    const bool abbreviated =
        entry.hlink.linked && !entry.hlink.first && entry.hlink.first_ndx >= segment.ndx_start;
    if (entry.hlink.linked && !entry.hlink.first) put_varint(out, entry.hlink.first_ndx);

    if (!abbreviated) {
        put_varlong(out, entry.size, 3);
        if (!(xflags & k_xmit_same_time)) put_varlong(out, entry.mtime_sec, 4);
        if (xflags & k_xmit_mod_nsec) put_varint(out, static_cast<int32_t>(entry.mtime_nsec));
        if (options.crtimes && !(xflags & k_xmit_crtime_eq_mtime)) {
            put_varlong(out, entry.crtime_sec, 4);
        }
        if (!(xflags & k_xmit_same_mode)) put_int(out, static_cast<int32_t>(mode));
        if (send_atime && !(xflags & k_xmit_same_atime)) put_varlong(out, entry.atime_sec, 4);
        if (options.preserve_uid && !(xflags & k_xmit_same_uid)) {
            put_varint(out, static_cast<int32_t>(entry.uid));
            if (xflags & k_xmit_user_name_follows) put_short_name(out, *entry.user_name);
        }
        if (options.preserve_gid && !(xflags & k_xmit_same_gid)) {
            put_varint(out, static_cast<int32_t>(entry.gid));
            if (xflags & k_xmit_group_name_follows) put_short_name(out, *entry.group_name);
        }
        if (send_rdev) {
            if (!(xflags & k_xmit_same_rdev_major)) {
                put_varint(out, static_cast<int32_t>(entry.rdev_major));
            }
            put_varint(out, static_cast<int32_t>(rdev_minor));
        }
        if (options.preserve_links && mode_is_symlink(mode)) {
            put_varint(out, static_cast<int32_t>(entry.symlink_target.size()));
            out.put(entry.symlink_target);
        }
        if (options.always_checksum && mode_is_regular(mode)) out.put(entry.checksum.view());
    }

    // The sender's state follows its own entry, abbreviated or not.
    state.prev_name = entry.name;
    state.prev_mode = mode;
    state.prev_mtime = entry.mtime_sec;
    if (send_atime) state.prev_atime = entry.atime_sec;
    if (options.preserve_uid) state.prev_uid = entry.uid;
    if (options.preserve_gid) state.prev_gid = entry.gid;
    if (options.preserve_devices && mode_is_device(mode)) state.prev_rdev_major = entry.rdev_major;
    return {};
}

// mirrors rsync flist.c:write_end_of_flist
bool encode_end_of_list(ByteWriter& out, const FlistOptions& options, int32_t io_error) {
    if (options.varint_flags) {
        put_varint(out, 0);
        put_varint(out, io_error);
        return true;
    }
    const bool safe = options.safe_flist || options.protocol >= 31;
    if (io_error != 0 && safe) {
        put_shortint(out, static_cast<uint16_t>(k_xmit_extended_flags | k_xmit_io_error_endlist));
        put_varint(out, io_error);
        return true;
    }
    put_byte(out, 0);
    return io_error == 0;
}

bool IdNameTable::add(uint32_t id, const std::optional<std::string>& name) {
    if (!seen_.insert(id).second) return false;
    items_.push_back(Item{id, name});
    return true;
}

}  // namespace ursync::protocol
