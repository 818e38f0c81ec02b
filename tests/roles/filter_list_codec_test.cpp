// The filter list's wire codec (roles/filter/filter_list_codec.h): the capture's list, limits,
// and "incomplete" without consuming anything until a whole rule is there.
#include "roles/filter/filter_list_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/varint.h"
#include "roles/filter/filter.h"
#include "tests/protocol/wire_test_util.h"

namespace ursync::roles {
namespace {

using protocol::ByteCursor;
using protocol::Bytes;
using protocol::ByteWriter;
using protocol::test::hex;

// The list a stock 3.5.0 client sent in the "filters" capture (shared/protocol/captures).
const std::vector<std::string> k_capture_rules = {"- *.o",  "+ keep/",  "-s hidden", "- /abs",
                                                  "- dir/", ": .rules", "-! notthis"};

TEST(FilterListCodec, DecodesTheCapturedListAndEncodesItBack) {
    const std::vector<std::byte> wire =
        hex("05000000 2d202a2e6f 07000000 2b206b6565702f 09000000 2d732068696464656e"
            "06000000 2d202f616273 06000000 2d206469722f 08000000 3a202e72756c6573"
            "0a000000 2d21206e6f7474686973 00000000");
    ByteCursor in{Bytes{wire}};
    auto rules = get_filter_list(in);
    ASSERT_TRUE(rules);
    EXPECT_EQ(*rules, k_capture_rules);
    EXPECT_EQ(in.remaining(), 0u);
    ByteWriter out;
    put_filter_list(out, k_capture_rules);
    EXPECT_EQ(out.bytes(), wire);
}

TEST(FilterListCodec, AnIncompleteRuleConsumesNothing) {
    ByteWriter out;
    put_filter_list(out, {"- a-rather-long-rule"});
    for (size_t cut = 0; cut < out.size() - 4; ++cut) {
        ByteCursor in{Bytes{out.bytes()}.first(cut)};
        auto rule = get_filter_rule(in);
        ASSERT_FALSE(rule);
        EXPECT_TRUE(rule.error().incomplete()) << cut;
        EXPECT_EQ(in.position(), 0u) << cut;
    }
    ByteCursor whole{Bytes{out.bytes()}};
    auto rule = get_filter_rule(whole);
    ASSERT_TRUE(rule && *rule);
    EXPECT_EQ(**rule, "- a-rather-long-rule");
    auto end = get_filter_rule(whole);
    ASSERT_TRUE(end);
    EXPECT_FALSE(end->has_value());
}

TEST(FilterListCodec, RefusesBadLengths) {
    for (int32_t len : {-1, static_cast<int32_t>(k_filter_rule_len_max) + 1, INT32_MAX}) {
        ByteWriter out;
        protocol::put_int(out, len);
        ByteCursor in{Bytes{out.bytes()}};
        auto rule = get_filter_rule(in);
        ASSERT_FALSE(rule);
        EXPECT_FALSE(rule.error().incomplete()) << len;
        EXPECT_NE(rule.error().what.find("invalid length"), std::string::npos);
        EXPECT_EQ(rule.error().exit_code(), ExitCode::malloc);  // rsync's recv_rules: exit 22
    }
}

TEST(FilterListCodec, RefusesMoreRulesThanTheLimit) {
    std::vector<std::string> rules(k_filter_rule_count_max, "- x");
    ByteWriter out;
    put_filter_list(out, rules);
    ByteCursor in{Bytes{out.bytes()}};
    EXPECT_TRUE(get_filter_list(in));
    rules.emplace_back("- y");
    out.clear();
    put_filter_list(out, rules);
    ByteCursor more{Bytes{out.bytes()}};
    auto got = get_filter_list(more);
    ASSERT_FALSE(got);
    EXPECT_FALSE(got.error().incomplete());
}

}  // namespace
}  // namespace ursync::roles
