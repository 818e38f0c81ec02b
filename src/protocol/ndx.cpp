// File-index (ndx) codec; mirrors rsync io.c:write_ndx/read_ndx (protocol >= 30 form).
#include "protocol/ndx.h"

#include <cassert>
#include <string>

namespace ursync::protocol {

void put_ndx(ByteWriter& out, NdxState& state, int32_t ndx) {
    assert(ndx != INT32_MIN);
    int64_t magnitude = ndx;
    int64_t diff = 0;
    if (ndx >= 0) {
        diff = int64_t{ndx} - state.prev_pos;
        state.prev_pos = ndx;
    } else if (ndx == k_ndx_done) {
        out.put_u8(0x00);  // no state change
        return;
    } else {
        out.put_u8(0xFF);
        magnitude = -int64_t{ndx};
        diff = magnitude - state.prev_neg;
        state.prev_neg = static_cast<int32_t>(magnitude);
    }
    const auto u = static_cast<uint32_t>(magnitude);
    if (diff > 0 && diff < 0xFE) {
        out.put_u8(static_cast<uint8_t>(diff));
    } else if (diff < 0 || diff > 0x7FFF) {
        // Absolute form: high byte (with the flag bit), then the low three bytes LE.
        out.put_u8(0xFE);
        out.put_u8(static_cast<uint8_t>((u >> 24) | 0x80));
        out.put_u8(static_cast<uint8_t>(u));
        out.put_u8(static_cast<uint8_t>(u >> 8));
        out.put_u8(static_cast<uint8_t>(u >> 16));
    } else {
        out.put_u8(0xFE);
        out.put_u8(static_cast<uint8_t>(diff >> 8));
        out.put_u8(static_cast<uint8_t>(diff));
    }
}

WireResult<int32_t> get_ndx(ByteCursor& in, NdxState& state) {
    if (!in.has(1)) return need_more("ndx");
    uint8_t b = in.take_u8();
    if (b == 0x00) return k_ndx_done;
    const bool negative = b == 0xFF;
    if (negative) {
        if (!in.has(1)) return need_more("ndx");
        b = in.take_u8();
    }
    const int32_t prev = negative ? state.prev_neg : state.prev_pos;
    uint32_t value = 0;
    if (b == 0xFE) {
        if (!in.has(2)) return need_more("ndx");
        const uint8_t b0 = in.take_u8();
        const uint8_t b1 = in.take_u8();
        if (b0 & 0x80) {
            if (!in.has(2)) return need_more("ndx");
            const uint8_t b2 = in.take_u8();
            const uint8_t b3 = in.take_u8();
            value = uint32_t{b1} | (uint32_t{b2} << 8) | (uint32_t{b3} << 16) |
                    (uint32_t{static_cast<uint8_t>(b0 & 0x7F)} << 24);
        } else {
            value = ((uint32_t{b0} << 8) | b1) + static_cast<uint32_t>(prev);
        }
    } else {
        value = b + static_cast<uint32_t>(prev);
    }
    if (value > static_cast<uint32_t>(k_ndx_max)) {
        return invalid("invalid file index " + std::to_string(value));
    }
    const auto num = static_cast<int32_t>(value);
    if (negative) {
        state.prev_neg = num;
        return -num;
    }
    state.prev_pos = num;
    return num;
}

}  // namespace ursync::protocol
