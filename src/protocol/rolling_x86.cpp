// SIMD kernels of the rolling weak checksum (AVX2 and SSSE3, chosen at run time by rolling.cpp).
//
// Over a region of m chunks of W bytes (W = 32 or 16), starting from zero sums:
//   s1 = sum of all bytes (signed)
//   s2 = sum over chunks c of (W * S1_before(c) + sum_j (W - j) * x_{cW+j})
// The chunk sums come from psadbw on the bytes XOR 0x80 (each byte + 128, so every chunk adds
// 128*W too much; corrected at the end), the weighted sums from pmaddubsw with the weights
// W..1 as the unsigned operand and the data as the signed one. The remaining < W bytes are
// added one at a time.
#include "protocol/rolling.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace ursync::protocol {

namespace {

RollingSum finish_tail(RollingSum sum, Bytes tail) {
    for (std::byte b : tail) {
        sum.s1 += weak_byte(b);
        sum.s2 += sum.s1;
    }
    return sum;
}

}  // namespace

#if defined(__x86_64__) || defined(__i386__)

bool cpu_has_avx2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

bool cpu_has_ssse3() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3");
}

namespace {

// Turns the vector totals into s1 and s2 for `chunks` chunks of `chunk_len` bytes.
// sum_u: sum of (byte + 128); prefix_u: sum over chunks of sum_u before that chunk;
// weighted: sum of (chunk_len - j) * x. All modulo 2^32.
RollingSum combine(uint64_t sum_u, uint64_t prefix_u, uint32_t weighted, uint64_t chunks,
                   uint32_t chunk_len) {
    const uint64_t bias = 128u * uint64_t{chunk_len};
    const auto s1 = static_cast<uint32_t>(sum_u - bias * chunks);
    const uint64_t prefix_bias = chunks == 0 ? 0 : bias * (chunks * (chunks - 1) / 2);
    const auto prefix = static_cast<uint32_t>(prefix_u - prefix_bias);
    return RollingSum{s1, chunk_len * prefix + weighted};
}

}  // namespace

__attribute__((target("avx2"))) RollingSum rolling_sum_avx2(Bytes block) {
    constexpr size_t k_chunk = 32;
    constexpr size_t k_group = 4;  // chunks summed in 16-bit lanes before widening (no overflow)
    const auto* p = reinterpret_cast<const unsigned char*>(block.data());
    const size_t chunks = block.size() / k_chunk;

    const __m256i weights =
        _mm256_setr_epi8(32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14,
                         13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    const __m256i flip = _mm256_set1_epi8(static_cast<char>(0x80));
    const __m256i ones16 = _mm256_set1_epi16(1);
    const __m256i zero = _mm256_setzero_si256();
    __m256i sum_u = zero;     // 4 x u64: sums of (byte + 128)
    __m256i prefix_u = zero;  // 4 x u64: sum_u before each chunk, summed
    __m256i weighted = zero;  // 8 x i32

    size_t c = 0;
    for (; c + k_group <= chunks; c += k_group) {
        __m256i w16 = zero;
        for (size_t k = 0; k < k_group; ++k) {
            const __m256i d =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + (c + k) * k_chunk));
            prefix_u = _mm256_add_epi64(prefix_u, sum_u);
            sum_u = _mm256_add_epi64(sum_u, _mm256_sad_epu8(_mm256_xor_si256(d, flip), zero));
            w16 = _mm256_add_epi16(w16, _mm256_maddubs_epi16(weights, d));
        }
        weighted = _mm256_add_epi32(weighted, _mm256_madd_epi16(w16, ones16));
    }
    for (; c < chunks; ++c) {
        const __m256i d = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + c * k_chunk));
        prefix_u = _mm256_add_epi64(prefix_u, sum_u);
        sum_u = _mm256_add_epi64(sum_u, _mm256_sad_epu8(_mm256_xor_si256(d, flip), zero));
        weighted =
            _mm256_add_epi32(weighted, _mm256_madd_epi16(_mm256_maddubs_epi16(weights, d), ones16));
    }

    alignas(32) uint64_t lanes_s[4];
    alignas(32) uint64_t lanes_p[4];
    alignas(32) uint32_t lanes_w[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes_s), sum_u);
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes_p), prefix_u);
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes_w), weighted);
    uint32_t w_total = 0;
    for (uint32_t w : lanes_w) w_total += w;
    const RollingSum head =
        combine(lanes_s[0] + lanes_s[1] + lanes_s[2] + lanes_s[3],
                lanes_p[0] + lanes_p[1] + lanes_p[2] + lanes_p[3], w_total, chunks, k_chunk);
    return finish_tail(head, block.subspan(chunks * k_chunk));
}

__attribute__((target("ssse3"))) RollingSum rolling_sum_ssse3(Bytes block) {
    constexpr size_t k_chunk = 16;
    constexpr size_t k_group = 8;  // 8 x (16+15)*128 < 32768: no 16-bit overflow
    const auto* p = reinterpret_cast<const unsigned char*>(block.data());
    const size_t chunks = block.size() / k_chunk;

    const __m128i weights = _mm_setr_epi8(16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
    const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
    const __m128i ones16 = _mm_set1_epi16(1);
    const __m128i zero = _mm_setzero_si128();
    __m128i sum_u = zero;
    __m128i prefix_u = zero;
    __m128i weighted = zero;

    size_t c = 0;
    while (c < chunks) {
        const size_t group_end = c + k_group <= chunks ? c + k_group : chunks;
        __m128i w16 = zero;
        for (; c < group_end; ++c) {
            const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + c * k_chunk));
            prefix_u = _mm_add_epi64(prefix_u, sum_u);
            sum_u = _mm_add_epi64(sum_u, _mm_sad_epu8(_mm_xor_si128(d, flip), zero));
            w16 = _mm_add_epi16(w16, _mm_maddubs_epi16(weights, d));
        }
        weighted = _mm_add_epi32(weighted, _mm_madd_epi16(w16, ones16));
    }

    alignas(16) uint64_t lanes_s[2];
    alignas(16) uint64_t lanes_p[2];
    alignas(16) uint32_t lanes_w[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes_s), sum_u);
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes_p), prefix_u);
    _mm_store_si128(reinterpret_cast<__m128i*>(lanes_w), weighted);
    const RollingSum head =
        combine(lanes_s[0] + lanes_s[1], lanes_p[0] + lanes_p[1],
                lanes_w[0] + lanes_w[1] + lanes_w[2] + lanes_w[3], chunks, k_chunk);
    return finish_tail(head, block.subspan(chunks * k_chunk));
}

#else  // not x86: no SIMD kernels; the dispatcher never selects them

bool cpu_has_avx2() {
    return false;
}
bool cpu_has_ssse3() {
    return false;
}
RollingSum rolling_sum_avx2(Bytes block) {
    return rolling_sum_unrolled(block);
}
RollingSum rolling_sum_ssse3(Bytes block) {
    return rolling_sum_unrolled(block);
}

#endif

}  // namespace ursync::protocol
