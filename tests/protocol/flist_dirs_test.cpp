// Incremental-recursion helpers: directory numbering, segment index arithmetic, segment checks.
#include "protocol/flist_dirs.h"

#include <gtest/gtest.h>

#include <limits>
#include <vector>

namespace ursync::protocol {
namespace {

FileEntry make(std::string name, bool dir) {
    FileEntry e;
    e.name = std::move(name);
    e.mode = dir ? (k_mode_dir | 0755) : (k_mode_regular | 0644);
    return e;
}

TEST(FlistDirs, SegmentMarkersAndIndexes) {
    EXPECT_EQ(segment_ndx(0), -101);
    EXPECT_EQ(segment_ndx(1), -102);  // "ff 65" in the captures
    EXPECT_EQ(dir_ndx_of_segment(-102), 1);
    EXPECT_EQ(dir_ndx_of_segment(-101), 0);
    EXPECT_EQ(dir_ndx_of_segment(-100), -1);
    EXPECT_EQ(dir_ndx_of_segment(-1), -1);
    EXPECT_EQ(dir_ndx_of_segment(std::numeric_limits<int32_t>::min()), 2147483547);
    auto next = next_ndx_start(1, 5);  // §7.10: 1 + 5 + 1
    ASSERT_TRUE(next);
    EXPECT_EQ(*next, 7);
    EXPECT_EQ(*next_ndx_start(0, 0), 1);
    EXPECT_FALSE(next_ndx_start(std::numeric_limits<int32_t>::max() - 3, 5));
    EXPECT_EQ(dir_part("sub/c.txt"), "sub");
    EXPECT_EQ(dir_part("a/b/c"), "a/b");
    EXPECT_EQ(dir_part("a.txt"), "");
}

TEST(FlistDirs, DirectoriesAreNumberedPerSegmentInSortedOrder) {
    DirTable table;
    // Received order of a first segment; only directories enter the table, sorted.
    const std::vector<FileEntry> top = {make(".", true), make("b", true), make("a.txt", false),
                                        make("a", true), make("c", false)};
    ASSERT_TRUE(table.add_segment(top));
    ASSERT_EQ(table.size(), 3u);
    EXPECT_EQ(table.name(0), ".");
    EXPECT_EQ(table.name(1), "a");
    EXPECT_EQ(table.name(2), "b");
    auto dir = table.open_segment(segment_ndx(1));
    ASSERT_TRUE(dir);
    EXPECT_EQ(*dir, 1u);
    EXPECT_TRUE(table.check_segment_entry(1, "a/x"));
    EXPECT_FALSE(table.check_segment_entry(1, "b/x"));
    EXPECT_FALSE(table.check_segment_entry(1, "a/x/y"));
    EXPECT_FALSE(table.check_segment_entry(1, "x"));
    EXPECT_FALSE(table.check_segment_entry(7, "a/x"));
    // The segment of "a" adds its subdirectories after all existing ones, sorted among themselves.
    ASSERT_TRUE(table.add_segment(
        std::vector<FileEntry>{make("a/z", true), make("a/f", false), make("a/y", true)}));
    ASSERT_EQ(table.size(), 5u);
    EXPECT_EQ(table.name(3), "a/y");
    EXPECT_EQ(table.name(4), "a/z");
    EXPECT_TRUE(DirTable::check_top_segment_entry("x"));
    EXPECT_FALSE(DirTable::check_top_segment_entry("a/x"));
}

TEST(FlistDirs, RefusesBadSegments) {
    DirTable table;
    const std::vector<FileEntry> top = {make(".", true), make("d", true), make("d", true)};
    const std::vector<bool> dropped = {false, false, true};  // the second "d" is a duplicate
    ASSERT_TRUE(table.add_segment(top, dropped));
    ASSERT_EQ(table.size(), 3u);
    EXPECT_TRUE(table.active(1));
    EXPECT_FALSE(table.active(2));
    EXPECT_FALSE(table.open_segment(-1));              // not a segment marker
    EXPECT_FALSE(table.open_segment(-100));            // not a segment marker
    EXPECT_FALSE(table.open_segment(segment_ndx(3)));  // unknown directory
    EXPECT_FALSE(table.open_segment(segment_ndx(2)));  // inactive duplicate
    EXPECT_FALSE(table.open_segment(std::numeric_limits<int32_t>::min()));
    ASSERT_TRUE(table.open_segment(segment_ndx(1)));
    EXPECT_TRUE(table.has_segment(1));
    EXPECT_FALSE(table.open_segment(segment_ndx(1)));  // a second segment for the same directory
    ASSERT_TRUE(table.open_segment(segment_ndx(0)));
    table.finish();
    EXPECT_TRUE(table.finished());
    DirTable other;
    ASSERT_TRUE(other.add_segment(top));
    other.finish();
    EXPECT_FALSE(other.open_segment(segment_ndx(1)));  // after NDX_FLIST_EOF
}

}  // namespace
}  // namespace ursync::protocol
