// Tests for the integer and vstring codecs: every example of rsync-protocol.md §4, round trips,
// truncation and overflow rejection.
#include "protocol/varint.h"

#include <gtest/gtest.h>

#include <limits>

#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

std::string varint_hex(int32_t v) {
    ByteWriter out;
    put_varint(out, v);
    return to_hex(out.bytes());
}

std::string varlong_hex(int64_t v, int min_bytes) {
    ByteWriter out;
    put_varlong(out, v, min_bytes);
    return to_hex(out.bytes());
}

int32_t decode_varint(std::string_view text) {
    const auto bytes = hex(text);
    ByteCursor in{Bytes{bytes}};
    auto v = get_varint(in);
    EXPECT_TRUE(v.has_value());
    EXPECT_EQ(in.remaining(), 0u);
    return v ? *v : 0;
}

int64_t decode_varlong(std::string_view text, int min_bytes) {
    const auto bytes = hex(text);
    ByteCursor in{Bytes{bytes}};
    auto v = get_varlong(in, min_bytes);
    EXPECT_TRUE(v.has_value());
    EXPECT_EQ(in.remaining(), 0u);
    return v ? *v : 0;
}

TEST(Varint, DocumentedExamples) {
    const std::pair<int32_t, const char*> cases[] = {
        {0, "00"},
        {127, "7f"},
        {128, "80 80"},
        {0x1ff, "81 ff"},
        {3073, "8c 01"},
        {16384, "c0 00 40"},
        {65534, "c0 fe ff"},
        {998900389, "f0 a5 02 8a 3b"},
        {-1, "f0 ff ff ff ff"},
    };
    for (const auto& [value, text] : cases) {
        EXPECT_EQ(varint_hex(value), text) << value;
        EXPECT_EQ(decode_varint(text), value) << text;
    }
}

TEST(Varint, SizeBoundaries) {
    const std::pair<int32_t, size_t> cases[] = {
        {0x7F, 1},
        {0x80, 2},
        {0x3FFF, 2},
        {0x4000, 3},
        {0x1FFFFF, 3},
        {0x200000, 4},
        {0x0FFFFFFF, 4},
        {0x10000000, 5},
        {std::numeric_limits<int32_t>::min(), 5},
        {std::numeric_limits<int32_t>::max(), 5},
    };
    for (const auto& [value, size] : cases) {
        ByteWriter out;
        put_varint(out, value);
        ASSERT_EQ(out.size(), size) << value;
        EXPECT_EQ(varint_size(static_cast<uint8_t>(out.bytes()[0])), size) << value;
        ByteCursor in{Bytes{out.bytes()}};
        auto back = get_varint(in);
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(*back, value);
    }
}

TEST(Varint, RoundTripsAcrossRange) {
    for (int64_t v = std::numeric_limits<int32_t>::min(); v <= std::numeric_limits<int32_t>::max();
         v += 65521 * 7) {
        ByteWriter out;
        put_varint(out, static_cast<int32_t>(v));
        ByteCursor in{Bytes{out.bytes()}};
        auto back = get_varint(in);
        ASSERT_TRUE(back.has_value());
        ASSERT_EQ(*back, static_cast<int32_t>(v));
    }
}

TEST(Varint, RejectsFiveLeadingOnes) {
    for (unsigned lead = 0xF8; lead <= 0xFF; ++lead) {
        auto bytes = hex("00 00 00 00 00 00 00 00");
        bytes.insert(bytes.begin(), static_cast<std::byte>(lead));
        ByteCursor in{Bytes{bytes}};
        auto v = get_varint(in);
        ASSERT_FALSE(v.has_value());
        EXPECT_EQ(v.error().kind, WireError::Kind::malformed);
        EXPECT_EQ(varint_size(static_cast<uint8_t>(lead)), 0u);
    }
}

TEST(Varint, FourExtraBytesIgnoreLeadLowBits) {
    // rsync keeps only 32 bits: the lead's low bits would be a fifth byte and are dropped.
    EXPECT_EQ(decode_varint("f7 01 00 00 00"), 1);
}

TEST(Varint, TruncatedIsIncomplete) {
    const char* cases[] = {"", "80", "c0 00", "e0 00 00", "f0 ff ff ff"};
    for (const char* text : cases) {
        const auto bytes = hex(text);
        ByteCursor in{Bytes{bytes}};
        auto v = get_varint(in);
        ASSERT_FALSE(v.has_value()) << text;
        EXPECT_TRUE(v.error().incomplete()) << text;
    }
}

