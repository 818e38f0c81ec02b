// One file-list entry as it travels on the wire (rsync-protocol.md §7.2), with its mode helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "protocol/strong_sum.h"

namespace ursync::protocol {

// st_mode type bits as rsync sends them (to_wire_mode: S_IFLNK is 0120000 on the wire).
inline constexpr uint32_t k_mode_type_mask = 0170000;
inline constexpr uint32_t k_mode_regular = 0100000;
inline constexpr uint32_t k_mode_dir = 0040000;
inline constexpr uint32_t k_mode_symlink = 0120000;
inline constexpr uint32_t k_mode_char_dev = 0020000;
inline constexpr uint32_t k_mode_block_dev = 0060000;
inline constexpr uint32_t k_mode_fifo = 0010000;
inline constexpr uint32_t k_mode_socket = 0140000;

inline uint32_t mode_type(uint32_t mode) {
    return mode & k_mode_type_mask;
}
inline bool mode_is_regular(uint32_t mode) {
    return mode_type(mode) == k_mode_regular;
}
inline bool mode_is_dir(uint32_t mode) {
    return mode_type(mode) == k_mode_dir;
}
inline bool mode_is_symlink(uint32_t mode) {
    return mode_type(mode) == k_mode_symlink;
}
inline bool mode_is_device(uint32_t mode) {
    return mode_type(mode) == k_mode_char_dev || mode_type(mode) == k_mode_block_dev;
}
inline bool mode_is_special(uint32_t mode) {
    return mode_type(mode) == k_mode_fifo || mode_type(mode) == k_mode_socket;
}
// One of the seven file types rsync accepts from the wire.
inline bool mode_type_known(uint32_t mode) {
    return mode_is_regular(mode) || mode_is_dir(mode) || mode_is_symlink(mode) ||
           mode_is_device(mode) || mode_is_special(mode);
}

// Hard-link membership (-H, protocol >= 30, §7.6).
struct HardLinkInfo {
    bool linked = false;  // XMIT_HLINKED: member of a group of hard links
    bool first = false;   // XMIT_HLINK_FIRST: the first member sent in the session
    // Later members: the global send-order index of the group's first member. Decoded first
    // members: their own index (the group id); the encoder ignores it for first members.
    int32_t first_ndx = -1;

    friend bool operator==(const HardLinkInfo&, const HardLinkInfo&) = default;
};

struct FileEntry {
    std::string name;   // path below the transfer root, raw bytes ('/'-separated, no NUL)
    uint32_t mode = 0;  // full st_mode including the type bits
    int64_t size = 0;   // regular/dir: st_size; symlink: target length; device/special: 0
    int64_t mtime_sec = 0;
    uint32_t mtime_nsec = 0;  // sent only when non-zero (protocol >= 31)
    int64_t atime_sec = 0;    // with --atimes, non-directories
    int64_t crtime_sec = 0;   // with --crtimes
    uint32_t uid = 0;         // with -o
    uint32_t gid = 0;         // with -g
    // Encoding: the name of uid/gid if the sender knows one; the encoder sends it inline
    // (incremental recursion) the first time the id appears. Decoding: set only when the name
    // arrived inline with this entry.
    std::optional<std::string> user_name;
    std::optional<std::string> group_name;
    uint32_t rdev_major = 0;  // block/char devices with -D
    uint32_t rdev_minor = 0;
    std::string symlink_target;  // with -l
    Digest checksum;  // with -c, regular files: the whole-file sum (flist_csum_len bytes)
    HardLinkInfo hlink;
    bool top_dir = false;         // directories: XMIT_TOP_DIR (named on the command line)
    bool no_content_dir = false;  // directories: XMIT_NO_CONTENT_DIR (contents not transferred)
    // With -X: the extended-attribute list of the entry, an index into the session's table of
    // lists for this direction (xattr_codec.h); -1 without -X.
    int32_t xattr_ndx = -1;

    bool is_dir() const { return mode_is_dir(mode); }
    bool is_regular() const { return mode_is_regular(mode); }
    bool is_symlink() const { return mode_is_symlink(mode); }
    bool is_device() const { return mode_is_device(mode); }
    bool is_special() const { return mode_is_special(mode); }

    friend bool operator==(const FileEntry&, const FileEntry&) = default;
};

}  // namespace ursync::protocol
