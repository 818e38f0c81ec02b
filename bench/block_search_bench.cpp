// Block search benchmark: a basis of N MiB, a source with 1 MiB changed in scattered 4 KiB
// pieces; times the generator's block sums and the sender's delta search (xxh128, as
// negotiated with rsync 3.5.0). Usage: block_search_bench [MiB] [runs]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "protocol/rolling.h"
#include "protocol/strong_sum.h"
#include "protocol/sum_head.h"
#include "roles/send/match.h"

using namespace ursync;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

protocol::BlockSums block_sums(const std::vector<std::byte>& basis, protocol::ChecksumAlgo algo,
                               int32_t seed) {
    auto len = static_cast<int64_t>(basis.size());
    int32_t blen = protocol::block_len_for(len);
    int32_t s2 = protocol::strong_sum_len_for(len, blen, static_cast<int>(protocol::digest_len(algo)));
    protocol::BlockSums sums{*protocol::sum_head_for(len, blen, s2), {}, {}};
    auto count = static_cast<size_t>(sums.head.count);
    sums.weak.resize(count);
    sums.strong.resize(count * static_cast<size_t>(s2));
    for (size_t i = 0; i < count; ++i) {
        size_t off = i * static_cast<size_t>(blen);
        size_t n = std::min(static_cast<size_t>(blen), basis.size() - off);
        protocol::Bytes block(basis.data() + off, n);
        sums.weak[i] = protocol::weak_sum(block);
        auto d = protocol::block_sum(algo, seed, block);
        std::copy_n(d.bytes.begin(), s2, sums.strong.begin() + static_cast<ptrdiff_t>(i * static_cast<size_t>(s2)));
    }
    return sums;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 1024;
    const int runs = argc > 2 ? std::atoi(argv[2]) : 3;
    const size_t size = mib << 20;
    std::mt19937_64 rng(42);
    std::vector<std::byte> basis(size);
    for (size_t i = 0; i < size; i += 8) {
        uint64_t v = rng();
        std::memcpy(basis.data() + i, &v, std::min<size_t>(8, size - i));
    }
    std::vector<std::byte> source = basis;
    const size_t changed = 1 << 20, piece = 4096;  // 256 scattered 4 KiB changes
    for (size_t k = 0; k < changed / piece; ++k) {
        size_t at = (rng() % (size / piece)) * piece;
        for (size_t i = 0; i < piece; ++i) source[at + i] = std::byte(static_cast<uint8_t>(rng()));
    }
    const auto algo = protocol::ChecksumAlgo::xxh128;
    const int32_t seed = 0x6b1319f7;
    std::vector<double> t_sums, t_search;
    roles::MatchCounts counts;
    for (int r = 0; r < runs; ++r) {
        auto t0 = Clock::now();
        auto sums = block_sums(basis, algo, seed);
        t_sums.push_back(seconds_since(t0));
        roles::DeltaMatcher matcher(sums, static_cast<int64_t>(size), {algo, seed});
        protocol::ByteWriter out;
        roles::TokenOut tokens;
        t0 = Clock::now();
        auto done = matcher.step(source, 0, out, tokens);
        t_search.push_back(seconds_since(t0));
        if (!done || !*done) {
            std::fprintf(stderr, "search did not finish\n");
            return 1;
        }
        counts = matcher.counts();
    }
    std::sort(t_sums.begin(), t_sums.end());
    std::sort(t_search.begin(), t_search.end());
    double gb = static_cast<double>(size) / 1e9;
    std::printf("| %zu MiB, 1 MiB changed | block sums | delta search | literal bytes | matched bytes |\n", mib);
    std::printf("|---|---|---|---|---|\n");
    std::printf("| median of %d | %.3f s (%.2f GB/s) | %.3f s (%.2f GB/s) | %lld | %lld |\n", runs,
                t_sums[t_sums.size() / 2], gb / t_sums[t_sums.size() / 2],
                t_search[t_search.size() / 2], gb / t_search[t_search.size() / 2],
                static_cast<long long>(counts.literal_bytes),
                static_cast<long long>(counts.matched_bytes));
    return 0;
}
