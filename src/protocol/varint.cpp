// rsync's integer and short-string encodings; mirrors rsync io.c write_varint/read_varint etc.
#include "protocol/varint.h"

#include <array>
#include <bit>
#include <cassert>

namespace ursync::protocol {
namespace {

// Extra bytes announced by a lead byte: its count of leading one-bits, capped at 6 as rsync's
// int_byte_extra table does (0xFC..0xFF all count as 6).
size_t lead_extra(uint8_t lead) {
    const auto ones = static_cast<size_t>(std::countl_one(lead));
    return ones > 6 ? 6 : ones;
}

bool min_bytes_ok(int min_bytes) {
    return min_bytes >= k_varlong_min_bytes_min && min_bytes <= k_varlong_min_bytes_max;
}

uint8_t low_bits(uint8_t lead, size_t extra) {
    return static_cast<uint8_t>(lead & (0xFFu >> extra));
}

// Shared tail of varint/varlong encoding: `bytes[1..8]` hold the value LE, `top` is the index of
// the highest byte that must be carried, `min_bytes` the bytes always present.
void put_packed(ByteWriter& out, std::array<uint8_t, 9>& bytes, size_t top, size_t min_bytes) {
    const unsigned bit = 1u << (7 - top + min_bytes);
    size_t count = top;
    if (bytes[top] >= bit) {
        count = top + 1;
        bytes[0] = static_cast<uint8_t>(~(bit - 1));
    } else if (top > min_bytes) {
        bytes[0] = static_cast<uint8_t>(bytes[top] | ~(bit * 2 - 1));
    } else {
        bytes[0] = bytes[top];
    }
    // The lead byte, then bytes[1..count-1].
    for (size_t i = 0; i < count; ++i) out.put_u8(bytes[i]);
}

}  // namespace

void put_byte(ByteWriter& out, uint8_t value) {
    out.put_u8(value);
}

void put_int(ByteWriter& out, int32_t value) {
    const auto u = static_cast<uint32_t>(value);
    for (int shift = 0; shift < 32; shift += 8) out.put_u8(static_cast<uint8_t>(u >> shift));
}

void put_shortint(ByteWriter& out, uint16_t value) {
    out.put_u8(static_cast<uint8_t>(value));
    out.put_u8(static_cast<uint8_t>(value >> 8));
}

// mirrors rsync io.c:write_varint
void put_varint(ByteWriter& out, int32_t value) {
    std::array<uint8_t, 9> bytes{};
    const auto u = static_cast<uint32_t>(value);
    for (size_t i = 0; i < 4; ++i) bytes[i + 1] = static_cast<uint8_t>(u >> (8 * i));
    size_t top = 4;
    while (top > 1 && bytes[top] == 0) --top;
    put_packed(out, bytes, top, 1);
}

// mirrors rsync io.c:write_varlong
void put_varlong(ByteWriter& out, int64_t value, int min_bytes) {
    assert(min_bytes_ok(min_bytes));
    const auto min = static_cast<size_t>(min_bytes);
    std::array<uint8_t, 9> bytes{};
    const auto u = static_cast<uint64_t>(value);
    for (size_t i = 0; i < 8; ++i) bytes[i + 1] = static_cast<uint8_t>(u >> (8 * i));
    size_t top = 8;
    while (top > min && bytes[top] == 0) --top;
    put_packed(out, bytes, top, min);
}

void put_longint(ByteWriter& out, int64_t value) {
    if (value >= 0 && value <= 0x7FFFFFFF) {
        put_int(out, static_cast<int32_t>(value));
        return;
    }
    put_int(out, -1);
    const auto u = static_cast<uint64_t>(value);
    put_int(out, static_cast<int32_t>(static_cast<uint32_t>(u)));
    put_int(out, static_cast<int32_t>(static_cast<uint32_t>(u >> 32)));
}

void put_vstring(ByteWriter& out, std::string_view text) {
    const size_t len = text.size();
    if (len >= 0x80) {
        out.put_u8(static_cast<uint8_t>(0x80 | (len >> 8)));
        out.put_u8(static_cast<uint8_t>(len & 0xFF));
    } else {
        out.put_u8(static_cast<uint8_t>(len));
    }
    out.put(text);
}

WireResult<uint8_t> get_byte(ByteCursor& in) {
    if (!in.has(1)) return need_more("byte");
    return in.take_u8();
}

WireResult<int32_t> get_int(ByteCursor& in) {
    if (!in.has(4)) return need_more("int");
    uint32_t u = 0;
    for (int shift = 0; shift < 32; shift += 8) u |= static_cast<uint32_t>(in.take_u8()) << shift;
    return static_cast<int32_t>(u);
}

WireResult<uint16_t> get_shortint(ByteCursor& in) {
    if (!in.has(2)) return need_more("shortint");
    const auto lo = static_cast<unsigned>(in.take_u8());
    const auto hi = static_cast<unsigned>(in.take_u8());
    return static_cast<uint16_t>(lo | (hi << 8));
}

// mirrors rsync io.c:read_varint
WireResult<int32_t> get_varint(ByteCursor& in) {
    if (!in.has(1)) return need_more("varint");
    const size_t size = varint_size(static_cast<uint8_t>(in.peek()));
    if (size == 0) return malformed("overflow in varint");
    if (!in.has(size)) return need_more("varint");
    const uint8_t lead = in.take_u8();
    const size_t extra = size - 1;
    uint32_t u = 0;
    for (size_t i = 0; i < extra; ++i) u |= static_cast<uint32_t>(in.take_u8()) << (8 * i);
    // With 4 extra bytes the lead's remaining bits would be a fifth byte: rsync drops them.
    if (extra < 4) u |= static_cast<uint32_t>(extra ? low_bits(lead, extra) : lead) << (8 * extra);
    return static_cast<int32_t>(u);
}

// mirrors rsync io.c:read_varlong
WireResult<int64_t> get_varlong(ByteCursor& in, int min_bytes) {
    if (!min_bytes_ok(min_bytes)) return malformed("unsupported varlong width");
    const auto min = static_cast<size_t>(min_bytes);
    if (!in.has(min)) return need_more("varlong");
    const size_t size = varlong_size(static_cast<uint8_t>(in.peek()), min_bytes);
    if (size == 0) return malformed("overflow in varlong");
    if (!in.has(size)) return need_more("varlong");
    const uint8_t lead = in.take_u8();
    const size_t extra = size - min;
    uint64_t u = 0;
    for (size_t i = 0; i + 1 < size; ++i) u |= static_cast<uint64_t>(in.take_u8()) << (8 * i);
    // The lead's value bits form the top byte; at byte 8 (a ninth byte) rsync drops them.
    const size_t top = size - 1;
    if (top < 8) u |= static_cast<uint64_t>(extra ? low_bits(lead, extra) : lead) << (8 * top);
    return static_cast<int64_t>(u);
}

// mirrors rsync io.c:read_longint
WireResult<int64_t> get_longint(ByteCursor& in) {
    auto first = get_int(in);
    if (!first) return Unexpected{first.error()};
    if (*first != -1) return static_cast<int64_t>(*first);
    if (!in.has(8)) return need_more("longint");
    uint64_t u = 0;
    for (size_t i = 0; i < 8; ++i) u |= static_cast<uint64_t>(in.take_u8()) << (8 * i);
    return static_cast<int64_t>(u);
}

WireResult<std::string> get_vstring(ByteCursor& in, size_t len_max) {
    if (!in.has(1)) return need_more("vstring length");
    size_t len = in.take_u8();
    if (len & 0x80) {
        if (!in.has(1)) return need_more("vstring length");
        len = ((len & 0x7F) << 8) | in.take_u8();
    }
    if (len > len_max) {
        return malformed("over-long vstring (" + std::to_string(len) + " > " +
                         std::to_string(len_max) + ")");
    }
    if (!in.has(len)) return need_more("vstring");
    const Bytes body = in.take(len);
    return std::string(reinterpret_cast<const char*>(body.data()), body.size());
}

size_t varint_size(uint8_t lead) {
    const size_t extra = lead_extra(lead);
    return extra >= k_varint_size_max ? 0 : extra + 1;
}

size_t varlong_size(uint8_t lead, int min_bytes) {
    if (!min_bytes_ok(min_bytes)) return 0;
    const size_t size = static_cast<size_t>(min_bytes) + lead_extra(lead);
    return size > k_varlong_size_max ? 0 : size;
}

}  // namespace ursync::protocol
