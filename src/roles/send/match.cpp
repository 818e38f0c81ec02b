// The delta search: rsync's hash table and rolling match loop, resumable over a sliding window.
#include "roles/send/match.h"

#include <algorithm>
#include <cstring>

#include "protocol/rolling.h"
#include "protocol/token_event.h"
#include "protocol/token_plain.h"
#include "protocol/varint.h"

namespace ursync::roles {

using protocol::Bytes;
using protocol::WireResult;

namespace {

constexpr uint32_t k_traditional_table_size = 1u << 16;
constexpr int64_t k_chunk = protocol::k_literal_chunk_len_max;

uint32_t sum2hash2(uint32_t s1, uint32_t s2) {
    return (s1 + s2) & 0xFFFFu;
}

}  // namespace

void TokenSink::append_to(protocol::ByteWriter& out) const {
    size_t at = 0;
    for (const Piece& p : pieces) {
        out.put(Bytes(bytes.bytes()).subspan(at, p.bytes_end - at));
        out.put(p.literal);
        at = p.bytes_end;
    }
    out.put(Bytes(bytes.bytes()).subspan(at));
}

WireResult<void> TokenOut::emit(TokenSink& out, Bytes literal, int32_t token) const {
    if (zstd) return zstd->send(out.bytes, literal, token);
    // protocol::put_literal's runs, with each run's bytes referenced instead of copied.
    while (!literal.empty()) {
        const size_t n = std::min(literal.size(), static_cast<size_t>(k_chunk));
        protocol::put_int(out.bytes, static_cast<int32_t>(n));
        out.add_literal(literal.first(n));
        literal = literal.subspan(n);
    }
    if (token >= 0)
        protocol::put_block_ref(out.bytes, token);
    else if (token == protocol::k_token_end)
        protocol::put_token_end(out.bytes);
    return {};
}

DeltaMatcher::DeltaMatcher(const protocol::BlockSums& sums, int64_t file_len, Config config)
    : sums_(sums), len_(file_len), config_(config) {}

// mirrors rsync match.c:build_hash_table
void DeltaMatcher::build_table() {
    const int32_t count = sums_.head.count;
    uint32_t size = static_cast<uint32_t>(count / 8) * 10 + 11;
    if (size < k_traditional_table_size) size = k_traditional_table_size;
    traditional_ = size == k_traditional_table_size;
    table_.assign(size, -1);
    chain_.assign(static_cast<size_t>(count), -1);
    for (int32_t i = 0; i < count; ++i) {
        const uint32_t sum = sums_.weak[static_cast<size_t>(i)];
        const uint32_t t = traditional_ ? sum2hash2(sum & 0xFFFFu, sum >> 16) : sum % size;
        chain_[static_cast<size_t>(i)] = table_[t];
        table_[t] = i;
    }
}

Bytes DeltaMatcher::at(int64_t off, int64_t len) const {
    return window_.subspan(static_cast<size_t>(off - window_start_), static_cast<size_t>(len));
}

uint32_t DeltaMatcher::weak_at(int64_t off, int32_t len) const {
    return protocol::weak_sum(at(off, len));
}

WireResult<void> DeltaMatcher::matched(int64_t offset, int32_t i) {
    const int64_t n = offset - last_match_;
    const int64_t block_len =
        i >= 0 ? (i == sums_.head.count - 1 && sums_.head.remainder ? sums_.head.remainder
                                                                    : sums_.head.blength)
               : 0;
    auto r = tokens_->emit(*out_, at(last_match_, n), i);
    if (!r) return r;
    counts_.literal_bytes += n;
    if (i >= 0) counts_.matched_bytes += block_len;
    last_match_ = i >= 0 ? offset + block_len : offset;
    if (first_position_ < 0) first_position_ = last_match_;
    return {};
}

int64_t DeltaMatcher::keep_from() const {
    if (!started_) return 0;
    return std::min(last_match_, offset_);
}

int64_t DeltaMatcher::wanted_end() const {
    if (sums_.head.count == 0 || len_ == 0) return std::min(len_, last_match_ + k_chunk);
    // One step looks at most two blocks (and a byte) beyond its offset.
    const int64_t need = (started_ ? offset_ : 0) + 2 * int64_t{sums_.head.blength} + 2;
    return std::min(len_, need);
}

WireResult<bool> DeltaMatcher::step(Bytes window, int64_t window_start, protocol::ByteWriter& out,
                                    const TokenOut& tokens) {
    TokenSink sink;
    auto r = step(window, window_start, sink, tokens);
    sink.append_to(out);
    return r;
}

WireResult<bool> DeltaMatcher::step(Bytes window, int64_t window_start, TokenSink& out,
                                    const TokenOut& tokens) {
    if (done_) return true;
    window_ = window;
    window_start_ = window_start;
    out_ = &out;
    tokens_ = &tokens;
    if (len_ > 0 && sums_.head.count > 0) return search();
    return literal_only();
}

// rsync match_sums without sums: literal data in CHUNK_SIZE pieces, then the end token.
WireResult<bool> DeltaMatcher::literal_only() {
    const int64_t have = window_start_ + static_cast<int64_t>(window_.size());
    started_ = true;
    offset_ = last_match_;
    for (int64_t j = last_match_ + k_chunk; j < len_; j += k_chunk) {
        if (j > have) return false;
        auto r = matched(j, protocol::k_token_literal_only);
        if (!r) return Unexpected{r.error()};
        offset_ = last_match_;
    }
    if (len_ > have) return false;
    auto r = matched(len_, protocol::k_token_end);
    if (!r) return Unexpected{r.error()};
    done_ = true;
    return true;
}

// mirrors rsync match.c:hash_search (with its updating_basis_file rules)
WireResult<bool> DeltaMatcher::search() {
    const int64_t have = window_start_ + static_cast<int64_t>(window_.size());
    const int32_t blength = sums_.head.blength;
    const int32_t count = sums_.head.count;
    auto block_len = [&](int32_t i) -> int32_t {
        return i == count - 1 && sums_.head.remainder ? sums_.head.remainder : blength;
    };
    if (!started_) {
        if (have < std::min<int64_t>(len_, 2 * int64_t{blength} + 2)) return false;
        build_table();
        if (config_.updating_basis) same_offset_.assign(static_cast<size_t>(count), 0);
        k_ = static_cast<int32_t>(std::min<int64_t>(len_, blength));
        const protocol::RollingSum rs = protocol::rolling_sum(at(0, k_));
        const uint32_t sum = rs.value();
        s1_ = sum & 0xFFFFu;
        s2_ = sum >> 16;
        offset_ = 0;
        end_ = len_ + 1 - block_len(count - 1);
        started_ = true;
    }
    const auto s2len = static_cast<size_t>(sums_.head.s2length);
    while (offset_ < end_) {
        // A step may need two blocks beyond the offset (a match, then the next window).
        if (have < std::min<int64_t>(len_, offset_ + 2 * int64_t{blength} + 2)) return false;
        protocol::Digest sum2;
        bool done_csum2 = false;
        uint32_t sum = (s1_ & 0xFFFFu) | (s2_ << 16);
        const uint32_t hash_entry = traditional_ ? sum2hash2(s1_ & 0xFFFFu, s2_ & 0xFFFFu)
                                                 : sum % static_cast<uint32_t>(table_.size());
        int32_t i = table_[hash_entry];
        int32_t chain_len = 0;
        const bool updating = config_.updating_basis;
        auto usable = [&](int32_t b) {
            // A block before the offset was overwritten, unless it is where it was.
            return !updating || int64_t{b} * blength >= offset_ ||
                   same_offset_[static_cast<size_t>(b)] != 0;
        };
        for (; i >= 0; i = chain_[static_cast<size_t>(i)]) {
            if (!usable(i)) continue;
            if (sum != sums_.weak[static_cast<size_t>(i)]) continue;
            if (++chain_len > k_match_chain_len_max) break;
            const auto l = static_cast<int32_t>(std::min<int64_t>(blength, len_ - offset_));
            if (l != block_len(i)) continue;
            if (!done_csum2) {
                sum2 =
                    protocol::block_sum(config_.algo, config_.seed, at(offset_, l), config_.order);
                done_csum2 = true;
            }
            // Only bytes the digest produced are compared (s2length <= digest length).
            if (s2len > sum2.len ||
                std::memcmp(sum2.bytes.data(), sums_.strong_of(static_cast<size_t>(i)).data(),
                            s2len) != 0)
                continue;
            if (updating) {
                // The best match in place is the block at this very offset.
                while (aligned_offset_ < offset_) {
                    aligned_offset_ += blength;
                    ++aligned_i_;
                }
                if ((offset_ == aligned_offset_ ||
                     (sum == 0 && l == blength && aligned_offset_ + l <= len_)) &&
                    aligned_i_ < count) {
                    bool aligned = true;
                    if (i != aligned_i_) {
                        if (sum != sums_.weak[static_cast<size_t>(aligned_i_)] ||
                            l != block_len(aligned_i_) ||
                            std::memcmp(sum2.bytes.data(),
                                        sums_.strong_of(static_cast<size_t>(aligned_i_)).data(),
                                        s2len) != 0) {
                            aligned = false;
                        } else {
                            i = aligned_i_;
                        }
                    }
                    if (aligned && offset_ != aligned_offset_) {
                        // Zeros matched here and the basis has them at the block boundary
                        // ahead: if the source has them there too, jump to it (the bytes
                        // between go as literal data) and keep the receiver's writes in place.
                        const Bytes ahead = at(aligned_offset_, l);
                        sum = protocol::rolling_sum(ahead).value();
                        if (sum != sums_.weak[static_cast<size_t>(i)]) {
                            aligned = false;
                        } else {
                            sum2 = protocol::block_sum(config_.algo, config_.seed, ahead,
                                                       config_.order);
                            if (std::memcmp(sum2.bytes.data(),
                                            sums_.strong_of(static_cast<size_t>(i)).data(),
                                            s2len) != 0)
                                aligned = false;
                            else
                                offset_ = aligned_offset_;
                        }
                    }
                    if (aligned) {
                        same_offset_[static_cast<size_t>(i)] = 1;
                        want_i_ = i;
                    }
                }
            }
            // Prefer the block after the previous match (runs code better).
            if (i != want_i_ && want_i_ < count && usable(want_i_) &&
                sum == sums_.weak[static_cast<size_t>(want_i_)] && l == block_len(want_i_) &&
                std::memcmp(sum2.bytes.data(), sums_.strong_of(static_cast<size_t>(want_i_)).data(),
                            s2len) == 0)
                i = want_i_;
            want_i_ = i + 1;
            auto r = matched(offset_, i);
            if (!r) return Unexpected{r.error()};
            offset_ += block_len(i) - 1;
            k_ = static_cast<int32_t>(std::min<int64_t>(blength, len_ - offset_));
            sum = weak_at(offset_, k_);
            s1_ = sum & 0xFFFFu;
            s2_ = sum >> 16;
            break;
        }
        // Roll the window one byte forward (rsync's null_hash path).
        const bool more = offset_ + k_ < len_;
        const auto out_byte =
            static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(at(offset_, 1)[0])));
        s1_ -= out_byte;
        s2_ -= static_cast<uint32_t>(k_) * out_byte;
        if (more) {
            const auto in_byte = static_cast<uint32_t>(
                static_cast<int32_t>(static_cast<int8_t>(at(offset_ + k_, 1)[0])));
            s1_ += in_byte;
            s2_ += s1_;
        } else {
            --k_;
        }
        // Long literal runs are sent early instead of piling up.
        const int64_t backup = std::max<int64_t>(0, offset_ - last_match_);
        if (backup >= blength + k_chunk && end_ - offset_ > k_chunk) {
            auto r = matched(offset_ - blength, protocol::k_token_literal_only);
            if (!r) return Unexpected{r.error()};
        }
        ++offset_;
    }
    auto r = matched(len_, protocol::k_token_end);
    if (!r) return Unexpected{r.error()};
    done_ = true;
    return true;
}

}  // namespace ursync::roles
