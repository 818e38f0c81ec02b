// Tests for multiplex frames: header codec, per-code payload checks, the decoder under every
// split of its input, and the frame splitter.
#include "protocol/mux_frame.h"

#include <gtest/gtest.h>

#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

struct Collected {
    std::vector<std::byte> data;
    std::vector<MuxEvent> messages;
};

// Feeds `input` in pieces of `step` bytes and gathers the DATA stream and the messages.
WireResult<Collected> decode(Bytes input, size_t step, bool allow_internal = false) {
    MuxDecoder decoder{allow_internal};
    Collected out;
    for (size_t pos = 0; pos < input.size(); pos += step) {
        std::vector<MuxEvent> events;
        auto ok = decoder.feed(input.subspan(pos, std::min(step, input.size() - pos)), events);
        if (!ok) return Unexpected{ok.error()};
        for (auto& e : events) {
            if (e.code == MsgCode::data) {
                EXPECT_FALSE(e.data.empty());
                out.data.insert(out.data.end(), e.data.begin(), e.data.end());
            } else {
                out.messages.push_back(std::move(e));
            }
        }
    }
    EXPECT_TRUE(decoder.at_frame_boundary());
    return out;
}

TEST(MuxFrame, HeaderBytes) {
    ByteWriter out;
    put_frame_header(out, MsgCode::data, 92);
    put_frame_header(out, MsgCode::info, 0x123456);
    put_frame_header(out, MsgCode::no_send, 4);
    EXPECT_EQ(to_hex(out.bytes()), "5c 00 00 07 56 34 12 09 04 00 00 6d");
    ByteCursor in{Bytes{out.bytes()}};
    auto h = get_frame_header(in);
    ASSERT_TRUE(h.has_value());
    EXPECT_EQ(h->code, MsgCode::data);
    EXPECT_EQ(h->len, 92u);
    h = get_frame_header(in);
    EXPECT_EQ(h->code, MsgCode::info);
    EXPECT_EQ(h->len, 0x123456u);
    h = get_frame_header(in);
    EXPECT_EQ(h->code, MsgCode::no_send);
    EXPECT_TRUE(get_frame_header(in).error().incomplete());
}

TEST(MuxFrame, UnknownTagsAreMalformed) {
    for (unsigned tag : {0u, 6u, 7u + 11u, 7u + 21u, 7u + 43u, 7u + 103u, 255u}) {
        auto bytes = hex("00 00 00");
        bytes.push_back(static_cast<std::byte>(tag));
        ByteCursor in{Bytes{bytes}};
        auto h = get_frame_header(in);
        ASSERT_FALSE(h.has_value()) << tag;
        EXPECT_EQ(h.error().kind, WireError::Kind::malformed);
        EXPECT_NE(h.error().what.find("unexpected tag"), std::string::npos);
    }
}

TEST(MuxFrame, PayloadLengthRules) {
    struct Case {
        MsgCode code;
        uint32_t len;
        bool ok;
    };
    const Case cases[] = {
        {MsgCode::data, 0xFFFFFF, true},
        {MsgCode::info, k_message_len_max, true},
        {MsgCode::info, k_message_len_max + 1, false},
        {MsgCode::deleted, 5120, false},
        {MsgCode::io_error, 4, true},
        {MsgCode::io_error, 5, false},
        {MsgCode::no_send, 3, false},
        {MsgCode::success, 20, false},
        {MsgCode::noop, 0, true},
        {MsgCode::noop, 1, false},
        {MsgCode::error_exit, 0, true},
        {MsgCode::error_exit, 4, true},
        {MsgCode::error_exit, 2, false},
        {MsgCode::redo, 4, false},
        {MsgCode::log, 10, false},
        {MsgCode::stats, 8, false},
    };
    for (const auto& c : cases) {
        auto r = check_frame_len(FrameHeader{c.code, c.len}, false);
        EXPECT_EQ(r.has_value(), c.ok) << msg_code_name(c.code) << " " << c.len;
    }
    EXPECT_TRUE(check_frame_len(FrameHeader{MsgCode::redo, 4}, true).has_value());
    EXPECT_TRUE(check_frame_len(FrameHeader{MsgCode::stats, 8}, true).has_value());
    EXPECT_TRUE(check_frame_len(FrameHeader{MsgCode::log, 10}, true).has_value());
}

