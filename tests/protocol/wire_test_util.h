// Helpers shared by the wire codec tests: hex <-> bytes, capture vector paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/byte_cursor.h"

namespace ursync::protocol::test {

// "f0 a5 02" (spaces optional) -> bytes.
inline std::vector<std::byte> hex(std::string_view text) {
    std::vector<std::byte> out;
    int nibble = -1;
    for (char c : text) {
        int v = -1;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        if (v < 0) continue;
        if (nibble < 0) {
            nibble = v;
        } else {
            out.push_back(static_cast<std::byte>(nibble * 16 + v));
            nibble = -1;
        }
    }
    return out;
}

inline std::string to_hex(Bytes bytes) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < bytes.size(); ++i) {
        if (i) out += ' ';
        const auto b = static_cast<unsigned>(bytes[i]);
        out += k_digits[b >> 4];
        out += k_digits[b & 15];
    }
    return out;
}

inline std::string to_hex(const std::vector<std::byte>& bytes) {
    return to_hex(Bytes{bytes});
}

// The bytes of tests/protocol/vectors/<name>; empty if missing (tests assert non-empty).
inline std::vector<std::byte> read_vector(const std::string& name) {
    std::ifstream in(std::string(URSYNC_SOURCE_DIR) + "/tests/protocol/vectors/" + name,
                     std::ios::binary);
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(raw.size());
    for (size_t i = 0; i < raw.size(); ++i) out[i] = static_cast<std::byte>(raw[i]);
    return out;
}

inline std::string read_text_vector(const std::string& name) {
    std::ifstream in(std::string(URSYNC_SOURCE_DIR) + "/tests/protocol/vectors/" + name);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace ursync::protocol::test
