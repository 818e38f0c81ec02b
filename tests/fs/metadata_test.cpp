// Metadata: mode, owner, nanosecond times on files, directories and symlinks; only what differs.
#include "fs/metadata.h"

#include "fs/source_file.h"
#include "fs_test_util.h"

namespace ursync::fs {
namespace {

using engine::Task;
using testing::lstat_of;
using testing::write_text;

class Metadata : public testing::FsRootTest {
protected:
    FileAttrs current(const std::string& rel) {
        auto a = run(root().stat(rel));
        EXPECT_TRUE(a) << rel;
        return a ? *a : FileAttrs{};
    }
};

PreserveAttrs everything() {
    PreserveAttrs p;
    p.perms = p.owner = p.group = p.mtime = true;
    p.modify_window_sec = -1;
    return p;
}

TEST_P(Metadata, SetsModeAndNanosecondTimesOnAnOpenFile) {
    write_text(tree_.in_root("f"), "abc");
    ASSERT_EQ(::chmod(tree_.in_root("f").c_str(), 0600), 0);
    auto fd = run(root().open("f", O_WRONLY));
    ASSERT_TRUE(fd);
    FileAttrs want = current("f");
    want.mode = S_IFREG | 0751;
    want.mtime_sec = 1704164645;
    want.mtime_nsec = 123456789;
    auto changed = run(apply_attrs_fd(engine(), *fd, want, current("f"), everything(), "f"));
    ::close(*fd);
    ASSERT_TRUE(changed) << changed.error().message();
    EXPECT_TRUE(changed->mode);
    EXPECT_TRUE(changed->mtime);
    EXPECT_FALSE(changed->uid);
    EXPECT_FALSE(changed->gid);
    auto st = lstat_of(tree_.in_root("f"));
    EXPECT_EQ(st.st_mode & 07777, 0751u);
    EXPECT_EQ(st.st_mtim.tv_sec, 1704164645);
    EXPECT_EQ(st.st_mtim.tv_nsec, 123456789);
    // Again: nothing differs, nothing changes.
    auto fd2 = run(root().open("f", O_RDONLY));
    ASSERT_TRUE(fd2);
    auto again = run(apply_attrs_fd(engine(), *fd2, want, current("f"), everything(), "f"));
    ::close(*fd2);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->any());
}

TEST_P(Metadata, TimesOnDirectoriesAndSymlinksButNoChmodOfALink) {
    ASSERT_EQ(::mkdir(tree_.in_root("d").c_str(), 0700), 0);
    ASSERT_EQ(::symlink("d", tree_.in_root("l").c_str()), 0);
    FileAttrs want_dir = current("d");
    want_dir.mode = S_IFDIR | 0755;
    want_dir.mtime_sec = 1000000000;
    want_dir.mtime_nsec = 987654321;
    auto dir_changed = run(apply_attrs_at(root(), "d", want_dir, current("d"), everything()));
    ASSERT_TRUE(dir_changed) << dir_changed.error().message();
    EXPECT_TRUE(dir_changed->mode && dir_changed->mtime);
    auto dst = lstat_of(tree_.in_root("d"));
    EXPECT_EQ(dst.st_mode & 07777, 0755u);
    EXPECT_EQ(dst.st_mtim.tv_nsec, 987654321);

    FileAttrs link_before = current("l");
    FileAttrs want_link = link_before;
    want_link.mode = S_IFLNK | 0600;  // cannot be applied: skipped as rsync does
    want_link.mtime_sec = 1200000000;
    want_link.mtime_nsec = 5;
    auto link_changed = run(apply_attrs_at(root(), "l", want_link, link_before, everything()));
    ASSERT_TRUE(link_changed) << link_changed.error().message();
    EXPECT_FALSE(link_changed->mode);
    EXPECT_TRUE(link_changed->mtime);
    auto lst = lstat_of(tree_.in_root("l"));
    EXPECT_EQ(lst.st_mtim.tv_sec, 1200000000);
    EXPECT_EQ(lst.st_mtim.tv_nsec, 5);
    EXPECT_EQ(lstat_of(tree_.in_root("d")).st_mtim.tv_sec, 1000000000);  // target untouched

    // The root itself (".").
    FileAttrs want_root = current(".");
    want_root.mtime_sec = 1300000000;
    want_root.mtime_nsec = 0;
    auto root_changed = run(apply_attrs_at(root(), ".", want_root, current("."), everything()));
    ASSERT_TRUE(root_changed);
    EXPECT_TRUE(root_changed->mtime);
    EXPECT_EQ(lstat_of(tree_.root()).st_mtime, 1300000000);
}

TEST_P(Metadata, OwnerAndGroupWhenRootAndSetuidSurvivesTheChown) {
    if (::geteuid() != 0) GTEST_SKIP() << "changing owners needs root";
    write_text(tree_.in_root("s"), "x");
    ASSERT_EQ(::chmod(tree_.in_root("s").c_str(), 04755), 0);
    ASSERT_EQ(::symlink("s", tree_.in_root("sl").c_str()), 0);
    FileAttrs want = current("s");
    want.uid = 1;
    want.gid = 1;
    auto changed = run(apply_attrs_at(root(), "s", want, current("s"), everything()));
    ASSERT_TRUE(changed) << changed.error().message();
    EXPECT_TRUE(changed->uid && changed->gid);
    EXPECT_TRUE(changed->mode);  // the chown cleared setuid; chmod put it back
    auto st = lstat_of(tree_.in_root("s"));
    EXPECT_EQ(st.st_uid, 1u);
    EXPECT_EQ(st.st_gid, 1u);
    EXPECT_EQ(st.st_mode & 07777, 04755u);

    FileAttrs want_link = current("sl");
    want_link.uid = 1;
    want_link.gid = 1;
    PreserveAttrs group_only;
    group_only.group = true;
    auto link_changed = run(apply_attrs_at(root(), "sl", want_link, current("sl"), group_only));
    ASSERT_TRUE(link_changed);
    EXPECT_FALSE(link_changed->uid);
    EXPECT_TRUE(link_changed->gid);
    auto lst = lstat_of(tree_.in_root("sl"));
    EXPECT_EQ(lst.st_uid, 0u);
    EXPECT_EQ(lst.st_gid, 1u);
}

TEST_P(Metadata, ModifyWindowDecidesWhetherNanosecondsCount) {
    write_text(tree_.in_root("t"), "");
    timespec ts[2] = {{0, UTIME_OMIT}, {500, 100}};
    ASSERT_EQ(::utimensat(AT_FDCWD, tree_.in_root("t").c_str(), ts, 0), 0);
    FileAttrs want = current("t");
    want.mtime_nsec = 200;
    PreserveAttrs seconds;
    seconds.mtime = true;  // modify_window 0: seconds only, as rsync's default
    auto same = run(apply_attrs_at(root(), "t", want, current("t"), seconds));
    ASSERT_TRUE(same);
    EXPECT_FALSE(same->mtime);
    PreserveAttrs accurate = seconds;
    accurate.accurate_time = true;  // after a transfer: to the nanosecond
    auto fixed = run(apply_attrs_at(root(), "t", want, current("t"), accurate));
    ASSERT_TRUE(fixed);
    EXPECT_TRUE(fixed->mtime);
    EXPECT_EQ(lstat_of(tree_.in_root("t")).st_mtim.tv_nsec, 200);
    PreserveAttrs window = seconds;
    window.modify_window_sec = 2;
    want.mtime_sec = 502;
    EXPECT_TRUE(same_mtime(want, current("t"), window));
    want.mtime_sec = 503;
    EXPECT_FALSE(same_mtime(want, current("t"), window));
}

TEST_P(Metadata, AtimeIsSetOnFilesButNeverOnDirectories) {
    write_text(tree_.in_root("a"), "");
    ASSERT_EQ(::mkdir(tree_.in_root("ad").c_str(), 0755), 0);
    PreserveAttrs atimes;
    atimes.atime = true;
    for (const char* rel : {"a", "ad"}) {
        FileAttrs want = current(rel);
        want.atime_sec = 42;
        want.atime_nsec = 0;
        auto changed = run(apply_attrs_at(root(), rel, want, current(rel), atimes));
        ASSERT_TRUE(changed);
        bool is_dir = std::string(rel) == "ad";
        EXPECT_EQ(changed->atime, !is_dir) << rel;
        EXPECT_EQ(lstat_of(tree_.in_root(rel)).st_atime == 42, !is_dir) << rel;
    }
}

TEST_P(Metadata, AFailedChangeNamesThePath) {
    if (::geteuid() == 0) {
        // root may chown anything; an id change on a missing file still fails with its path.
        FileAttrs want;
        want.uid = 1;
        PreserveAttrs owner;
        owner.owner = true;
        auto r = run(apply_attrs_at(root(), "missing", want, FileAttrs{}, owner));
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().path, "missing");
        EXPECT_EQ(r.error().err, ENOENT);
        return;
    }
    write_text(tree_.in_root("mine"), "");
    FileAttrs want = current("mine");
    want.uid = 0;
    PreserveAttrs owner;
    owner.owner = true;
    auto r = run(apply_attrs_at(root(), "mine", want, current("mine"), owner));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().path, "mine");
    EXPECT_EQ(r.error().op, "chown");
}

URSYNC_FS_ROOT_SUITE(Metadata);

}  // namespace
}  // namespace ursync::fs
