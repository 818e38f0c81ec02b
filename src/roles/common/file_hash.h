// -c's whole-file sums (rsync checksum.c:file_checksum), computed in worker jobs: the sender
// sums its files for the file list, the generator the destination's files it compares.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "engine/task.h"
#include "fs/beneath.h"
#include "protocol/strong_sum.h"

namespace ursync::roles {

// -c hashing: a list of at least k_hash_split_min files is shared by k_hash_jobs_max worker jobs.
inline constexpr size_t k_hash_jobs_max = 2;
inline constexpr size_t k_hash_split_min = 8;
// Read size for -c hashing.
inline constexpr size_t k_hash_read_bytes = 1024 * 1024;

struct FileToHash {
    std::string rel;
    protocol::Digest* out;  // receives the digest (all zero when the file cannot be read)
};

// The unseeded whole-file digest of the regular file `name` in `dir_fd` (opened O_NOFOLLOW, never
// blocking on a fifo), read with plain syscalls into `buf`: for worker jobs. nullopt when it
// cannot be opened or read or is not a regular file.
std::optional<protocol::Digest> hash_file_blocking(int dir_fd, const char* name,
                                                   protocol::ChecksumAlgo algo,
                                                   std::span<std::byte> buf);

// The unseeded whole-file digest of each file (rsync checksum.c:file_checksum), in worker jobs
// (directories resolved on the engine thread, beneath the root).
engine::Task<void> hash_files(engine::Engine& engine, fs::DirRoot& root,
                              protocol::ChecksumAlgo algo, std::vector<FileToHash>& jobs);

}  // namespace ursync::roles
