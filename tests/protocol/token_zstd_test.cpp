// Tests for the zstd token stream: round trips across files, run coding, bounded output, and
// rejection of hostile flag/token/compressed input.
#include "protocol/token_zstd.h"

#include <gtest/gtest.h>

#include <random>

#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

std::vector<std::byte> random_bytes(size_t n, unsigned seed) {
    std::mt19937 gen(seed);
    std::vector<std::byte> out(n);
    for (auto& b : out) b = static_cast<std::byte>(gen() & 0xFF);
    return out;
}

// What a decoder saw for one file: literal bytes and block indexes, in order.
struct FileTokens {
    std::vector<std::byte> literal;
    std::vector<int32_t> blocks;
};

WireResult<FileTokens> decode_file(ZstdTokenDecoder& decoder, ByteCursor& in, int32_t count) {
    decoder.begin_file(count);
    FileTokens out;
    for (;;) {
        auto event = decoder.next(in);
        if (!event) return Unexpected{event.error()};
        switch (event->kind) {
            case TokenEvent::Kind::end:
                return out;
            case TokenEvent::Kind::block:
                out.blocks.push_back(event->block);
                break;
            case TokenEvent::Kind::literal:
                EXPECT_LE(event->literal.size(), k_zstd_literal_piece_max);
                out.literal.insert(out.literal.end(), event->literal.begin(), event->literal.end());
                break;
        }
    }
}

TEST(TokenZstd, RoundTripAcrossFilesWithRuns) {
    ZstdTokenEncoder encoder;
    ByteWriter out;
    const auto a = random_bytes(50000, 1);
    const auto b = random_bytes(100, 2);
    // File 1: literal, blocks 0..2 (a run), literal, block 70 (long jump), block 5 (backwards).
    ASSERT_TRUE(encoder.send(out, Bytes{a}, 0).has_value());
    ASSERT_TRUE(encoder.send(out, {}, 1).has_value());
    ASSERT_TRUE(encoder.send(out, {}, 2).has_value());
    ASSERT_TRUE(encoder.send(out, Bytes{b}, 70).has_value());
    ASSERT_TRUE(encoder.send(out, {}, 5).has_value());
    ASSERT_TRUE(encoder.send(out, Bytes{b}, k_token_end).has_value());
    // File 2: literal only, sent in two parts (the first without a flush).
    ASSERT_TRUE(encoder.send(out, Bytes{a}.first(1000), k_token_literal_only).has_value());
    ASSERT_TRUE(encoder.send(out, Bytes{a}.subspan(1000, 1000), k_token_end).has_value());
    // File 3: nothing but matches.
    ASSERT_TRUE(encoder.send(out, {}, 0).has_value());
    ASSERT_TRUE(encoder.send(out, {}, 1).has_value());
    ASSERT_TRUE(encoder.send(out, {}, k_token_end).has_value());

    ZstdTokenDecoder decoder;
    ByteCursor in{Bytes{out.bytes()}};
    auto f1 = decode_file(decoder, in, 100);
    ASSERT_TRUE(f1.has_value());
    std::vector<std::byte> expect1 = a;
    expect1.insert(expect1.end(), b.begin(), b.end());
    expect1.insert(expect1.end(), b.begin(), b.end());
    EXPECT_EQ(f1->literal, expect1);
    EXPECT_EQ(f1->blocks, (std::vector<int32_t>{0, 1, 2, 70, 5}));
    auto f2 = decode_file(decoder, in, 0);
    ASSERT_TRUE(f2.has_value());
    EXPECT_EQ(f2->literal, std::vector<std::byte>(a.begin(), a.begin() + 2000));
    auto f3 = decode_file(decoder, in, 2);
    ASSERT_TRUE(f3.has_value());
    EXPECT_TRUE(f3->literal.empty());
    EXPECT_EQ(f3->blocks, (std::vector<int32_t>{0, 1}));
    EXPECT_EQ(in.remaining(), 0u);
}

TEST(TokenZstd, MatchOnlyFramingBytes) {
    // Blocks 3,4,5 then 9 then end: c3 02 00 (rel 3, run 2), 83 (rel 9-5=4 -> 0x84), 00.
    ZstdTokenEncoder encoder;
    ByteWriter out;
    for (int32_t t : {3, 4, 5, 9}) ASSERT_TRUE(encoder.send(out, {}, t).has_value());
    ASSERT_TRUE(encoder.send(out, {}, k_token_end).has_value());
    EXPECT_EQ(to_hex(out.bytes()), "c3 02 00 84 00");
    // An absolute index when the step back is negative or beyond 63.
    ByteWriter out2;
    for (int32_t t : {100, 2, 3}) ASSERT_TRUE(encoder.send(out2, {}, t).has_value());
    ASSERT_TRUE(encoder.send(out2, {}, k_token_end).has_value());
    EXPECT_EQ(to_hex(out2.bytes()), "20 64 00 00 00 21 02 00 00 00 01 00 00");
}

