// Block checksums of a basis file, as the generator sends them (sum head + weak/strong sums).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/engine.h"
#include "engine/task.h"
#include "protocol/strong_sum.h"
#include "protocol/sum_head.h"

namespace ursync::roles {

// Bytes of the basis read per pread while summing (a whole number of blocks is kept).
inline constexpr size_t k_basis_read_chunk_bytes = 1u << 20;

struct BasisSumRequest {
    int fd = -1;            // the basis, open for reading; not closed here
    int64_t file_len = 0;   // its length (> 0)
    protocol::ChecksumAlgo algo = protocol::ChecksumAlgo::md5;
    int32_t seed = 0;
    protocol::Md5SeedOrder seed_order = protocol::Md5SeedOrder::seed_first;
    std::optional<int32_t> block_len;  // -B
    bool redo = false;                 // phase 1: full-length strong sums
    bool head_only = false;            // --append: the sum head alone (no block sums follow)
};

struct BasisSums {
    protocol::SumHead head;
    std::vector<std::byte> wire;  // the sum head and every block sum, ready to send
};

// Computes the sums on the worker pool (the reads included). An error is an errno value (a
// read error, or EFBIG when the block count does not fit the protocol).
// mirrors rsync generator.c:generate_and_send_sums
engine::Task<std::optional<BasisSums>> generate_basis_sums(engine::Engine& engine,
                                                           BasisSumRequest request, int& err);

// The empty sum head (no basis: the whole file comes as literal data).
std::vector<std::byte> empty_sum_head();

}  // namespace ursync::roles
