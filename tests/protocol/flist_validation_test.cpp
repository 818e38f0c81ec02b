// File-list codec tests: hostile input is refused, encoder limits, names, end markers, id lists.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "protocol/flist_codec.h"
#include "protocol/varint.h"

namespace ursync::protocol {
namespace {

FlistOptions bare() {
    FlistOptions o;
    o.preserve_links = true;
    return o;
}

// Decodes the first item of `bytes` with a fresh state; returns the error (the test expects one).
WireError decode_error(const std::vector<std::byte>& bytes, const FlistOptions& o,
                       int32_t ndx_start = 1) {
    ByteCursor in(bytes);
    FlistCodecState state;
    auto r = decode_entry(in, state, o, SegmentContext{ndx_start, {}});
    EXPECT_FALSE(r) << "decoded although invalid";
    EXPECT_EQ(in.position(), 0u);
    EXPECT_TRUE(state.prev_name.empty());
    return r ? WireError{} : r.error();
}

// flags, name (no prefix), then the caller's tail.
ByteWriter entry_head(uint32_t flags, std::string_view name) {
    ByteWriter w;
    put_varint(w, static_cast<int32_t>(flags));
    put_byte(w, static_cast<uint8_t>(name.size()));
    w.put(name);
    return w;
}

void put_file_attrs(ByteWriter& w, int64_t size, int32_t mode) {
    put_varlong(w, size, 3);
    put_varlong(w, 1700000000, 4);
    put_int(w, mode);
}

// Decodes the first item of `bytes` with a fresh state; expects an entry.
FileEntry decode_ok(const std::vector<std::byte>& bytes, const FlistOptions& o) {
    ByteCursor in(bytes);
    FlistCodecState state;
    auto r = decode_entry(in, state, o, SegmentContext{1, {}});
    EXPECT_TRUE(r) << (r ? "" : r.error().what);
    EXPECT_EQ(in.position(), bytes.size());
    if (!r || !std::holds_alternative<FileEntry>(*r)) return {};
    return std::get<FileEntry>(*r);
}

TEST(FlistValidation, RejectsBadNames) {
    ByteWriter too_long;
    put_varint(too_long, static_cast<int32_t>(k_xmit_long_name));
    put_varint(too_long, static_cast<int32_t>(k_name_len_max + 1));
    EXPECT_FALSE(decode_error(too_long.bytes(), bare()).incomplete());  // refused before reading
}

// Names rsync's recv_file_entry builds as C strings; what they mean is the receiver's business.
TEST(FlistValidation, ReadsNamesAsRsyncDoes) {
    ByteWriter prefix_too_long;
    put_varint(prefix_too_long, static_cast<int32_t>(k_xmit_same_name));
    put_byte(prefix_too_long, 1);  // l1 = 1 but there is no previous name
    put_byte(prefix_too_long, 1);
    prefix_too_long.put("a");
    put_file_attrs(prefix_too_long, 1, 0100644);
    EXPECT_EQ(decode_ok(prefix_too_long.bytes(), bare()).name, "");  // the previous name

    ByteWriter nul = entry_head(k_xmit_extended_flags, std::string("a\0b", 3));
    put_file_attrs(nul, 1, 0100644);
    EXPECT_EQ(decode_ok(nul.bytes(), bare()).name, "a");

    ByteWriter empty = entry_head(k_xmit_extended_flags, "");
    put_file_attrs(empty, 1, 0100644);
    EXPECT_EQ(decode_ok(empty.bytes(), bare()).name, "");
}

// Flag bits rsync does not know are ignored, as rsync ignores them (garbage seed 11 of the
// hostile-client suite starts with flags 0x0e5e61e7).
TEST(FlistValidation, IgnoresUnknownFlagBits) {
    ByteWriter unknown_flag = entry_head((1u << 15) | (1u << 20), "a");
    put_file_attrs(unknown_flag, 1, 0100644);
    const FileEntry e = decode_ok(unknown_flag.bytes(), bare());
    EXPECT_EQ(e.name, "a");
    EXPECT_EQ(e.mode, 0100644u);
}

TEST(FlistValidation, RejectsBadAttributes) {
    ByteWriter negative_size = entry_head(k_xmit_extended_flags, "a");
    put_file_attrs(negative_size, -1, 0100644);
    EXPECT_FALSE(decode_error(negative_size.bytes(), bare()).incomplete());

    ByteWriter bad_type = entry_head(k_xmit_extended_flags, "a");
    put_file_attrs(bad_type, 1, 0170644);
    EXPECT_FALSE(decode_error(bad_type.bytes(), bare()).incomplete());

    // A mode 0 read from the wire is only valid for missing args; XMIT_SAME_MODE on the first
    // entry repeats the initial 0 unchecked, as rsync 3.5.0 does (the receiver ignores it).
    ByteWriter mode0 = entry_head(k_xmit_extended_flags, "a");
    put_file_attrs(mode0, 0, 0);
    EXPECT_FALSE(decode_error(mode0.bytes(), bare()).incomplete());
    FlistOptions missing = bare();
    missing.delete_missing_args = true;
    EXPECT_EQ(decode_ok(mode0.bytes(), missing).mode, 0u);
    ByteWriter same_mode0 = entry_head(k_xmit_same_mode, "a");
    put_varlong(same_mode0, 0, 3);
    put_varlong(same_mode0, 5, 4);
    EXPECT_EQ(decode_ok(same_mode0.bytes(), bare()).mode, 0u);

    ByteWriter nsec = entry_head(k_xmit_mod_nsec, "a");
    put_varlong(nsec, 1, 3);
    put_varlong(nsec, 5, 4);
    put_varint(nsec, 1000000000);
    put_int(nsec, 0100644);
    EXPECT_FALSE(decode_error(nsec.bytes(), bare()).incomplete());

    for (int32_t len : {-1, static_cast<int32_t>(k_symlink_len_max + 1)}) {
        ByteWriter link = entry_head(k_xmit_extended_flags, "l");
        put_file_attrs(link, 3, 0120777);
        put_varint(link, len);
        EXPECT_FALSE(decode_error(link.bytes(), bare()).incomplete()) << len;
    }
}

TEST(FlistValidation, RejectsHardLinkReferencesOutOfRange) {
    // The first entry of a segment starting at 1 has index 1: it can only refer to 0.
    for (int32_t first : {-1, 1, 2, 1000}) {
        ByteWriter w = entry_head(k_xmit_hlinked, "h");
        put_varint(w, first);
        put_file_attrs(w, 1, 0100644);
        EXPECT_FALSE(decode_error(w.bytes(), bare(), 1).incomplete()) << first;
    }
    // 0 lies in an earlier segment: a full entry follows and is accepted.
    ByteWriter ok = entry_head(k_xmit_hlinked, "h");
    put_varint(ok, 0);
    put_file_attrs(ok, 1, 0100644);
    ByteCursor in(ok.bytes());
    FlistCodecState state;
    auto r = decode_entry(in, state, bare(), SegmentContext{1, {}});
    ASSERT_TRUE(r);
    EXPECT_EQ(std::get<FileEntry>(*r).hlink.first_ndx, 0);
}

TEST(FlistValidation, EndMarkers) {
    FlistCodecState state;
    ByteWriter w;
    EXPECT_TRUE(encode_end_of_list(w, bare(), 5));
    EXPECT_EQ(w.size(), 2u);
    ByteCursor in(w.bytes());
    auto r = decode_entry(in, state, bare(), {});
    ASSERT_TRUE(r);
    EXPECT_EQ(std::get<FlistEnd>(*r).io_error, 5);

    FlistOptions bytes = bare();
    bytes.varint_flags = false;
    bytes.protocol = 30;
    bytes.safe_flist = false;
    ByteWriter plain;
    EXPECT_FALSE(encode_end_of_list(plain, bytes, 1));  // cannot carry the io_error
    EXPECT_EQ(plain.size(), 1u);
    ByteWriter clean;
    EXPECT_TRUE(encode_end_of_list(clean, bytes, 0));
    // 0x1004 without safe file lists is an invalid flag value.
    ByteWriter safe_marker;
    put_shortint(safe_marker, 0x1004);
    put_varint(safe_marker, 1);
    EXPECT_FALSE(decode_error(safe_marker.bytes(), bytes).incomplete());
    bytes.safe_flist = true;
    ByteWriter safe;
    EXPECT_TRUE(encode_end_of_list(safe, bytes, 1));
    EXPECT_EQ(safe.bytes(), safe_marker.bytes());
    ByteCursor safe_in(safe.bytes());
    auto end = decode_entry(safe_in, state, bytes, {});
    ASSERT_TRUE(end);
    EXPECT_EQ(std::get<FlistEnd>(*end).io_error, 1);
}

TEST(FlistValidation, ByteModeFillerFlagOnNonDirectories) {
    FlistOptions o = bare();
    o.varint_flags = false;
    o.preserve_uid = o.preserve_gid = o.numeric_ids = true;
    FileEntry e;
    e.name = "a";
    e.mode = 0100644;
    e.mtime_sec = 5;
    FlistCodecState enc;
    ByteWriter w;
    ASSERT_TRUE(encode_entry(w, enc, o, e, {}));
    EXPECT_EQ(static_cast<unsigned>(w.bytes()[0]), k_xmit_top_dir);  // all flags were 0
    FlistCodecState dec;
    ByteCursor in(w.bytes());
    auto r = decode_entry(in, dec, o, {});
    ASSERT_TRUE(r);
    EXPECT_FALSE(std::get<FileEntry>(*r).top_dir);
    EXPECT_EQ(std::get<FileEntry>(*r), e);
}

TEST(FlistValidation, EncoderRefusesWhatCannotBeSent) {
    FlistOptions o = bare();
    auto fails = [&](const FileEntry& e, const FlistOptions& opts) {
        FlistCodecState state;
        ByteWriter w;
        return !encode_entry(w, state, opts, e, {});
    };
    FileEntry e;
    e.name = "f";
    e.mode = 0100644;
    EXPECT_FALSE(fails(e, o));
    FileEntry bad = e;
    bad.name = "";
    EXPECT_TRUE(fails(bad, o));
    bad.name = std::string(k_name_len_max + 1, 'n');
    EXPECT_TRUE(fails(bad, o));
    bad.name = std::string("a\0b", 3);
    EXPECT_TRUE(fails(bad, o));
    bad = e;
    bad.size = -5;
    EXPECT_TRUE(fails(bad, o));
    bad = e;
    bad.hlink.linked = true;
    bad.hlink.first = true;
    EXPECT_TRUE(fails(bad, o));  // no -H
    FlistOptions sums = o;
    sums.always_checksum = true;
    sums.checksum_len = 16;
    EXPECT_TRUE(fails(e, sums));  // no checksum supplied
    FlistOptions crtimes_bytes = o;
    crtimes_bytes.crtimes = true;
    crtimes_bytes.varint_flags = false;
    EXPECT_TRUE(fails(e, crtimes_bytes));
}

TEST(FlistValidation, InlineNamesOnlyOnFirstUseOfAnId) {
    FlistOptions o = bare();
    o.preserve_uid = o.preserve_gid = o.inc_recurse = true;
    std::vector<FileEntry> in_entries(4);
    const uint32_t uids[] = {5, 6, 5, 7};
    for (size_t i = 0; i < 4; ++i) {
        in_entries[i].name = "f" + std::to_string(i);
        in_entries[i].mode = 0100644;
        in_entries[i].uid = uids[i];
        in_entries[i].gid = 0;
        if (uids[i] != 7) in_entries[i].user_name = "u" + std::to_string(uids[i]);  // 7: no name
        in_entries[i].group_name = "g0";
    }
    FlistCodecState enc;
    ByteWriter w;
    for (const auto& e : in_entries) ASSERT_TRUE(encode_entry(w, enc, o, e, {1, {}}));
    FlistCodecState dec;
    ByteCursor in(w.bytes());
    std::vector<std::optional<std::string>> users;
    std::vector<std::optional<std::string>> groups;
    for (size_t i = 0; i < 4; ++i) {
        auto r = decode_entry(in, dec, o, {1, {}});
        ASSERT_TRUE(r);
        users.push_back(std::get<FileEntry>(*r).user_name);
        groups.push_back(std::get<FileEntry>(*r).group_name);
        EXPECT_EQ(std::get<FileEntry>(*r).uid, uids[i]);
    }
    using Names = std::vector<std::optional<std::string>>;
    EXPECT_EQ(users, (Names{"u5", "u6", std::nullopt, std::nullopt}));
    EXPECT_EQ(groups, (Names{"g0", std::nullopt, std::nullopt, std::nullopt}));
}

TEST(FlistIdLists, RoundTripInRsyncOrder) {
    FlistOptions o = bare();
    o.preserve_uid = o.preserve_gid = true;
    o.id0_names = true;
    FlistCodecState state;
    state.sent_uids.add(0, "root");
    state.sent_uids.add(1, "daemon");
    state.sent_uids.add(9, std::nullopt);  // unnamed: left out
    state.sent_uids.add(65534, "nobody");
    state.sent_gids.add(1, "daemon");
    ByteWriter w;
    ASSERT_TRUE(encode_id_lists(w, o, state, "root", "wheel"));
    ByteCursor in(w.bytes());
    auto lists = decode_id_lists(in, o);
    ASSERT_TRUE(lists);
    EXPECT_EQ(in.remaining(), 0u);
    ASSERT_EQ(lists->uids->ids.size(), 2u);
    EXPECT_EQ(lists->uids->ids[0].id, 65534u);  // most recently met first
    EXPECT_EQ(lists->uids->ids[1].name, "daemon");
    EXPECT_EQ(lists->uids->id0_name, "root");
    EXPECT_EQ(lists->gids->id0_name, "wheel");
    // Every truncation is incomplete and leaves the cursor alone.
    for (size_t cut = 0; cut < w.size(); ++cut) {
        ByteCursor short_in(Bytes{w.bytes()}.first(cut));
        auto r = decode_id_lists(short_in, o);
        ASSERT_FALSE(r);
        EXPECT_TRUE(r.error().incomplete());
        EXPECT_EQ(short_in.position(), 0u);
    }
    // Without CF_ID0_NAMES each list ends with a bare 0.
    o.id0_names = false;
    ByteWriter old;
    ASSERT_TRUE(encode_id_lists(old, o, FlistCodecState{}, "root", "root"));
    EXPECT_EQ(old.size(), 2u);
    // Not sent with --numeric-ids or incremental recursion.
    for (auto flag : {&FlistOptions::numeric_ids, &FlistOptions::inc_recurse}) {
        FlistOptions none = o;
        none.*flag = true;
        ByteWriter nothing;
        ASSERT_TRUE(encode_id_lists(nothing, none, state, "root", "root"));
        EXPECT_EQ(nothing.size(), 0u);
        ByteCursor empty_in(Bytes{});
        EXPECT_TRUE(decode_id_lists(empty_in, none));
    }
}

TEST(FlistIdLists, RefusesEndlessLists) {
    FlistOptions o = bare();
    o.preserve_uid = true;
    ByteWriter w;
    for (size_t i = 0; i <= k_id_list_count_max; ++i) {
        put_varint(w, 1);
        put_byte(w, 0);
    }
    ByteCursor in(w.bytes());
    auto r = decode_id_lists(in, o);
    ASSERT_FALSE(r);
    EXPECT_FALSE(r.error().incomplete());
}

TEST(ReceivedName, AcceptsOnlySafeRelativeNames) {
    EXPECT_TRUE(check_received_name(".", true));
    EXPECT_TRUE(check_received_name("a", false));
    EXPECT_TRUE(check_received_name("a/b.c/..d", false));
    EXPECT_TRUE(check_received_name("...", true));
    EXPECT_FALSE(check_received_name(".", false));  // the root must be a directory
    EXPECT_FALSE(check_received_name("", true));
    EXPECT_FALSE(check_received_name("/etc/passwd", false));
    EXPECT_TRUE(check_received_name("/etc/passwd", false, true));  // --relative
    EXPECT_FALSE(check_received_name("/", true, true));
    for (const char* bad : {"..", "../x", "a/..", "a/../b", "a//b", "a/", "./a", "a/./b", "a/."}) {
        EXPECT_FALSE(check_received_name(bad, false)) << bad;
        EXPECT_FALSE(check_received_name(bad, false, true)) << bad;
    }
    const auto err = check_received_name("../x", false);
    EXPECT_EQ(err.error().exit_code(), ExitCode::unsupported);
}

}  // namespace
}  // namespace ursync::protocol
