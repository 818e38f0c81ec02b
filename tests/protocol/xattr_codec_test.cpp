// The xattr codec: list making, the list after an entry, requests and answers, limits.
#include "protocol/xattr_codec.h"

#include <gtest/gtest.h>

#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

std::string md5_hex_of_100_x() { return to_hex(hex("aed563ecafb4bcc5654c597a421547b2")); }

// Hex text normalised the way to_hex writes it.
std::string norm(std::string_view text) { return to_hex(hex(text)); }

TEST(XattrCodec, ListsAreSortedNumberedAndLongValuesAbbreviated) {
    XattrList list = make_xattr_list({{"user.z", "1"}, {"user.big", std::string(100, 'x')},
                                      {"user.a", ""}});
    ASSERT_EQ(list.size(), 3u);
    EXPECT_EQ(list[0].name, "user.a");
    EXPECT_EQ(list[1].name, "user.big");
    EXPECT_EQ(list[2].name, "user.z");
    for (int i = 0; i < 3; ++i) EXPECT_EQ(list[static_cast<size_t>(i)].num, i + 1);
    EXPECT_FALSE(list[0].is_long());
    EXPECT_TRUE(list[1].is_long());
    EXPECT_EQ(list[1].value_len, 100u);
    EXPECT_EQ(to_hex(as_bytes(list[1].value)), md5_hex_of_100_x());
    // Exactly 32 bytes still travels in full.
    EXPECT_FALSE(make_xattr_list({{"user.b", std::string(32, 'b')}})[0].is_long());
}

TEST(XattrCodec, LiteralListBytes) {
    ByteWriter w;
    encode_xattr_literal(w, make_xattr_list({{"user.a", "v"}, {"user.big", std::string(100, 'x')}}));
    // 0 (literal), count 2, then per item: name length with NUL, value length, name, value or
    // digest.
    EXPECT_EQ(to_hex(w.bytes()),
              norm("00 02  07 01 " + to_hex(as_bytes(std::string_view("user.a\0", 7))) +
                   " 76  09 64 " + to_hex(as_bytes(std::string_view("user.big\0", 9))) + " " +
                   md5_hex_of_100_x()));
}

TEST(XattrCodec, RoundTripLiteralAndReference) {
    ByteWriter w;
    const XattrList list = make_xattr_list({{"user.a", "v"}, {"trusted.t", std::string(40, 'T')}});
    encode_xattr_literal(w, list);
    encode_xattr_ref(w, 0);
    ByteCursor in(w.bytes());
    auto head = decode_xattr_head(in, 0);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->ref, -1);
    ASSERT_EQ(head->count, 2);
    XattrList got;
    for (int i = 0; i < head->count; ++i) {
        auto item = decode_xattr_item(in);
        ASSERT_TRUE(item);
        got.push_back(*item);
    }
    EXPECT_EQ(got, list);
    auto ref = decode_xattr_head(in, 1);
    ASSERT_TRUE(ref);
    EXPECT_EQ(ref->ref, 0);
    EXPECT_EQ(in.remaining(), 0u);
}

TEST(XattrCodec, ReferencesBeyondTheListsSentAreRefused) {
    ByteWriter w;
    encode_xattr_ref(w, 3);
    ByteCursor in(w.bytes());
    auto head = decode_xattr_head(in, 3);  // lists 0..2 known
    ASSERT_FALSE(head);
    EXPECT_FALSE(head.error().incomplete());
}

