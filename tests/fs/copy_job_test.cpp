// run_copy_job: whole-file copies into temp files (named or O_TMPFILE), attributes, rename or
// link; failures leave nothing.
#include "fs/copy_job.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "fs_test_util.h"

namespace ursync::fs {
namespace {

using testing::exists_nofollow;
using testing::lstat_of;
using testing::names_in;
using testing::read_text;
using testing::write_text;

class CopyJob : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/ursync-copyjob-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        base_ = tmpl;
        ASSERT_EQ(::mkdir((base_ + "/src").c_str(), 0755), 0);
        ASSERT_EQ(::mkdir((base_ + "/dst").c_str(), 0755), 0);
        src_ = ::open((base_ + "/src").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        dst_ = ::open((base_ + "/dst").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT_GE(src_, 0);
        ASSERT_GE(dst_, 0);
    }
    void TearDown() override {
        ::close(src_);
        ::close(dst_);
        if (mounted_) ::umount2((base_ + "/dst").c_str(), MNT_DETACH);
        std::filesystem::remove_all(base_);
    }
    CopyItem item(const std::string& name, uint32_t mode = 0100640) {
        CopyItem it;
        it.src_dir = src_;
        it.src_name = name;
        it.dst_dir = dst_;
        it.temp_name = "." + name + ".AbC123";
        it.final_name = name;
        it.want.type = FileType::regular;
        it.want.mode = mode;
        it.want.mtime_sec = 1700000000;
        it.want.mtime_nsec = 123456789;
        it.preserve.perms = true;
        it.preserve.mtime = true;
        it.preserve.accurate_time = true;
        return it;
    }
    // A 256 KiB tmpfs as the destination (needs root, as CI has); false if it cannot be had.
    bool mount_small_dst() {
        ::close(dst_);
        dst_ = -1;
        if (::mount("tmpfs", (base_ + "/dst").c_str(), "tmpfs", 0, "size=256k") != 0) return false;
        mounted_ = true;
        dst_ = ::open((base_ + "/dst").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
        return dst_ >= 0;
    }
    std::string src(const std::string& n) const { return base_ + "/src/" + n; }
    std::string dst(const std::string& n) const { return base_ + "/dst/" + n; }

    std::string base_;
    int src_ = -1;
    int dst_ = -1;
    bool mounted_ = false;
};

TEST_F(CopyJob, CopiesDataModeAndTimesAndReplacesTheOldFile) {
    write_text(src("a"), std::string(100000, 'x'));
    write_text(src("b"), "");
    write_text(dst("a"), "old");
    std::vector<CopyItem> items{item("a"), item("b", 0100604)};
    run_copy_job(items);
    for (const auto& it : items) EXPECT_EQ(it.stage, CopyStage::done) << it.final_name;
    EXPECT_EQ(items[0].bytes, 100000);
    EXPECT_EQ(read_text(dst("a")), std::string(100000, 'x'));
    EXPECT_EQ(read_text(dst("b")), "");
    const struct stat a = lstat_of(dst("a"));
    EXPECT_EQ(a.st_mode & 07777, 0640u);
    EXPECT_EQ(a.st_mtim.tv_sec, 1700000000);
    EXPECT_EQ(a.st_mtim.tv_nsec, 123456789);
    EXPECT_EQ(lstat_of(dst("b")).st_mode & 07777, 0604u);
    EXPECT_EQ(names_in(base_ + "/dst"), (std::set<std::string>{"a", "b"}));  // no temp left
}

TEST_F(CopyJob, AVanishedSourceFailsAloneAndTouchesNothing) {
    write_text(src("ok"), "data");
    write_text(dst("gone"), "old");
    std::vector<CopyItem> items{item("gone"), item("ok")};
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::open_source);
    EXPECT_EQ(items[0].err, ENOENT);
    EXPECT_EQ(items[1].stage, CopyStage::done);
    EXPECT_EQ(read_text(dst("gone")), "old");
    EXPECT_EQ(names_in(base_ + "/dst"), (std::set<std::string>{"gone", "ok"}));
}

TEST_F(CopyJob, ASymlinkedSourceIsNotFollowed) {
    write_text(base_ + "/secret", "secret");
    ASSERT_EQ(::symlink((base_ + "/secret").c_str(), src("link").c_str()), 0);
    std::vector<CopyItem> items{item("link")};
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::open_source);
    EXPECT_EQ(items[0].err, ELOOP);
    EXPECT_FALSE(exists_nofollow(dst("link")));
    EXPECT_TRUE(names_in(base_ + "/dst").empty());
}

TEST_F(CopyJob, AFifoSwappedInIsRefusedWithoutBlocking) {
    ASSERT_EQ(::mkfifo(src("fifo").c_str(), 0644), 0);
    std::vector<CopyItem> items{item("fifo")};
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::not_regular);
    EXPECT_TRUE(names_in(base_ + "/dst").empty());
}

