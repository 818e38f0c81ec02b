// Small file reads for the file-list builder: per-directory merge files.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "engine/engine.h"
#include "engine/task.h"
#include "fs/beneath.h"

namespace ursync::roles {

// Largest per-directory merge file read (a bound on what a planted file can make us hold).
inline constexpr size_t k_merge_file_len_max = 16 * 1024 * 1024;

// The contents of `rel` beneath root (opened with O_NOFOLLOW), or nullopt when it cannot be
// opened or read, or is larger than k_merge_file_len_max.
engine::Task<std::optional<std::string>> read_small_file(fs::DirRoot& root, std::string rel);

}  // namespace ursync::roles
