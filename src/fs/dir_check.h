// Whether a directory fd held across a run is still the directory at its place beneath the root
// (blocking; for worker jobs). A directory moved away mid-run must not become a new home for
// files (shared/docs/security.md, "Data safety").
#pragma once

#include <string_view>

namespace ursync::fs {

// 0 when the directory `rel_dir` beneath `root_fd` (resolved as DirRoot resolves it: no symlink
// followed, never above the root) is the inode `held_fd` refers to; ENOENT when nothing is
// there or another directory took its place; another errno when the check itself failed.
// An empty or "." `rel_dir` is the root itself: always in place.
int dir_at_place(int root_fd, std::string_view rel_dir, int held_fd, bool use_openat2);

}  // namespace ursync::fs