TEST_F(CopyJob, AnExistingTempNameIsNeverOverwritten) {
    write_text(src("a"), "new");
    write_text(dst(".a.AbC123"), "someone else's");
    std::vector<CopyItem> items{item("a")};
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::create_temp);
    EXPECT_EQ(items[0].err, EEXIST);
    EXPECT_EQ(read_text(dst(".a.AbC123")), "someone else's");
    EXPECT_FALSE(exists_nofollow(dst("a")));
}

TEST_F(CopyJob, AFullDiskLeavesTheOldFileAndNoTempFile) {
    if (!mount_small_dst()) GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    write_text(dst("big"), "old");
    write_text(src("big"), std::string(1 << 20, 'y'));
    std::vector<CopyItem> items{item("big")};
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::copy_data);
    EXPECT_EQ(items[0].err, ENOSPC);
    EXPECT_EQ(read_text(dst("big")), "old");
    EXPECT_EQ(names_in(base_ + "/dst"), (std::set<std::string>{"big"}));
}

TEST_F(CopyJob, ANewFileComesInWithoutATempName) {
    write_text(src("a"), "new data");
    write_text(dst(".a.AbC123"), "someone else's");  // the named temp file would fail on this
    std::vector<CopyItem> items{item("a")};
    items[0].dest_absent = true;
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::done);
    EXPECT_FALSE(items[0].temp_named);
    EXPECT_EQ(read_text(dst("a")), "new data");
    const struct stat a = lstat_of(dst("a"));
    EXPECT_EQ(a.st_mode & 07777, 0640u);
    EXPECT_EQ(a.st_mtim.tv_sec, 1700000000);
    EXPECT_EQ(a.st_mtim.tv_nsec, 123456789);
    EXPECT_EQ(a.st_nlink, 1u);
    EXPECT_EQ(read_text(dst(".a.AbC123")), "someone else's");
    EXPECT_EQ(names_in(base_ + "/dst"), (std::set<std::string>{"a", ".a.AbC123"}));
}

TEST_F(CopyJob, ANameTakenMeanwhileIsReplacedByARename) {
    write_text(src("a"), "new data");
    write_text(dst("a"), "appeared after the decision");
    std::vector<CopyItem> items{item("a")};
    items[0].dest_absent = true;
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::done);
    EXPECT_TRUE(items[0].temp_named);
    EXPECT_EQ(read_text(dst("a")), "new data");
    EXPECT_EQ(names_in(base_ + "/dst"), (std::set<std::string>{"a"}));
}

TEST_F(CopyJob, AFullDiskLeavesNothingForANewFile) {
    if (!mount_small_dst()) GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
    write_text(src("big"), std::string(1 << 20, 'y'));
    std::vector<CopyItem> items{item("big")};
    items[0].dest_absent = true;
    run_copy_job(items);
    EXPECT_EQ(items[0].stage, CopyStage::copy_data);
    EXPECT_EQ(items[0].err, ENOSPC);
    EXPECT_TRUE(names_in(base_ + "/dst").empty());
}

