// rsync's rolling weak checksum (rsync-protocol.md §8.4): signed-byte sums, scalar and SIMD.
#pragma once

#include <cstddef>
#include <cstdint>

#include "protocol/byte_cursor.h"

namespace ursync::protocol {

// The two running sums of the weak checksum, both modulo 2^32. Bytes count as signed chars
// (-128..127) and rsync's CHAR_OFFSET is 0:
//   s1 = sum of x_i,   s2 = sum of (n - i) * x_i   over a window x_0 .. x_{n-1}.
struct RollingSum {
    uint32_t s1 = 0;
    uint32_t s2 = 0;

    // The 32-bit value sent on the wire (as an int, little-endian).
    uint32_t value() const { return (s1 & 0xFFFFu) | (s2 << 16); }
    friend bool operator==(const RollingSum&, const RollingSum&) = default;
};

// The byte's value as rsync adds it: a signed char widened to 32 bits (two's complement).
inline uint32_t weak_byte(std::byte b) {
    return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(b)));
}

// Slides a window of `window_len` bytes one byte forward: `out` leaves at the front, `in` enters
// at the back. Mirrors the update in rsync match.c:hash_search.
inline RollingSum roll(RollingSum sum, uint32_t window_len, std::byte out, std::byte in) {
    const uint32_t old_v = weak_byte(out);
    sum.s1 = sum.s1 - old_v + weak_byte(in);
    sum.s2 = sum.s2 - window_len * old_v + sum.s1;
    return sum;
}

// Shrinks a window of `window_len` bytes (before the call) by dropping its first byte `out`;
// used at the end of a file where no byte enters.
inline RollingSum roll_out(RollingSum sum, uint32_t window_len, std::byte out) {
    const uint32_t old_v = weak_byte(out);
    sum.s1 -= old_v;
    sum.s2 -= window_len * old_v;
    return sum;
}

// The reference implementation: one byte at a time, obviously right. Tests and fuzzers compare
// every faster version against it.
RollingSum rolling_sum_scalar(Bytes block);

// A portable version unrolled by 8 (no SIMD).
RollingSum rolling_sum_unrolled(Bytes block);

// The fastest implementation this CPU supports (AVX2, then SSSE3, then the unrolled one), chosen
// once at start-up. Mirrors rsync checksum.c:get_checksum1.
RollingSum rolling_sum(Bytes block);

inline uint32_t weak_sum(Bytes block) {
    return rolling_sum(block).value();
}

// Which implementation rolling_sum() uses ("avx2", "ssse3" or "unrolled"), for benchmarks/tests.
const char* rolling_sum_impl_name();

// The SIMD versions, callable directly when the CPU has the feature (tests, benchmarks).
bool cpu_has_avx2();
bool cpu_has_ssse3();
RollingSum rolling_sum_avx2(Bytes block);   // only if cpu_has_avx2()
RollingSum rolling_sum_ssse3(Bytes block);  // only if cpu_has_ssse3()

}  // namespace ursync::protocol
