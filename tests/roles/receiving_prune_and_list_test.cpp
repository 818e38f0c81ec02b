// Pure parts of two everyday options on the receiving side: -m's prune walk (rsync
// flist_sort_and_clean) and the --files-from list text (rsync io.c read_line and the
// forwarding of a list to the sender). The interop option sets m, m-exclude and files-from*
// compare whole transfers with stock rsync.
#include <gtest/gtest.h>

#include "roles/common/files_from.h"
#include "roles/recv/core/prune_dirs.h"

namespace ursync::roles {
namespace {

PruneItem dir(std::string_view name, bool excluded = false) {
    return PruneItem{true, dir_depth(name), excluded};
}
PruneItem file() { return PruneItem{}; }

TEST(RecvPrune, DirectoryChainsWithoutFilesArePruned) {
    // Sorted as rsync sorts a list: ".", then per directory its files before its subdirs.
    const std::vector<PruneItem> items = {
        dir("."),      // 0
        dir("a"),      // 1: holds only b/ (empty) -> pruned with it
        dir("a/b"),    // 2
        dir("c"),      // 3: holds a file -> kept
        file(),        // 4: c/f
        dir("c/d"),    // 5: empty -> pruned
        dir("e"),      // 6: e/x/y/f keeps e, e/x and e/x/y
        dir("e/x"),    // 7
        dir("e/x/y"),  // 8
        file(),        // 9
        dir("z"),      // 10: the last one, empty -> pruned
    };
    const std::vector<bool> expect = {false, true, true, false, false, true,
                                      false, false, false, false, true};
    EXPECT_EQ(prune_empty_dirs(items), expect);
}

TEST(RecvPrune, AnExcludedDirectoryKeepsItsParents) {
    const std::vector<PruneItem> items = {dir("."), dir("a"), dir("a/keep", true), dir("b")};
    const std::vector<bool> expect = {false, false, false, true};
    EXPECT_EQ(prune_empty_dirs(items), expect);
    EXPECT_EQ(dir_depth("."), 0);
    EXPECT_EQ(dir_depth("a/b/c"), 3);
}

TEST(RecvFilesFrom, LocalListsSkipCommentsAndEmptyLines) {
    const auto split =
        split_files_from("# c\nsmall.txt\r\n\n; x\ndir/\nlast", FilesFromFormat{false, true}, true);
    EXPECT_TRUE(split.complete);
    EXPECT_EQ(split.names, (std::vector<std::string>{"small.txt", "dir/", "last"}));
}

TEST(RecvFilesFrom, AListOnTheConnectionEndsAtItsEmptyName) {
    const std::string data("a\0# kept\0\0after", 15);
    const auto split = split_files_from(data, FilesFromFormat{true, false}, false);
    EXPECT_TRUE(split.complete);
    EXPECT_EQ(split.consumed, 10u);
    EXPECT_EQ(split.names, (std::vector<std::string>{"a", "# kept"}));
    const auto partial = split_files_from(std::string("a\0b", 3), FilesFromFormat{true, false},
                                          false);
    EXPECT_FALSE(partial.complete);
    EXPECT_EQ(partial.names, (std::vector<std::string>{"a"}));
}

TEST(RecvFilesFrom, ForwardedListsAreNulEndedWithRunsCollapsed) {
    EXPECT_EQ(forward_files_from("a\n\n\nb\r\n", false), std::string("a\0b\0\0", 5));
    EXPECT_EQ(forward_files_from("a\nb", false), std::string("a\0b\0\0", 5));
    EXPECT_EQ(forward_files_from("", false), std::string("\0", 1));
    EXPECT_EQ(forward_files_from(std::string("x\ny\0", 4), true), std::string("x\ny\0\0", 5));
}

TEST(RecvFilesFrom, NamesAreMadeRelativeWithoutDotDot) {
    EXPECT_EQ(sanitize_files_from_name("/abs/x"), "abs/x");
    EXPECT_EQ(sanitize_files_from_name("../up"), "up");
    EXPECT_EQ(sanitize_files_from_name("a/../b/"), "a/b/");
    EXPECT_EQ(sanitize_files_from_name("./a//b"), "./a/b");
    EXPECT_EQ(sanitize_files_from_name(".."), "");
}

}  // namespace
}  // namespace ursync::roles