TEST(XattrCodec, BadItemsAreRefused) {
    auto decode = [](std::vector<std::byte> bytes) {
        ByteCursor in(bytes);
        return decode_xattr_item(in);
    };
    // A name without its NUL.
    auto no_nul = decode(hex("02 01 61 62 76"));
    ASSERT_FALSE(no_nul);
    EXPECT_FALSE(no_nul.error().incomplete());
    // A NUL inside the name.
    EXPECT_FALSE(decode(hex("03 01 61 00 00 76")));
    // An empty name.
    EXPECT_FALSE(decode(hex("00 01 76")));
    // A name longer than rsync accepts.
    ByteWriter w;
    put_varint(w, static_cast<int32_t>(k_xattr_name_len_max + 1));
    put_varint(w, 1);
    auto long_name = decode(w.take());
    ASSERT_FALSE(long_name);
    EXPECT_FALSE(long_name.error().incomplete());
    // A value longer than the per-value limit.
    ByteWriter v;
    put_varint(v, 2);
    put_varint(v, static_cast<int32_t>(k_xattr_value_len_max + 1));
    EXPECT_FALSE(decode(v.take()));
    // Truncated: asks for more instead of failing.
    auto cut = decode(hex("07 01 75 73 65"));
    ASSERT_FALSE(cut);
    EXPECT_TRUE(cut.error().incomplete());
}

TEST(XattrCodec, CountsAboveTheLimitAreRefused) {
    ByteWriter w;
    put_varint(w, 0);
    put_varint(w, k_xattr_count_max + 1);
    ByteCursor in(w.bytes());
    EXPECT_FALSE(decode_xattr_head(in, 0));
}

TEST(XattrCodec, RequestsCarryDifferencesEndedByZero) {
    ByteWriter w;
    const std::vector<int32_t> nums = {2, 5, 3};  // a receiver's order need not ascend
    encode_xattr_request(w, nums);
    // -2 is a 5-byte varint.
    EXPECT_EQ(to_hex(w.bytes()), norm("02 03 f0fe ffff ff 00"));
    ByteCursor in(w.bytes());
    std::vector<int32_t> got;
    int32_t prior = 0;
    for (;;) {
        auto n = decode_xattr_num(in, prior);
        ASSERT_TRUE(n);
        if (!*n) break;
        prior = **n;
        got.push_back(prior);
    }
    EXPECT_EQ(got, nums);
}

TEST(XattrCodec, RequestNumbersOutOfRangeAreRefused) {
    ByteWriter w;
    put_varint(w, -2);
    ByteCursor in(w.bytes());
    auto below_one = decode_xattr_num(in, 1);  // 1 - 2
    ASSERT_FALSE(below_one);
    EXPECT_FALSE(below_one.error().incomplete());
    ByteWriter big;
    put_varint(big, k_xattr_count_max);
    ByteCursor in2(big.bytes());
    EXPECT_FALSE(decode_xattr_num(in2, 1));
    ByteCursor in3(big.bytes());
    EXPECT_TRUE(decode_xattr_num(in3, 0));
}

TEST(XattrCodec, AnswerBytes) {
    ByteWriter w;
    const std::vector<XattrValue> values = {{1, "ab"}, {3, ""}};
    encode_xattr_answer(w, values);
    EXPECT_EQ(to_hex(w.bytes()), norm("01 02 6162  02 00  00"));
    ByteCursor in(w.bytes());
    ASSERT_TRUE(decode_xattr_num(in, 0));
    auto len = decode_xattr_value_len(in);
    ASSERT_TRUE(len);
    EXPECT_EQ(*len, 2u);
}

TEST(XattrCodec, TableFindsEqualListsOnly) {
    XattrTable table;
    const XattrList a = make_xattr_list({{"user.a", "1"}, {"user.big", std::string(50, 'q')}});
    const XattrList b = make_xattr_list({{"user.a", "2"}, {"user.big", std::string(50, 'q')}});
    EXPECT_FALSE(table.find(a));
    EXPECT_EQ(table.add(a), 0);
    EXPECT_EQ(table.find(a), 0);
    EXPECT_FALSE(table.find(b));
    EXPECT_EQ(table.add(b), 1);
    EXPECT_EQ(table.find(b), 1);
    EXPECT_EQ(table.add(XattrList{}), 2);
    EXPECT_EQ(table.find(XattrList{}), 2);
    // The state of a long value does not make a list different.
    XattrList a2 = a;
    a2[1].state = XattrState::handled;
    EXPECT_EQ(table.find(a2), 0);
}

}  // namespace
}  // namespace ursync::protocol
