// Golden tests on the DATA streams of real rsync 3.5.0 captures: ndx sequences, iflags, sum
// headers, block sums, plain and zstd token streams, stats. Each stream is decoded completely
// (after the file list, which the flist tests cover) and re-encoded to identical bytes.
#include <gtest/gtest.h>
#include <xxhash.h>

#include <array>
#include <sstream>

#include "capture_util.h"
#include "protocol/ndx.h"
#include "protocol/sum_head.h"
#include "protocol/token_plain.h"
#include "protocol/token_zstd.h"

namespace ursync::protocol {
namespace {

using test::Capture;
using test::load_capture;
using test::to_hex;

constexpr int k_xxh128_len = 16;
constexpr uint16_t k_item_transfer = 0x8000;
constexpr uint16_t k_item_basis_type_follows = 0x0800;
constexpr uint16_t k_item_xname_follows = 0x1000;

std::array<std::byte, 16> xxh128(Bytes data, uint64_t seed) {
    const XXH128_hash_t h = XXH3_128bits_withSeed(data.data(), data.size(), seed);
    std::array<std::byte, 16> out{};
    for (size_t i = 0; i < 8; ++i) {
        out[i] = static_cast<std::byte>(h.low64 >> (8 * i));
        out[8 + i] = static_cast<std::byte>(h.high64 >> (8 * i));
    }
    return out;
}

// rsync's weak block checksum (bytes taken as signed chars); test-local reference.
uint32_t weak_sum(Bytes block) {
    uint32_t s1 = 0;
    uint32_t s2 = 0;
    for (std::byte b : block) {
        s1 += static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(b)));
        s2 += s1;
    }
    return (s1 & 0xFFFF) | (s2 << 16);
}

Bytes data_after_first_frame(const std::vector<std::byte>& stream, Bytes muxed) {
    const auto frames = test::walk_frames(muxed);
    return Bytes{stream}.subspan(frames.at(0).payload.size());
}

// The generator -> sender request stream: [filter-list terminator] then ndx/iflags/sum heads
// until `dones` NDX_DONEs have passed; re-encodes everything into `again`.
struct Request {
    int32_t ndx;
    uint16_t iflags;
    SumHead head;
    BlockSums sums;
};

std::vector<Request> read_requests(ByteCursor& in, int dones, ByteWriter& again) {
    std::vector<Request> out;
    NdxState state;
    NdxState state_out;
    while (dones > 0) {
        auto ndx = get_ndx(in, state);
        EXPECT_TRUE(ndx.has_value());
        if (!ndx) break;
        put_ndx(again, state_out, *ndx);
        if (*ndx == k_ndx_done) {
            --dones;
            continue;
        }
        if (*ndx == k_ndx_del_stats) {
            for (int i = 0; i < 5; ++i) put_varint(again, *get_varint(in));
            continue;
        }
        Request r{*ndx, *get_shortint(in), {}, {}};
        put_shortint(again, r.iflags);
        if (r.iflags & k_item_basis_type_follows) put_byte(again, *get_byte(in));
        if (r.iflags & k_item_xname_follows) put_vstring(again, *get_vstring(in, 4096));
        if (r.iflags & k_item_transfer) {
            auto head = get_sum_head(in, k_xxh128_len);
            EXPECT_TRUE(head.has_value());
            r.head = *head;
            r.sums = *get_block_sums(in, r.head);
            put_sum_head(again, r.head);
            for (size_t i = 0; i < r.sums.weak.size(); ++i) {
                put_block_sum(again, r.sums.weak[i], r.sums.strong_of(i));
            }
        }
        out.push_back(std::move(r));
    }
    return out;
}

TEST(CaptureStreams, Delta1RequestsAndBlockSums) {
    const Capture cap = load_capture("delta1", false);
    const auto data = test::data_stream(cap.c2s_muxed(), 9);
    ByteCursor in{Bytes{data}};
    EXPECT_EQ(*get_int(in), 0);  // empty filter list
    ByteWriter again;
    put_int(again, 0);
    const auto requests = read_requests(in, 5, again);
    EXPECT_EQ(in.remaining(), 0u);
    EXPECT_EQ(to_hex(again.bytes()), to_hex(data));
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[0].ndx, 0);
    EXPECT_EQ(requests[0].iflags, 0x0008);
    EXPECT_EQ(requests[1].ndx, 1);
    EXPECT_EQ(requests[1].iflags, 0x8008);
    EXPECT_EQ(requests[1].head, (SumHead{5, 700, 2, 200}));
    // The generator's choice for a 3000-byte basis is the stock heuristic.
    EXPECT_EQ(*sum_head_for(3000, block_len_for(3000), strong_sum_len_for(3000, 700, 16)),
              requests[1].head);
    // The sums are those of the basis file, seeded strong sums truncated to s2length.
    const auto basis = test::read_vector("delta_files/basis.bin");
    ASSERT_EQ(basis.size(), 3000u);
    const auto seed = static_cast<uint64_t>(int64_t{cap.server.seed});
    for (size_t i = 0; i < 5; ++i) {
        const Bytes block = Bytes{basis}.subspan(i * 700, std::min<size_t>(700, 3000 - i * 700));
        EXPECT_EQ(requests[1].sums.weak[i], weak_sum(block)) << i;
        EXPECT_EQ(to_hex(requests[1].sums.strong_of(i)),
                  to_hex(Bytes{xxh128(block, seed)}.first(2)));
    }
}

