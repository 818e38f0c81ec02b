// Tests for sum headers and block sums: the §8.3 heuristic examples, validation of hostile
// headers (CVE-2024-12084 class), block-sum round trips.
#include "protocol/sum_head.h"

#include <gtest/gtest.h>

#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

constexpr int k_xxh128_len = 16;

struct HeuristicCase {
    int64_t file_len;
    int32_t blength;
    int32_t s2length;
};

TEST(SumHeuristic, DocumentedExamples) {
    const int64_t mib = 1024 * 1024;
    const int64_t gib = 1024 * mib;
    const HeuristicCase cases[] = {
        {3000, 700, 2},   {mib, 1024, 2},        {10 * mib - 760, 3232, 2}, {100 * mib, 10240, 3},
        {gib, 32768, 3},  {10 * gib, 103616, 4}, {100 * gib, 131072, 5},    {0, 700, 2},
        {490000, 700, 2}, {490001, 700, 2},
    };
    for (const auto& c : cases) {
        const int32_t blength = block_len_for(c.file_len);
        EXPECT_EQ(blength, c.blength) << c.file_len;
        EXPECT_EQ(strong_sum_len_for(c.file_len, blength, k_xxh128_len), c.s2length) << c.file_len;
    }
    auto h = sum_head_for(3000, 700, 2);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(*h, (SumHead{5, 700, 2, 200}));
    h = sum_head_for(10 * mib - 760, 3232, 2);
    EXPECT_EQ(*h, (SumHead{3245, 3232, 2, 392}));
}

TEST(SumHeuristic, DigestLengthCapsStrongSum) {
    const int64_t huge = int64_t{1} << 50;
    EXPECT_EQ(strong_sum_len_for(huge, block_len_for(huge), 16), 8);
    EXPECT_EQ(strong_sum_len_for(huge, block_len_for(huge), 8), 8);
    EXPECT_EQ(strong_sum_len_for(int64_t{1} << 62, 1, 20), 13);  // the formula tops out at 13
    EXPECT_EQ(strong_sum_len_for(int64_t{1} << 62, 1, 1), 1);
    EXPECT_EQ(redo_strong_sum_len(16), 16);
    EXPECT_EQ(redo_strong_sum_len(8), 8);
    EXPECT_EQ(redo_strong_sum_len(20), 16);
}

TEST(SumHeuristic, CountOverflowAndEmptyBasis) {
    EXPECT_FALSE(sum_head_for(int64_t{1} << 40, 1, 2).has_value());
    EXPECT_FALSE(sum_head_for(-1, 700, 2).has_value());
    EXPECT_EQ(*sum_head_for(0, 700, 2), (SumHead{0, 700, 2, 0}));
    EXPECT_EQ(*sum_head_for(1400, 700, 2), (SumHead{2, 700, 2, 0}));
}

TEST(SumHead, RoundTripAndNullHeader) {
    ByteWriter out;
    put_sum_head(out, SumHead{});
    EXPECT_EQ(to_hex(out.bytes()), "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00");
    ByteWriter out2;
    put_sum_head(out2, SumHead{5, 700, 2, 200});
    EXPECT_EQ(to_hex(out2.bytes()), "05 00 00 00 bc 02 00 00 02 00 00 00 c8 00 00 00");
    ByteCursor in{Bytes{out2.bytes()}};
    auto h = get_sum_head(in, k_xxh128_len);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(*h, (SumHead{5, 700, 2, 200}));
}

TEST(SumHead, RejectsHostileHeaders) {
    const SumHead bad[] = {
        {-1, 700, 2, 0},    // negative count
        {1, 0, 2, 0},       // blocks without a length
        {1, -700, 2, 0},    // negative block length
        {1, 131073, 2, 0},  // block longer than the protocol allows
        {1, 700, 17, 0},    // s2length beyond the xxh128 digest (the CVE-2024-12084 case)
        {1, 700, -1, 0},    // negative s2length
        {1, 700, 2, 701},   // remainder longer than a block
        {1, 700, 2, -1},    // negative remainder
        {0, 0, 0, 1},       // remainder without a block length
    };
    for (const auto& h : bad) {
        ByteWriter out;
        put_sum_head(out, h);
        ByteCursor in{Bytes{out.bytes()}};
        auto r = get_sum_head(in, k_xxh128_len);
        ASSERT_FALSE(r.has_value()) << h.count << " " << h.blength << " " << h.s2length;
        EXPECT_EQ(r.error().kind, WireError::Kind::invalid);
    }
    // s2length 16 is fine for a 16-byte digest, not for an 8-byte one (xxh64).
    ByteWriter out;
    put_sum_head(out, SumHead{1, 700, 16, 0});
    ByteCursor ok_in{Bytes{out.bytes()}};
    EXPECT_TRUE(get_sum_head(ok_in, 16).has_value());
    ByteCursor bad_in{Bytes{out.bytes()}};
    EXPECT_FALSE(get_sum_head(bad_in, 8).has_value());
    // Truncation at every length is "incomplete".
    for (size_t n = 0; n < 16; ++n) {
        ByteCursor cut{Bytes{out.bytes()}.first(n)};
        EXPECT_TRUE(get_sum_head(cut, 16).error().incomplete()) << n;
    }
}

TEST(SumHead, CoversBasisLength) {
    EXPECT_TRUE(check_sum_head_covers(SumHead{5, 700, 2, 200}, 3000).has_value());
    EXPECT_TRUE(check_sum_head_covers(SumHead{}, 12345).has_value());
    EXPECT_FALSE(check_sum_head_covers(SumHead{5, 700, 2, 200}, 3001).has_value());
    EXPECT_FALSE(check_sum_head_covers(SumHead{6, 700, 2, 200}, 3000).has_value());
    EXPECT_FALSE(check_sum_head_covers(SumHead{5, 700, 2, 0}, 3000).has_value());
}

TEST(BlockSums, RoundTrip) {
    const SumHead head{3, 700, 2, 100};
    ByteWriter out;
    put_block_sum(out, 0x610afad4, Bytes{hex("6b d6")});
    put_block_sum(out, 1, Bytes{hex("00 01")});
    put_block_sum(out, 0xFFFFFFFF, Bytes{hex("fe ff")});
    ASSERT_EQ(out.size(), block_sums_size(head));
    ByteCursor in{Bytes{out.bytes()}};
    auto sums = get_block_sums(in, head);
    ASSERT_TRUE(sums.has_value());
    EXPECT_EQ(sums->weak[0], 0x610afad4u);
    EXPECT_EQ(sums->weak[2], 0xFFFFFFFFu);
    EXPECT_EQ(to_hex(sums->strong_of(1)), "00 01");
    EXPECT_EQ(to_hex(sums->strong_of(2)), "fe ff");
    for (size_t n = 0; n < out.size(); ++n) {
        ByteCursor cut{Bytes{out.bytes()}.first(n)};
        EXPECT_TRUE(get_block_sums(cut, head).error().incomplete()) << n;
    }
}

TEST(BlockSums, HugeCountNeedsTheBytesFirst) {
    // A hostile count must not allocate anything before its bytes exist.
    const SumHead head{0x7FFFFFFF, 700, 16, 0};
    EXPECT_EQ(block_sums_size(head), uint64_t{0x7FFFFFFF} * 20);
    const auto few = hex("00 00 00 00");
    ByteCursor in{Bytes{few}};
    EXPECT_TRUE(get_block_sums(in, head).error().incomplete());
}

}  // namespace
}  // namespace ursync::protocol
