// Directory listing for the sender in the kernel's (readdir) order, as stock rsync sends it.
#pragma once

#include <string>
#include <vector>

#include "engine/task.h"
#include "fs/beneath.h"
#include "fs/scan.h"

namespace ursync::roles {

// Like fs::scan_dir (names from getdents on the pool, statx through the ring with many in
// flight), but the entries stay in getdents order: the file list then goes out in the order
// stock rsync's readdir() loop sends it, so its bytes (name compression) and statistics match.
engine::Task<fs::FsResult<std::vector<fs::DirEntry>>> scan_dir_unsorted(fs::DirRoot& root,
                                                                        std::string rel_dir);

}  // namespace ursync::roles