TEST(CaptureStreams, Delta1TokensRebuildTheSource) {
    const Capture cap = load_capture("delta1", false);
    const auto stream = test::data_stream(cap.s2c_muxed(), 11);
    const Bytes data = data_after_first_frame(stream, cap.s2c_muxed());
    const auto basis = test::read_vector("delta_files/basis.bin");
    const auto source = test::read_vector("delta_files/source.bin");
    ASSERT_EQ(source.size(), 3000u);

    ByteCursor in{data};
    ByteWriter again;
    NdxState state;
    NdxState state_out;
    EXPECT_EQ(*get_ndx(in, state), 0);
    EXPECT_EQ(*get_shortint(in), 0x0008);
    EXPECT_EQ(*get_ndx(in, state), 1);
    EXPECT_EQ(*get_shortint(in), 0x8008);
    put_ndx(again, state_out, 0);
    put_shortint(again, 0x0008);
    put_ndx(again, state_out, 1);
    put_shortint(again, 0x8008);
    const auto head = get_sum_head(in, k_xxh128_len);  // the sender echoes the header
    ASSERT_TRUE(head.has_value());
    EXPECT_TRUE(check_sum_head_covers(*head, static_cast<int64_t>(basis.size())).has_value());
    put_sum_head(again, *head);

    PlainTokenDecoder tokens{head->count};
    std::vector<std::byte> rebuilt;
    std::vector<int32_t> shape;
    for (;;) {
        auto event = tokens.next(in);
        ASSERT_TRUE(event.has_value());
        if (event->kind == TokenEvent::Kind::end) break;
        if (event->kind == TokenEvent::Kind::block) {
            const auto offset = static_cast<size_t>(event->block) * 700;
            const size_t len = std::min<size_t>(700, basis.size() - offset);
            rebuilt.insert(rebuilt.end(), basis.begin() + static_cast<std::ptrdiff_t>(offset),
                           basis.begin() + static_cast<std::ptrdiff_t>(offset + len));
            shape.push_back(event->block);
            put_block_ref(again, event->block);
        } else {
            rebuilt.insert(rebuilt.end(), event->literal.begin(), event->literal.end());
            shape.push_back(-static_cast<int32_t>(event->literal.size()));
            put_literal(again, event->literal);
        }
    }
    put_token_end(again);
    EXPECT_EQ(shape, (std::vector<int32_t>{0, -700, 2, 3, 4}));
    EXPECT_EQ(rebuilt, source);
    const Bytes file_sum = in.take(16);
    EXPECT_EQ(to_hex(file_sum), to_hex(Bytes{xxh128(Bytes{rebuilt}, 0)}));
    again.put(file_sum);

    for (int i = 0; i < 3; ++i) EXPECT_EQ(*get_ndx(in, state), k_ndx_done);
    const int64_t expected_stats[] = {76, 833, 3000, 1, 0};
    for (int64_t v : expected_stats) EXPECT_EQ(*get_varlong(in, 3), v);
    EXPECT_EQ(*get_ndx(in, state), k_ndx_done);
    EXPECT_EQ(in.remaining(), 0u);
    for (int i = 0; i < 3; ++i) put_ndx(again, state_out, k_ndx_done);
    for (int64_t v : expected_stats) put_varlong(again, v, 3);
    put_ndx(again, state_out, k_ndx_done);
    EXPECT_EQ(to_hex(again.bytes()), to_hex(data));
}

TEST(CaptureStreams, PushdelRequestsAndDeleteStats) {
    const Capture cap = load_capture("pushdel", false);
    const auto data = test::data_stream(cap.s2c_muxed(), 4);
    ByteCursor in{Bytes{data}};
    ByteWriter again;
    const auto requests = read_requests(in, 6, again);
    EXPECT_EQ(in.remaining(), 0u);
    EXPECT_EQ(to_hex(again.bytes()), to_hex(data));
    ASSERT_EQ(requests.size(), 2u);
    EXPECT_EQ(requests[1].ndx, 3);
    EXPECT_EQ(requests[1].head, (SumHead{1, 700, 2, 21}));
    EXPECT_NE(to_hex(data).find("ff 02 02 01 00 00 00"), std::string::npos);  // NDX_DEL_STATS
}

