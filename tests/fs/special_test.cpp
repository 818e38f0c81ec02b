// Special files: directories, symlinks, hard links, nodes; replacing items of the wrong type.
#include "fs/special.h"

#include <sys/sysmacros.h>

#include "fs_test_util.h"

namespace ursync::fs {
namespace {

using testing::exists_nofollow;
using testing::lstat_of;
using testing::names_in;
using testing::read_text;
using testing::write_text;

class Special : public testing::FsRootTest {};

std::string link_target(const std::string& path) {
    char buf[256] = {};
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n < 0 ? "" : std::string(buf, static_cast<size_t>(n));
}

TEST_P(Special, DirectoriesExistingOnesAreFine) {
    auto made = run(make_directory(root(), "d", 0750));
    ASSERT_TRUE(made);
    EXPECT_TRUE(*made);
    EXPECT_EQ(lstat_of(tree_.in_root("d")).st_mode & 07777, 0750u);
    auto again = run(make_directory(root(), "d", 0700));
    ASSERT_TRUE(again);
    EXPECT_FALSE(*again);
    EXPECT_FALSE(*run(make_directory(root(), ".", 0700)));
    write_text(tree_.in_root("file"), "");
    auto blocked = run(make_directory(root(), "file", 0755));
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().err, EEXIST);
}

TEST_P(Special, SymlinksAreCreatedAndReplacedAtomically) {
    ASSERT_TRUE(run(make_symlink(root(), "l", "target-one")));
    EXPECT_EQ(link_target(tree_.in_root("l")), "target-one");
    ASSERT_TRUE(run(make_symlink(root(), "l", "target-two")));  // over a symlink
    EXPECT_EQ(link_target(tree_.in_root("l")), "target-two");
    write_text(tree_.in_root("was-file"), "x");
    ASSERT_TRUE(run(make_symlink(root(), "was-file", "/abs/target")));  // over a file
    EXPECT_EQ(link_target(tree_.in_root("was-file")), "/abs/target");
    ASSERT_EQ(::mkdir(tree_.in_root("dir").c_str(), 0755), 0);
    auto over_dir = run(make_symlink(root(), "dir", "t"));
    ASSERT_FALSE(over_dir);
    EXPECT_TRUE(lstat_of(tree_.in_root("dir")).st_mode & S_IFDIR);
    EXPECT_EQ(names_in(tree_.root()), (std::set<std::string>{"dir", "l", "was-file"}));
}

TEST_P(Special, HardLinksIncludingOverAnExistingLinkToTheSameFile) {
    write_text(tree_.in_root("orig"), "shared");
    ASSERT_TRUE(run(make_hard_link(root(), "orig", "twin")));
    EXPECT_EQ(lstat_of(tree_.in_root("twin")).st_ino, lstat_of(tree_.in_root("orig")).st_ino);
    ASSERT_TRUE(run(make_hard_link(root(), "orig", "twin")));  // already linked: no temp left
    write_text(tree_.in_root("other"), "other");
    ASSERT_TRUE(run(make_hard_link(root(), "orig", "other")));  // replaces a different file
    EXPECT_EQ(read_text(tree_.in_root("other")), "shared");
    EXPECT_EQ(lstat_of(tree_.in_root("orig")).st_nlink, 3u);
    ASSERT_EQ(::symlink("orig", tree_.in_root("sl").c_str()), 0);
    ASSERT_TRUE(run(make_hard_link(root(), "sl", "sl2")));  // links the symlink itself
    EXPECT_TRUE(S_ISLNK(lstat_of(tree_.in_root("sl2")).st_mode));
    EXPECT_EQ(names_in(tree_.root()), (std::set<std::string>{"orig", "other", "sl", "sl2", "twin"}));
}

TEST_P(Special, FifosSocketsAndDevices) {
    ASSERT_TRUE(run(make_node(root(), "fifo", S_IFIFO | 0640, 0, 0)));
    EXPECT_TRUE(S_ISFIFO(lstat_of(tree_.in_root("fifo")).st_mode));
    ASSERT_TRUE(run(make_node(root(), "sock", S_IFSOCK | 0600, 0, 0)));
    EXPECT_TRUE(S_ISSOCK(lstat_of(tree_.in_root("sock")).st_mode));
    ASSERT_TRUE(run(make_node(root(), "fifo", S_IFIFO | 0600, 0, 0)));  // replaced in place
    auto not_a_node = run(make_node(root(), "reg", S_IFREG | 0600, 0, 0));
    ASSERT_FALSE(not_a_node);
    EXPECT_EQ(not_a_node.error().err, EINVAL);
    auto dev = run(make_node(root(), "null", S_IFCHR | 0666, 1, 3));
    if (!dev && dev.error().err == EPERM) GTEST_SKIP() << "no CAP_MKNOD here";
    ASSERT_TRUE(dev) << dev.error().message();
    auto st = lstat_of(tree_.in_root("null"));
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(major(st.st_rdev), 1u);
    EXPECT_EQ(minor(st.st_rdev), 3u);
    ASSERT_TRUE(run(make_node(root(), "blk", S_IFBLK | 0600, 7, 0)));
    EXPECT_TRUE(S_ISBLK(lstat_of(tree_.in_root("blk")).st_mode));
}

TEST_P(Special, ClearingTheWayForAnotherType) {
    write_text(tree_.in_root("f"), "file where a dir should be");
    auto cleared = run(clear_for_type(root(), "f", FileType::directory, false));
    ASSERT_TRUE(cleared);
    EXPECT_TRUE(*cleared);
    EXPECT_FALSE(exists_nofollow(tree_.in_root("f")));
    EXPECT_FALSE(*run(clear_for_type(root(), "f", FileType::regular, false)));  // nothing there

    ASSERT_EQ(::mkdir(tree_.in_root("empty").c_str(), 0755), 0);
    EXPECT_TRUE(*run(clear_for_type(root(), "empty", FileType::regular, false)));
    EXPECT_FALSE(exists_nofollow(tree_.in_root("empty")));

    ASSERT_EQ(::mkdir(tree_.in_root("full").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(tree_.in_root("full/sub").c_str(), 0755), 0);
    write_text(tree_.in_root("full/sub/x"), "x");
    write_text(tree_.in_outside("precious"), "keep");
    ASSERT_EQ(::symlink(tree_.outside().c_str(), tree_.in_root("full/escape").c_str()), 0);
    auto refused = run(clear_for_type(root(), "full", FileType::symlink, false));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().err, ENOTEMPTY);
    EXPECT_EQ(refused.error().path, "full");
    EXPECT_TRUE(exists_nofollow(tree_.in_root("full/sub/x")));
    auto forced = run(clear_for_type(root(), "full", FileType::symlink, true));
    ASSERT_TRUE(forced) << forced.error().message();
    EXPECT_FALSE(exists_nofollow(tree_.in_root("full")));
    EXPECT_EQ(read_text(tree_.in_outside("precious")), "keep");  // the link was not followed

    write_text(tree_.in_root("same"), "");
    EXPECT_FALSE(*run(clear_for_type(root(), "same", FileType::regular, false)));
    EXPECT_FALSE(*run(clear_for_type(root(), "same", FileType::symlink, false)));
    EXPECT_TRUE(exists_nofollow(tree_.in_root("same")));
}

URSYNC_FS_ROOT_SUITE(Special);

}  // namespace
}  // namespace ursync::fs
