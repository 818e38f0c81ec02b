// -m / --prune-empty-dirs on the receiving side: which directories of a whole (not incremental)
// sorted file list are left out because no non-directory lies beneath them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace ursync::roles {

struct PruneItem {
    bool is_dir = false;
    int32_t depth = 0;      // a directory's number of path components ("." is 0)
    bool excluded = false;  // a directory the filter rules exclude: kept with its parents
};

// `items` in the list's sorted order; true where a directory is pruned.
// mirrors the prune_empty_dirs part of rsync flist.c:flist_sort_and_clean
std::vector<bool> prune_empty_dirs(std::span<const PruneItem> items);

// A directory name's depth as rsync counts it (components; "." and "" are 0).
int32_t dir_depth(std::string_view name);

}  // namespace ursync::roles
