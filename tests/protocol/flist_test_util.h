// Helpers for the checksum and file-list tests: capture files and a test-only MSG_DATA unframer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/byte_cursor.h"

namespace ursync::protocol::flist_test {

using ByteVec = std::vector<std::byte>;

inline std::string vector_path(const std::string& name) {
    return std::string(URSYNC_SOURCE_DIR) + "/tests/protocol/vectors/" + name;
}

// The whole file tests/protocol/vectors/<name>; throws if it cannot be read (the test fails).
inline ByteVec read_bytes(const std::string& name) {
    std::ifstream in(vector_path(name), std::ios::binary);
    if (!in) throw std::runtime_error("missing test vector " + name);
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ByteVec out(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) out[i] = static_cast<std::byte>(raw[i]);
    return out;
}

inline std::string read_text(const std::string& name) {
    std::ifstream in(vector_path(name));
    if (!in) throw std::runtime_error("missing test vector " + name);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Test-only demultiplexer: starting at `offset` (the first frame header after the handshake),
// concatenates the payloads of MSG_DATA frames (tag byte 0x07) and skips every other frame.
// A truncated last frame contributes what is present.
inline ByteVec data_stream(const ByteVec& raw, size_t offset) {
    ByteVec out;
    size_t p = offset;
    while (p + 4 <= raw.size()) {
        const size_t len = static_cast<size_t>(raw[p]) | static_cast<size_t>(raw[p + 1]) << 8 |
                           static_cast<size_t>(raw[p + 2]) << 16;
        const auto tag = static_cast<unsigned>(raw[p + 3]);
        const size_t body = p + 4;
        const size_t end = body + len < raw.size() ? body + len : raw.size();
        if (tag == 0x07)
            out.insert(out.end(), raw.begin() + static_cast<std::ptrdiff_t>(body),
                       raw.begin() + static_cast<std::ptrdiff_t>(end));
        p = body + len;
    }
    return out;
}

inline uint32_t le32(const ByteVec& b, size_t at) {
    return static_cast<uint32_t>(b.at(at)) | static_cast<uint32_t>(b.at(at + 1)) << 8 |
           static_cast<uint32_t>(b.at(at + 2)) << 16 | static_cast<uint32_t>(b.at(at + 3)) << 24;
}

// Position of `needle` in `hay` at or after `from`, or npos.
inline size_t find(const ByteVec& hay, const ByteVec& needle, size_t from = 0) {
    if (needle.empty() || hay.size() < needle.size()) return std::string::npos;
    for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
        bool hit = true;
        for (size_t k = 0; k < needle.size() && hit; ++k) hit = hay[i + k] == needle[k];
        if (hit) return i;
    }
    return std::string::npos;
}

inline ByteVec le32_bytes(std::initializer_list<uint32_t> values) {
    ByteVec out;
    for (uint32_t v : values) {
        for (int s = 0; s < 32; s += 8) out.push_back(static_cast<std::byte>((v >> s) & 0xFF));
    }
    return out;
}

inline std::string to_hex(Bytes bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    for (std::byte b : bytes) {
        const auto v = static_cast<unsigned>(b);
        out += k_digits[v >> 4];
        out += k_digits[v & 15];
    }
    return out;
}

}  // namespace ursync::protocol::flist_test
