// Parsing of getdents64 output: bounds-checked records, "." and ".." skipped (pure, no syscalls).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ursync::fs {

struct RawDirent {
    std::string name;
    uint64_t ino = 0;
    uint8_t d_type = 0;  // DT_* (DT_UNKNOWN on filesystems that do not fill it)
};

// Appends the entries of one getdents64 buffer to `out`. Returns false (leaving the records read
// so far in `out`) on a malformed record: a record length too short for its header and name,
// past the end of the buffer or not 8-aligned, or a name that is empty, holds a '/' or lacks its
// NUL terminator.
bool parse_dirents(std::span<const std::byte> buf, std::vector<RawDirent>& out);

}  // namespace ursync::fs
