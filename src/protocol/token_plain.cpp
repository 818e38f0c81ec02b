// The uncompressed token stream; mirrors rsync token.c:simple_send_token/simple_recv_token.
#include "protocol/token_plain.h"

#include <algorithm>
#include <string>

#include "protocol/varint.h"

namespace ursync::protocol {

void put_literal(ByteWriter& out, Bytes data) {
    const auto chunk = static_cast<size_t>(k_literal_chunk_len_max);
    for (size_t pos = 0; pos < data.size(); pos += chunk) {
        const Bytes piece = data.subspan(pos, std::min(chunk, data.size() - pos));
        put_int(out, static_cast<int32_t>(piece.size()));
        out.put(piece);
    }
}

void put_block_ref(ByteWriter& out, int32_t index) {
    put_int(out, -(index + 1));
}

void put_token_end(ByteWriter& out) {
    put_int(out, 0);
}

WireResult<TokenEvent> PlainTokenDecoder::next(ByteCursor& in) {
    int32_t residue = residue_;
    if (residue == 0) {
        auto token = get_int(in);
        if (!token) return Unexpected{token.error()};
        if (*token == 0) return TokenEvent{TokenEvent::Kind::end, {}, 0};
        if (*token < 0) {
            // -(index + 1) for index >= 0; INT32_MIN maps to INT32_MAX, beyond any count.
            const int32_t index = static_cast<int32_t>(-(int64_t{*token} + 1));
            if (index >= block_count_) {
                return invalid("invalid block index " + std::to_string(index) +
                                 " (count=" + std::to_string(block_count_) + ")");
            }
            return TokenEvent{TokenEvent::Kind::block, {}, index};
        }
        residue = *token;
    }
    // A piece of the run: whatever has arrived, at most one chunk.
    const size_t want = std::min<size_t>(static_cast<size_t>(residue),
                                         static_cast<size_t>(k_literal_chunk_len_max));
    const size_t n = std::min(want, in.remaining());
    if (n == 0) return need_more("literal data");
    residue_ = residue - static_cast<int32_t>(n);
    return TokenEvent{TokenEvent::Kind::literal, in.take(n), 0};
}

}  // namespace ursync::protocol
