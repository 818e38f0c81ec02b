// Small file reads for the file-list builder: per-directory merge files and -c whole-file sums.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/task.h"
#include "fs/beneath.h"
#include "protocol/strong_sum.h"

namespace ursync::roles {

// Largest per-directory merge file read (a bound on what a planted file can make us hold).
inline constexpr size_t k_merge_file_len_max = 16 * 1024 * 1024;
// Files hashed at once for -c (each keeps one read buffer).
inline constexpr size_t k_hash_files_inflight_max = 4;
// Read size for -c hashing.
inline constexpr size_t k_hash_read_bytes = 1024 * 1024;

// The contents of `rel` beneath root (opened with O_NOFOLLOW), or nullopt when it cannot be
// opened or read, or is larger than k_merge_file_len_max.
engine::Task<std::optional<std::string>> read_small_file(fs::DirRoot& root, std::string rel);

struct FileToHash {
    std::string rel;
    protocol::Digest* out;  // receives the digest (all zero when the file cannot be read)
};

// The unseeded whole-file digest of each file (rsync checksum.c:file_checksum), reads through
// the ring, hashing on the worker pool, several files at once.
engine::Task<void> hash_files(engine::Engine& engine, fs::DirRoot& root,
                              protocol::ChecksumAlgo algo, std::vector<FileToHash>& jobs);

}  // namespace ursync::roles
