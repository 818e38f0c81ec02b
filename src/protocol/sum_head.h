// Sum header and block checksums (generator -> sender), with the stock block-size heuristics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

inline constexpr int32_t k_block_len_max = 131072;   // MAX_BLOCK_SIZE, protocol >= 30
inline constexpr int32_t k_block_len_default = 700;  // BLOCK_SIZE
inline constexpr int32_t k_strong_sum_len_max = 16;  // SUM_LENGTH: longest s2length we send
inline constexpr int32_t k_strong_sum_len_min = 2;   // first-pass csum_length
inline constexpr int k_peer_digest_len_max = 64;     // longest digest any peer may negotiate

struct SumHead {
    int32_t count = 0;      // blocks; 0 = no basis, the whole file comes as literal data
    int32_t blength = 0;    // block length
    int32_t s2length = 0;   // strong-sum bytes per block
    int32_t remainder = 0;  // length of the last block if short, else 0

    bool operator==(const SumHead&) const = default;
};

void put_sum_head(ByteWriter& out, const SumHead& head);
// Reads and validates against the negotiated digest length (CVE-2024-12084 rules):
// count >= 0, 0 <= blength <= k_block_len_max, count > 0 => blength > 0,
// 0 <= s2length <= digest_len, 0 <= remainder <= blength.
WireResult<SumHead> get_sum_head(ByteCursor& in, int digest_len);
WireResult<void> check_sum_head(const SumHead& head, int digest_len);
// When the basis length is known: a non-empty header must describe exactly file_len bytes.
WireResult<void> check_sum_head_covers(const SumHead& head, int64_t file_len);

// Bytes of block sums that follow a header: count * (4 + s2length).
uint64_t block_sums_size(const SumHead& head);

// The block checksums of one basis file, stored flat: weak[i], and strong bytes
// [i * s2length, (i + 1) * s2length).
struct BlockSums {
    SumHead head;
    std::vector<uint32_t> weak;
    std::vector<std::byte> strong;

    Bytes strong_of(size_t block) const {
        const auto len = static_cast<size_t>(head.s2length);
        return Bytes{strong}.subspan(block * len, len);
    }
};

// One block's sums: int weak, then the first s2length bytes of the strong digest.
void put_block_sum(ByteWriter& out, uint32_t weak, Bytes strong);
// Reads head.count block sums (head already validated). Nothing is allocated until all
// block_sums_size(head) bytes are present; fewer gives Kind::incomplete.
WireResult<BlockSums> get_block_sums(ByteCursor& in, const SumHead& head);

// The stock generator's choices (generator.c:sum_sizes_sqroot), for protocol >= 30.
// Block length for a basis of file_len bytes when -B was not given.
int32_t block_len_for(int64_t file_len);
// First-pass s2length: grows with log2(file_len), shrinks with log2(block_len), clamped to
// [2, min(16, digest_len)].
int32_t strong_sum_len_for(int64_t file_len, int32_t block_len, int digest_len);
// Redo pass (phase 1): full length, min(16, digest_len).
int32_t redo_strong_sum_len(int digest_len);
// count and remainder for file_len bytes in blocks of block_len (> 0); malformed when the
// count does not fit an int32 or file_len is negative.
WireResult<SumHead> sum_head_for(int64_t file_len, int32_t block_len, int32_t s2length);

}  // namespace ursync::protocol
