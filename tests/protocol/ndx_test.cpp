// Tests for the ndx codec: the documented examples, state handling, rejection of bad input.
#include "protocol/ndx.h"

#include <gtest/gtest.h>

#include <vector>

#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

std::string encode_sequence(const std::vector<int32_t>& values) {
    NdxState state;
    ByteWriter out;
    for (int32_t v : values) put_ndx(out, state, v);
    return to_hex(out.bytes());
}

std::vector<int32_t> decode_all(std::string_view text) {
    const auto bytes = hex(text);
    ByteCursor in{Bytes{bytes}};
    NdxState state;
    std::vector<int32_t> out;
    while (in.remaining() > 0) {
        auto v = get_ndx(in, state);
        EXPECT_TRUE(v.has_value());
        if (!v) break;
        out.push_back(*v);
    }
    return out;
}

TEST(Ndx, DocumentedExamples) {
    // first index 0; 0 -> 2; -102 as first negative; then -2; later -3.
    EXPECT_EQ(encode_sequence({0}), "01");
    EXPECT_EQ(encode_sequence({0, 2}), "01 02");
    EXPECT_EQ(encode_sequence({-102, -2, -3}), "ff 65 ff fe 80 02 00 00 ff 01");
    EXPECT_EQ(encode_sequence({8, 4}), "09 fe 80 04 00 00");
    EXPECT_EQ(encode_sequence({k_ndx_done, k_ndx_done}), "00 00");
    const std::vector<int32_t> expected{-102, -2, -3};
    EXPECT_EQ(decode_all("ff 65 ff fe 80 02 00 00 ff 01"), expected);
}

TEST(Ndx, DeltaForms) {
    // d = 253 -> one byte; d = 254 and d = 0 -> fe + 16-bit BE; d > 0x7fff -> absolute.
    EXPECT_EQ(encode_sequence({252}), "fd");
    EXPECT_EQ(encode_sequence({253}), "fe 00 fe");
    EXPECT_EQ(encode_sequence({5, 5}), "06 fe 00 00");
    EXPECT_EQ(encode_sequence({0x7FFE}), "fe 7f ff");
    EXPECT_EQ(encode_sequence({0x7FFF}), "fe 80 ff 7f 00");
    EXPECT_EQ(encode_sequence({0x7FFFFFFF}), "fe ff ff ff ff");
}

TEST(Ndx, RoundTripMixedSequence) {
    const std::vector<int32_t> values{0,          1,          2,  300,         299, -1,
                                      -102,       -103,       -2, 70000,       5,   -3,
                                      k_ndx_done, 0x7FFFFFFF, 0,  -0x7FFFFFFF, -4};
    NdxState send;
    ByteWriter out;
    for (int32_t v : values) put_ndx(out, send, v);
    ByteCursor in{Bytes{out.bytes()}};
    NdxState recv;
    for (int32_t v : values) {
        auto got = get_ndx(in, recv);
        ASSERT_TRUE(got.has_value());
        EXPECT_EQ(*got, v);
    }
    EXPECT_EQ(in.remaining(), 0u);
    EXPECT_EQ(recv.prev_pos, send.prev_pos);
    EXPECT_EQ(recv.prev_neg, send.prev_neg);
}

TEST(Ndx, IncompleteLeavesStateUntouched) {
    const char* cases[] = {"", "ff", "fe", "fe 00", "fe 80 01", "fe 80 01 02", "ff fe 80 02 00"};
    for (const char* text : cases) {
        const auto bytes = hex(text);
        ByteCursor in{Bytes{bytes}};
        NdxState state{7, 9};
        auto v = get_ndx(in, state);
        ASSERT_FALSE(v.has_value()) << text;
        EXPECT_TRUE(v.error().incomplete()) << text;
        EXPECT_EQ(state.prev_pos, 7);
        EXPECT_EQ(state.prev_neg, 9);
    }
}

TEST(Ndx, RejectsIndexBeyondInt32) {
    // A relative step past 0x7fffffff, in both the positive and the negative direction.
    const auto bytes = hex("05");
    ByteCursor in{Bytes{bytes}};
    NdxState state{0x7FFFFFFE, 1};
    auto v = get_ndx(in, state);
    ASSERT_FALSE(v.has_value());
    EXPECT_EQ(v.error().kind, WireError::Kind::invalid);
    EXPECT_EQ(state.prev_pos, 0x7FFFFFFE);
    const auto neg = hex("ff fe 7f ff");
    ByteCursor in2{Bytes{neg}};
    NdxState state2{-1, 0x7FFFFFF0};
    EXPECT_EQ(get_ndx(in2, state2).error().kind, WireError::Kind::invalid);
}

}  // namespace
}  // namespace ursync::protocol
