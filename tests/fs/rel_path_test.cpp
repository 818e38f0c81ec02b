// Relative-path checks: every shape of escape is refused; ordinary names pass.
#include "fs/rel_path.h"

#include <gtest/gtest.h>

#include <string>

namespace ursync::fs {
namespace {

TEST(RelPath, OrdinaryNamesAreSafe) {
    for (std::string_view p : {".", "a", "a/b/c", ".hidden", "a/.b", "...", "a/..b/c..", "x y"})
        EXPECT_TRUE(is_safe_rel_path(p)) << p;
}

TEST(RelPath, EscapesAndOddShapesAreRefused) {
    for (std::string_view p : {"", "/", "/etc/passwd", "..", "../x", "a/../../x", "a/..", "a//b",
                               "a/", "./a", "a/./b", "a/.", "//a"})
        EXPECT_FALSE(is_safe_rel_path(p)) << p;
    EXPECT_FALSE(is_safe_rel_path(std::string_view("a\0b", 3)));
    EXPECT_FALSE(is_safe_rel_path(std::string_view("\0", 1)));
}

TEST(RelPath, SplitsParentAndLeaf) {
    auto deep = split_parent_leaf("a/b/c");
    EXPECT_EQ(deep.parent, "a/b");
    EXPECT_EQ(deep.leaf, "c");
    auto top = split_parent_leaf("c");
    EXPECT_EQ(top.parent, "");
    EXPECT_EQ(top.leaf, "c");
}

TEST(RelPath, JoinsWithTheRootAsEmptyOrDot) {
    EXPECT_EQ(join_rel("", "x"), "x");
    EXPECT_EQ(join_rel(".", "x"), "x");
    EXPECT_EQ(join_rel("a/b", "x"), "a/b/x");
}

}  // namespace
}  // namespace ursync::fs
