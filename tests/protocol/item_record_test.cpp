// The per-file record codec: exact bytes, round trips over the flag combinations, markers,
// truncation, the xname and xattr-request limits, and the records of real rsync 3.5.0 captures.
#include "protocol/item_record.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <vector>

#include "capture_util.h"
#include "protocol/sum_head.h"
#include "protocol/varint.h"
#include "wire_test_util.h"

namespace ursync::protocol {
namespace {

using test::hex;
using test::to_hex;

constexpr int k_xxh128_len = 16;

std::vector<std::byte> encode(const ItemRecord& rec, NdxState state = {}) {
    ByteWriter w;
    put_item_record(w, state, rec);
    return w.take();
}

WireResult<ItemRecord> decode(const std::vector<std::byte>& bytes, ItemRecordOptions options = {},
                              size_t* used = nullptr) {
    ByteCursor in{Bytes{bytes}};
    NdxState state;
    auto r = get_item_record(in, state, options);
    if (used) *used = in.position();
    return r;
}

ItemRecord record(int32_t ndx, uint32_t iflags, uint8_t basis = k_fnamecmp_fname,
                  std::string xname = {}) {
    ItemRecord rec;
    rec.ndx = ndx;
    rec.iflags = static_cast<uint16_t>(iflags);
    rec.basis_type = basis;
    rec.xname = std::move(xname);
    return rec;
}

TEST(ItemRecord, ConstantsAreRsyncs) {
    EXPECT_EQ(k_item_report_xattr, 0x0100u);
    EXPECT_EQ(k_item_basis_type_follows, 0x0800u);
    EXPECT_EQ(k_item_xname_follows, 0x1000u);
    EXPECT_EQ(k_item_transfer, 0x8000u);
    EXPECT_EQ(k_item_matched, 1u << 18);
    EXPECT_EQ(k_item_significant, 0xA7FFu);  // SIGNIFICANT_ITEM_FLAGS & 0xFFFF
    EXPECT_EQ(k_fnamecmp_fname, 0x80);
    EXPECT_EQ(k_fnamecmp_partial_dir, 0x81);
    EXPECT_EQ(k_fnamecmp_fuzzy, 0x83);
    EXPECT_EQ(k_xname_len_max, 4095u);  // MAXPATHLEN - 1
}

TEST(ItemRecord, ExactBytes) {
    // ndx 0 (delta 1 from -1), IS_NEW|LOCAL_CHANGE: the first record of rsync-protocol.md §8.1.
    EXPECT_EQ(to_hex(encode(record(0, 0x6000))), to_hex(hex("01 00 60")));
    // Transfer from the --partial-dir copy: the basis type byte follows.
    EXPECT_EQ(to_hex(encode(
                  record(2, k_item_transfer | k_item_basis_type_follows, k_fnamecmp_partial_dir))),
              to_hex(hex("03 00 88 81")));
    // A hard link: XNAME_FOLLOWS|IS_NEW|LOCAL_CHANGE and the leader's name.
    EXPECT_EQ(to_hex(encode(record(4, 0x7000, k_fnamecmp_fname, "d/f2"))),
              to_hex(hex("05 00 70 04 64 2f 66 32")));
    // The basis type is written only with its flag, the xname only with its flag.
    EXPECT_EQ(to_hex(encode(record(0, 0x8000, k_fnamecmp_partial_dir, "ignored"))),
              to_hex(hex("01 00 80")));
    // A long xname takes the two-byte vstring length.
    const auto long_name = encode(record(0, k_item_xname_follows, 0, std::string(300, 'n')));
    EXPECT_EQ(to_hex(Bytes{long_name}.first(5)), to_hex(hex("01 00 10 81 2c")));
    // -X: the request after the record, differences ended by 0.
    ItemRecord with_request = record(0, k_item_report_xattr);
    with_request.xattr_nums = std::vector<int32_t>{2, 5};
    EXPECT_EQ(to_hex(encode(with_request)), to_hex(hex("01 00 01 02 03 00")));
    with_request.xattr_nums = std::vector<int32_t>{};
    EXPECT_EQ(to_hex(encode(with_request)), to_hex(hex("01 00 01 00")));
}

TEST(ItemRecord, NegativeNdxWritesNoIndex) {
    // As rsync generator.c:itemize: only a valid ndx goes out before the flags.
    EXPECT_EQ(to_hex(encode(record(k_ndx_done, 0x0002))), to_hex(hex("02 00")));
}

TEST(ItemRecord, MarkersComeBackAlone) {
    for (int32_t marker : {k_ndx_done, k_ndx_del_stats, k_ndx_flist_eof, k_ndx_flist_offset - 3}) {
        ByteWriter w;
        NdxState out;
        put_ndx(w, out, marker);
        const size_t marker_len = w.size();
        put_shortint(w, 0xFFFF);  // whatever follows is the caller's
        ByteCursor in{Bytes{w.bytes()}};
        NdxState state;
        auto r = get_item_record(in, state, ItemRecordOptions{true, false});
        ASSERT_TRUE(r) << marker;
        EXPECT_EQ(r->ndx, marker);
        EXPECT_EQ(r->iflags, 0);
        EXPECT_EQ(in.position(), marker_len) << marker;
        EXPECT_EQ(state.prev_neg, out.prev_neg);
    }
}

TEST(ItemRecord, RoundTripsEveryFlagCombinationThatShapesTheRecord) {
    const std::vector<std::string> xnames = {"",
                                             "a",
                                             "d/f2",
                                             std::string(127, 'x'),
                                             std::string(128, 'y'),
                                             std::string(k_xname_len_max, 'z')};
    const uint32_t shaping[] = {k_item_basis_type_follows, k_item_xname_follows,
                                k_item_report_xattr, k_item_local_change};
    const uint32_t others[] = {0, k_item_transfer, k_item_is_new | k_item_report_time, 0x0001,
                               k_item_report_change | k_item_report_size | k_item_report_perms};
    int checked = 0;
    for (uint32_t bits = 0; bits < 16; ++bits) {
        for (uint32_t other : others) {
            for (bool optim : {false, true}) {
                uint32_t iflags = other;
                for (int b = 0; b < 4; ++b)
                    if (bits & (1u << b)) iflags |= shaping[b];
                for (const std::string& xname : xnames) {
                    for (uint8_t basis : {uint8_t{0}, uint8_t{0x7F}, k_fnamecmp_partial_dir,
                                          k_fnamecmp_fuzzy, uint8_t{0xFF}}) {
                        ItemRecord rec = record(7, iflags, basis, xname);
                        const ItemRecordOptions options{true, optim};
                        if (xattr_exchange_follows(optim, iflags))
                            rec.xattr_nums = std::vector<int32_t>{1, 3, 2, 65536};
                        const auto bytes = encode(rec);
                        size_t used = 0;
                        auto got = decode(bytes, options, &used);
                        ASSERT_TRUE(got) << iflags << " " << got.error().what;
                        EXPECT_EQ(used, bytes.size());
                        // What the wire does not carry reads back as its default.
                        ItemRecord want = rec;
                        if (!(iflags & k_item_basis_type_follows))
                            want.basis_type = k_fnamecmp_fname;
                        if (!(iflags & k_item_xname_follows)) want.xname.clear();
                        EXPECT_EQ(*got, want) << iflags;
                        ++checked;
                    }
                }
            }
        }
    }
    EXPECT_EQ(checked, 16 * 5 * 2 * 6 * 5);
}

TEST(ItemRecord, XattrRequestFollowsOnlyWhenTheRulesSaySo) {
    // REPORT_XATTR with a request: read only when the reader expects requests.
    const auto bytes = hex("01 00 01 02 00");
    size_t used = 0;
    auto sender = decode(bytes, ItemRecordOptions{true, false}, &used);
    ASSERT_TRUE(sender);
    EXPECT_EQ(sender->xattr_nums, std::vector<int32_t>{2});
    EXPECT_EQ(used, 5u);
    auto receiver = decode(bytes, ItemRecordOptions{}, &used);
    ASSERT_TRUE(receiver);
    EXPECT_FALSE(receiver->xattr_nums);
    EXPECT_EQ(used, 3u);  // the answer after an echo is the xattr codec's
    // No REPORT_XATTR: no request.
    auto plain = decode(hex("01 00 80 02 00"), ItemRecordOptions{true, true}, &used);
    ASSERT_TRUE(plain);
    EXPECT_FALSE(plain->xattr_nums);
    EXPECT_EQ(used, 3u);
    // A locally made hard link (XNAME_FOLLOWS|LOCAL_CHANGE) has none with the optimisation...
    const auto link = hex("01 00 51 00 00");  // REPORT_XATTR|XNAME_FOLLOWS|LOCAL_CHANGE, ""
    auto optim = decode(link, ItemRecordOptions{true, true}, &used);
    ASSERT_TRUE(optim);
    EXPECT_FALSE(optim->xattr_nums);
    EXPECT_EQ(used, 4u);
    // ...and an empty one without it.
    auto no_optim = decode(link, ItemRecordOptions{true, false}, &used);
    ASSERT_TRUE(no_optim);
    EXPECT_EQ(no_optim->xattr_nums, std::vector<int32_t>{});
    EXPECT_EQ(used, 5u);
    EXPECT_TRUE(xattr_exchange_follows(true, k_item_report_xattr | k_item_xname_follows));
    EXPECT_TRUE(xattr_exchange_follows(true, k_item_report_xattr | k_item_local_change));
    EXPECT_FALSE(xattr_exchange_follows(false, k_item_transfer));
}

TEST(ItemRecord, EveryTruncationIsIncompleteAndLeavesTheState) {
    ItemRecord rec = record(
        70000,
        k_item_transfer | k_item_basis_type_follows | k_item_xname_follows | k_item_report_xattr, 3,
        std::string(200, 'q'));
    rec.xattr_nums = std::vector<int32_t>{1, 40000};
    const auto bytes = encode(rec);
    for (size_t len = 0; len < bytes.size(); ++len) {
        ByteCursor in{Bytes{bytes}.first(len)};
        NdxState state;
        auto r = get_item_record(in, state, ItemRecordOptions{true, false});
        ASSERT_FALSE(r) << len;
        EXPECT_TRUE(r.error().incomplete()) << len;
        EXPECT_EQ(state.prev_pos, -1) << len;
        EXPECT_EQ(state.prev_neg, 1) << len;
    }
    ByteCursor in{Bytes{bytes}};
    NdxState state;
    auto r = get_item_record(in, state, ItemRecordOptions{true, false});
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, rec);
    EXPECT_EQ(state.prev_pos, 70000);
}

TEST(ItemRecord, OversizeXnameIsRefused) {
    for (size_t len : {k_xname_len_max + 1, size_t{4096 + 100}, k_vstring_len_max}) {
        std::vector<std::byte> bytes = hex("01 00 10");
        ByteWriter name;
        put_vstring(name, std::string(len, 'x'));
        bytes.insert(bytes.end(), name.bytes().begin(), name.bytes().end());
        auto r = decode(bytes);
        ASSERT_FALSE(r) << len;
        EXPECT_FALSE(r.error().incomplete()) << len;
        EXPECT_NE(r.error().what.find("xname"), std::string::npos);
        // Refused from the length alone, before the name's bytes are there.
        auto early = decode(std::vector<std::byte>(bytes.begin(), bytes.begin() + 5));
        ASSERT_FALSE(early);
        EXPECT_FALSE(early.error().incomplete()) << len;
    }
    auto at_limit = encode(record(0, k_item_xname_follows, 0, std::string(k_xname_len_max, 'x')));
    EXPECT_TRUE(decode(at_limit));
}

TEST(ItemRecord, BadXattrRequestsAreRefused) {
    const ItemRecordOptions sender{true, false};
    auto request = [](std::initializer_list<int32_t> diffs) {
        std::vector<std::byte> bytes = hex("01 00 01");  // ndx 0, REPORT_XATTR
        ByteWriter w;
        for (int32_t d : diffs) put_varint(w, d);
        bytes.insert(bytes.end(), w.bytes().begin(), w.bytes().end());
        return bytes;
    };
    // A num outside [1, k_xattr_count_max].
    for (int32_t bad : {-1, k_xattr_count_max + 1, INT32_MAX}) {
        auto r = decode(request({bad, 0}), sender);
        ASSERT_FALSE(r) << bad;
        EXPECT_FALSE(r.error().incomplete()) << bad;
    }
    auto wrap = decode(request({5, INT32_MAX, 0}), sender);
    ASSERT_FALSE(wrap);
    EXPECT_FALSE(wrap.error().incomplete());
    // Going back is allowed (rsync's sender scans both ways), up to the count limit.
    auto back = decode(request({5, -1, 0}), sender);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->xattr_nums, (std::vector<int32_t>{5, 4}));
    // 2, 1, 2, 1, ...: k_xattr_request_nums_max of them pass, one more is refused.
    auto flood = [](size_t count) {
        std::vector<std::byte> bytes = hex("01 00 01");
        ByteWriter w;
        for (size_t i = 0; i < count; ++i) put_varint(w, i == 0 ? 2 : i % 2 == 1 ? -1 : 1);
        put_varint(w, 0);
        bytes.insert(bytes.end(), w.bytes().begin(), w.bytes().end());
        return bytes;
    };
    auto most = decode(flood(k_xattr_request_nums_max), sender);
    ASSERT_TRUE(most);
    EXPECT_EQ(most->xattr_nums->size(), k_xattr_request_nums_max);
    auto r = decode(flood(k_xattr_request_nums_max + 1), sender);
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().incomplete());
}

