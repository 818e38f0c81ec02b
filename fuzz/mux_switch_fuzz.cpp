// Fuzzes the session's switch into multiplexing. MuxIn runs on the engine, so this drives a pure
// model of it built the same way (raw bytes pulled into a stream buffer, typed reads that retry
// a pure decoder while it reports "incomplete", a MuxDecoder from start_multiplex on), with the
// switch as it must be: bytes buffered past the last plain read are parsed as frames. The input
// arrives in chunks cut at points it chooses; the switch comes after a number of plain reads it
// chooses. Whatever the cuts, the reads give what one pass over the whole input gives: the same
// values, then the same end (incomplete, a malformed value, or a malformed frame, which may come
// sooner: MuxIn drops the events of a feed that fails), and the same messages in order.
//
// Input: byte 0 bit0 = internal channel, bits 1..7 = plain reads before the switch (mod 17); byte 1
// seeds the chunk cuts; bytes 2..9 pick the decoders of the reads (4 bits each); the rest is
// the stream.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "fuzz_check.h"
#include "protocol/mux_frame.h"
#include "protocol/ndx.h"
#include "protocol/varint.h"

using namespace ursync::protocol;
using ursync::Unexpected;

namespace {

constexpr size_t k_reads_max = 16;
constexpr size_t k_header_len = 10;

// What one typed read gave.
struct Read {
    enum class End { value, incomplete, malformed_value, malformed_frame };
    End end = End::value;
    int64_t number = 0;
    std::string text;
    friend bool operator==(const Read&, const Read&) = default;
};

// One typed read over a stream buffer: the decoder `kind` (0..15) picks, with the session's ndx
// state. Incomplete leaves `state` alone (get_ndx changes it only on success).
WireResult<Read> decode_one(ByteCursor& in, int kind, NdxState& state) {
    Read r;
    auto number = [&](auto got) -> WireResult<Read> {
        if (!got) return Unexpected{got.error()};
        r.number = static_cast<int64_t>(*got);
        return r;
    };
    switch (kind) {
        case 0:
            return number(get_byte(in));
        case 1:
            return number(get_shortint(in));
        case 2:
        case 3:
            return number(get_int(in));
        case 4:
        case 5:
            return number(get_varint(in));
        case 6:
            return number(get_varlong(in, 3));
        case 7:
            return number(get_varlong(in, 4));
        case 8:
            return number(get_varlong(in, 8));
        case 9:
            return number(get_longint(in));
        case 10:
        case 11:
            return number(get_ndx(in, state));
        default: {
            auto s = get_vstring(in, kind == 12 ? 16 : k_vstring_len_max);
            if (!s) return Unexpected{s.error()};
            r.text = std::move(*s);
            return r;
        }
    }
}

// The reads of one pass over the whole input at once.
struct Reference {
    std::vector<Read> reads;
    std::vector<MuxEvent> messages;
    bool frames_ok = true;  // the frames after the switch point decode without error
};

Reference reference(Bytes stream, const std::vector<int>& kinds, size_t plain_reads,
                    bool internal) {
    Reference ref;
    NdxState state;
    ByteCursor plain{stream};
    size_t i = 0;
    for (; i < kinds.size() && i < plain_reads; ++i) {
        auto r = decode_one(plain, kinds[i], state);
        if (!r) {
            ref.reads.push_back(
                {r.error().incomplete() ? Read::End::incomplete : Read::End::malformed_value});
            return ref;
        }
        ref.reads.push_back(*r);
    }
    // The switch: everything after the last plain read is frames.
    MuxDecoder decoder{internal};
    std::vector<MuxEvent> events;
    const bool frames_ok = decoder.feed(stream.subspan(plain.position()), events).has_value();
    ref.frames_ok = frames_ok;
    std::vector<std::byte> data;
    for (auto& e : events) {
        if (e.code == MsgCode::data) {
            data.insert(data.end(), e.data.begin(), e.data.end());
        } else {
            ref.messages.push_back(std::move(e));
        }
    }
    ByteCursor mux{Bytes{data}};
    for (; i < kinds.size(); ++i) {
        auto r = decode_one(mux, kinds[i], state);
        if (!r) {
            if (!r.error().incomplete()) {
                ref.reads.push_back({Read::End::malformed_value});
            } else {
                ref.reads.push_back(
                    {frames_ok ? Read::End::incomplete : Read::End::malformed_frame});
            }
            return ref;
        }
        ref.reads.push_back(*r);
    }
    return ref;
}

// The model of MuxIn: chunks arrive only when a read needs more (pull), as from a socket.
class Model {
  public:
    Model(Bytes stream, std::vector<size_t> cuts, bool internal)
        : stream_(stream), cuts_(std::move(cuts)), decoder_(internal) {}