TEST(MuxDecoder, EveryInputSplitGivesTheSameResult) {
    // DATA "abc", keep-alive, INFO "hi\n", DATA "defg", IO_ERROR 1, empty ERROR_EXIT, DATA "h".
    const auto stream =
        hex("03 00 00 07 61 62 63  00 00 00 07  03 00 00 09 68 69 0a  04 00 00 07 64 65 66 67"
            " 04 00 00 1d 01 00 00 00  00 00 00 5d  01 00 00 07 68");
    for (size_t step = 1; step <= stream.size(); ++step) {
        auto got = decode(Bytes{stream}, step);
        ASSERT_TRUE(got.has_value()) << step;
        EXPECT_EQ(to_hex(got->data), to_hex(hex("61 62 63 64 65 66 67 68"))) << step;
        ASSERT_EQ(got->messages.size(), 3u) << step;
        EXPECT_EQ(got->messages[0].code, MsgCode::info);
        EXPECT_EQ(message_text(got->messages[0]), "hi\n");
        EXPECT_EQ(got->messages[1].code, MsgCode::io_error);
        EXPECT_EQ(*message_int(got->messages[1]), 1);
        EXPECT_EQ(got->messages[2].code, MsgCode::error_exit);
        EXPECT_TRUE(got->messages[2].payload.empty());
        EXPECT_FALSE(message_int(got->messages[2]).has_value());
    }
}

TEST(MuxDecoder, EventsKeepStreamOrder) {
    const auto stream = hex("01 00 00 07 61  03 00 00 09 68 69 0a  01 00 00 07 62");
    MuxDecoder decoder;
    std::vector<MuxEvent> events;
    ASSERT_TRUE(decoder.feed(Bytes{stream}, events).has_value());
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].code, MsgCode::data);
    EXPECT_EQ(events[1].code, MsgCode::info);
    EXPECT_EQ(events[2].code, MsgCode::data);
}

TEST(MuxDecoder, PartialFrameIsNotABoundary) {
    const auto stream = hex("05 00 00 07 61 62");
    MuxDecoder decoder;
    std::vector<MuxEvent> events;
    ASSERT_TRUE(decoder.feed(Bytes{stream}, events).has_value());
    EXPECT_FALSE(decoder.at_frame_boundary());
    MuxDecoder decoder2;
    ASSERT_TRUE(decoder2.feed(Bytes{stream}.first(2), events).has_value());
    EXPECT_FALSE(decoder2.at_frame_boundary());
}

TEST(MuxDecoder, ErrorsAreSticky) {
    const auto oversized = hex("00 14 00 0a");  // MSG_ERROR of 5120 bytes
    MuxDecoder decoder;
    std::vector<MuxEvent> events;
    auto r = decoder.feed(Bytes{oversized}, events);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, WireError::Kind::malformed);
    const auto fine = hex("01 00 00 07 61");
    EXPECT_FALSE(decoder.feed(Bytes{fine}, events).has_value());
    EXPECT_TRUE(events.empty());

    const auto bad_tag = hex("01 00 00 ff 61");
    MuxDecoder decoder2;
    auto r2 = decoder2.feed(Bytes{bad_tag}, events);
    ASSERT_FALSE(r2.has_value());
    EXPECT_NE(r2.error().what.find("unexpected tag 248"), std::string::npos);
}

TEST(MuxDecoder, InternalCodesOnlyWhenAllowed) {
    const auto redo = hex("04 00 00 10 05 00 00 00");
    EXPECT_FALSE(decode(Bytes{redo}, 8).has_value());
    auto got = decode(Bytes{redo}, 3, true);
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(got->messages.size(), 1u);
    EXPECT_EQ(*message_int(got->messages[0]), 5);
}

TEST(EncodeFrames, SplitsLargePayloads) {
    std::vector<std::byte> payload(70000);
    for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<std::byte>(i * 7);
    ByteWriter out;
    encode_frames(MsgCode::data, Bytes{payload}, out);
    ASSERT_EQ(out.size(), payload.size() + 3 * k_frame_header_len);
    EXPECT_EQ(to_hex(Bytes{out.bytes()}.first(4)), "00 80 00 07");
    auto got = decode(Bytes{out.bytes()}, 1000);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->data, payload);

    ByteWriter keepalive;
    encode_frames(MsgCode::data, {}, keepalive);
    EXPECT_EQ(to_hex(keepalive.bytes()), "00 00 00 07");
    ByteWriter small;
    encode_frames(MsgCode::warning, as_bytes("abcde"), small, 2);
    EXPECT_EQ(to_hex(small.bytes()), "02 00 00 0b 61 62 02 00 00 0b 63 64 01 00 00 0b 65");
}

}  // namespace
}  // namespace ursync::protocol