TEST(ItemRecord, OutOfRangeNdxIsRefused) {
    const auto bytes = hex("01 00 80");  // one past the largest index
    ByteCursor in{Bytes{bytes}};
    NdxState state{k_ndx_max, 1};
    auto r = get_item_record(in, state);
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().incomplete());
    EXPECT_EQ(state.prev_pos, k_ndx_max);
}

// The generator -> sender request stream of a capture after the filter list: every record
// through the codec (sum heads after transfers), re-encoded to identical bytes.
std::vector<ItemRecord> requests_of(const std::string& name, size_t step, int dones) {
    const test::Capture cap = test::load_capture(name, false);
    const auto data = test::data_stream(cap.c2s_muxed(), step);
    ByteCursor in{Bytes{data}};
    EXPECT_EQ(*get_int(in), 0);  // empty filter list
    ByteWriter again;
    put_int(again, 0);
    NdxState state;
    NdxState state_out;
    std::vector<ItemRecord> records;
    while (dones > 0) {
        auto rec = get_item_record(in, state);
        EXPECT_TRUE(rec) << name;
        if (!rec) break;
        if (rec->ndx < 0) {
            put_ndx(again, state_out, rec->ndx);
            if (rec->ndx == k_ndx_done) --dones;
            continue;
        }
        put_item_record(again, state_out, *rec);
        if (rec->iflags & k_item_transfer) {
            auto head = get_sum_head(in, k_xxh128_len);
            EXPECT_TRUE(head);
            if (!head) break;
            auto sums = get_block_sums(in, *head);
            EXPECT_TRUE(sums);
            put_sum_head(again, *head);
            for (size_t i = 0; i < sums->weak.size(); ++i)
                put_block_sum(again, sums->weak[i], sums->strong_of(i));
        }
        records.push_back(std::move(*rec));
    }
    EXPECT_EQ(in.remaining(), 0u) << name;
    EXPECT_EQ(to_hex(again.bytes()), to_hex(data)) << name;
    return records;
}

