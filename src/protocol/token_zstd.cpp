// The zstd-compressed token stream; mirrors rsync token.c:send_zstd_token/recv_zstd_token.
#include "protocol/token_zstd.h"

#include <zstd.h>

#include <new>
#include <string>

#include "protocol/varint.h"

namespace ursync::protocol {
namespace {

Unexpected<WireError> zstd_failed(const char* what, size_t code) {
    return malformed(std::string(what) + ": " + ZSTD_getErrorName(code));
}

}  // namespace

struct ZstdTokenEncoder::Context {
    ZSTD_CCtx* cctx = nullptr;
    ~Context() { ZSTD_freeCCtx(cctx); }
};

struct ZstdTokenDecoder::Context {
    ZSTD_DCtx* dctx = nullptr;
    ~Context() { ZSTD_freeDCtx(dctx); }
};

ZstdTokenEncoder::ZstdTokenEncoder(int level)
    : ctx_(std::make_unique<Context>()), chunk_(k_zstd_chunk_len_max) {
    ctx_->cctx = ZSTD_createCCtx();
    if (ctx_->cctx == nullptr) throw std::bad_alloc();
    ZSTD_CCtx_setParameter(ctx_->cctx, ZSTD_c_compressionLevel, level);
}

ZstdTokenEncoder::~ZstdTokenEncoder() = default;

void ZstdTokenEncoder::write_run(ByteWriter& out) {
    const int64_t rel = int64_t{run_start_} - last_run_end_;
    const int64_t extra = int64_t{last_token_} - run_start_;  // blocks after the first, < 65536
    if (rel >= 0 && rel <= 63) {
        const uint8_t base = extra == 0 ? k_zflag_token_rel : k_zflag_tokenrun_rel;
        put_byte(out, static_cast<uint8_t>(base + rel));
    } else {
        put_byte(out, extra == 0 ? k_zflag_token_long : k_zflag_tokenrun_long);
        put_int(out, run_start_);
    }
    if (extra != 0) {
        put_byte(out, static_cast<uint8_t>(extra));
        put_byte(out, static_cast<uint8_t>(extra >> 8));
    }
}

WireResult<void> ZstdTokenEncoder::compress(ByteWriter& out, Bytes literal, bool flush) {
    ZSTD_inBuffer in{literal.data(), literal.size(), 0};
    const ZSTD_EndDirective mode = flush ? ZSTD_e_flush : ZSTD_e_continue;
    bool finished = false;
    while (!finished) {
        ZSTD_outBuffer chunk{chunk_.data(), chunk_.size(), 0};
        const size_t left = ZSTD_compressStream2(ctx_->cctx, &chunk, &in, mode);
        if (ZSTD_isError(left)) return zstd_failed("zstd compression failed", left);
        finished = flush ? left == 0 : in.pos == in.size;
        if (chunk.pos != 0) {
            put_byte(out, static_cast<uint8_t>(k_zflag_data + (chunk.pos >> 8)));
            put_byte(out, static_cast<uint8_t>(chunk.pos & 0xFF));
            out.put(Bytes{chunk_}.first(chunk.pos));
        }
    }
    return {};
}

WireResult<void> ZstdTokenEncoder::send(ByteWriter& out, Bytes literal, int32_t token) {
    if (last_token_ == k_token_end) {  // first call of a file
        last_run_end_ = 0;
        run_start_ = token;
        flush_pending_ = false;
    } else if (last_token_ == k_token_literal_only) {
        run_start_ = token;
    } else if (!literal.empty() || int64_t{token} != int64_t{last_token_} + 1 ||
               int64_t{token} >= int64_t{run_start_} + 65536) {
        write_run(out);
        last_run_end_ = last_token_;
        run_start_ = token;
    }
    last_token_ = token;
    if (!literal.empty() || flush_pending_) {
        if (auto ok = compress(out, literal, token != k_token_literal_only); !ok) return ok;
        flush_pending_ = token == k_token_literal_only;
    }
    if (token == k_token_end) put_byte(out, k_zflag_end);
    return {};
}

ZstdTokenDecoder::ZstdTokenDecoder()
    : ctx_(std::make_unique<Context>()), out_(k_zstd_literal_piece_max) {
    ctx_->dctx = ZSTD_createDCtx();
    if (ctx_->dctx == nullptr) throw std::bad_alloc();
    in_chunk_.reserve(k_zstd_chunk_len_max);
}

ZstdTokenDecoder::~ZstdTokenDecoder() = default;

void ZstdTokenDecoder::begin_file(int32_t block_count) {
    block_count_ = block_count;
    rx_token_ = 0;
    rx_run_ = 0;
    if (state_ == State::running) state_ = State::idle;
}

WireResult<TokenEvent> ZstdTokenDecoder::block_event() {
    if (rx_token_ >= block_count_) {
        failed_ = true;
        return invalid("invalid block index " + std::to_string(rx_token_) +
                         " (count=" + std::to_string(block_count_) + ")");
    }
    return TokenEvent{TokenEvent::Kind::block, {}, rx_token_};
}

// Reads one flag and what belongs to it. Checks that every byte is present before taking any.
WireResult<TokenEvent> ZstdTokenDecoder::read_flag(ByteCursor& in) {
    if (!in.has(1)) return need_more("compressed token flag");
    const auto flag = static_cast<uint8_t>(in.peek());
    if ((flag & 0xC0) == k_zflag_data) {
        if (!in.has(2)) return need_more("compressed data length");
        ByteCursor probe = in;
        probe.take_u8();
        const size_t len = (size_t{static_cast<uint8_t>(flag & 0x3F)} << 8) | probe.take_u8();
        if (!in.has(2 + len)) return need_more("compressed data");
        in.take(2);
        const Bytes chunk = in.take(len);
        in_chunk_.assign(chunk.begin(), chunk.end());
        in_pos_ = 0;
        state_ = State::inflating;
        return TokenEvent{TokenEvent::Kind::literal, {}, 0};  // empty: the caller loops
    }
    if (flag == k_zflag_end) {
        in.take_u8();
        rx_token_ = 0;
        return TokenEvent{TokenEvent::Kind::end, {}, 0};
    }
    const bool relative = (flag & k_zflag_token_rel) != 0;
    if (!relative && flag != k_zflag_token_long && flag != k_zflag_tokenrun_long) {
        failed_ = true;
        return malformed("invalid flag byte in compressed token stream");
    }
    const bool has_run = relative ? (flag & 0x40) != 0 : flag == k_zflag_tokenrun_long;
    const size_t need = size_t{1} + (relative ? 0u : 4u) + (has_run ? 2u : 0u);
    if (!in.has(need)) return need_more("compressed token");
    in.take_u8();
    int64_t token = 0;
    if (relative) {
        token = int64_t{rx_token_} + (flag & 0x3F);
    } else {
        token = *get_int(in);
    }
    int32_t run = 0;
    if (has_run) {
        run = *get_shortint(in);
        if (run == 0) token = -1;  // an empty run is invalid
    }
    if (token < 0 || token > k_ztoken_index_max - run) {
        failed_ = true;
        return malformed("invalid token number in compressed stream");
    }
    rx_token_ = static_cast<int32_t>(token);
    if (has_run) {
        rx_run_ = run;
        state_ = State::running;
    }
    return block_event();
}

WireResult<TokenEvent> ZstdTokenDecoder::next(ByteCursor& in) {
    if (failed_) return malformed("compressed token stream already failed");
    for (;;) {
        switch (state_) {
            case State::idle: {
                auto event = read_flag(in);
                if (!event) return event;
                if (state_ == State::inflating) continue;
                return event;
            }
            case State::running:
                ++rx_token_;
                if (--rx_run_ == 0) state_ = State::idle;
                return block_event();
            case State::inflating: {
                ZSTD_inBuffer src{in_chunk_.data(), in_chunk_.size(), in_pos_};
                ZSTD_outBuffer dst{out_.data(), out_.size(), 0};
                const size_t ret = ZSTD_decompressStream(ctx_->dctx, &dst, &src);
                if (ZSTD_isError(ret)) {
                    failed_ = true;
                    return zstd_failed("zstd decompression failed", ret);
                }
                const bool progressed = src.pos != in_pos_ || dst.pos != 0;
                in_pos_ = src.pos;
                const bool drained = in_pos_ == in_chunk_.size() && dst.pos < dst.size;
                if (drained) state_ = State::idle;
                if (dst.pos != 0) {
                    return TokenEvent{TokenEvent::Kind::literal, Bytes{out_}.first(dst.pos), 0};
                }
                if (!drained && !progressed) {
                    failed_ = true;
                    return malformed("zstd decompression made no progress");
                }
                continue;
            }
        }
    }
}

}  // namespace ursync::protocol
