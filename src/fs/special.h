// Directories, symlinks, hard links, devices and specials beneath a root; making room by type.
#pragma once

#include <cstdint>
#include <string>

#include "engine/task.h"
#include "fs/attrs.h"
#include "fs/beneath.h"

namespace ursync::fs {

// Creates directory `rel`. An existing directory is fine: returns false (nothing created).
// Anything else in the way is an EEXIST error (see clear_for_type).
engine::Task<FsResult<bool>> make_directory(DirRoot& root, std::string rel, mode_t mode);

// The three below put a new item at `rel`. An existing non-directory there is replaced
// atomically: the item is made under a temporary name in the same directory and renamed over
// it (mirrors rsync's atomic_create). A directory in the way is an error (clear_for_type first).
engine::Task<FsResult<void>> make_symlink(DirRoot& root, std::string rel, std::string target);
// A hard link `rel` to `existing_rel` (both beneath the root; a symlink is linked, not followed).
engine::Task<FsResult<void>> make_hard_link(DirRoot& root, std::string existing_rel,
                                            std::string rel);
// A fifo, socket, or character/block device: `mode` carries the S_IF* type and permission bits.
engine::Task<FsResult<void>> make_node(DirRoot& root, std::string rel, uint32_t mode,
                                       uint32_t rdev_major, uint32_t rdev_minor);

// Makes room at `rel` for an item of type `wanted`, as rsync's generator does on a type change.
// Nothing there, or an item of the same type: nothing done. A non-directory where a directory is
// wanted: unlinked. A directory where a non-directory is wanted: removed if empty, with all its
// contents if `force` (rsync --force, or deletion active), else an ENOTEMPTY error. Two
// different non-directory types: nothing done (the replacing create/rename handles it).
// Returns whether something was removed.
engine::Task<FsResult<bool>> clear_for_type(DirRoot& root, std::string rel, FileType wanted,
                                            bool force);

// Removes `rel` and, when it is a directory, everything beneath it. No symlink is followed:
// symlinks are unlinked as entries. Entries vanishing meanwhile are not errors.
engine::Task<FsResult<void>> remove_tree(DirRoot& root, std::string rel);

}  // namespace ursync::fs