    void start_multiplex() {
        multiplexed_ = true;
        // The fix MuxIn needs: what was buffered but not read is the start of the frames.
        std::vector<std::byte> rest(data_.begin() + static_cast<std::ptrdiff_t>(start_),
                                    data_.end());
        data_.clear();
        start_ = 0;
        feed(Bytes{rest});
    }

    // mirrors MuxIn::decode: retry the pure decoder on the whole buffer while incomplete
    Read read(int kind, NdxState& state) {
        for (;;) {
            ByteCursor cursor{Bytes{data_}.subspan(start_)};
            auto r = decode_one(cursor, kind, state);
            if (r) {
                start_ += cursor.position();
                return *r;
            }
            if (!r.error().incomplete()) return {Read::End::malformed_value};
            if (failed_) return {Read::End::malformed_frame};
            if (!pull()) return {failed_ ? Read::End::malformed_frame : Read::End::incomplete};
        }
    }

    std::vector<MuxEvent> messages;

  private:
    // The next chunk: appended as it is before the switch, demultiplexed after. False at EOF
    // or when the frames are malformed.
    bool pull() {
        if (next_ >= stream_.size()) return false;
        const size_t end = chunk_ < cuts_.size() ? cuts_[chunk_++] : stream_.size();
        const Bytes chunk = stream_.subspan(next_, end - next_);
        next_ = end;
        if (!multiplexed_) {
            data_.insert(data_.end(), chunk.begin(), chunk.end());
            return true;
        }
        return feed(chunk);
    }

    bool feed(Bytes raw) {
        std::vector<MuxEvent> events;
        if (!decoder_.feed(raw, events)) {
            failed_ = true;  // MuxIn drops the events of a feed that fails
            return false;
        }
        for (auto& e : events) {
            if (e.code == MsgCode::data) {
                URSYNC_FUZZ_CHECK(!e.data.empty());
                data_.insert(data_.end(), e.data.begin(), e.data.end());
            } else {
                messages.push_back(std::move(e));
            }
        }
        return true;
    }

    Bytes stream_;
    std::vector<size_t> cuts_;
    size_t chunk_ = 0;
    size_t next_ = 0;
    bool multiplexed_ = false;
    bool failed_ = false;
    MuxDecoder decoder_;
    std::vector<std::byte> data_;
    size_t start_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < k_header_len) return 0;
    const bool internal = (data[0] & 1) != 0;
    const size_t plain_reads = (data[0] >> 1) % (k_reads_max + 1);
    std::vector<int> kinds;
    for (size_t i = 2; i < k_header_len && kinds.size() < k_reads_max; ++i) {
        kinds.push_back(data[i] & 15);
        kinds.push_back(data[i] >> 4);
    }
    const Bytes stream{reinterpret_cast<const std::byte*>(data) + k_header_len,
                       size - k_header_len};
    // Chunk ends from a small generator seeded by byte 1 (lengths 1..16, sometimes 0 -> 1).
    std::vector<size_t> cuts;
    uint32_t seed = data[1] * 2654435761u + 1;
    for (size_t at = 0;;) {
        seed = seed * 1103515245u + 12345u;
        at += 1 + (seed >> 16) % 16;
        if (at >= stream.size()) break;
        cuts.push_back(at);
    }

    const Reference ref = reference(stream, kinds, plain_reads, internal);
    Model model(stream, cuts, internal);
    NdxState state;
    std::vector<Read> reads;
    for (size_t i = 0; i < kinds.size(); ++i) {
        if (i == plain_reads) model.start_multiplex();
        reads.push_back(model.read(kinds[i], state));
        if (reads.back().end != Read::End::value) break;
    }
    if (reads.size() == kinds.size() && kinds.size() <= plain_reads) {
        // never switched: the whole script was plain reads
        URSYNC_FUZZ_CHECK(reads == ref.reads);
        return 0;
    }

    URSYNC_FUZZ_CHECK(!reads.empty() && reads.size() <= ref.reads.size());
    for (size_t i = 0; i + 1 < reads.size(); ++i) URSYNC_FUZZ_CHECK(reads[i] == ref.reads[i]);
    if (reads.back().end == Read::End::malformed_frame) {
        // maybe sooner than the reference (a failing feed's events are dropped), never when
        // the frames are sound
        URSYNC_FUZZ_CHECK(!ref.frames_ok);
    } else {
        URSYNC_FUZZ_CHECK(reads.size() == ref.reads.size() && reads.back() == ref.reads.back());
    }
    URSYNC_FUZZ_CHECK(model.messages.size() <= ref.messages.size());
    for (size_t i = 0; i < model.messages.size(); ++i) {
        URSYNC_FUZZ_CHECK(model.messages[i].code == ref.messages[i].code);
        URSYNC_FUZZ_CHECK(model.messages[i].payload == ref.messages[i].payload);
    }
    return 0;
}
