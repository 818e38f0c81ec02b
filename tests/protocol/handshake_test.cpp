// Tests for the start-up values: version rule, -e letters, compat flags, name negotiation.
#include "protocol/handshake.h"

#include <gtest/gtest.h>

#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

TEST(ProtocolVersion, MinRuleAndLimits) {
    EXPECT_EQ(*negotiate_protocol_version(32, 32), 32);
    EXPECT_EQ(*negotiate_protocol_version(32, 31), 31);
    EXPECT_EQ(*negotiate_protocol_version(31, 32), 31);
    EXPECT_EQ(*negotiate_protocol_version(32, 40), 32);
    EXPECT_EQ(*negotiate_protocol_version(32, 30), 30);
    for (int32_t bad : {19, 41, 0, -1, 0x6c6c6548 /* "Hell" of a login banner */}) {
        auto r = negotiate_protocol_version(32, bad);
        ASSERT_FALSE(r.has_value()) << bad;
        EXPECT_EQ(r.error().kind, WireError::Kind::version);
        EXPECT_EQ(r.error().exit_code(), ExitCode::protocol);
        EXPECT_NE(r.error().what.find("is your shell clean?"), std::string::npos);
    }
    auto old = negotiate_protocol_version(32, 29);
    ASSERT_FALSE(old.has_value());
    EXPECT_EQ(old.error().kind, WireError::Kind::version);
}

TEST(Capabilities, StockClientString) {
    const auto caps = parse_capabilities(".iLsfxCIvu");
    EXPECT_TRUE(caps.inc_recurse && caps.symlink_times && caps.symlink_iconv && caps.safe_flist &&
                caps.avoid_xattr_optim && caps.chksum_seed_fix && caps.inplace_partial_dir &&
                caps.varint_flist_flags && caps.id0_names);
    EXPECT_FALSE(caps.old_varint_flist_flags);
    EXPECT_EQ(caps.prerelease_protocol, 0);
    EXPECT_EQ(format_capabilities(caps), ".iLsfxCIvu");
    const auto no_inc = parse_capabilities(".LsfxCIvuQ");  // unknown letter ignored
    EXPECT_FALSE(no_inc.inc_recurse);
    EXPECT_EQ(format_capabilities(no_inc), ".LsfxCIvu");
}

TEST(Capabilities, PrereleaseVersion) {
    const auto caps = parse_capabilities("32.1iLsfxCIvu");
    EXPECT_EQ(caps.prerelease_protocol, 32);
    EXPECT_EQ(caps.prerelease_sub, 1);
    EXPECT_TRUE(caps.inc_recurse);
    EXPECT_EQ(server_protocol_for(32, caps), 31);
    EXPECT_EQ(server_protocol_for(32, parse_capabilities("31.2iv")), 30);
    EXPECT_EQ(server_protocol_for(32, parse_capabilities("33.1iv")), 32);
    EXPECT_EQ(server_protocol_for(32, parse_capabilities("32.0iv")), 32);
    EXPECT_EQ(server_protocol_for(32, parse_capabilities(".iv")), 32);
}

TEST(CompatFlags, StockServerAnswers) {
    const ServerFacts stock{true, true, true};
    auto all = server_compat_flags(parse_capabilities(".iLsfxCIvu"), stock);
    EXPECT_EQ(all.flags, 0x1FFu);
    EXPECT_TRUE(all.negotiate_strings);
    ByteWriter out;
    put_compat_flags(out, all);
    EXPECT_EQ(to_hex(out.bytes()), "81 ff");  // push1/pull1 captures
    auto no_inc = server_compat_flags(parse_capabilities(".LsfxCIvu"), stock);
    EXPECT_EQ(no_inc.flags, 0x1FEu);  // delta1 capture: 81 fe
    ServerFacts no_recursion = stock;
    no_recursion.allow_inc_recurse = false;
    EXPECT_EQ(server_compat_flags(parse_capabilities(".iLsfxCIvu"), no_recursion).flags, 0x1FEu);
    // An old 3.2.0 client without 'u' never gets CF_ID0_NAMES.
    EXPECT_EQ(server_compat_flags(parse_capabilities(".iLsfxCIv"), stock).flags & k_cf_id0_names,
              0u);
}

TEST(CompatFlags, PrereleaseVWritesOneByte) {
    auto compat =
        server_compat_flags(parse_capabilities(".iLsfxCIV"), ServerFacts{true, true, false});
    EXPECT_TRUE(compat.as_byte);
    EXPECT_FALSE(compat.negotiate_strings);
    ByteWriter out;
    put_compat_flags(out, compat);
    // Only a pre-release client (which reads a raw byte) sends 'V'.
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(static_cast<uint32_t>(out.bytes()[0]), compat.flags & 0xFF);
    EXPECT_EQ(compat.flags & k_cf_varint_flist_flags, k_cf_varint_flist_flags);
}

