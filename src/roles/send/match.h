// The sender's delta search (rsync match.c): weak-sum hash table, rolling search, token output.
#pragma once

#include <cstdint>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/strong_sum.h"
#include "protocol/sum_head.h"
#include "protocol/token_zstd.h"
#include "protocol/wire_error.h"

namespace ursync::roles {

// Candidates with the right weak sum compared at one offset before giving up on it
// (rsync MAX_CHAIN_LEN).
inline constexpr int32_t k_match_chain_len_max = 1024;

// A step's token stream with the literal data referenced, not copied: encoded bytes (token
// headers, zstd output) in `bytes`, and literal pieces of the file window between them. The
// sender hands the pieces to the wire straight from its file buffer (one copy, into the output
// buffer); the window must stay unchanged until then.
struct TokenSink {
    struct Piece {
        size_t bytes_end = 0;     // bytes[previous piece's bytes_end, bytes_end) come first
        protocol::Bytes literal;  // then these
    };
    protocol::ByteWriter bytes;
    std::vector<Piece> pieces;

    void add_literal(protocol::Bytes literal) { pieces.push_back({bytes.size(), literal}); }
    void clear() {
        bytes.clear();
        pieces.clear();
    }
    // The whole stream in one buffer (tests, benchmarks).
    void append_to(protocol::ByteWriter& out) const;
};

// How tokens are written: plain ints, or the session's zstd stream.
struct TokenOut {
    protocol::ZstdTokenEncoder* zstd = nullptr;
    // `literal` bytes, then `token` (a block index, protocol::k_token_end, or
    // protocol::k_token_literal_only). mirrors rsync token.c:send_token
    protocol::WireResult<void> emit(TokenSink& out, protocol::Bytes literal, int32_t token) const;
};

struct MatchCounts {
    int64_t literal_bytes = 0;
    int64_t matched_bytes = 0;
};

// One file's token stream, computed from its bytes in order. The caller keeps a window of the
// file, [window_start, window_start + window.size()), calls step() with it, and after each
// step may drop the bytes before keep_from() and append more. A step processes as far as the
// window allows and stops (returning false) when it needs bytes beyond the window, or returns
// true once the whole stream, token end included, has been written. Pure: no I/O.
class DeltaMatcher {
  public:
    struct Config {
        protocol::ChecksumAlgo algo = protocol::ChecksumAlgo::md5;
        int32_t seed = 0;
        protocol::Md5SeedOrder order = protocol::Md5SeedOrder::seed_first;
        // The receiver writes into its basis as it goes (--inplace, --append, a --partial-dir
        // basis with the inplace-partial capability): a block is used only where the receiver
        // has not overwritten it yet (rsync's updating_basis_file).
        bool updating_basis = false;
    };

    // `sums` must outlive the matcher and be validated (check_sum_head); count 0 means "send
    // everything as literal data".
    DeltaMatcher(const protocol::BlockSums& sums, int64_t file_len, Config config);

    protocol::WireResult<bool> step(protocol::Bytes window, int64_t window_start, TokenSink& out,
                                    const TokenOut& tokens);
    // --append: the receiver has the first `offset` bytes; the literal data starts there.
    // Only before the first step, with sums of count 0. mirrors rsync match_sums (append_mode)
    void start_at(int64_t offset) { last_match_ = offset; }
    // The same, with the stream copied into `out`.
    protocol::WireResult<bool> step(protocol::Bytes window, int64_t window_start,
                                    protocol::ByteWriter& out, const TokenOut& tokens);
    int64_t keep_from() const;
    // Bytes the next step needs in the window (from its start up to this offset), beyond what
    // it has now; the caller reads at least up to here (or to the end of the file).
    int64_t wanted_end() const;
    const MatchCounts& counts() const { return counts_; }
    // Bytes of the file the tokens written so far cover (rsync's last_match, which rsync
    // hands to show_progress after each token), and where the first token left it.
    int64_t position() const { return last_match_; }
    int64_t first_position() const { return first_position_; }
    bool done() const { return done_; }

  private:
    // mirrors rsync match.c:matched
    protocol::WireResult<void> matched(int64_t offset, int32_t i);
    void build_table();
    protocol::Bytes at(int64_t off, int64_t len) const;
    uint32_t weak_at(int64_t off, int32_t len) const;
    protocol::WireResult<bool> literal_only();
    protocol::WireResult<bool> search();

    const protocol::BlockSums& sums_;
    const int64_t len_;
    const Config config_;
    std::vector<int32_t> table_;
    std::vector<int32_t> chain_;
    bool traditional_ = true;
    // Search state (rsync hash_search's locals, kept across steps).
    bool started_ = false;
    bool done_ = false;
    int64_t offset_ = 0;
    int64_t end_ = 0;
    int64_t last_match_ = 0;
    int64_t first_position_ = -1;  // -1 until the first token
    int32_t k_ = 0;
    int32_t want_i_ = 0;
    int64_t aligned_offset_ = 0;  // updating_basis: the basis block boundary at or past offset_
    int32_t aligned_i_ = 0;
    std::vector<uint8_t> same_offset_;  // updating_basis: block i matched at its own offset
    uint32_t s1_ = 0, s2_ = 0;
    MatchCounts counts_;
    // The current step's window and output.
    protocol::Bytes window_;
    int64_t window_start_ = 0;
    TokenSink* out_ = nullptr;
    const TokenOut* tokens_ = nullptr;
};

}  // namespace ursync::roles
