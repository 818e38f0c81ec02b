// File-list decoder: one entry or end marker, strictly validated, state committed only on success.
#include <cstdio>
#include <string>

#include "protocol/flist_codec.h"
#include "protocol/varint.h"

namespace ursync::protocol {

namespace {

// Propagates the error of a WireResult expression, else binds its value.
#define URSYNC_FLIST_TRY(var, expr)                             \
    auto var##_result = (expr);                                 \
    if (!var##_result) return Unexpected{var##_result.error()}; \
    auto var = *var##_result

// The state as it will be after this entry; copied into FlistCodecState on success.
struct NextState {
    uint32_t mode;
    int64_t mtime;
    int64_t atime;
    uint32_t uid;
    uint32_t gid;
    uint32_t rdev_major;
};

WireResult<std::string> take_string(ByteCursor& in, size_t len, const char* what) {
    if (!in.has(len)) return need_more(what);
    const Bytes b = in.take(len);
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

WireResult<std::optional<std::string>> read_inline_name(ByteCursor& in) {
    URSYNC_FLIST_TRY(len, get_byte(in));
    URSYNC_FLIST_TRY(name, take_string(in, len, "user/group name"));
    return std::optional<std::string>(std::move(name));
}

WireResult<uint32_t> read_flags(ByteCursor& in, const FlistOptions& options, bool& end) {
    end = false;
    if (options.varint_flags) {
        URSYNC_FLIST_TRY(flags, get_varint(in));
        end = flags == 0;
        return static_cast<uint32_t>(flags);
    }
    URSYNC_FLIST_TRY(low, get_byte(in));
    if (low == 0) {
        end = true;
        return 0u;
    }
    uint32_t flags = low;
    if (flags & k_xmit_extended_flags) {
        URSYNC_FLIST_TRY(high, get_byte(in));
        flags |= uint32_t{high} << 8;
    }
    if (flags == (k_xmit_extended_flags | k_xmit_io_error_endlist)) {
        if (!options.safe_flist && options.protocol < 31) {
            return malformed("invalid file-list flags 0x1004 without safe file lists");
        }
        end = true;
    }
    return flags;
}

std::string octal(uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0%o", v);
    return buf;
}

bool mode_acceptable(uint32_t mode, const FlistOptions& options) {
    return mode_type_known(mode) || (mode == 0 && options.delete_missing_args);
}

// Fills the attributes of an abbreviated hard-link entry from the group's first member.
void copy_from_first(FileEntry& e, NextState& next, const FileEntry& first,
                     const FlistOptions& options) {
    e.size = first.size;
    e.mtime_sec = next.mtime = first.mtime_sec;
    e.mtime_nsec = first.mtime_nsec;
    e.mode = next.mode = first.mode;
    if (options.atimes && !mode_is_dir(e.mode)) e.atime_sec = next.atime = first.atime_sec;
    if (options.crtimes) e.crtime_sec = first.crtime_sec;
    if (options.preserve_uid) e.uid = next.uid = first.uid;
    if (options.preserve_gid) e.gid = next.gid = first.gid;
    if (options.preserve_devices && mode_is_device(e.mode)) {
        next.rdev_major = first.rdev_major;
        e.rdev_major = first.rdev_major;
        e.rdev_minor = first.rdev_minor;
    }
    if (options.preserve_links && mode_is_symlink(e.mode)) e.symlink_target = first.symlink_target;
    if (options.always_checksum && mode_is_regular(e.mode)) e.checksum = first.checksum;
}

// Reads the attribute block after the name (and hard-link index) of a full entry.
WireResult<bool> read_attributes(ByteCursor& in, FileEntry& e, NextState& next, uint32_t xflags,
                                 const FlistOptions& options) {
    URSYNC_FLIST_TRY(size, get_varlong(in, 3));
    if (size < 0) return malformed("negative file length for " + e.name);
    e.size = size;
    if (!(xflags & k_xmit_same_time)) {
        URSYNC_FLIST_TRY(mtime, get_varlong(in, 4));
        next.mtime = mtime;
    }
    e.mtime_sec = next.mtime;
    if (xflags & k_xmit_mod_nsec) {
        URSYNC_FLIST_TRY(nsec, get_varint(in));
        if (nsec < 0 || static_cast<uint32_t>(nsec) > k_mtime_nsec_max) {
            return malformed("mtime_nsec out of range for " + e.name);
        }
        e.mtime_nsec = static_cast<uint32_t>(nsec);
    }
    if (options.crtimes) {
        if (xflags & k_xmit_crtime_eq_mtime) {
            e.crtime_sec = next.mtime;
        } else {
            URSYNC_FLIST_TRY(crtime, get_varlong(in, 4));
            e.crtime_sec = crtime;
        }
    }
    // Only a mode read here is checked, as in rsync 3.5.0: XMIT_SAME_MODE on the first entry
    // repeats the initial mode 0, which the receiving side then leaves alone.
    if (!(xflags & k_xmit_same_mode)) {
        URSYNC_FLIST_TRY(mode, get_int(in));
        next.mode = static_cast<uint32_t>(mode);
        if (!mode_acceptable(next.mode, options)) {
            return invalid("invalid file mode " + octal(next.mode) + " for " + e.name);
        }
    }
    e.mode = next.mode;
    if (options.atimes && !e.is_dir()) {
        if (!(xflags & k_xmit_same_atime)) {
            URSYNC_FLIST_TRY(atime, get_varlong(in, 4));
            next.atime = atime;
        }
        e.atime_sec = next.atime;
    }
    if (options.preserve_uid) {
        if (!(xflags & k_xmit_same_uid)) {
            URSYNC_FLIST_TRY(uid, get_varint(in));
            next.uid = static_cast<uint32_t>(uid);
            if (xflags & k_xmit_user_name_follows) {
                URSYNC_FLIST_TRY(name, read_inline_name(in));
                e.user_name = std::move(name);
            }
        }
        e.uid = next.uid;
    }
    if (options.preserve_gid) {
        if (!(xflags & k_xmit_same_gid)) {
            URSYNC_FLIST_TRY(gid, get_varint(in));
            next.gid = static_cast<uint32_t>(gid);
            if (xflags & k_xmit_group_name_follows) {
                URSYNC_FLIST_TRY(name, read_inline_name(in));
                e.group_name = std::move(name);
            }
        }
        e.gid = next.gid;
    }
    const bool device = mode_is_device(e.mode);
    if ((options.preserve_devices && device) ||
        (options.preserve_specials && mode_is_special(e.mode) && options.protocol < 31)) {
        if (!(xflags & k_xmit_same_rdev_major)) {
            URSYNC_FLIST_TRY(major, get_varint(in));
            next.rdev_major = static_cast<uint32_t>(major);
        }
        URSYNC_FLIST_TRY(minor, get_varint(in));
        if (device) {  // the dummy rdev of a protocol-30 fifo/socket is not kept
            e.rdev_major = next.rdev_major;
            e.rdev_minor = static_cast<uint32_t>(minor);
        }
        e.size = 0;
    } else if (device) {
        e.size = 0;
    }
    if (options.preserve_links && e.is_symlink()) {
        URSYNC_FLIST_TRY(len, get_varint(in));
        if (len < 0 || static_cast<size_t>(len) > k_symlink_len_max) {
            return malformed("bad symlink target length " + std::to_string(len) + " for " + e.name);
        }
        URSYNC_FLIST_TRY(target, take_string(in, static_cast<size_t>(len), "symlink target"));
        if (target.find('\0') != std::string::npos) {
            return malformed("NUL in symlink target of " + e.name);
        }
        e.symlink_target = std::move(target);
    }
    if (options.always_checksum && e.is_regular()) {
        if (options.checksum_len > k_digest_len_max) return malformed("file checksum too long");
        if (!in.has(options.checksum_len)) return need_more("file checksum");
        const Bytes sum = in.take(options.checksum_len);
        std::copy(sum.begin(), sum.end(), e.checksum.bytes.begin());
        e.checksum.len = options.checksum_len;
    }
    return true;
}

}  // namespace

// mirrors rsync flist.c:recv_file_entry and the flag loop of recv_file_list (protocol >= 30)
WireResult<FlistItem> decode_entry(ByteCursor& in_out, FlistCodecState& state,
                                   const FlistOptions& options, const SegmentContext& segment) {
    if (options.protocol < 30) return unsupported("file lists need protocol 30 or newer");
    ByteCursor in = in_out;
    bool end = false;
    URSYNC_FLIST_TRY(xflags, read_flags(in, options, end));
    if (end) {
        int32_t io_error = 0;
        if (options.varint_flags || xflags != 0) {
            URSYNC_FLIST_TRY(err, get_varint(in));
            io_error = err;
        }
        in_out = in;
        return FlistItem{FlistEnd{io_error}};
    }
    // Bits rsync does not know are ignored, as rsync's recv_file_entry ignores them.

    size_t l1 = 0;
    if (xflags & k_xmit_same_name) {
        URSYNC_FLIST_TRY(prefix, get_byte(in));
        l1 = prefix;
    }
    size_t l2 = 0;
    if (xflags & k_xmit_long_name) {
        URSYNC_FLIST_TRY(suffix_len, get_varint(in));
        if (suffix_len < 0) return malformed("negative file-name length");
        l2 = static_cast<size_t>(suffix_len);
    } else {
        URSYNC_FLIST_TRY(suffix_len, get_byte(in));
        l2 = suffix_len;
    }
    if (l2 > k_name_len_max - l1) {
        return overflow("file name too long (" + std::to_string(l1 + l2) + " bytes)");
    }
    URSYNC_FLIST_TRY(suffix, take_string(in, l2, "file name"));
    FileEntry e;
    // rsync builds the name as a C string: a prefix longer than the previous name leaves the
    // previous name's NUL in place (the suffix is read but unseen), and a NUL in the suffix
    // ends the name. An empty name is read too; the receiving side decides what it means.
    if (l1 > state.prev_name.size()) {
        e.name = state.prev_name;
    } else {
        e.name = state.prev_name.substr(0, l1) + suffix;
        if (const size_t nul = e.name.find('\0'); nul != std::string::npos) e.name.resize(nul);
    }

    NextState next{state.prev_mode, state.prev_mtime, state.prev_atime,
                   state.prev_uid,  state.prev_gid,   state.prev_rdev_major};
    const int64_t own_ndx =
        int64_t{segment.ndx_start} + static_cast<int64_t>(segment.received.size());
    bool abbreviated = false;
    if (xflags & k_xmit_hlinked) {
        e.hlink.linked = true;
        if (xflags & k_xmit_hlink_first) {
            e.hlink.first = true;
            e.hlink.first_ndx = static_cast<int32_t>(own_ndx);  // the group's id
        } else {
            URSYNC_FLIST_TRY(first, get_varint(in));
            if (first < 0 || first >= own_ndx) {
                return malformed("hard-link reference out of range: " + std::to_string(first) +
                                 " (" + std::to_string(own_ndx) + ")");
            }
            e.hlink.first_ndx = first;
            if (first >= segment.ndx_start) {
                const auto pos = static_cast<size_t>(first - segment.ndx_start);
                copy_from_first(e, next, segment.received[pos], options);
                abbreviated = true;
            }
        }
    }
    if (!abbreviated) {
        URSYNC_FLIST_TRY(ok, read_attributes(in, e, next, xflags, options));
        (void)ok;
    }
    if (e.is_dir()) {
        e.top_dir = (xflags & k_xmit_top_dir) != 0;
        e.no_content_dir = (xflags & k_xmit_no_content_dir) != 0;
    }

    state.prev_name = e.name;
    state.prev_mode = next.mode;
    state.prev_mtime = next.mtime;
    state.prev_atime = next.atime;
    state.prev_uid = next.uid;
    state.prev_gid = next.gid;
    state.prev_rdev_major = next.rdev_major;
    in_out = in;
    return FlistItem{std::move(e)};
}

#undef URSYNC_FLIST_TRY

}  // namespace ursync::protocol
