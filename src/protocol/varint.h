// rsync's integer and short-string encodings (byte, shortint, int, varint, varlong, longint,
// vstring).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/byte_cursor.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

// Longest string a vstring can carry (15-bit length prefix).
inline constexpr size_t k_vstring_len_max = 0x7FFF;
// varlong min_bytes values this codec supports (rsync uses 3 for sizes, 4 for times).
inline constexpr int k_varlong_min_bytes_min = 3;
inline constexpr int k_varlong_min_bytes_max = 8;
// Longest encodings, in bytes.
inline constexpr size_t k_varint_size_max = 5;
inline constexpr size_t k_varlong_size_max = 9;

void put_byte(ByteWriter& out, uint8_t value);
void put_int(ByteWriter& out, int32_t value);        // 4 bytes LE
void put_shortint(ByteWriter& out, uint16_t value);  // 2 bytes LE
void put_varint(ByteWriter& out, int32_t value);
// min_bytes must be within [k_varlong_min_bytes_min, k_varlong_min_bytes_max].
void put_varlong(ByteWriter& out, int64_t value, int min_bytes);
void put_longint(ByteWriter& out, int64_t value);
// Caller ensures text.size() <= k_vstring_len_max.
void put_vstring(ByteWriter& out, std::string_view text);

// Decoders. On any error (incomplete included) the cursor position is unspecified: callers that
// may retry keep a copy of the cursor from before the call.
WireResult<uint8_t> get_byte(ByteCursor& in);
WireResult<int32_t> get_int(ByteCursor& in);
WireResult<uint16_t> get_shortint(ByteCursor& in);
WireResult<int32_t> get_varint(ByteCursor& in);
WireResult<int64_t> get_varlong(ByteCursor& in, int min_bytes);
WireResult<int64_t> get_longint(ByteCursor& in);
// Rejects (malformed) a length above len_max.
WireResult<std::string> get_vstring(ByteCursor& in, size_t len_max);

// For stream readers that must know how many bytes to wait for.
// varint_size: total size (1..5) of a varint whose first byte is `lead`; 0 if that lead byte is
// invalid (5 or more leading one-bits, which rsync rejects).
size_t varint_size(uint8_t lead);
// varlong_size: total size (min_bytes..9) of a varlong whose first byte is `lead` (the first of
// the min_bytes bytes always present); 0 if the lead byte announces more than 9 bytes or
// min_bytes is unsupported.
size_t varlong_size(uint8_t lead, int min_bytes);

}  // namespace ursync::protocol
