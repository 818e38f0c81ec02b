// Golden tests: decode real rsync 3.5.0 file lists, check them field by field, re-encode
// byte-exact.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "flist_test_util.h"
#include "protocol/flist_codec.h"
#include "protocol/flist_dirs.h"
#include "protocol/flist_sort.h"
#include "protocol/ndx.h"

namespace ursync::protocol {
namespace {

using flist_test::ByteVec;

struct GoldenCase {
    const char* name;
    bool client_sends;  // push: the list is in c2s; pull: in s2c
    bool inc_recurse;
    bool owners;   // -o -g
    bool links;    // -l
    bool devices;  // -D
    bool hard_links;
};

void PrintTo(const GoldenCase& c, std::ostream* os) {
    *os << c.name;
}

// All captures: rsync 3.5.0 client and server, protocol 32, compat flags 0x1ff (inc) / 0x1fe.
const GoldenCase k_cases[] = {
    {"push1", true, true, true, true, true, false},
    {"pull1", false, true, true, true, true, false},
    {"hl1", false, true, true, true, true, true},
    {"uids", false, false, true, true, true, false},
    {"push_noinc", true, false, true, true, true, false},
    {"list", false, false, false, false, false, false},  // -d only (list-only)
    {"list2", false, true, false, false, false, false},  // -r only
};

FlistOptions options_for(const GoldenCase& c) {
    FlistOptions o;
    o.protocol = 32;
    o.varint_flags = true;
    o.safe_flist = true;
    o.preserve_uid = o.preserve_gid = c.owners;
    o.preserve_links = c.links;
    o.preserve_devices = o.preserve_specials = c.devices;
    o.preserve_hard_links = c.hard_links;
    o.inc_recurse = c.inc_recurse;
    o.id0_names = true;
    return o;
}

// One decoded segment: its entries (received order) and the bytes it occupied, end marker included.
struct Segment {
    int32_t ndx_start = 0;
    std::vector<FileEntry> entries;
    ByteVec bytes;
    int32_t io_error = -1;
};

struct DecodedList {
    std::vector<Segment> segments;
    IdLists ids;
    ByteVec id_bytes;
};

ByteVec slice(const ByteVec& v, size_t from, size_t to) {
    return ByteVec(v.begin() + static_cast<std::ptrdiff_t>(from),
                   v.begin() + static_cast<std::ptrdiff_t>(to));
}

// Decodes one segment starting at the cursor; fails the test on any error.
Segment decode_segment(const ByteVec& stream, ByteCursor& in, FlistCodecState& state,
                       const FlistOptions& options, int32_t ndx_start) {
    Segment seg;
    seg.ndx_start = ndx_start;
    const size_t start = in.position();
    for (;;) {
        auto item = decode_entry(in, state, options, SegmentContext{ndx_start, seg.entries});
        if (!item) {
            ADD_FAILURE() << "decode error: " << describe(item.error());
            break;
        }
        if (auto* end = std::get_if<FlistEnd>(&*item)) {
            seg.io_error = end->io_error;
            break;
        }
        seg.entries.push_back(std::get<FileEntry>(std::move(*item)));
    }
    seg.bytes = slice(stream, start, in.position());
    return seg;
}

DecodedList decode_capture(const GoldenCase& c, const ByteVec& stream) {
    const FlistOptions options = options_for(c);
    DecodedList out;
    ByteCursor in(stream);
    FlistCodecState state;
    DirTable dirs;
    int32_t ndx_start = c.inc_recurse ? 1 : 0;
    out.segments.push_back(decode_segment(stream, in, state, options, ndx_start));
    for (const auto& e : out.segments.back().entries) {
        EXPECT_TRUE(check_received_name(e.name, e.is_dir())) << e.name;
        if (c.inc_recurse) {
            EXPECT_TRUE(DirTable::check_top_segment_entry(e.name)) << e.name;
        }
    }
    if (!c.inc_recurse) {
        const size_t start = in.position();
        auto ids = decode_id_lists(in, options);
        EXPECT_TRUE(ids) << describe(ids.error());
        if (ids) out.ids = std::move(*ids);
        out.id_bytes = slice(stream, start, in.position());
        return out;
    }
    // Incremental: the sender pushes the other segments and NDX_FLIST_EOF before any transfer.
    EXPECT_TRUE(dirs.add_segment(out.segments.back().entries));
    NdxState ndx_state;
    for (;;) {
        auto ndx = get_ndx(in, ndx_state);
        if (!ndx) {
            ADD_FAILURE() << "ndx: " << describe(ndx.error());
            break;
        }
        if (*ndx == k_ndx_flist_eof) {
            dirs.finish();
            break;
        }
        auto dir = dirs.open_segment(*ndx);
        if (!dir) {
            ADD_FAILURE() << describe(dir.error());
            break;
        }
        const Segment& prev = out.segments.back();
        auto next_start = next_ndx_start(prev.ndx_start, prev.entries.size());
        EXPECT_TRUE(next_start);
        ndx_start = *next_start;
        out.segments.push_back(decode_segment(stream, in, state, options, ndx_start));
        for (const auto& e : out.segments.back().entries) {
            EXPECT_TRUE(dirs.check_segment_entry(*dir, e.name)) << e.name;
            EXPECT_TRUE(check_received_name(e.name, e.is_dir())) << e.name;
        }
        EXPECT_TRUE(dirs.add_segment(out.segments.back().entries));
    }
    return out;
}

// "=> entry b'NAME' mode=0OCT size=N" lines of decoded_flist.txt for one direction.
struct ExpectedEntry {
    std::string name;
    uint32_t mode = 0;  // 0 for abbreviated hard links (the decoder does not print them)
    int64_t size = -1;
    int32_t hlink_first = -1;
};

std::string unrepr(std::string_view quoted) {
    std::string out;
    for (size_t i = 0; i < quoted.size(); ++i) {
        if (quoted[i] != '\\') {
            out += quoted[i];
            continue;
        }
        const char k = quoted[++i];
        if (k == 'x') {
            out += static_cast<char>(std::stoi(std::string(quoted.substr(i + 1, 2)), nullptr, 16));
            i += 2;
        } else if (k == 'n') {
            out += '\n';
        } else if (k == 't') {
            out += '\t';
        } else {
            out += k;
        }
    }
    return out;
}

std::vector<ExpectedEntry> expected_entries(const std::string& capture, bool client_sends) {
    std::istringstream text(flist_test::read_text(capture + "/decoded_flist.txt"));
    const std::string dir = client_sends ? "C>" : "S>";
    std::vector<ExpectedEntry> out;
    for (std::string line; std::getline(text, line);) {
        const size_t full = line.find(dir + "   => entry b'");
        const size_t abbrev = line.find(dir + "   => abbreviated hardlink entry b'");
        if (full == std::string::npos && abbrev == std::string::npos) continue;
        const size_t q1 = line.find("b'") + 2;
        const size_t q2 = line.find('\'', q1);
        ExpectedEntry e;
        e.name = unrepr(std::string_view(line).substr(q1, q2 - q1));
        if (full != std::string::npos) {
            e.mode =
                static_cast<uint32_t>(std::stoul(line.substr(line.find("mode=") + 5), nullptr, 8));
            e.size = std::stoll(line.substr(line.find("size=") + 5));
        } else {
            e.hlink_first = std::stoi(line.substr(line.find("-> #") + 4));
        }
        out.push_back(e);
    }
    return out;
}

class FlistGolden : public ::testing::TestWithParam<GoldenCase> {
  protected:
    void SetUp() override {
        const GoldenCase& c = GetParam();
        const std::string dir = c.name;
        const ByteVec raw =
            flist_test::read_bytes(dir + (c.client_sends ? "/c2s.bin" : "/s2c.bin"));
        stream = flist_test::data_stream(raw, c.client_sends ? 0x23 : 0x2e);
        decoded = decode_capture(c, stream);
    }
    ByteVec stream;
    DecodedList decoded;
};

TEST_P(FlistGolden, DecodesWhatTheAnnotatedDecodeShows) {
    const GoldenCase& c = GetParam();
    const auto expected = expected_entries(c.name, c.client_sends);
    std::vector<FileEntry> all;
    for (const auto& seg : decoded.segments) {
        EXPECT_EQ(seg.io_error, 0);
        all.insert(all.end(), seg.entries.begin(), seg.entries.end());
    }
    ASSERT_FALSE(expected.empty());
    ASSERT_EQ(all.size(), expected.size());
    for (size_t i = 0; i < all.size(); ++i) {
        EXPECT_EQ(all[i].name, expected[i].name) << i;
        if (expected[i].hlink_first >= 0) {
            EXPECT_TRUE(all[i].hlink.linked);
            EXPECT_EQ(all[i].hlink.first_ndx, expected[i].hlink_first);
        } else {
            EXPECT_EQ(all[i].mode, expected[i].mode) << all[i].name;
            EXPECT_EQ(all[i].size, expected[i].size) << all[i].name;
        }
    }
}

TEST_P(FlistGolden, ReencodesToTheSameBytes) {
    const GoldenCase& c = GetParam();
    const FlistOptions options = options_for(c);
    // Non-incremental lists carry names in the id lists; give them back to the entries, as a
    // sender that looked them up would have them.
    std::map<uint32_t, std::string> user_names;
    std::map<uint32_t, std::string> group_names;
    if (decoded.ids.uids) {
        for (const auto& id : decoded.ids.uids->ids) user_names[id.id] = id.name;
    }
    if (decoded.ids.gids) {
        for (const auto& id : decoded.ids.gids->ids) group_names[id.id] = id.name;
    }
    FlistCodecState state;
    ByteVec expected;
    ByteVec produced;
    for (const auto& seg : decoded.segments) {
        ByteWriter out;
        for (FileEntry e : seg.entries) {
            if (auto u = user_names.find(e.uid); u != user_names.end()) e.user_name = u->second;
            if (auto g = group_names.find(e.gid); g != group_names.end()) e.group_name = g->second;
            auto ok = encode_entry(out, state, options, e, SegmentContext{seg.ndx_start, {}});
            ASSERT_TRUE(ok) << describe(ok.error());
        }
        EXPECT_TRUE(encode_end_of_list(out, options, seg.io_error));
        produced.insert(produced.end(), out.bytes().begin(), out.bytes().end());
        expected.insert(expected.end(), seg.bytes.begin(), seg.bytes.end());
    }
    ASSERT_GT(expected.size(), 10u);
    ASSERT_EQ(flist_test::to_hex(produced), flist_test::to_hex(expected));
    if (!c.inc_recurse) {
        ByteWriter ids;
        const std::string uid0 = decoded.ids.uids ? decoded.ids.uids->id0_name.value_or("") : "";
        const std::string gid0 = decoded.ids.gids ? decoded.ids.gids->id0_name.value_or("") : "";
        ASSERT_TRUE(encode_id_lists(ids, options, state, uid0, gid0));
        EXPECT_EQ(flist_test::to_hex(ids.bytes()), flist_test::to_hex(decoded.id_bytes));
    }
}

std::string case_name(const ::testing::TestParamInfo<GoldenCase>& param_info) {
    return param_info.param.name;
}

INSTANTIATE_TEST_SUITE_P(Captures, FlistGolden, ::testing::ValuesIn(k_cases), case_name);

// ---- field-by-field checks of what the annotated decodes do not show ----

DecodedList decode_named(const char* name) {
    for (const auto& c : k_cases) {
        if (std::string(c.name) != name) continue;
        const ByteVec raw =
            flist_test::read_bytes(std::string(name) + (c.client_sends ? "/c2s.bin" : "/s2c.bin"));
        return decode_capture(c, flist_test::data_stream(raw, c.client_sends ? 0x23 : 0x2e));
    }
    ADD_FAILURE() << "no case " << name;
    return {};
}

TEST(FlistGoldenFields, Push1TopSegmentAndSubSegment) {
    const DecodedList list = decode_named("push1");
    ASSERT_EQ(list.segments.size(), 2u);
    const auto& top = list.segments[0].entries;
    ASSERT_EQ(top.size(), 5u);
    EXPECT_EQ(top[0].name, ".");
    EXPECT_TRUE(top[0].top_dir);
    EXPECT_FALSE(top[0].no_content_dir);
    EXPECT_EQ(top[0].mtime_sec, 1704164645);
    EXPECT_EQ(top[0].user_name, "root");
    EXPECT_EQ(top[0].group_name, "root");
    EXPECT_EQ(top[1].name, "b.txt");
    EXPECT_FALSE(top[1].user_name);
    EXPECT_EQ(top[1].mtime_sec, 1704164645);  // XMIT_SAME_TIME
    EXPECT_EQ(top[2].name, "link");
    EXPECT_EQ(top[2].symlink_target, "a.txt");
    EXPECT_EQ(list.segments[1].ndx_start, 7);
    ASSERT_EQ(list.segments[1].entries.size(), 1u);
    EXPECT_EQ(list.segments[1].entries[0].name, "sub/c.txt");
    EXPECT_EQ(list.segments[1].entries[0].mode, 0100644u);  // XMIT_SAME_MODE across segments
    // Sorted indexes (§7.10): . = 1, a.txt = 2, b.txt = 3, link = 4, sub = 5.
    const auto order = sorted_order(top);
    std::vector<std::string> sorted;
    for (uint32_t i : order) sorted.push_back(top[i].name);
    EXPECT_EQ(sorted, (std::vector<std::string>{".", "a.txt", "b.txt", "link", "sub"}));
}

TEST(FlistGoldenFields, Hl1HardLinksAndDevices) {
    const DecodedList list = decode_named("hl1");
    ASSERT_EQ(list.segments.size(), 2u);
    const auto& top = list.segments[0].entries;
    ASSERT_EQ(top.size(), 6u);
    EXPECT_EQ(top[1].name, "cdev");
    EXPECT_EQ(top[1].mode, 020644u);
    EXPECT_EQ(top[1].rdev_major, 1u);
    EXPECT_EQ(top[1].rdev_minor, 3u);
    EXPECT_EQ(top[2].name, "fifo");
    EXPECT_EQ(top[2].mode, 010644u);
    EXPECT_EQ(top[3].name, "f1");
    EXPECT_TRUE(top[3].hlink.linked && top[3].hlink.first);
    EXPECT_EQ(top[3].hlink.first_ndx, 4);  // its own index: 4th sent in a segment starting at 1
    EXPECT_EQ(top[4].name, "f3");          // abbreviated: attributes copied from f1
    EXPECT_TRUE(top[4].hlink.linked && !top[4].hlink.first);
    EXPECT_EQ(top[4].hlink.first_ndx, 4);
    EXPECT_EQ(top[4].size, 5);
    EXPECT_EQ(top[4].mode, 0100644u);
    EXPECT_EQ(top[4].mtime_sec, top[3].mtime_sec);
    const auto& sub = list.segments[1];
    EXPECT_EQ(sub.ndx_start, 8);
    ASSERT_EQ(sub.entries.size(), 1u);
    EXPECT_EQ(sub.entries[0].name, "d/f2");  // first = 4 < 8: full attributes follow
    EXPECT_EQ(sub.entries[0].hlink.first_ndx, 4);
    EXPECT_EQ(sub.entries[0].size, 5);
}

TEST(FlistGoldenFields, UidsIdListsAndNanoseconds) {
    const DecodedList list = decode_named("uids");
    ASSERT_EQ(list.segments.size(), 1u);
    const auto& e = list.segments[0].entries;
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0].mtime_nsec, 334900389u);
    EXPECT_EQ(e[1].name, "f1");
    EXPECT_EQ(e[1].uid, 1u);
    EXPECT_EQ(e[1].gid, 1u);
    EXPECT_EQ(e[1].mtime_nsec, 334900389u);
    EXPECT_EQ(e[2].name, "f2");
    EXPECT_EQ(e[2].uid, 65534u);
    EXPECT_EQ(e[2].gid, 65534u);
    ASSERT_TRUE(list.ids.uids && list.ids.gids);
    ASSERT_EQ(list.ids.uids->ids.size(), 2u);
    EXPECT_EQ(list.ids.uids->ids[0].id, 65534u);
    EXPECT_EQ(list.ids.uids->ids[0].name, "nobody");
    EXPECT_EQ(list.ids.uids->ids[1].id, 1u);
    EXPECT_EQ(list.ids.uids->ids[1].name, "daemon");
    EXPECT_EQ(list.ids.uids->id0_name, "root");
    EXPECT_EQ(list.ids.gids->ids[0].name, "nogroup");
    EXPECT_EQ(list.ids.gids->id0_name, "root");
}

TEST(FlistGoldenFields, ListOnlyWithoutLinksOrOwners) {
    const DecodedList list = decode_named("list");
    const auto& e = list.segments.at(0).entries;
    ASSERT_EQ(e.size(), 5u);
    EXPECT_EQ(e[2].name, "link");
    EXPECT_TRUE(e[2].symlink_target.empty());  // no -l: no target on the wire
    EXPECT_EQ(e[3].name, "sub");
    EXPECT_TRUE(e[3].no_content_dir);  // -d without -r
    EXPECT_TRUE(e[0].top_dir);
    EXPECT_FALSE(list.ids.uids);
}

}  // namespace
}  // namespace ursync::protocol