TEST(ItemRecord, Hl1HardLinkRecordsFromRsync) {
    // -H pull: the followers' records carry the leader's name (rsync-protocol.md §8.1).
    const auto records = requests_of("hl1", 7, 6);
    ASSERT_EQ(records.size(), 7u);
    const int32_t ndxs[] = {0, 2, 5, 7, 8, 4, 3};
    const uint16_t flags[] = {0x6000, 0x6002, 0x6002, 0x6000, 0xa000, 0x7000, 0x7000};
    for (size_t i = 0; i < records.size(); ++i) {
        EXPECT_EQ(records[i].ndx, ndxs[i]) << i;
        EXPECT_EQ(records[i].iflags, flags[i]) << i;
    }
    EXPECT_EQ(records[5].xname, "d/f2");
    EXPECT_EQ(records[6].xname, "d/f2");
    EXPECT_EQ(records[4].xname, "");

    // The sender echoes them unchanged: the same bytes in its stream, the absolute ndx form
    // for the step back from 8 to 4.
    const test::Capture cap = test::load_capture("hl1", false);
    const auto s2c = test::data_stream(cap.s2c_muxed(), 5);
    const auto echo =
        hex("fe 80 04 00 00 00 70 04 64 2f 66 32 fe 80 03 00 00 00 70 04 64 2f 66 32");
    const auto at = std::search(s2c.begin(), s2c.end(), echo.begin(), echo.end());
    ASSERT_NE(at, s2c.end());
    ByteCursor in{Bytes{echo}};
    NdxState state{8, 1};
    auto first = get_item_record(in, state);
    auto second = get_item_record(in, state);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(*first, records[5]);
    EXPECT_EQ(*second, records[6]);
    ByteWriter again;
    NdxState state_out{8, 1};
    put_item_record(again, state_out, *first);
    put_item_record(again, state_out, *second);
    EXPECT_EQ(again.bytes(), echo);
}

TEST(ItemRecord, Pull1AndDelta1RequestsFromRsync) {
    const auto pull = requests_of("pull1", 3, 6);
    EXPECT_FALSE(pull.empty());
    const auto delta = requests_of("delta1", 9, 5);
    ASSERT_EQ(delta.size(), 2u);
    EXPECT_EQ(delta[1], record(1, 0x8008));
}

}  // namespace
}  // namespace ursync::protocol
