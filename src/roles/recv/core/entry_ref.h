// EntryRef: where an entry of the receiving side's file list lives (segment, position).
#pragma once

#include <cstddef>

namespace ursync::roles {

// An entry of the received file list: its segment and its position there (also how the
// DirTable's directories are found among the segments).
struct EntryRef {
    size_t seg = 0;
    size_t idx = 0;
    friend bool operator==(const EntryRef&, const EntryRef&) = default;
};

}  // namespace ursync::roles
