// rsync's file-list order (protocol >= 29, rsync-protocol.md §7.9): comparator, stable sort,
// duplicates.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/file_entry.h"

namespace ursync::protocol {

// What the comparator looks at: the name (path relative to the transfer root, '/'-separated) and
// whether the entry is a directory.
struct SortName {
    std::string_view name;
    bool is_dir = false;
};

// <0 if a sorts before b, 0 if they are the same item, >0 after. Component by component: an entry
// that has run out of components comes first ("." has none, a directory precedes its contents);
// a file component precedes a directory component; files compare as unsigned bytes; directories
// compare as name + "/". A directory named "x/." compares like "x". Mirrors rsync
// flist.c:f_name_cmp for protocol >= 29.
int compare_sort_names(SortName a, SortName b);

inline SortName sort_name(const FileEntry& entry) {
    return {entry.name, entry.is_dir()};
}

// The stable sorted order of `entries`: result[i] is the index (into entries) of the entry at
// sorted position i. Equal items keep their received order, as rsync's merge sort does.
std::vector<uint32_t> sorted_order(std::span<const FileEntry> entries);

// Sorts entries in place (stable).
void sort_entries(std::vector<FileEntry>& entries);

// After sorting, the entries a receiver must ignore (rsync flist.c:flist_sort_and_clean):
// of two entries with the same name the first is kept, except that a directory beats a
// non-directory. `order` is sorted_order(entries); the result is indexed like `entries`
// (true = duplicate, inactive: its index exists but must not be used).
std::vector<bool> find_duplicates(std::span<const FileEntry> entries,
                                  std::span<const uint32_t> order);

}  // namespace ursync::protocol
