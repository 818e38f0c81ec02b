// What a token-stream decoder yields: a piece of literal data, a basis block to copy, or the end.
#pragma once

#include <cstdint>

#include "protocol/byte_cursor.h"

namespace ursync::protocol {

// rsync's send_token() pseudo-tokens (match.c): -1 ends the file, -2 sends literal data only.
inline constexpr int32_t k_token_end = -1;
inline constexpr int32_t k_token_literal_only = -2;
// Literal data per plain token / per decoded piece (rsync's CHUNK_SIZE).
inline constexpr int32_t k_literal_chunk_len_max = 32 * 1024;

struct TokenEvent {
    enum class Kind { literal, block, end };
    Kind kind = Kind::end;
    Bytes literal;      // Kind::literal: the bytes (see the decoder for how long they stay valid)
    int32_t block = 0;  // Kind::block: index of the basis block, already checked < block count
};

}  // namespace ursync::protocol
