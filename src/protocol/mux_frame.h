// Multiplexed I/O frames: header codec, payload validation, a pure frame decoder and a splitter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

// rsync's msgcode values (rsync.h enum msgcode).
enum class MsgCode : uint8_t {
    data = 0,
    error_xfer = 1,
    info = 2,
    error = 3,
    warning = 4,
    error_socket = 5,
    log = 6,
    client = 7,
    error_utf8 = 8,
    redo = 9,
    stats = 10,
    io_error = 22,
    io_timeout = 33,
    noop = 42,
    error_exit = 86,
    success = 100,
    deleted = 101,
    no_send = 102,
};

inline constexpr uint32_t k_mplex_base = 7;
inline constexpr size_t k_frame_header_len = 4;
inline constexpr size_t k_frame_len_max = 0xFFFFFF;  // 24-bit length field
// rsync reads out-of-band messages into a BIGPATHBUFLEN (4096 + 1024) buffer and rejects a
// payload that does not fit with room for a terminating NUL.
inline constexpr size_t k_message_len_max = 4096 + 1024 - 1;
// Largest DATA payload encode_frames puts in one frame (stock writers stay near 32 KiB).
inline constexpr size_t k_data_chunk_len_max = 32 * 1024;

struct FrameHeader {
    MsgCode code = MsgCode::data;
    uint32_t len = 0;
};

// The name rsync gives a code ("MSG_DATA", ...); "MSG_?" for values outside the enum.
std::string_view msg_code_name(MsgCode code);

// Appends the 4-byte header; len must be <= k_frame_len_max.
void put_frame_header(ByteWriter& out, MsgCode code, size_t len);
// Reads a header; a tag byte below k_mplex_base or a code rsync does not define is malformed
// ("unexpected tag N"). Does not check the length against the code (see check_frame_len).
WireResult<FrameHeader> get_frame_header(ByteCursor& in);

// Whether a frame of this code and length may arrive from the network: fixed-size payloads
// (4-byte ints, empty NOOP, 0-or-4-byte ERROR_EXIT), text/DELETED at most k_message_len_max.
// The receiver-to-generator codes 5..10 never travel between hosts; they are accepted only with
// allow_internal (for an internal channel).
WireResult<void> check_frame_len(const FrameHeader& header, bool allow_internal);

// Writes payload as frames of `code`, at most chunk_len_max bytes each (an empty payload gives
// one empty frame: a DATA keep-alive, or an empty ERROR_EXIT).
void encode_frames(MsgCode code, Bytes payload, ByteWriter& out,
                   size_t chunk_len_max = k_data_chunk_len_max);

// One decoded item, in stream order.
struct MuxEvent {
    MsgCode code = MsgCode::data;
    // code == data: a piece of the byte stream; it points into the span given to feed() and is
    // valid as long as that span. A frame split across feeds yields several pieces.
    Bytes data;
    // Other codes: the whole validated payload (owned).
    std::vector<std::byte> payload;
};

// The 4-byte little-endian int of REDO/IO_ERROR/IO_TIMEOUT/SUCCESS/NO_SEND/ERROR_EXIT payloads;
// malformed unless the payload is exactly 4 bytes.
WireResult<int32_t> message_int(const MuxEvent& event);
// The text of a message payload (INFO, ERROR, DELETED ...) as bytes; rsync does not validate it.
std::string_view message_text(const MuxEvent& event);

// Splits a multiplexed input stream into DATA pieces and out-of-band messages. Pure: feed it
// whatever bytes arrived (any split, even inside a header) and read the events.
// Zero-length DATA frames (keep-alives) produce no event. After an error the decoder stays
// failed and returns that error from every later feed().
class MuxDecoder {
  public:
    explicit MuxDecoder(bool allow_internal = false) : allow_internal_(allow_internal) {}

    // Consumes all of input, appending events in stream order.
    WireResult<void> feed(Bytes input, std::vector<MuxEvent>& events);
    // True when no frame is partly read (a clean place for the stream to end).
    bool at_frame_boundary() const { return header_fill_ == 0 && remaining_ == 0; }

  private:
    WireResult<void> start_frame(std::vector<MuxEvent>& events);

    bool allow_internal_;
    std::byte header_[k_frame_header_len] = {};
    size_t header_fill_ = 0;
    FrameHeader current_;
    size_t remaining_ = 0;            // payload bytes of the current frame still to come
    std::vector<std::byte> message_;  // payload of the current out-of-band message so far
    bool failed_ = false;
    WireError error_;
};

}  // namespace ursync::protocol
