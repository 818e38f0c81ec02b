// The delta search: tokens rebuild the file, and do not depend on how the file was windowed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "protocol/rolling.h"
#include "protocol/token_plain.h"
#include "roles/send/match.h"
#include "sending_util.h"

namespace ursync::roles {
namespace {

using protocol::Bytes;

Bytes bytes_of(const std::string& s) {
    return protocol::as_bytes(s);
}

protocol::BlockSums make_sums(const std::string& basis, int32_t blength, int32_t s2length,
                              int32_t seed) {
    protocol::BlockSums sums;
    auto head = protocol::sum_head_for(static_cast<int64_t>(basis.size()), blength, s2length);
    EXPECT_TRUE(head);
    sums.head = *head;
    for (int32_t i = 0; i < sums.head.count; ++i) {
        const size_t off = static_cast<size_t>(i) * static_cast<size_t>(blength);
        const size_t len = std::min<size_t>(static_cast<size_t>(blength), basis.size() - off);
        Bytes block = bytes_of(basis).subspan(off, len);
        sums.weak.push_back(protocol::weak_sum(block));
        auto d = protocol::block_sum(protocol::ChecksumAlgo::md5, seed, block);
        sums.strong.insert(sums.strong.end(), d.bytes.begin(), d.bytes.begin() + s2length);
    }
    return sums;
}

struct MatchRun {
    std::vector<std::byte> stream;
    MatchCounts counts;
};

// Runs the matcher feeding the file in windows that grow by `chunk` bytes at a time and drop
// what the matcher no longer needs.
MatchRun run_matcher(const protocol::BlockSums& sums, const std::string& file, size_t chunk,
                     int32_t seed) {
    DeltaMatcher m(sums, static_cast<int64_t>(file.size()),
                   DeltaMatcher::Config{protocol::ChecksumAlgo::md5, seed,
                                        protocol::Md5SeedOrder::seed_first});
    protocol::ByteWriter out;
    TokenOut tokens;
    int64_t start = 0, end = 0;
    for (int guard = 0; guard < 10000000; ++guard) {
        start = std::max(start, m.keep_from());
        const int64_t want = std::max<int64_t>(m.wanted_end(), end + static_cast<int64_t>(chunk));
        end = std::min<int64_t>(static_cast<int64_t>(file.size()), want);
        Bytes window =
            bytes_of(file).subspan(static_cast<size_t>(start), static_cast<size_t>(end - start));
        auto r = m.step(window, start, out, tokens);
        EXPECT_TRUE(r);
        if (!r || *r) break;
    }
    EXPECT_TRUE(m.done());
    return MatchRun{out.take(), m.counts()};
}

std::string rebuild(const std::string& basis, const protocol::BlockSums& sums,
                    const std::vector<std::byte>& stream) {
    protocol::PlainTokenDecoder dec(sums.head.count);
    protocol::ByteCursor c(stream);
    std::string out;
    for (;;) {
        auto ev = dec.next(c);
        EXPECT_TRUE(ev);
        if (!ev) break;
        if (ev->kind == protocol::TokenEvent::Kind::end) break;
        if (ev->kind == protocol::TokenEvent::Kind::literal) {
            out.append(reinterpret_cast<const char*>(ev->literal.data()), ev->literal.size());
        } else {
            const size_t off =
                static_cast<size_t>(ev->block) * static_cast<size_t>(sums.head.blength);
            out += basis.substr(off, static_cast<size_t>(sums.head.blength));
        }
    }
    EXPECT_EQ(c.remaining(), 0u);
    return out;
}

TEST(SendMatch, RebuildsAndIgnoresWindowing) {
    const std::string basis = testing::random_bytes(200000, 21);
    std::string file = basis;
    file.replace(1000, 300, testing::random_bytes(300, 22));
    file.insert(50000, testing::random_bytes(777, 23));
    file.erase(120000, 5000);
    file += basis.substr(0, 4000);  // a repeated block at the end
    for (int32_t blength : {700, 1024, 3000}) {
        auto sums = make_sums(basis, blength, 4, 77);
        const MatchRun whole = run_matcher(sums, file, file.size(), 77);
        EXPECT_EQ(rebuild(basis, sums, whole.stream), file) << blength;
        EXPECT_GT(whole.counts.matched_bytes, 150000) << blength;
        EXPECT_EQ(whole.counts.literal_bytes + whole.counts.matched_bytes,
                  static_cast<int64_t>(file.size()));
        for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, size_t{65536}}) {
            const MatchRun piecewise = run_matcher(sums, file, chunk, 77);
            EXPECT_EQ(piecewise.stream, whole.stream) << blength << " chunk " << chunk;
        }
    }
}

TEST(SendMatch, NoSumsMeansLiteralChunksAndEmptyFiles) {
    protocol::BlockSums none;
    const std::string file = testing::random_bytes(100000, 5);
    const MatchRun r = run_matcher(none, file, 3000, 0);
    EXPECT_EQ(rebuild("", none, r.stream), file);
    EXPECT_EQ(r.counts.literal_bytes, 100000);
    // rsync's pieces: int 32768 + data, three times, then the rest, then int 0.
    EXPECT_EQ(r.stream.size(), 100000u + 4 * 4 + 4);
    const MatchRun empty = run_matcher(none, "", 1, 0);
    EXPECT_EQ(empty.stream.size(), 4u);  // just the end token
    // A basis with sums and an empty new file: also just the end token.
    auto sums = make_sums(testing::random_bytes(5000, 6), 700, 2, 0);
    EXPECT_EQ(run_matcher(sums, "", 1, 0).stream.size(), 4u);
}

TEST(SendMatch, ShortStrongSumCollisionsNeverCompareBeyondTheDigest) {
    // Every block of the basis has the same weak sum and strong sum prefix: the chain cap
    // keeps the search bounded and the result is still a faithful rebuild.
    const std::string basis(700 * 3000, 'z');
    const std::string file = std::string(700 * 2000, 'z') + "tail";
    auto sums = make_sums(basis, 700, 2, 1);
    const MatchRun r = run_matcher(sums, file, 1 << 20, 1);
    EXPECT_EQ(rebuild(basis, sums, r.stream), file);
}

}  // namespace
}  // namespace ursync::roles
