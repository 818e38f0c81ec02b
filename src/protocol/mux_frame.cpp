// Multiplexed I/O frames; the checks mirror rsync io.c:read_a_msg.
#include "protocol/mux_frame.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "protocol/varint.h"

namespace ursync::protocol {
namespace {

bool is_known_code(unsigned code) {
    return code <= 10 || code == 22 || code == 33 || code == 42 || code == 86 ||
           (code >= 100 && code <= 102);
}

std::string frame_text(const FrameHeader& header) {
    return std::to_string(static_cast<unsigned>(header.code)) + ":" + std::to_string(header.len);
}

Unexpected<WireError> invalid_message(const FrameHeader& header) {
    return malformed("invalid multi-message " + frame_text(header));
}

}  // namespace

std::string_view msg_code_name(MsgCode code) {
    switch (code) {
        case MsgCode::data:
            return "MSG_DATA";
        case MsgCode::error_xfer:
            return "MSG_ERROR_XFER";
        case MsgCode::info:
            return "MSG_INFO";
        case MsgCode::error:
            return "MSG_ERROR";
        case MsgCode::warning:
            return "MSG_WARNING";
        case MsgCode::error_socket:
            return "MSG_ERROR_SOCKET";
        case MsgCode::log:
            return "MSG_LOG";
        case MsgCode::client:
            return "MSG_CLIENT";
        case MsgCode::error_utf8:
            return "MSG_ERROR_UTF8";
        case MsgCode::redo:
            return "MSG_REDO";
        case MsgCode::stats:
            return "MSG_STATS";
        case MsgCode::io_error:
            return "MSG_IO_ERROR";
        case MsgCode::io_timeout:
            return "MSG_IO_TIMEOUT";
        case MsgCode::noop:
            return "MSG_NOOP";
        case MsgCode::error_exit:
            return "MSG_ERROR_EXIT";
        case MsgCode::success:
            return "MSG_SUCCESS";
        case MsgCode::deleted:
            return "MSG_DELETED";
        case MsgCode::no_send:
            return "MSG_NO_SEND";
    }
    return "MSG_?";
}

void put_frame_header(ByteWriter& out, MsgCode code, size_t len) {
    assert(len <= k_frame_len_max);
    out.put_u8(static_cast<uint8_t>(len));
    out.put_u8(static_cast<uint8_t>(len >> 8));
    out.put_u8(static_cast<uint8_t>(len >> 16));
    out.put_u8(static_cast<uint8_t>(k_mplex_base + static_cast<uint32_t>(code)));
}

WireResult<FrameHeader> get_frame_header(ByteCursor& in) {
    if (!in.has(k_frame_header_len)) return need_more("multiplex header");
    uint32_t len = in.take_u8();
    len |= static_cast<uint32_t>(in.take_u8()) << 8;
    len |= static_cast<uint32_t>(in.take_u8()) << 16;
    const int tag = static_cast<int>(in.take_u8()) - static_cast<int>(k_mplex_base);
    if (tag < 0 || !is_known_code(static_cast<unsigned>(tag))) {
        return malformed("unexpected tag " + std::to_string(tag));
    }
    return FrameHeader{static_cast<MsgCode>(tag), len};
}

WireResult<void> check_frame_len(const FrameHeader& header, bool allow_internal) {
    const size_t len = header.len;
    switch (header.code) {
        case MsgCode::data:
            return {};
        case MsgCode::error_socket:
        case MsgCode::log:
        case MsgCode::client:
        case MsgCode::error_utf8:
            if (!allow_internal) return invalid_message(header);
            [[fallthrough]];
        case MsgCode::error_xfer:
        case MsgCode::info:
        case MsgCode::error:
        case MsgCode::warning:
        case MsgCode::deleted:
            if (len > k_message_len_max) {
                return malformed("multiplexing overflow " + frame_text(header));
            }
            return {};
        case MsgCode::redo:
            if (!allow_internal || len != 4) return invalid_message(header);
            return {};
        case MsgCode::stats:
            if (!allow_internal || len != 8) return invalid_message(header);
            return {};
        case MsgCode::io_error:
        case MsgCode::io_timeout:
        case MsgCode::success:
        case MsgCode::no_send:
            if (len != 4) return invalid_message(header);
            return {};
        case MsgCode::noop:
            if (len != 0) return invalid_message(header);
            return {};
        case MsgCode::error_exit:
            if (len != 0 && len != 4) return invalid_message(header);
            return {};
    }
    return invalid_message(header);
}

void encode_frames(MsgCode code, Bytes payload, ByteWriter& out, size_t chunk_len_max) {
    const size_t chunk = std::min(std::max<size_t>(chunk_len_max, 1), k_frame_len_max);
    if (payload.empty()) {
        put_frame_header(out, code, 0);
        return;
    }
    for (size_t pos = 0; pos < payload.size(); pos += chunk) {
        const Bytes piece = payload.subspan(pos, std::min(chunk, payload.size() - pos));
        put_frame_header(out, code, piece.size());
        out.put(piece);
    }
}

WireResult<int32_t> message_int(const MuxEvent& event) {
    if (event.payload.size() != 4) {
        return malformed("expected a 4-byte payload in " + std::string(msg_code_name(event.code)));
    }
    ByteCursor in{Bytes{event.payload}};
    return get_int(in);
}

std::string_view message_text(const MuxEvent& event) {
    return {reinterpret_cast<const char*>(event.payload.data()), event.payload.size()};
}

WireResult<void> MuxDecoder::start_frame(std::vector<MuxEvent>& events) {
    ByteCursor in{Bytes{header_, k_frame_header_len}};
    header_fill_ = 0;
    auto header = get_frame_header(in);
    if (!header) return Unexpected{header.error()};
    if (auto ok = check_frame_len(*header, allow_internal_); !ok) return ok;
    current_ = *header;
    remaining_ = header->len;
    message_.clear();
    if (remaining_ == 0 && current_.code != MsgCode::data) {
        events.push_back(MuxEvent{current_.code, {}, {}});  // empty NOOP / ERROR_EXIT
    }
    return {};
}

WireResult<void> MuxDecoder::feed(Bytes input, std::vector<MuxEvent>& events) {
    if (failed_) return Unexpected{error_};
    size_t pos = 0;
    while (pos < input.size()) {
        if (remaining_ == 0) {
            const size_t n = std::min(k_frame_header_len - header_fill_, input.size() - pos);
            std::copy_n(input.begin() + static_cast<std::ptrdiff_t>(pos), n,
                        header_ + header_fill_);
            header_fill_ += n;
            pos += n;
            if (header_fill_ < k_frame_header_len) break;
            if (auto ok = start_frame(events); !ok) {
                failed_ = true;
                error_ = ok.error();
                return ok;
            }
            continue;
        }
        const size_t n = std::min(remaining_, input.size() - pos);
        const Bytes piece = input.subspan(pos, n);
        pos += n;
        remaining_ -= n;
        if (current_.code == MsgCode::data) {
            events.push_back(MuxEvent{MsgCode::data, piece, {}});
            continue;
        }
        message_.insert(message_.end(), piece.begin(), piece.end());
        if (remaining_ == 0) events.push_back(MuxEvent{current_.code, {}, std::move(message_)});
    }
    return {};
}

}  // namespace ursync::protocol