// decoded.txt (from the shared annotating decoder) lists every ndx with its bytes: decode them
// in order with one state per direction and compare values, then re-encode.
void check_decoded_ndx_lines(const std::string& cap) {
    std::istringstream lines(test::read_text_vector(cap + "/decoded.txt"));
    std::string line;
    NdxState state;
    NdxState state_out;
    int seen = 0;
    while (std::getline(lines, line)) {
        if (line.rfind("====", 0) == 0) {
            state = NdxState{};
            state_out = NdxState{};
            continue;
        }
        const size_t at = line.find(" ndx=");
        if (at == std::string::npos) continue;
        const std::string rest = line.substr(at + 5);
        const int32_t value = rest.rfind("NDX_DONE", 0) == 0 ? -1 : std::stoi(rest);
        const size_t open = line.rfind('[');
        const auto bytes = test::hex(line.substr(open + 1, line.rfind(']') - open - 1));
        ByteCursor in{Bytes{bytes}};
        auto got = get_ndx(in, state);
        ASSERT_TRUE(got.has_value()) << line;
        EXPECT_EQ(*got, value) << line;
        EXPECT_EQ(in.remaining(), 0u) << line;
        ByteWriter again;
        put_ndx(again, state_out, value);
        EXPECT_EQ(again.bytes(), bytes) << line;
        ++seen;
    }
    EXPECT_EQ(seen, 25) << cap;
}

TEST(CaptureStreams, Push1NdxSequences) {
    check_decoded_ndx_lines("push1");
}
TEST(CaptureStreams, Pull1NdxSequences) {
    check_decoded_ndx_lines("pull1");
}

TEST(CaptureStreams, Pull1RequestStream) {
    const Capture cap = load_capture("pull1", false);
    const auto data = test::data_stream(cap.c2s_muxed(), 1);
    ByteCursor in{Bytes{data}};
    EXPECT_EQ(*get_int(in), 0);
    ByteWriter again;
    put_int(again, 0);
    const auto requests = read_requests(in, 6, again);
    EXPECT_EQ(in.remaining(), 0u);
    EXPECT_EQ(to_hex(again.bytes()), to_hex(data));
    for (const auto& r : requests) {
        if (r.iflags & k_item_transfer) {
            EXPECT_EQ(r.head, SumHead{});  // new files: no basis
        }
    }
}

TEST(CaptureStreams, Z1ZstdTokenStream) {
    const Capture cap = load_capture("z1", true);
    const auto stream = test::data_stream(cap.s2c_muxed(), 13);
    const Bytes data = data_after_first_frame(stream, cap.s2c_muxed());
    ByteCursor in{data};
    NdxState state;
    ZstdTokenDecoder decoder;
    ZstdTokenEncoder encoder;
    std::vector<std::string> files;
    int dones = 0;
    while (dones < 4) {
        auto ndx = get_ndx(in, state);
        ASSERT_TRUE(ndx.has_value());
        if (*ndx == k_ndx_done) {
            ++dones;
            continue;
        }
        const uint16_t iflags = *get_shortint(in);
        if (!(iflags & k_item_transfer)) continue;
        const auto head = get_sum_head(in, k_xxh128_len);
        ASSERT_TRUE(head.has_value());
        EXPECT_EQ(*head, SumHead{});
        const size_t tokens_start = in.position();
        decoder.begin_file(head->count);
        std::vector<std::byte> literal;
        for (;;) {
            auto event = decoder.next(in);
            ASSERT_TRUE(event.has_value()) << event.error().what;
            ASSERT_NE(event->kind, TokenEvent::Kind::block);
            if (event->kind == TokenEvent::Kind::end) break;
            literal.insert(literal.end(), event->literal.begin(), event->literal.end());
        }
        const Bytes captured_tokens = data.subspan(tokens_start, in.position() - tokens_start);
        EXPECT_EQ(to_hex(in.take(16)), to_hex(Bytes{xxh128(Bytes{literal}, 0)}));
        // ursync's encoder (same zstd level, same session-wide stream) sends the same bytes.
        ByteWriter again;
        ASSERT_TRUE(encoder.send(again, Bytes{literal}, k_token_end).has_value());
        EXPECT_EQ(to_hex(again.bytes()), to_hex(captured_tokens));
        files.emplace_back(reinterpret_cast<const char*>(literal.data()), literal.size());
    }
    EXPECT_EQ(files,
              (std::vector<std::string>{"hello world\n", "second file contents\n", "nested\n"}));
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(get_varlong(in, 3).has_value());
    EXPECT_EQ(*get_ndx(in, state), k_ndx_done);
    EXPECT_EQ(in.remaining(), 0u);
}

}  // namespace
}  // namespace ursync::protocol