// A destination directory moved out of the tree before the batch is put in place: nothing
// lands in it at its new place, and the copies fail as "not there" (issue 15, defect 5).
TEST_F(CopyJob, ADirectoryMovedAwayGetsNoCopies) {
    ASSERT_EQ(::mkdir((base_ + "/dst/sub").c_str(), 0755), 0);
    const int sub = ::open((base_ + "/dst/sub").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(sub, 0);
    write_text(src("new"), "new data");
    write_text(src("top"), "top data");
    write_text(base_ + "/dst/sub/old", "old");
    std::vector<CopyItem> items{item("new"), item("old"), item("top")};
    items[0].dest_absent = true;
    for (CopyItem* it : {&items[0], &items[1]}) {
        it->dst_dir = sub;
        it->dst_rel_dir = "sub";
    }
    items[1].src_name = "new";
    ASSERT_EQ(::rename((base_ + "/dst/sub").c_str(), (base_ + "/away").c_str()), 0);
    for (bool openat2 : {true, false}) {
        for (CopyItem& it : items) {
            it.stage = CopyStage::done;
            it.err = 0;
            it.dir_moved = false;
        }
        run_copy_job(items, CopyRoot{dst_, openat2});
        for (size_t i = 0; i < 2; ++i) {
            EXPECT_EQ(items[i].stage, CopyStage::rename);
            EXPECT_EQ(items[i].err, ENOENT);
            EXPECT_TRUE(items[i].dir_moved);
        }
        EXPECT_EQ(items[2].stage, CopyStage::done);  // the root itself stays in place
        EXPECT_EQ(names_in(base_ + "/away"), std::set<std::string>{"old"});
        EXPECT_EQ(read_text(base_ + "/away/old"), "old");
    }
    // Another directory in its place is not the one held either.
    ASSERT_EQ(::mkdir((base_ + "/dst/sub").c_str(), 0755), 0);
    items[0].stage = CopyStage::done;
    std::vector<CopyItem> one{items[0]};
    run_copy_job(one, CopyRoot{dst_, true});
    EXPECT_TRUE(one[0].dir_moved);
    EXPECT_TRUE(names_in(base_ + "/dst/sub").empty());
    EXPECT_EQ(names_in(base_ + "/away"), std::set<std::string>{"old"});
    ::close(sub);
}

TEST_F(CopyJob, ADirectoryInPlaceGetsItsCopies) {
    ASSERT_EQ(::mkdir((base_ + "/dst/sub").c_str(), 0755), 0);
    const int sub = ::open((base_ + "/dst/sub").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(sub, 0);
    write_text(src("a"), "a data");
    std::vector<CopyItem> items{item("a")};
    items[0].dst_dir = sub;
    items[0].dst_rel_dir = "sub";
    items[0].dest_absent = true;
    run_copy_job(items, CopyRoot{dst_, false});
    EXPECT_EQ(items[0].stage, CopyStage::done);
    EXPECT_EQ(read_text(base_ + "/dst/sub/a"), "a data");
    ::close(sub);
}

TEST(CopyFdData, StopsAtTheExpectedLength) {
    char path[] = "/tmp/ursync-cfd-XXXXXX";
    const int src = ::mkstemp(path);
    ASSERT_GE(src, 0);
    ::unlink(path);
    ASSERT_EQ(::write(src, "0123456789", 10), 10);
    ASSERT_EQ(::lseek(src, 0, SEEK_SET), 0);
    char path2[] = "/tmp/ursync-cfd-XXXXXX";
    const int dst = ::mkstemp(path2);
    ASSERT_GE(dst, 0);
    ::unlink(path2);
    EXPECT_EQ(copy_fd_data(src, dst, 4), 4);
    EXPECT_EQ(copy_fd_data(src, dst, -1), 6);  // the rest, to the end
    struct stat st {};
    ASSERT_EQ(::fstat(dst, &st), 0);
    EXPECT_EQ(st.st_size, 10);
    ::close(src);
    ::close(dst);
}

}  // namespace
}  // namespace ursync::fs
