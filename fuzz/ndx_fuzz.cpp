// Fuzzes the ndx decoder: values stay in range, and re-encoding with a mirrored state decodes
// back to the same sequence.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "protocol/ndx.h"

using namespace ursync::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data), size}};
    NdxState state;
    std::vector<int32_t> values;
    while (in.remaining() > 0) {
        const NdxState before = state;
        auto v = get_ndx(in, state);
        if (!v) {
            URSYNC_FUZZ_CHECK(state.prev_pos == before.prev_pos &&
                              state.prev_neg == before.prev_neg);
            break;
        }
        URSYNC_FUZZ_CHECK(*v >= -k_ndx_max);
        values.push_back(*v);
    }
    NdxState send;
    ByteWriter out;
    for (int32_t v : values) put_ndx(out, send, v);
    ByteCursor again{Bytes{out.bytes()}};
    NdxState recv;
    for (int32_t v : values) {
        auto got = get_ndx(again, recv);
        URSYNC_FUZZ_CHECK(got.has_value() && *got == v);
    }
    URSYNC_FUZZ_CHECK(again.remaining() == 0);
    return 0;
}
