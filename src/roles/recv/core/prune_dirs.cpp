// The prune walk: each directory that could still be pruned is linked to the one before it in
// its chain (a negative depth holds "-(index of the previous) - 1"); a non-directory, or an
// excluded directory, gives every directory of the chain back its depth (kept); a directory
// at or above a chain's depth ends the chain's deeper part (pruned).
#include "roles/recv/core/prune_dirs.h"

#include <string_view>

namespace ursync::roles {

int32_t dir_depth(std::string_view name) {
    if (name.empty() || name == ".") return 0;
    int32_t depth = 1;
    for (char c : name)
        if (c == '/') ++depth;
    return depth;
}

std::vector<bool> prune_empty_dirs(std::span<const PruneItem> items) {
    const size_t n = items.size();
    std::vector<bool> pruned(n, false);
    if (n == 0) return pruned;
    std::vector<int64_t> link(n, 0);
    for (size_t i = 0; i < n; ++i) link[i] = items[i].is_dir ? items[i].depth : 0;
    link[0] = link[0] < 0 ? 0 : link[0];  // the walk starts "after" entry 0

    int64_t prev_depth = 0;
    size_t prev_i = 0;
    // Follows the chain from prev_i while it links back, calling `step` on each linked entry.
    auto follow = [&](auto&& step) {
        for (;;) {
            const size_t fp = prev_i;
            if (link[fp] >= 0) break;
            prev_i = static_cast<size_t>(-link[fp] - 1);
            step(fp);
        }
    };
    for (size_t i = 0; i < n; ++i) {
        const PruneItem& it = items[i];
        if (it.is_dir && it.depth != 0) {
            // Back up to this depth: the deeper directories of the chain held nothing.
            for (int64_t j = prev_depth; j >= it.depth; --j) {
                const size_t fp = prev_i;
                if (link[fp] >= 0) break;
                prev_i = static_cast<size_t>(-link[fp] - 1);
                pruned[fp] = true;
            }
            prev_depth = it.depth;
            if (it.excluded) {
                int64_t j = prev_depth - 1;
                follow([&](size_t fp) { link[fp] = j--; });
            } else {
                link[i] = -static_cast<int64_t>(prev_i) - 1;
            }
            prev_i = i;
        } else {
            // A non-directory keeps every directory of the chain above it.
            int64_t j = prev_depth;
            follow([&](size_t fp) { link[fp] = j--; });
        }
    }
    follow([&](size_t fp) { pruned[fp] = true; });
    return pruned;
}

}  // namespace ursync::roles