TEST(TokenZstd, LongRunsSplitAt65536) {
    ZstdTokenEncoder encoder;
    ByteWriter out;
    for (int32_t t = 0; t < 70000; ++t) ASSERT_TRUE(encoder.send(out, {}, t).has_value());
    ASSERT_TRUE(encoder.send(out, {}, k_token_end).has_value());
    EXPECT_EQ(to_hex(out.bytes()), "c0 ff ff c1 6f 11 00");
    ZstdTokenDecoder decoder;
    ByteCursor in{Bytes{out.bytes()}};
    auto f = decode_file(decoder, in, 70000);
    ASSERT_TRUE(f.has_value());
    ASSERT_EQ(f->blocks.size(), 70000u);
    EXPECT_EQ(f->blocks.back(), 69999);
}

TEST(TokenZstd, BombIsHandedOutInBoundedPieces) {
    // 8 MiB of zeros compresses to a few hundred bytes; the decoder must not inflate it at once.
    const std::vector<std::byte> zeros(8 * 1024 * 1024);
    ZstdTokenEncoder encoder;
    ByteWriter out;
    ASSERT_TRUE(encoder.send(out, Bytes{zeros}, k_token_end).has_value());
    EXPECT_LT(out.size(), 4096u);
    ZstdTokenDecoder decoder;
    ByteCursor in{Bytes{out.bytes()}};
    auto f = decode_file(decoder, in, 0);  // decode_file checks each piece's size
    ASSERT_TRUE(f.has_value());
    EXPECT_EQ(f->literal.size(), zeros.size());
}

TEST(TokenZstd, IncompleteInputCanBeRetried) {
    ZstdTokenEncoder encoder;
    ByteWriter out;
    const auto data = random_bytes(3000, 3);
    ASSERT_TRUE(encoder.send(out, Bytes{data}, 7).has_value());
    ASSERT_TRUE(encoder.send(out, {}, 8).has_value());
    ASSERT_TRUE(encoder.send(out, {}, k_token_end).has_value());
    const auto& all = out.bytes();
    // Feed one more byte at a time, retrying from the saved position on "incomplete".
    ZstdTokenDecoder decoder;
    decoder.begin_file(10);
    size_t pos = 0;
    size_t avail = 0;
    FileTokens got;
    bool ended = false;
    while (!ended) {
        ASSERT_LE(avail, all.size());
        ByteCursor in{Bytes{all}.subspan(pos, avail - pos)};
        auto event = decoder.next(in);
        if (!event) {
            ASSERT_TRUE(event.error().incomplete()) << event.error().what;
            ++avail;
            continue;
        }
        pos += in.position();
        if (event->kind == TokenEvent::Kind::end) ended = true;
        if (event->kind == TokenEvent::Kind::block) got.blocks.push_back(event->block);
        if (event->kind == TokenEvent::Kind::literal) {
            got.literal.insert(got.literal.end(), event->literal.begin(), event->literal.end());
        }
    }
    EXPECT_EQ(pos, all.size());
    EXPECT_EQ(got.literal, data);
    EXPECT_EQ(got.blocks, (std::vector<int32_t>{7, 8}));
}

WireError first_error(std::string_view text, int32_t count) {
    const auto stream = hex(text);
    ZstdTokenDecoder decoder;
    decoder.begin_file(count);
    ByteCursor in{Bytes{stream}};
    for (int i = 0; i < 100; ++i) {
        auto event = decoder.next(in);
        if (!event) return event.error();
    }
    return WireError{WireError::Kind::incomplete, "no error"};
}

TEST(TokenZstd, RejectsHostileStreams) {
    using Kind = WireError::Kind;
    EXPECT_EQ(first_error("85", 5).kind, Kind::invalid);              // block 5 of 5
    EXPECT_EQ(first_error("c0 00 00", 100).kind, Kind::malformed);      // empty run
    EXPECT_EQ(first_error("c0 05 00", 5).kind, Kind::invalid);        // run past the count
    EXPECT_EQ(first_error("20 ff ff ff ff", 5).kind, Kind::malformed);  // negative absolute
    EXPECT_EQ(first_error("21 fe ff ff 7f ff ff", 0x7FFFFFFF).kind, Kind::malformed);
    EXPECT_EQ(first_error("05", 5).kind, Kind::malformed);                 // undefined flag
    EXPECT_EQ(first_error("40 04 01 02 03 04", 5).kind, Kind::malformed);  // not zstd data
    EXPECT_EQ(first_error("40 05 01 02", 5).kind, Kind::incomplete);
    EXPECT_EQ(first_error("21 00 00", 5).kind, Kind::incomplete);
    // After a hard error the decoder stays failed.
    const auto stream = hex("05 00");
    ZstdTokenDecoder decoder;
    decoder.begin_file(1);
    ByteCursor in{Bytes{stream}};
    EXPECT_FALSE(decoder.next(in).has_value());
    EXPECT_FALSE(decoder.next(in).has_value());
}

}  // namespace
}  // namespace ursync::protocol
