// Fuzzes the file-list entry decoder: a sequence of decode_entry calls over segments, state left
// alone on errors, and decoded entries re-encode to a stream that decodes to the same entries.
//
// Input: byte 0 picks the options, the rest is the stream.
//   bit0 varint flags (else byte mode)   bit1 incremental recursion   bit2 -o -g
//   bit3 -l   bit4 -D   bit5 -c (16-byte sums)   bit6 --atimes (+ --crtimes in varint mode)
//   bit7 protocol 30 without safe file lists (else 32)
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_check.h"
#include "protocol/flist_codec.h"
#include "protocol/flist_sort.h"

using namespace ursync::protocol;

namespace {

constexpr size_t k_entries_max = 4096;  // keeps each run fast

FlistOptions options_from(uint8_t bits) {
    FlistOptions o;
    o.varint_flags = (bits & 0x01) != 0;
    o.inc_recurse = (bits & 0x02) != 0;
    o.preserve_uid = o.preserve_gid = (bits & 0x04) != 0;
    o.preserve_links = (bits & 0x08) != 0;
    o.preserve_devices = o.preserve_specials = (bits & 0x10) != 0;
    o.always_checksum = (bits & 0x20) != 0;
    o.checksum_len = o.always_checksum ? 16 : 0;
    o.atimes = (bits & 0x40) != 0;
    o.crtimes = o.atimes && o.varint_flags;
    if (bits & 0x80) {
        o.protocol = 30;
        o.safe_flist = false;
    }
    o.preserve_hard_links = true;
    o.id0_names = true;
    return o;
}

struct Segment {
    int32_t ndx_start;
    std::vector<FileEntry> entries;
};

FileEntry comparable(FileEntry e, const FlistOptions& o) {
    e.user_name.reset();  // names travel only on an id's first use; not part of the property
    e.group_name.reset();
    if (o.protocol < 31) e.mtime_nsec = 0;  // not sent before protocol 31
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 1) return 0;
    const FlistOptions o = options_from(data[0]);
    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data + 1), size - 1}};
    FlistCodecState state;
    std::vector<Segment> segments{Segment{o.inc_recurse ? 1 : 0, {}}};
    std::vector<int32_t> io_errors;
    size_t total = 0;
    while (in.remaining() > 0 && total < k_entries_max) {
        Segment& seg = segments.back();
        const FlistCodecState before = state;
        const size_t pos = in.position();
        auto item = decode_entry(in, state, o, SegmentContext{seg.ndx_start, seg.entries});
        if (!item) {
            URSYNC_FUZZ_CHECK(in.position() == pos);
            URSYNC_FUZZ_CHECK(
                state.prev_name == before.prev_name && state.prev_mode == before.prev_mode &&
                state.prev_mtime == before.prev_mtime && state.prev_uid == before.prev_uid);
            break;
        }
        URSYNC_FUZZ_CHECK(in.position() > pos);
        if (auto* end = std::get_if<FlistEnd>(&*item)) {
            io_errors.push_back(end->io_error);
            const int32_t next = seg.ndx_start + static_cast<int32_t>(seg.entries.size()) + 1;
            segments.push_back(Segment{next, {}});
            continue;
        }
        FileEntry& e = std::get<FileEntry>(*item);
        URSYNC_FUZZ_CHECK(e.name.size() <= k_name_len_max);
        URSYNC_FUZZ_CHECK(e.size >= 0 && e.symlink_target.size() <= k_symlink_len_max);
        (void)check_received_name(e.name, e.is_dir());
        // An empty name or a mode of no known type is read as rsync reads it (the receiver keeps
        // its index and never acts on it); it has no encoding of its own, so the round trip
        // below stops before it.
        if (e.name.empty() || !mode_type_known(e.mode)) break;
        seg.entries.push_back(std::move(e));
        ++total;
    }

    // Re-encode what was decoded (complete segments and the open one), then decode it again.
    FlistCodecState enc;
    ByteWriter out;
    for (size_t s = 0; s < segments.size(); ++s) {
        const Segment& seg = segments[s];
        for (size_t i = 0; i < seg.entries.size(); ++i) {
            const SegmentContext ctx{seg.ndx_start, {seg.entries.data(), i}};
            URSYNC_FUZZ_CHECK(encode_entry(out, enc, o, seg.entries[i], ctx).has_value());
        }
        if (s < io_errors.size()) encode_end_of_list(out, o, io_errors[s]);
    }
    ByteCursor again{Bytes{out.bytes()}};
    FlistCodecState dec;
    for (size_t s = 0; s < segments.size(); ++s) {
        const Segment& seg = segments[s];
        std::vector<FileEntry> got;
        for (const FileEntry& want : seg.entries) {
            auto item = decode_entry(again, dec, o, SegmentContext{seg.ndx_start, got});
            URSYNC_FUZZ_CHECK(item.has_value() && std::holds_alternative<FileEntry>(*item));
            FileEntry& e = std::get<FileEntry>(*item);
            URSYNC_FUZZ_CHECK(comparable(e, o) == comparable(want, o));
            got.push_back(std::move(e));
        }
        if (s < io_errors.size()) {
            auto end = decode_entry(again, dec, o, SegmentContext{seg.ndx_start, got});
            URSYNC_FUZZ_CHECK(end.has_value() && std::holds_alternative<FlistEnd>(*end));
        }
        // The comparator must be a strict weak order on whatever arrived.
        const auto order = sorted_order(got);
        for (size_t i = 1; i < order.size(); ++i) {
            URSYNC_FUZZ_CHECK(
                compare_sort_names(sort_name(got[order[i - 1]]), sort_name(got[order[i]])) <= 0);
        }
    }
    URSYNC_FUZZ_CHECK(again.remaining() == 0);
    return 0;
}
