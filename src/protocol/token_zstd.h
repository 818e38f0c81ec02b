// The zstd-compressed token stream (rsync's -z with "zstd"): one compression stream for the
// whole session, carried in flag-byte framed chunks with run-length coded block matches.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/token_event.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

// Flag bytes (rsync token.c).
inline constexpr uint8_t k_zflag_end = 0x00;
inline constexpr uint8_t k_zflag_token_long = 0x20;     // int absolute block index
inline constexpr uint8_t k_zflag_tokenrun_long = 0x21;  // int index, then 16-bit LE run
inline constexpr uint8_t k_zflag_data = 0x40;           // + 6 high bits of length, then low byte
inline constexpr uint8_t k_zflag_token_rel = 0x80;      // + 6-bit offset from the last block
inline constexpr uint8_t k_zflag_tokenrun_rel = 0xC0;   // ditto, then 16-bit LE run
// Largest compressed chunk one flag carries (14-bit length).
inline constexpr size_t k_zstd_chunk_len_max = 16383;
// Largest literal piece the decoder hands out per call: bounds what one hostile chunk can make
// the decoder produce at once.
inline constexpr size_t k_zstd_literal_piece_max = 256 * 1024;
// Highest block index a compressed stream may name (MAX_TOKEN_INDEX).
inline constexpr int32_t k_ztoken_index_max = 0x7FFFFFFE;
inline constexpr int k_zstd_level_default = 3;  // ZSTD_CLEVEL_DEFAULT, what stock uses for -z

// Sender side. One per session (the zstd stream spans all files).
// mirrors rsync token.c:send_zstd_token
class ZstdTokenEncoder {
  public:
    explicit ZstdTokenEncoder(int level = k_zstd_level_default);  // throws std::bad_alloc
    ~ZstdTokenEncoder();
    ZstdTokenEncoder(const ZstdTokenEncoder&) = delete;
    ZstdTokenEncoder& operator=(const ZstdTokenEncoder&) = delete;

    // Literal data that precedes `token`, then the token: a block index >= 0, k_token_end (ends
    // the file: flush + END flag), or k_token_literal_only (data only, no flush). Block matches
    // are written lazily, merged into runs, as stock does. Errors only if zstd fails.
    WireResult<void> send(ByteWriter& out, Bytes literal, int32_t token);

  private:
    void write_run(ByteWriter& out);
    WireResult<void> compress(ByteWriter& out, Bytes literal, bool flush);

    struct Context;
    std::unique_ptr<Context> ctx_;
    int32_t last_token_ = -1;
    int32_t run_start_ = 0;
    int32_t last_run_end_ = 0;
    bool flush_pending_ = false;
    std::vector<std::byte> chunk_;  // k_zstd_chunk_len_max bytes of compressor output
};

// Receiver side. One per session; call begin_file() before each file's token stream.
// mirrors rsync token.c:recv_zstd_token and recv_compressed_token_num
class ZstdTokenDecoder {
  public:
    ZstdTokenDecoder();  // throws std::bad_alloc
    ~ZstdTokenDecoder();
    ZstdTokenDecoder(const ZstdTokenDecoder&) = delete;
    ZstdTokenDecoder& operator=(const ZstdTokenDecoder&) = delete;

    // block_count: the file's sum header count; block indexes at or beyond it are malformed.
    void begin_file(int32_t block_count);

    // The next event. Literal pieces point into the decoder's buffer and stay valid until the
    // next call. On Kind::incomplete nothing was consumed from the decoder's point of view:
    // retry with a cursor restored to where it was, plus more bytes. Any other error is final.
    // Flags other than the six stock senders use are rejected (stock would read 0x01..0x3f
    // as absolute tokens).
    WireResult<TokenEvent> next(ByteCursor& in);

  private:
    enum class State { idle, inflating, running };

    WireResult<TokenEvent> read_flag(ByteCursor& in);
    WireResult<TokenEvent> block_event();

    struct Context;
    std::unique_ptr<Context> ctx_;
    State state_ = State::idle;
    int32_t block_count_ = 0;
    int32_t rx_token_ = 0;
    int32_t rx_run_ = 0;
    std::vector<std::byte> in_chunk_;  // the current compressed chunk
    size_t in_pos_ = 0;
    std::vector<std::byte> out_;  // k_zstd_literal_piece_max bytes
    bool failed_ = false;
};

}  // namespace ursync::protocol
