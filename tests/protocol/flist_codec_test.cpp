// File-list codec tests: random round trips over option sets, truncation, and state handling.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "protocol/flist_codec.h"

namespace ursync::protocol {
namespace {

struct OptionCase {
    const char* name;
    FlistOptions options;
};

void PrintTo(const OptionCase& c, std::ostream* os) { *os << c.name; }

FlistOptions base_options() {
    FlistOptions o;
    o.preserve_uid = o.preserve_gid = o.preserve_links = true;
    o.preserve_devices = o.preserve_specials = o.preserve_hard_links = true;
    return o;
}

std::vector<OptionCase> option_cases() {
    std::vector<OptionCase> cases;
    FlistOptions o = base_options();
    cases.push_back({"varint_noinc", o});
    o.inc_recurse = true;
    cases.push_back({"varint_inc", o});
    o.always_checksum = true;
    o.checksum_len = 16;
    o.atimes = o.crtimes = true;
    cases.push_back({"varint_all", o});
    FlistOptions bytes = base_options();
    bytes.varint_flags = false;
    bytes.protocol = 31;
    cases.push_back({"byte_mode_p31", bytes});
    bytes.protocol = 30;
    bytes.safe_flist = false;
    bytes.always_checksum = true;
    bytes.checksum_len = 20;
    cases.push_back({"byte_mode_p30", bytes});
    FlistOptions bare;
    bare.numeric_ids = true;
    cases.push_back({"bare", bare});
    return cases;
}

// A 32-bit draw (mt19937's result_type is wider than uint32_t on this platform).
uint32_t draw(std::mt19937& rng) {
    return static_cast<uint32_t>(rng());
}

const uint32_t k_modes[] = {k_mode_regular | 0644, k_mode_regular | 0755,  k_mode_dir | 0755,
                            k_mode_symlink | 0777, k_mode_char_dev | 0600, k_mode_block_dev | 0660,
                            k_mode_fifo | 0644,    k_mode_socket | 0755};

// A random entry carrying only the fields the options put on the wire.
FileEntry random_entry(std::mt19937& rng, const FlistOptions& o, const std::string& prev_name) {
    FileEntry e;
    const std::string dirs[] = {"", "d/", "d/e/", "long-directory-name-for-prefixes/"};
    e.name = dirs[draw(rng) % 4];
    if (draw(rng) % 10 == 0) e.name += std::string(200 + draw(rng) % 300, 'x');  // LONG_NAME
    e.name += "f" + std::to_string(draw(rng) % 50);
    if (draw(rng) % 4 == 0 && !prev_name.empty()) e.name = prev_name + "z";
    e.mode = k_modes[draw(rng) % 8];
    if (draw(rng) % 3 == 0) e.mode = k_mode_regular | 0644;
    e.size = e.is_device() || e.is_special()
                 ? 0
                 : static_cast<int64_t>(draw(rng) % 3 == 0 ? (uint64_t{draw(rng)} << 20)
                                                           : draw(rng) % 5000);
    e.mtime_sec = 1700000000 + int64_t{draw(rng) % 3 == 0 ? 0 : draw(rng) % 1000};
    if (o.protocol >= 31 && draw(rng) % 2) e.mtime_nsec = draw(rng) % (k_mtime_nsec_max + 1);
    if (o.atimes && !e.is_dir()) e.atime_sec = draw(rng) % 2 ? 1700000000 : int64_t{draw(rng)};
    if (o.crtimes) e.crtime_sec = draw(rng) % 2 ? e.mtime_sec : -int64_t{draw(rng) % 1000u};
    if (o.preserve_uid) e.uid = draw(rng) % 3 == 0 ? 0xFFFFFFFEu : draw(rng) % 3;
    if (o.preserve_gid) e.gid = draw(rng) % 3;
    if (o.preserve_devices && e.is_device()) {
        e.rdev_major = draw(rng) % 3;
        e.rdev_minor = draw(rng) % 2 ? draw(rng) : 7;
    }
    if (o.protocol < 31 && o.preserve_specials && e.is_special()) e.rdev_major = 0;
    if (o.preserve_links && e.is_symlink()) e.symlink_target = std::string(draw(rng) % 300, 't');
    if (o.always_checksum && e.is_regular()) {
        e.checksum.len = o.checksum_len;
        for (size_t i = 0; i < o.checksum_len; ++i)
            e.checksum.bytes[i] = static_cast<std::byte>(draw(rng) & 0xFF);
    }
    if (e.is_dir()) {
        e.top_dir = draw(rng) % 2;
        e.no_content_dir = draw(rng) % 2;
    }
    return e;
}

struct Encoded {
    std::vector<std::vector<FileEntry>> segments;
    std::vector<int32_t> starts;
    std::vector<std::byte> bytes;
};

// Random segments with hard-link groups; entries are what the decoder should reproduce.
Encoded encode_random(const FlistOptions& o, uint32_t seed) {
    std::mt19937 rng(seed);
    Encoded enc;
    FlistCodecState state;
    ByteWriter out;
    int32_t ndx_start = o.inc_recurse ? 1 : 0;
    std::vector<std::pair<int32_t, FileEntry>> group_firsts;  // global index, entry
    const int segments = o.inc_recurse ? 4 : 1;
    std::string prev;
    for (int s = 0; s < segments; ++s) {
        std::vector<FileEntry> seg;
        const size_t count = draw(rng) % 40;
        for (size_t i = 0; i < count; ++i) {
            FileEntry e = random_entry(rng, o, prev);
            const auto own = static_cast<int32_t>(ndx_start + static_cast<int32_t>(seg.size()));
            if (o.preserve_hard_links && !e.is_dir() && draw(rng) % 4 == 0) {
                e.hlink.linked = true;
                if (group_firsts.empty() || draw(rng) % 2) {
                    e.hlink.first = true;
                    e.hlink.first_ndx = own;
                    group_firsts.emplace_back(own, e);
                } else {
                    const auto& [first_ndx, first] = group_firsts[draw(rng) % group_firsts.size()];
                    e.hlink.first_ndx = first_ndx;
                    if (first_ndx >= ndx_start) {  // abbreviated: everything comes from the first
                        FileEntry copy = first;
                        copy.name = e.name;
                        copy.hlink = e.hlink;
                        copy.top_dir = copy.no_content_dir = false;
                        e = copy;
                    }
                }
            }
            EXPECT_TRUE(encode_entry(out, state, o, e, SegmentContext{ndx_start, seg}));
            prev = e.name;
            seg.push_back(e);
        }
        EXPECT_TRUE(encode_end_of_list(out, o, s == 1 ? 1 : 0));
        enc.starts.push_back(ndx_start);
        enc.segments.push_back(seg);
        ndx_start += static_cast<int32_t>(seg.size()) + 1;
    }
    enc.bytes = out.take();
    return enc;
}

FileEntry without_names(FileEntry e) {
    e.user_name.reset();
    e.group_name.reset();
    return e;
}

class FlistCodecRoundTrip : public ::testing::TestWithParam<OptionCase> {};

TEST_P(FlistCodecRoundTrip, RandomListsDecodeToWhatWasEncoded) {
    const FlistOptions& o = GetParam().options;
    for (uint32_t seed = 0; seed < 40; ++seed) {
        const Encoded enc = encode_random(o, seed);
        ByteCursor in(enc.bytes);
        FlistCodecState state;
        for (size_t s = 0; s < enc.segments.size(); ++s) {
            std::vector<FileEntry> got;
            for (;;) {
                auto item = decode_entry(in, state, o, SegmentContext{enc.starts[s], got});
                ASSERT_TRUE(item) << describe(item.error()) << " seed " << seed;
                if (auto* end = std::get_if<FlistEnd>(&*item)) {
                    const bool carried = o.varint_flags || o.safe_flist || o.protocol >= 31;
                    EXPECT_EQ(end->io_error, s == 1 && carried ? 1 : 0);
                    break;
                }
                got.push_back(std::get<FileEntry>(*item));
            }
            ASSERT_EQ(got.size(), enc.segments[s].size()) << "seed " << seed;
            for (size_t i = 0; i < got.size(); ++i) {
                ASSERT_EQ(without_names(got[i]), without_names(enc.segments[s][i]))
                    << "seed " << seed << " segment " << s << " entry " << i << " " << got[i].name;
            }
        }
        EXPECT_EQ(in.remaining(), 0u);
    }
}

TEST_P(FlistCodecRoundTrip, TruncatedInputIsIncompleteAndChangesNothing) {
    const FlistOptions& o = GetParam().options;
    const Encoded enc = encode_random(o, 7);
    const Bytes all(enc.bytes);
    FlistCodecState state;
    std::vector<FileEntry> seg;
    size_t seg_no = 0;
    size_t pos = 0;
    while (pos < all.size()) {
        const SegmentContext ctx{enc.starts[seg_no], seg};
        // Find this item's length with a full decode on a copy of the state.
        FlistCodecState probe_state = state;
        ByteCursor probe(all.subspan(pos));
        auto full = decode_entry(probe, probe_state, o, ctx);
        ASSERT_TRUE(full);
        const size_t len = probe.position();
        for (size_t cut = 0; cut < len; ++cut) {
            FlistCodecState s2 = state;
            ByteCursor short_in(all.subspan(pos, cut));
            auto r = decode_entry(short_in, s2, o, ctx);
            ASSERT_FALSE(r) << "cut " << cut << " of " << len;
            EXPECT_TRUE(r.error().incomplete()) << describe(r.error());
            EXPECT_EQ(short_in.position(), 0u);
            EXPECT_EQ(s2.prev_name, state.prev_name);
            EXPECT_EQ(s2.prev_mode, state.prev_mode);
            EXPECT_EQ(s2.prev_mtime, state.prev_mtime);
        }
        state = probe_state;
        pos += len;
        if (std::holds_alternative<FlistEnd>(*full)) {
            ++seg_no;
            seg.clear();
        } else {
            seg.push_back(std::get<FileEntry>(*full));
        }
    }
    EXPECT_EQ(seg_no, enc.segments.size());
}

std::string option_case_name(const ::testing::TestParamInfo<OptionCase>& param_info) {
    return param_info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Options, FlistCodecRoundTrip, ::testing::ValuesIn(option_cases()),
                         option_case_name);

}  // namespace
}  // namespace ursync::protocol
