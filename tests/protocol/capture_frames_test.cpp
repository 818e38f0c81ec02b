// Golden tests on real rsync 3.5.0 captures: the handshake bytes and every multiplex frame of
// push1, pull1, delta1, z1 and pushdel decode as expected and re-encode to identical bytes.
#include <gtest/gtest.h>

#include "capture_util.h"

namespace ursync::protocol {
namespace {

using test::Capture;
using test::load_capture;

struct CaseSpec {
    const char* name;
    const char* e_option;  // the client's -e letters, from argv.txt
    bool recursive_inc;    // the server would allow incremental recursion
    bool compress;
    uint32_t compat;
};

const CaseSpec k_cases[] = {
    {"push1", ".iLsfxCIvu", true, false, 0x1FF},   {"pull1", ".iLsfxCIvu", true, false, 0x1FF},
    {"delta1", ".LsfxCIvu", true, false, 0x1FE},   {"z1", ".iLsfxCIvu", true, true, 0x1FF},
    {"pushdel", ".iLsfxCIvu", true, false, 0x1FF},
};

class CaptureFrames : public ::testing::TestWithParam<CaseSpec> {};

TEST_P(CaptureFrames, HandshakeDecodesAndReencodes) {
    const CaseSpec& spec = GetParam();
    const Capture cap = load_capture(spec.name, spec.compress);
    const std::string argv = test::read_text_vector(std::string(spec.name) + "/argv.txt");
    ASSERT_NE(argv.find(std::string("e") + spec.e_option), std::string::npos);

    EXPECT_EQ(cap.client.version, 32);
    EXPECT_EQ(cap.server.version, 32);
    EXPECT_EQ(*negotiate_protocol_version(k_protocol_version_max, cap.server.version), 32);
    EXPECT_EQ(cap.server.compat, spec.compat);
    EXPECT_EQ(cap.client.checksum_list, default_name_list(NameKind::checksum, Role::client));
    EXPECT_EQ(cap.server.checksum_list, default_name_list(NameKind::checksum, Role::server));

    // What ursync would send in each role, byte for byte.
    const auto caps = parse_capabilities(spec.e_option);
    const auto compat = server_compat_flags(caps, ServerFacts{spec.recursive_inc, true, true});
    ByteWriter server_out;
    put_int(server_out, k_protocol_version_max);
    put_compat_flags(server_out, compat);
    put_name_list(server_out, default_name_list(NameKind::checksum, Role::server));
    if (spec.compress) put_name_list(server_out, cap.server.compress_list);
    put_int(server_out, cap.server.seed);
    EXPECT_EQ(test::to_hex(server_out.bytes()),
              test::to_hex(Bytes{cap.s2c}.first(cap.server.raw_len)));
    ByteWriter client_out;
    put_int(client_out, k_protocol_version_max);
    put_name_list(client_out, default_name_list(NameKind::checksum, Role::client));
    if (spec.compress) put_name_list(client_out, cap.client.compress_list);
    EXPECT_EQ(test::to_hex(client_out.bytes()),
              test::to_hex(Bytes{cap.c2s}.first(cap.client.raw_len)));

    // Both sides agree on xxh128 (and zstd for z1) whichever role ursync plays.
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::client, cap.client.checksum_list,
                           cap.server.checksum_list),
              "xxh128");
    EXPECT_EQ(*choose_name(NameKind::checksum, Role::server, cap.server.checksum_list,
                           cap.client.checksum_list),
              "xxh128");
    if (spec.compress) {
        EXPECT_EQ(cap.client.compress_list, "zstd lz4 zlibx zlib");
        EXPECT_EQ(cap.server.compress_list, "zstd lz4 zlibx zlib none");
        EXPECT_EQ(*choose_name(NameKind::compress, Role::client,
                               default_name_list(NameKind::compress, Role::client),
                               cap.server.compress_list),
                  "zstd");
        EXPECT_EQ(*choose_name(NameKind::compress, Role::server,
                               default_name_list(NameKind::compress, Role::server),
                               cap.client.compress_list),
                  "zstd");
    }
}

TEST_P(CaptureFrames, EveryFrameDecodesAndReencodes) {
    const CaseSpec& spec = GetParam();
    const Capture cap = load_capture(spec.name, spec.compress);
    for (Bytes muxed : {cap.c2s_muxed(), cap.s2c_muxed()}) {
        const auto frames = test::walk_frames(muxed);
        ASSERT_FALSE(frames.empty());
        ByteWriter again;
        std::vector<std::byte> data;
        size_t message_count = 0;
        for (const auto& f : frames) {
            put_frame_header(again, f.header.code, f.header.len);
            again.put(f.payload);
            if (f.header.code == MsgCode::data) {
                data.insert(data.end(), f.payload.begin(), f.payload.end());
            } else {
                ++message_count;
            }
        }
        EXPECT_EQ(test::to_hex(again.bytes()), test::to_hex(muxed));
        // The streaming decoder gives the same stream however the bytes arrive.
        for (size_t step : {size_t{1}, size_t{2}, size_t{3}, size_t{5}, size_t{64}, muxed.size()}) {
            std::vector<MuxEvent> messages;
            EXPECT_EQ(test::data_stream(muxed, step, &messages), data) << spec.name << " " << step;
            EXPECT_EQ(messages.size(), message_count);
        }
    }
}

TEST(CaptureFramesPushdel, DeletedMessages) {
    const Capture cap = load_capture("pushdel", false);
    std::vector<MuxEvent> messages;
    test::data_stream(cap.s2c_muxed(), 7, &messages);
    ASSERT_EQ(messages.size(), 3u);
    for (const auto& m : messages) EXPECT_EQ(m.code, MsgCode::deleted);
    EXPECT_EQ(message_text(messages[0]), "olddir/f");
    EXPECT_EQ(message_text(messages[1]), std::string_view("olddir\0", 7));  // a directory
    EXPECT_EQ(message_text(messages[2]), "stale.txt");
}

INSTANTIATE_TEST_SUITE_P(Captures, CaptureFrames, ::testing::ValuesIn(k_cases),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

}  // namespace
}  // namespace ursync::protocol
