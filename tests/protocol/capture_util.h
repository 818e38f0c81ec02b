// Splits a captured rsync 3.5.0 session (tests/protocol/vectors/<cap>/{c2s,s2c}.bin) into its
// raw handshake part and its multiplexed part, using the wire codecs under test.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/handshake.h"
#include "protocol/mux_frame.h"
#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol::test {

struct HandshakeSide {
    int32_t version = 0;
    uint32_t compat = 0;  // s2c only
    std::string checksum_list;
    std::string compress_list;  // empty unless compressing
    int32_t seed = 0;           // s2c only
    size_t raw_len = 0;         // bytes before multiplexing starts
};

// Reads the raw start of one direction; `server` selects the s2c layout.
inline HandshakeSide read_handshake(Bytes raw, bool server, bool compress) {
    HandshakeSide side;
    ByteCursor in{raw};
    side.version = *get_int(in);
    if (server) side.compat = *get_compat_flags(in);
    side.checksum_list = *get_name_list(in, NameKind::checksum);
    if (compress) side.compress_list = *get_name_list(in, NameKind::compress);
    if (server) side.seed = *get_int(in);
    side.raw_len = in.position();
    return side;
}

struct Frame {
    FrameHeader header;
    Bytes payload;
};

// Walks the multiplexed part frame by frame (header codec only).
inline std::vector<Frame> walk_frames(Bytes muxed) {
    std::vector<Frame> frames;
    ByteCursor in{muxed};
    while (in.remaining() > 0) {
        auto header = get_frame_header(in);
        EXPECT_TRUE(header.has_value());
        if (!header) break;
        EXPECT_TRUE(check_frame_len(*header, false).has_value());
        EXPECT_TRUE(in.has(header->len));
        frames.push_back(Frame{*header, in.take(header->len)});
    }
    return frames;
}

// The DATA stream of a multiplexed part, through MuxDecoder fed in `step`-byte pieces.
inline std::vector<std::byte> data_stream(Bytes muxed, size_t step,
                                          std::vector<MuxEvent>* messages = nullptr) {
    MuxDecoder decoder;
    std::vector<std::byte> data;
    for (size_t pos = 0; pos < muxed.size(); pos += step) {
        std::vector<MuxEvent> events;
        auto ok = decoder.feed(muxed.subspan(pos, std::min(step, muxed.size() - pos)), events);
        EXPECT_TRUE(ok.has_value());
        for (auto& e : events) {
            if (e.code == MsgCode::data) {
                data.insert(data.end(), e.data.begin(), e.data.end());
            } else if (messages) {
                messages->push_back(std::move(e));
            }
        }
    }
    EXPECT_TRUE(decoder.at_frame_boundary());
    return data;
}

struct Capture {
    std::vector<std::byte> c2s;
    std::vector<std::byte> s2c;
    HandshakeSide client;
    HandshakeSide server;

    Bytes c2s_muxed() const { return Bytes{c2s}.subspan(client.raw_len); }
    Bytes s2c_muxed() const { return Bytes{s2c}.subspan(server.raw_len); }
};

inline Capture load_capture(const std::string& name, bool compress) {
    Capture cap;
    cap.c2s = read_vector(name + "/c2s.bin");
    cap.s2c = read_vector(name + "/s2c.bin");
    EXPECT_FALSE(cap.c2s.empty()) << name;
    EXPECT_FALSE(cap.s2c.empty()) << name;
    cap.client = read_handshake(Bytes{cap.c2s}, false, compress);
    cap.server = read_handshake(Bytes{cap.s2c}, true, compress);
    return cap;
}

}  // namespace ursync::protocol::test
