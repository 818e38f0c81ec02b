// Tests for the plain token stream: encoding, chunking, piecewise decoding, index validation.
#include "protocol/token_plain.h"

#include <gtest/gtest.h>

#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

struct Decoded {
    std::vector<std::byte> literal;
    std::vector<int32_t> blocks;  // in order; literal runs are marked with -1
    bool ended = false;
};

WireResult<Decoded> decode_all(Bytes stream, int32_t block_count) {
    PlainTokenDecoder decoder{block_count};
    ByteCursor in{stream};
    Decoded out;
    for (;;) {
        auto event = decoder.next(in);
        if (!event) return Unexpected{event.error()};
        if (event->kind == TokenEvent::Kind::end) break;
        if (event->kind == TokenEvent::Kind::block) {
            out.blocks.push_back(event->block);
        } else {
            EXPECT_LE(event->literal.size(), size_t{k_literal_chunk_len_max});
            if (out.blocks.empty() || out.blocks.back() != -1) out.blocks.push_back(-1);
            out.literal.insert(out.literal.end(), event->literal.begin(), event->literal.end());
        }
    }
    out.ended = true;
    EXPECT_EQ(in.remaining(), 0u);
    return out;
}

TEST(TokenPlain, DocumentedDeltaShape) {
    // §9.2: block 0, 700 literal bytes, blocks 2, 3, 4, end.
    std::vector<std::byte> literal(700, std::byte{0x5a});
    ByteWriter out;
    put_block_ref(out, 0);
    put_literal(out, Bytes{literal});
    put_block_ref(out, 2);
    put_block_ref(out, 3);
    put_block_ref(out, 4);
    put_token_end(out);
    EXPECT_EQ(to_hex(Bytes{out.bytes()}.first(8)), "ff ff ff ff bc 02 00 00");
    EXPECT_EQ(to_hex(Bytes{out.bytes()}.last(16)),
              "fd ff ff ff fc ff ff ff fb ff ff ff 00 00 00 00");
    auto got = decode_all(Bytes{out.bytes()}, 5);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->blocks, (std::vector<int32_t>{0, -1, 2, 3, 4}));
    EXPECT_EQ(got->literal, literal);
}

TEST(TokenPlain, LongLiteralsAreChunked) {
    std::vector<std::byte> literal(70000);
    for (size_t i = 0; i < literal.size(); ++i) literal[i] = static_cast<std::byte>(i);
    ByteWriter out;
    put_literal(out, Bytes{literal});
    put_token_end(out);
    ASSERT_EQ(out.size(), literal.size() + 3 * 4 + 4);
    EXPECT_EQ(to_hex(Bytes{out.bytes()}.first(4)), "00 80 00 00");
    auto got = decode_all(Bytes{out.bytes()}, 0);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->literal, literal);
}

TEST(TokenPlain, AcceptsRunsLongerThanAChunkInPieces) {
    // A peer may send one 40000-byte run (stock accepts it); we hand it out in bounded pieces.
    std::vector<std::byte> literal(40000, std::byte{1});
    ByteWriter out;
    put_int(out, 40000);
    out.put(Bytes{literal});
    put_token_end(out);
    auto got = decode_all(Bytes{out.bytes()}, 0);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->literal.size(), 40000u);
}

TEST(TokenPlain, PartialLiteralComesOutAsItArrives) {
    const auto stream = hex("05 00 00 00 61 62");
    PlainTokenDecoder decoder{0};
    ByteCursor in{Bytes{stream}};
    auto first = decoder.next(in);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(to_hex(first->literal), "61 62");
    EXPECT_TRUE(decoder.in_literal());
    auto more = decoder.next(in);
    ASSERT_FALSE(more.has_value());
    EXPECT_TRUE(more.error().incomplete());
    const auto rest = hex("63 64 65 00 00 00 00");
    ByteCursor in2{Bytes{rest}};
    auto second = decoder.next(in2);
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(to_hex(second->literal), "63 64 65");
    EXPECT_EQ(decoder.next(in2)->kind, TokenEvent::Kind::end);
}

TEST(TokenPlain, RejectsBlockIndexOutOfRange) {
    for (const char* text : {"fb ff ff ff", "00 00 00 80", "ff ff ff ff"}) {
        const auto stream = hex(text);
        PlainTokenDecoder decoder{0};
        ByteCursor in{Bytes{stream}};
        auto r = decoder.next(in);
        ASSERT_FALSE(r.has_value()) << text;
        EXPECT_EQ(r.error().kind, WireError::Kind::invalid);
    }
    const auto ok = hex("fb ff ff ff");
    PlainTokenDecoder decoder{5};
    ByteCursor in{Bytes{ok}};
    EXPECT_EQ(decoder.next(in)->block, 4);
}

TEST(TokenPlain, TruncatedHeaderIsIncomplete) {
    for (size_t n = 0; n < 4; ++n) {
        const auto stream = hex("05 00 00 00");
        PlainTokenDecoder decoder{0};
        ByteCursor in{Bytes{stream}.first(n)};
        EXPECT_TRUE(decoder.next(in).error().incomplete()) << n;
        EXPECT_FALSE(decoder.in_literal());
    }
}

}  // namespace
}  // namespace ursync::protocol
