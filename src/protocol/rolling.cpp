// The rolling weak checksum: scalar reference, portable unrolled version, runtime dispatch.
#include "protocol/rolling.h"

namespace ursync::protocol {

RollingSum rolling_sum_scalar(Bytes block) {
    RollingSum sum;
    for (std::byte b : block) {
        sum.s1 += weak_byte(b);
        sum.s2 += sum.s1;
    }
    return sum;
}

RollingSum rolling_sum_unrolled(Bytes block) {
    uint32_t s1 = 0;
    uint32_t s2 = 0;
    size_t i = 0;
    const size_t n = block.size();
    // Eight bytes at a time: s2 gains 8*s1 plus the bytes weighted 8, 7, ..., 1.
    for (; i + 8 <= n; i += 8) {
        const uint32_t x0 = weak_byte(block[i]);
        const uint32_t x1 = weak_byte(block[i + 1]);
        const uint32_t x2 = weak_byte(block[i + 2]);
        const uint32_t x3 = weak_byte(block[i + 3]);
        const uint32_t x4 = weak_byte(block[i + 4]);
        const uint32_t x5 = weak_byte(block[i + 5]);
        const uint32_t x6 = weak_byte(block[i + 6]);
        const uint32_t x7 = weak_byte(block[i + 7]);
        s2 += 8 * s1 + 8 * x0 + 7 * x1 + 6 * x2 + 5 * x3 + 4 * x4 + 3 * x5 + 2 * x6 + x7;
        s1 += x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7;
    }
    for (; i < n; ++i) {
        s1 += weak_byte(block[i]);
        s2 += s1;
    }
    return RollingSum{s1, s2};
}

namespace {

using RollingFn = RollingSum (*)(Bytes);

RollingFn choose_rolling_fn() {
    if (cpu_has_avx2()) return rolling_sum_avx2;
    if (cpu_has_ssse3()) return rolling_sum_ssse3;
    return rolling_sum_unrolled;
}

const char* choose_rolling_name() {
    if (cpu_has_avx2()) return "avx2";
    if (cpu_has_ssse3()) return "ssse3";
    return "unrolled";
}

}  // namespace

RollingSum rolling_sum(Bytes block) {
    // Chosen on first use (safe during static initialisation); the CPU does not change.
    static const RollingFn fn = choose_rolling_fn();
    return fn(block);
}

const char* rolling_sum_impl_name() {
    return choose_rolling_name();
}

}  // namespace ursync::protocol
