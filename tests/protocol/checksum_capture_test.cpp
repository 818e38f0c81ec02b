// Checksums recomputed from real rsync 3.5.0 captures: block sums, token replay, whole-file sums.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "flist_test_util.h"
#include "protocol/rolling.h"
#include "protocol/strong_sum.h"

namespace ursync::protocol {
namespace {

using flist_test::ByteVec;
using flist_test::data_stream;
using flist_test::le32;
using flist_test::le32_bytes;
using flist_test::read_bytes;
using flist_test::to_hex;

struct Capture {
    const char* name;
    ChecksumAlgo algo;
    size_t c2s_frames_at;  // first frame header after the handshake
    size_t s2c_frames_at;
    size_t seed_at;  // offset of the int checksum seed in s2c
};

void PrintTo(const Capture& c, std::ostream* os) {
    *os << c.name;
}

// seed_*: --checksum-choice (no negotiation strings), seed -123456; delta1: negotiated xxh128.
const Capture k_captures[] = {
    {"seed_xxh128", ChecksumAlgo::xxh128, 4, 10, 6},    {"seed_xxh3", ChecksumAlgo::xxh3, 4, 10, 6},
    {"seed_xxh64", ChecksumAlgo::xxh64, 4, 10, 6},      {"seed_md5", ChecksumAlgo::md5, 4, 10, 6},
    {"seed_md4", ChecksumAlgo::md4, 4, 10, 6},          {"seed_sha1", ChecksumAlgo::sha1, 4, 10, 6},
    {"delta1", ChecksumAlgo::xxh128, 0x23, 0x2e, 0x2a},
};

constexpr uint32_t k_count = 5;
constexpr uint32_t k_blength = 700;
constexpr uint32_t k_remainder = 200;

class ChecksumCapture : public ::testing::TestWithParam<Capture> {
  protected:
    void SetUp() override {
        const Capture& cap = GetParam();
        const ByteVec c2s = read_bytes(std::string(cap.name) + "/c2s.bin");
        const ByteVec s2c = read_bytes(std::string(cap.name) + "/s2c.bin");
        seed = static_cast<int32_t>(le32(s2c, cap.seed_at));
        generator = data_stream(c2s, cap.c2s_frames_at);
        sender = data_stream(s2c, cap.s2c_frames_at);
        basis = read_bytes("delta_files/basis.bin");
        source = read_bytes("delta_files/source.bin");
    }

    // Offset of the sum header (count 5, blength 700) in a data stream; the s2length follows.
    static size_t sum_head_at(const ByteVec& stream) {
        return flist_test::find(stream, le32_bytes({k_count, k_blength}));
    }

    int32_t seed = 0;
    ByteVec generator, sender, basis, source;
};

TEST_P(ChecksumCapture, BlockSumsMatchTheGenerator) {
    const Capture& cap = GetParam();
    if (std::string(cap.name).rfind("seed_", 0) == 0) {
        EXPECT_EQ(seed, -123456);
    }
    const size_t head = sum_head_at(generator);
    ASSERT_NE(head, std::string::npos);
    const uint32_t s2length = le32(generator, head + 8);
    ASSERT_EQ(le32(generator, head + 12), k_remainder);
    ASSERT_GE(s2length, 2u);
    ASSERT_LE(s2length, digest_len(cap.algo));
    size_t at = head + 16;
    for (uint32_t i = 0; i < k_count; ++i) {
        const size_t len = i + 1 == k_count ? k_remainder : k_blength;
        const Bytes block = Bytes{basis}.subspan(i * k_blength, len);
        EXPECT_EQ(le32(generator, at), weak_sum(block)) << cap.name << " block " << i;
        EXPECT_EQ(le32(generator, at), rolling_sum_scalar(block).value());
        const ByteVec wire(generator.begin() + static_cast<std::ptrdiff_t>(at + 4),
                           generator.begin() + static_cast<std::ptrdiff_t>(at + 4 + s2length));
        const Digest strong = block_sum(cap.algo, seed, block, Md5SeedOrder::seed_first);
        EXPECT_EQ(to_hex(strong.view().first(s2length)), to_hex(wire))
            << cap.name << " block " << i;
        at += 4 + s2length;
    }
}

TEST_P(ChecksumCapture, TokenReplayRebuildsTheSourceAndItsWholeFileSum) {
    const Capture& cap = GetParam();
    const size_t head = sum_head_at(sender);  // the sender echoes the sum header
    ASSERT_NE(head, std::string::npos);
    size_t at = head + 16;
    ByteVec rebuilt;
    FileHasher hasher(cap.algo);
    for (;;) {
        const auto token = static_cast<int32_t>(le32(sender, at));
        at += 4;
        if (token == 0) break;
        Bytes piece;
        if (token > 0) {
            piece = Bytes{sender}.subspan(at, static_cast<size_t>(token));
            at += static_cast<size_t>(token);
        } else {
            const auto block = static_cast<size_t>(-(token + 1));
            ASSERT_LT(block, k_count);
            const size_t len = block + 1 == k_count ? k_remainder : k_blength;
            piece = Bytes{basis}.subspan(block * k_blength, len);
        }
        rebuilt.insert(rebuilt.end(), piece.begin(), piece.end());
        hasher.update(piece);
    }
    ASSERT_EQ(rebuilt, source) << cap.name;
    const size_t len = digest_len(cap.algo);
    const ByteVec wire(sender.begin() + static_cast<std::ptrdiff_t>(at),
                       sender.begin() + static_cast<std::ptrdiff_t>(at + len));
    EXPECT_EQ(to_hex(hasher.finish().view()), to_hex(wire)) << cap.name;
    EXPECT_EQ(to_hex(file_sum(cap.algo, source).view()), to_hex(wire)) << cap.name;
}

std::string capture_name(const ::testing::TestParamInfo<Capture>& param_info) {
    return param_info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Captures, ChecksumCapture, ::testing::ValuesIn(k_captures), capture_name);

TEST(ChecksumCaptureMd5, SeedLastWouldNotMatch) {
    // The capture negotiated CF_CHKSUM_SEED_FIX; the legacy order gives other digests.
    const ByteVec basis = read_bytes("delta_files/basis.bin");
    const Bytes block = Bytes{basis}.first(k_blength);
    EXPECT_NE(block_sum(ChecksumAlgo::md5, -123456, block, Md5SeedOrder::seed_first),
              block_sum(ChecksumAlgo::md5, -123456, block, Md5SeedOrder::seed_last));
}

}  // namespace
}  // namespace ursync::protocol