TEST(Varlong, DocumentedExamples) {
    struct Case {
        int64_t value;
        int min_bytes;
        const char* text;
    };
    const Case cases[] = {
        {4096, 3, "00 00 10"},
        {21, 3, "00 15 00"},
        {1704164645, 4, "65 25 7d 93"},
        {8388608, 3, "80 00 00 80"},
        {0xFFFFFFFF, 3, "c0 ff ff ff ff"},
        {int64_t{1} << 31, 4, "80 00 00 00 80"},
        {int64_t{1} << 40, 3, "e1 00 00 00 00 00"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(varlong_hex(c.value, c.min_bytes), c.text) << c.value;
        EXPECT_EQ(decode_varlong(c.text, c.min_bytes), c.value) << c.text;
    }
}

TEST(Varlong, RoundTripsExtremes) {
    const int64_t values[] = {0,
                              1,
                              -1,
                              0x7FFFFF,
                              0x800000,
                              int64_t{1} << 55,
                              (int64_t{1} << 56) - 1,
                              int64_t{1} << 62,
                              std::numeric_limits<int64_t>::max(),
                              std::numeric_limits<int64_t>::min()};
    for (int min_bytes = k_varlong_min_bytes_min; min_bytes <= k_varlong_min_bytes_max;
         ++min_bytes) {
        for (int64_t v : values) {
            ByteWriter out;
            put_varlong(out, v, min_bytes);
            ASSERT_LE(out.size(), k_varlong_size_max);
            EXPECT_EQ(varlong_size(static_cast<uint8_t>(out.bytes()[0]), min_bytes), out.size());
            ByteCursor in{Bytes{out.bytes()}};
            auto back = get_varlong(in, min_bytes);
            ASSERT_TRUE(back.has_value()) << v << " min " << min_bytes;
            EXPECT_EQ(*back, v) << " min " << min_bytes;
            EXPECT_EQ(in.remaining(), 0u);
        }
    }
}

TEST(Varlong, RejectsOverflowAndBadWidth) {
    // min 4 + 6 extra = 10 bytes: more than 64 bits, rsync aborts.
    const auto bytes = hex("fc 00 00 00 00 00 00 00 00 00");
    ByteCursor in{Bytes{bytes}};
    auto v = get_varlong(in, 4);
    ASSERT_FALSE(v.has_value());
    EXPECT_EQ(v.error().kind, WireError::Kind::malformed);
    EXPECT_EQ(varlong_size(0xFC, 4), 0u);
    EXPECT_EQ(varlong_size(0xFC, 3), 9u);
    ByteCursor in2{Bytes{bytes}};
    EXPECT_FALSE(get_varlong(in2, 2).has_value());
    EXPECT_EQ(varlong_size(0, 9), 0u);
}

TEST(Varlong, TruncatedIsIncomplete) {
    const char* cases[] = {"", "00 00", "80 00 00", "e1 00 00 00 00"};
    for (const char* text : cases) {
        const auto bytes = hex(text);
        ByteCursor in{Bytes{bytes}};
        auto v = get_varlong(in, 3);
        ASSERT_FALSE(v.has_value()) << text;
        EXPECT_TRUE(v.error().incomplete()) << text;
    }
}

TEST(FixedInts, LittleEndian) {
    ByteWriter out;
    put_byte(out, 0xAB);
    put_shortint(out, 0xA000);
    put_int(out, -123456);
    EXPECT_EQ(to_hex(out.bytes()), "ab 00 a0 c0 1d fe ff");
    ByteCursor in{Bytes{out.bytes()}};
    EXPECT_EQ(*get_byte(in), 0xAB);
    EXPECT_EQ(*get_shortint(in), 0xA000);
    EXPECT_EQ(*get_int(in), -123456);
    EXPECT_TRUE(get_byte(in).error().incomplete());
    EXPECT_TRUE(get_shortint(in).error().incomplete());
    EXPECT_TRUE(get_int(in).error().incomplete());
}

TEST(Longint, SmallAndLarge) {
    const std::pair<int64_t, const char*> cases[] = {
        {5, "05 00 00 00"},
        {0x7FFFFFFF, "ff ff ff 7f"},
        {int64_t{1} << 32, "ff ff ff ff 00 00 00 00 01 00 00 00"},
        {-2, "ff ff ff ff fe ff ff ff ff ff ff ff"},
    };
    for (const auto& [value, text] : cases) {
        ByteWriter out;
        put_longint(out, value);
        EXPECT_EQ(to_hex(out.bytes()), text);
        const auto bytes = hex(text);
        ByteCursor in{Bytes{bytes}};
        auto back = get_longint(in);
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(*back, value);
    }
    const auto cut = hex("ff ff ff ff 00 00");
    ByteCursor in{Bytes{cut}};
    EXPECT_TRUE(get_longint(in).error().incomplete());
}

TEST(Vstring, ShortAndLongPrefix) {
    ByteWriter out;
    put_vstring(out, "md5");
    EXPECT_EQ(to_hex(out.bytes()), "03 6d 64 35");
    const std::string long_text(0x123, 'x');
    ByteWriter out2;
    put_vstring(out2, long_text);
    ASSERT_EQ(out2.size(), 0x125u);
    EXPECT_EQ(to_hex(Bytes{out2.bytes()}.first(2)), "81 23");  // big-endian length
    ByteCursor in{Bytes{out2.bytes()}};
    auto back = get_vstring(in, k_vstring_len_max);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, long_text);
}

TEST(Vstring, RejectsOverLimitAndTruncation) {
    const auto bytes = hex("81 23");
    ByteCursor in{Bytes{bytes}};
    auto v = get_vstring(in, 255);
    ASSERT_FALSE(v.has_value());
    EXPECT_EQ(v.error().kind, WireError::Kind::malformed);
    ByteCursor in2{Bytes{bytes}};
    EXPECT_TRUE(get_vstring(in2, 0x7FFF).error().incomplete());
    const auto half = hex("81");
    ByteCursor in3{Bytes{half}};
    EXPECT_TRUE(get_vstring(in3, 0x7FFF).error().incomplete());
}

}  // namespace
}  // namespace ursync::protocol