TEST(NameLists, Defaults) {
    EXPECT_EQ(default_name_list(NameKind::checksum, Role::client),
              "xxh128 xxh3 xxh64 md5 md4 sha1");
    EXPECT_EQ(default_name_list(NameKind::checksum, Role::server),
              "xxh128 xxh3 xxh64 md5 md4 sha1 none");
    EXPECT_EQ(default_name_list(NameKind::compress, Role::client), "zstd");
    EXPECT_EQ(default_name_list(NameKind::compress, Role::server), "zstd none");
}

TEST(NameLists, CanonicalNames) {
    EXPECT_EQ(*canonical_name(NameKind::checksum, "XXHASH"), "xxh64");
    EXPECT_EQ(*canonical_name(NameKind::checksum, "Md5"), "md5");
    EXPECT_FALSE(canonical_name(NameKind::checksum, "sha256").has_value());
    EXPECT_FALSE(canonical_name(NameKind::compress, "zlib").has_value());
    EXPECT_EQ(*canonical_name(NameKind::compress, "ZSTD"), "zstd");
}

TEST(Negotiation, AgainstStockLists) {
    const std::string stock_client = "xxh128 xxh3 xxh64 md5 md4 sha1";
    const std::string stock_server = "xxh128 xxh3 xxh64 md5 md4 sha1 none";
    const auto our_client = default_name_list(NameKind::checksum, Role::client);
    const auto our_server = default_name_list(NameKind::checksum, Role::server);
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::client, our_client, stock_server), "xxh128");
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::server, our_server, stock_client), "xxh128");
    // An old 3.2.0 peer.
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::client, our_client, "xxh64 md5 md4 none"),
              "xxh64");
    // z1 capture: client offers "zstd lz4 zlibx zlib".
    EXPECT_EQ(
        *choose_name(NameKind::compress, Role::server,
                     default_name_list(NameKind::compress, Role::server), "zstd lz4 zlibx zlib"),
        "zstd");
}

TEST(Negotiation, BestRankInOurListWins) {
    // 3.5.0 rule: the peer's order does not matter, ours does.
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::server, "md5 xxh64", "xxh64 md5"), "md5");
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::client, "xxh128 md5", "MD5  xxhash XXH128"),
              "xxh128");
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::server, "xxh64 md5", "xxhash"), "xxh64");
}

TEST(Negotiation, ClientNeverAcceptsNone) {
    auto r = choose_name(NameKind::checksum, Role::client, "md5 none", "none");
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, WireError::Kind::unsupported);
    EXPECT_EQ(r.error().exit_code(), ExitCode::unsupported);
    EXPECT_EQ(r.error().what.rfind("Failed to negotiate a checksum choice.", 0), 0u);
    EXPECT_EQ(*choose_name(NameKind::compress, Role::server, "zstd none", "none"), "none");
    // A server without -z support beyond "none" cannot satisfy a stock client.
    auto z = choose_name(NameKind::compress, Role::client, "zstd", "lz4 zlibx zlib none");
    ASSERT_FALSE(z.has_value());
    EXPECT_EQ(z.error().what.rfind("Failed to negotiate a compress choice.", 0), 0u);
}

TEST(Negotiation, EmptyOrUnknownFails) {
    EXPECT_FALSE(choose_name(NameKind::checksum, Role::server, "md5", "").has_value());
    EXPECT_FALSE(choose_name(NameKind::checksum, Role::server, "md5", "   ").has_value());
    EXPECT_FALSE(choose_name(NameKind::checksum, Role::server, "md5", "blake3 sha512").has_value());
}

TEST(Negotiation, WithoutVLetter) {
    EXPECT_EQ(*choose_without_negotiation(NameKind::checksum, "xxh128 md5"), "md5");
    EXPECT_FALSE(choose_without_negotiation(NameKind::checksum, "xxh128").has_value());
    auto z = choose_without_negotiation(NameKind::compress, "zstd none");
    ASSERT_FALSE(z.has_value());
    EXPECT_EQ(z.error().kind, WireError::Kind::unsupported);
}

TEST(NameLists, WireForm) {
    ByteWriter out;
    put_name_list(out, "xxh128 xxh3 xxh64 md5 md4 sha1");
    EXPECT_EQ(to_hex(Bytes{out.bytes()}.first(3)), "1e 78 78");
    ByteCursor in{Bytes{out.bytes()}};
    EXPECT_EQ(*get_name_list(in, NameKind::checksum), "xxh128 xxh3 xxh64 md5 md4 sha1");
    std::string long_list(256, 'a');
    ByteWriter big;
    put_vstring(big, long_list);
    ByteCursor in2{Bytes{big.bytes()}};
    auto r = get_name_list(in2, NameKind::checksum);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind, WireError::Kind::unsupported);
    const auto cut = hex("05 6d 64");
    ByteCursor in3{Bytes{cut}};
    EXPECT_TRUE(get_name_list(in3, NameKind::compress).error().incomplete());
}

}  // namespace
}  // namespace ursync::protocol
