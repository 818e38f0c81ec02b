// Fuzzes the zstd token stream two ways: the decoder on hostile bytes (bounded output, valid
// block indexes), and encoder -> decoder round trips of input-driven literal/match sequences.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "protocol/token_zstd.h"

using namespace ursync::protocol;

namespace {

constexpr int32_t k_blocks = 300;

void decode_hostile(Bytes input) {
    ZstdTokenDecoder decoder;
    decoder.begin_file(k_blocks);
    ByteCursor in{input};
    size_t literal_total = 0;
    for (int i = 0; i < 100000; ++i) {
        auto event = decoder.next(in);
        if (!event) return;
        if (event->kind == TokenEvent::Kind::block) {
            URSYNC_FUZZ_CHECK(event->block >= 0 && event->block < k_blocks);
        } else if (event->kind == TokenEvent::Kind::literal) {
            URSYNC_FUZZ_CHECK(event->literal.size() <= k_zstd_literal_piece_max);
            literal_total += event->literal.size();
            if (literal_total > (64u << 20)) return;  // a bomb: stop reading, memory stayed bounded
        } else {
            decoder.begin_file(k_blocks);
        }
    }
}

void round_trip(Bytes input) {
    // Each op byte: low 2 bits select literal-then-token, token, literal-only, end of file.
    ZstdTokenEncoder encoder{1};
    ByteWriter out;
    std::vector<std::vector<std::byte>> expect_literal(1);
    std::vector<std::vector<int32_t>> expect_blocks(1);
    size_t pos = 0;
    int32_t block = 0;
    while (pos < input.size()) {
        const auto op = static_cast<uint8_t>(input[pos++]);
        const size_t take = std::min<size_t>(op >> 2, input.size() - pos);
        const Bytes literal = input.subspan(pos, (op & 3) == 1 ? 0 : take);
        pos += literal.size();
        int32_t token = 0;
        switch (op & 3) {
            case 0:
            case 1:
                token = block = (block + (op >> 4) + 1) % k_blocks;
                break;
            case 2:
                token = k_token_literal_only;
                break;
            default:
                token = k_token_end;
                break;
        }
        URSYNC_FUZZ_CHECK(encoder.send(out, literal, token).has_value());
        expect_literal.back().insert(expect_literal.back().end(), literal.begin(), literal.end());
        if (token >= 0) expect_blocks.back().push_back(token);
        if (token == k_token_end) {
            expect_literal.emplace_back();
            expect_blocks.emplace_back();
        }
    }
    URSYNC_FUZZ_CHECK(encoder.send(out, {}, k_token_end).has_value());

    ZstdTokenDecoder decoder;
    ByteCursor in{Bytes{out.bytes()}};
    for (size_t file = 0; file < expect_literal.size(); ++file) {
        decoder.begin_file(k_blocks);
        std::vector<std::byte> literal;
        std::vector<int32_t> blocks;
        for (;;) {
            auto event = decoder.next(in);
            URSYNC_FUZZ_CHECK(event.has_value());
            if (event->kind == TokenEvent::Kind::end) break;
            if (event->kind == TokenEvent::Kind::block) blocks.push_back(event->block);
            if (event->kind == TokenEvent::Kind::literal) {
                literal.insert(literal.end(), event->literal.begin(), event->literal.end());
            }
        }
        URSYNC_FUZZ_CHECK(literal == expect_literal[file]);
        URSYNC_FUZZ_CHECK(blocks == expect_blocks[file]);
    }
    URSYNC_FUZZ_CHECK(in.remaining() == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const Bytes input{reinterpret_cast<const std::byte*>(data) + 1, size - 1};
    if (data[0] & 1) {
        round_trip(input);
    } else {
        decode_hostile(input);
    }
    return 0;
}
