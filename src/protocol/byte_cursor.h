// Read and write cursors over byte spans: the only way codecs touch bytes (bounds-checked, no fds).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace ursync::protocol {

using Bytes = std::span<const std::byte>;

// A read position in a span. take() never reads past the end: it reports "not enough" instead.
class ByteCursor {
public:
    explicit ByteCursor(Bytes data) : data_(data) {}

    size_t remaining() const { return data_.size() - pos_; }
    size_t position() const { return pos_; }
    bool has(size_t n) const { return remaining() >= n; }

    // The next n bytes, advancing past them; empty span and no advance if fewer remain.
    Bytes take(size_t n) {
        if (!has(n)) return {};
        Bytes out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    std::byte peek() const { return data_[pos_]; }
    uint8_t take_u8() { return static_cast<uint8_t>(data_[pos_++]); }  // caller checked has(1)

private:
    Bytes data_;
    size_t pos_ = 0;
};

// An append-only output buffer the encoders write into.
class ByteWriter {
public:
    void put_u8(uint8_t v) { out_.push_back(std::byte{v}); }
    void put(Bytes bytes) { out_.insert(out_.end(), bytes.begin(), bytes.end()); }
    void put(std::string_view text) {
        const auto* p = reinterpret_cast<const std::byte*>(text.data());
        out_.insert(out_.end(), p, p + text.size());
    }
    const std::vector<std::byte>& bytes() const { return out_; }
    std::vector<std::byte> take() { return std::move(out_); }
    size_t size() const { return out_.size(); }
    void clear() { out_.clear(); }

private:
    std::vector<std::byte> out_;
};

inline Bytes as_bytes(std::string_view text) {
    return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

}  // namespace ursync::protocol
