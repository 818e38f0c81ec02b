// Relative-path checks and splitting for paths beneath a DirRoot (pure functions, no syscalls).
#pragma once

#include <string>
#include <string_view>

namespace ursync::fs {

// The relative path naming the root directory itself.
inline constexpr std::string_view k_root_rel = ".";

// True for a path that may be resolved beneath a root: "." (the root itself) or one or more
// '/'-separated components, none empty, "." or "..", no leading '/', no NUL byte.
// Checked before any side effect; rsync's receiver refuses the same names (flist.c, CVE-2024-12087).
bool is_safe_rel_path(std::string_view rel);

inline bool is_root_rel(std::string_view rel) { return rel == k_root_rel; }

// "a/b/c" -> {"a/b", "c"}; "c" -> {"", "c"} (empty parent = the root). Needs a safe path
// other than ".".
struct ParentLeaf {
    std::string_view parent;
    std::string_view leaf;
};
ParentLeaf split_parent_leaf(std::string_view rel);

// "a/b" + "c" -> "a/b/c"; "" or "." + "c" -> "c".
std::string join_rel(std::string_view dir, std::string_view name);

}  // namespace ursync::fs
