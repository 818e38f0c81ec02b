// Tests of the strong checksums: names, digest lengths, known digests, seed placement, hashers.
#include "protocol/strong_sum.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "flist_test_util.h"

namespace ursync::protocol {
namespace {

using flist_test::to_hex;

std::vector<std::byte> bytes_of(std::string_view text) {
    const Bytes b = as_bytes(text);
    return {b.begin(), b.end()};
}

TEST(ChecksumAlgo, NamesRoundTripCaseInsensitively) {
    for (ChecksumAlgo algo : k_checksum_algos) {
        const std::string_view name = checksum_algo_name(algo);
        EXPECT_EQ(checksum_algo_from_name(name), algo) << name;
        std::string upper(name);
        for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        EXPECT_EQ(checksum_algo_from_name(upper), algo) << upper;
    }
    EXPECT_EQ(checksum_algo_from_name("xxhash"), ChecksumAlgo::xxh64);
    EXPECT_EQ(checksum_algo_from_name("XxHash"), ChecksumAlgo::xxh64);
    EXPECT_EQ(checksum_algo_name(ChecksumAlgo::xxh64), "xxh64");
    EXPECT_FALSE(checksum_algo_from_name("sha256"));
    EXPECT_FALSE(checksum_algo_from_name(""));
    EXPECT_FALSE(checksum_algo_from_name("md5 "));
}

TEST(ChecksumAlgo, DigestLengths) {
    EXPECT_EQ(digest_len(ChecksumAlgo::xxh128), 16u);
    EXPECT_EQ(digest_len(ChecksumAlgo::xxh3), 8u);
    EXPECT_EQ(digest_len(ChecksumAlgo::xxh64), 8u);
    EXPECT_EQ(digest_len(ChecksumAlgo::md5), 16u);
    EXPECT_EQ(digest_len(ChecksumAlgo::md4), 16u);
    EXPECT_EQ(digest_len(ChecksumAlgo::sha1), 20u);
    EXPECT_EQ(digest_len(ChecksumAlgo::none), 1u);
    for (ChecksumAlgo algo : k_checksum_algos) {
        EXPECT_LE(digest_len(algo), k_digest_len_max);
        EXPECT_EQ(file_sum(algo, {}).len, digest_len(algo));
        EXPECT_EQ(block_sum(algo, 5, {}).len, digest_len(algo));
    }
}

TEST(StrongSum, KnownDigestsInRsyncByteOrder) {
    const auto abc = bytes_of("abc");
    EXPECT_EQ(to_hex(file_sum(ChecksumAlgo::md5, {}).view()), "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(to_hex(file_sum(ChecksumAlgo::md4, abc).view()), "a448017aaf21d8525fc10ae87aa6729d");
    EXPECT_EQ(to_hex(file_sum(ChecksumAlgo::sha1, abc).view()),
              "a9993e364706816aba3e25717850c26c9cd0d89d");
    // xxhash digests are stored little-endian: the reverse of xxhsum's canonical text.
    EXPECT_EQ(to_hex(file_sum(ChecksumAlgo::xxh64, {}).view()), "99e9d85137db46ef");
    EXPECT_EQ(to_hex(file_sum(ChecksumAlgo::xxh3, {}).view()), "c294d3380580062d");
    // xxh128 of "": high64 99aa06d3014798d8, low64 6001c324468d497f; low half first.
    EXPECT_EQ(to_hex(file_sum(ChecksumAlgo::xxh128, {}).view()),
              "7f498d4624c30160d8984701d306aa99");
    EXPECT_EQ(to_hex(file_sum(ChecksumAlgo::none, abc).view()), "00");
}

TEST(StrongSum, SeedPlacementPerAlgorithm) {
    const auto block = bytes_of("some block of data");
    const int32_t seed = -123456;  // LE bytes c0 1d fe ff
    const std::vector<std::byte> seed_le = {std::byte{0xc0}, std::byte{0x1d}, std::byte{0xfe},
                                            std::byte{0xff}};
    auto cat = [](std::vector<std::byte> a, const std::vector<std::byte>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    EXPECT_EQ(block_sum(ChecksumAlgo::md5, seed, block, Md5SeedOrder::seed_first),
              file_sum(ChecksumAlgo::md5, cat(seed_le, block)));
    EXPECT_EQ(block_sum(ChecksumAlgo::md5, seed, block, Md5SeedOrder::seed_last),
              file_sum(ChecksumAlgo::md5, cat(block, seed_le)));
    EXPECT_EQ(block_sum(ChecksumAlgo::md4, seed, block),
              file_sum(ChecksumAlgo::md4, cat(block, seed_le)));
    EXPECT_EQ(block_sum(ChecksumAlgo::sha1, seed, block),
              file_sum(ChecksumAlgo::sha1, cat(seed_le, block)));
    // Seed 0 adds no bytes, and xxh with seed 0 is the unseeded hash.
    for (ChecksumAlgo algo : k_checksum_algos) {
        EXPECT_EQ(block_sum(algo, 0, block), file_sum(algo, block)) << checksum_algo_name(algo);
        EXPECT_EQ(block_sum(algo, 0, block, Md5SeedOrder::seed_last), file_sum(algo, block));
    }
    // A seed changes every real digest.
    for (ChecksumAlgo algo : k_checksum_algos) {
        if (algo == ChecksumAlgo::none) continue;
        EXPECT_NE(block_sum(algo, seed, block), file_sum(algo, block)) << checksum_algo_name(algo);
    }
}

TEST(FileHasher, IncrementalEqualsOneShotForAnySplit) {
    std::mt19937 rng(3);
    std::vector<std::byte> data(100000);
    for (auto& b : data) b = static_cast<std::byte>(rng() & 0xFF);
    for (ChecksumAlgo algo : k_checksum_algos) {
        const Digest whole = file_sum(algo, data);
        FileHasher hasher(algo);
        for (int round = 0; round < 3; ++round) {
            size_t pos = 0;
            while (pos < data.size()) {
                const size_t n = std::min<size_t>(rng() % 5000, data.size() - pos);
                hasher.update(Bytes{data}.subspan(pos, n));
                pos += n;
            }
            EXPECT_EQ(hasher.finish(), whole) << checksum_algo_name(algo) << " round " << round;
            hasher.reset();
        }
        FileHasher moved = std::move(hasher);
        moved.update(data);
        EXPECT_EQ(moved.finish(), whole);
    }
}

TEST(Digest, ComparesOnlyItsLengthAndIsZeroFilled) {
    const Digest d = file_sum(ChecksumAlgo::xxh64, {});
    EXPECT_EQ(d.view().size(), 8u);
    for (size_t i = d.len; i < k_digest_len_max; ++i) EXPECT_EQ(d.bytes[i], std::byte{0});
}

}  // namespace
}  // namespace ursync::protocol
