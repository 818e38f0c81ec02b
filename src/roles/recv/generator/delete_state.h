// What the generator's deletions (delete.h) keep across directories: deletions put off by
// --delete-delay, the --max-delete count, the children of each listed directory.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace ursync::roles {

struct DeleteState {
    std::vector<std::pair<std::string, uint32_t>> delayed;  // --delete-delay: path, mode
    int64_t skipped = 0;                                    // beyond --max-delete
    // The names each directory of the list holds (what must not be deleted there).
    std::unordered_map<std::string, std::unordered_set<std::string>> list_children;
    size_t children_indexed = 0;   // segments already in list_children
    bool io_error_warned = false;  // "IO error encountered -- skipping file deletion" said
};

}  // namespace ursync::roles
