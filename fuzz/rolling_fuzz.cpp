// Fuzzes the rolling checksum: every fast implementation equals the scalar reference, and rolling
// a window across the input ends where a fresh sum of the last window starts.
//
// Input: byte 0 picks the window length for the rolling check (1..256), the rest is the data.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "protocol/rolling.h"

using namespace ursync::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const Bytes bytes{reinterpret_cast<const std::byte*>(data + 1), size - 1};
    const RollingSum ref = rolling_sum_scalar(bytes);
    URSYNC_FUZZ_CHECK(rolling_sum_unrolled(bytes) == ref);
    URSYNC_FUZZ_CHECK(rolling_sum(bytes) == ref);
    if (cpu_has_avx2()) URSYNC_FUZZ_CHECK(rolling_sum_avx2(bytes) == ref);
    if (cpu_has_ssse3()) URSYNC_FUZZ_CHECK(rolling_sum_ssse3(bytes) == ref);
    // Every suffix too (different alignments and tail lengths for the SIMD loops).
    for (size_t skip = 1; skip < 64 && skip < bytes.size(); ++skip) {
        const Bytes tail = bytes.subspan(skip);
        URSYNC_FUZZ_CHECK(rolling_sum(tail) == rolling_sum_scalar(tail));
    }

    const size_t window = size_t{data[0]} + 1;
    if (bytes.size() < window) return 0;
    RollingSum sum = rolling_sum(bytes.first(window));
    for (size_t start = 1; start + window <= bytes.size(); ++start) {
        sum = roll(sum, static_cast<uint32_t>(window), bytes[start - 1], bytes[start + window - 1]);
    }
    const size_t last = bytes.size() - window;
    URSYNC_FUZZ_CHECK(sum == rolling_sum_scalar(bytes.subspan(last, window)));
    // Shrink the last window to nothing.
    for (size_t k = 0; k < window; ++k) {
        sum = roll_out(sum, static_cast<uint32_t>(window - k), bytes[last + k]);
    }
    URSYNC_FUZZ_CHECK(sum == RollingSum{});
    return 0;
}
