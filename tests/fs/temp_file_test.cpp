// Temp files: rsync's names, atomic commit, and no temp file left behind on any path.
#include "fs/temp_file.h"

#include <csignal>

#include "fs_test_util.h"

namespace ursync::fs {
namespace {

using engine::Task;
using testing::exists_nofollow;
using testing::lstat_of;
using testing::names_in;
using testing::read_text;
using testing::write_text;

class TempFiles : public testing::FsRootTest {
protected:
    TempFile create(const std::string& rel) {
        auto t = run(TempFile::create(root(), registry_, rel));
        EXPECT_TRUE(t) << t.error().message();
        return std::move(t).value();
    }
    std::span<const std::byte> bytes(const std::string& s) {
        return std::as_bytes(std::span(s.data(), s.size()));
    }
    TempFileRegistry registry_;
};

TEST_P(TempFiles, CreatedBesideTheFinalNameWithRsyncsNameAndMode0600) {
    ASSERT_EQ(::mkdir(tree_.in_root("sub").c_str(), 0755), 0);
    TempFile t = create("sub/data.bin");
    const std::string prefix = "sub/.data.bin.";
    ASSERT_EQ(t.temp_rel().size(), prefix.size() + 6) << t.temp_rel();
    EXPECT_EQ(t.temp_rel().substr(0, prefix.size()), prefix);
    for (char c : t.temp_rel().substr(prefix.size()))
        EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << t.temp_rel();
    EXPECT_EQ(t.final_rel(), "sub/data.bin");
    auto st = lstat_of(tree_.in_root(t.temp_rel()));
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    EXPECT_EQ(registry_.live_count(), 1u);
    ASSERT_TRUE(run(t.discard()));
}

TEST_P(TempFiles, CommitReplacesTheFinalFileAtomically) {
    write_text(tree_.in_root("f"), "old contents");
    int reader = ::open(tree_.in_root("f").c_str(), O_RDONLY);  // holds the old inode
    ino_t old_ino = lstat_of(tree_.in_root("f")).st_ino;
    TempFile t = create("f");
    std::string temp_path = tree_.in_root(t.temp_rel());
    ASSERT_TRUE(run(t.write(bytes("new "), 0)));
    ASSERT_TRUE(run(t.write(bytes("contents"), 4)));
    EXPECT_EQ(read_text(tree_.in_root("f")), "old contents");  // untouched until commit
    auto done = run(t.commit(true));
    ASSERT_TRUE(done) << done.error().message();
    EXPECT_FALSE(t.on_disk());
    EXPECT_EQ(read_text(tree_.in_root("f")), "new contents");
    EXPECT_NE(lstat_of(tree_.in_root("f")).st_ino, old_ino);
    EXPECT_FALSE(exists_nofollow(temp_path));
    char buf[32] = {};
    EXPECT_EQ(::read(reader, buf, sizeof buf), 12);  // the old file, whole, for its readers
    EXPECT_EQ(std::string(buf), "old contents");
    ::close(reader);
    EXPECT_EQ(names_in(tree_.root()), std::set<std::string>{"f"});
    EXPECT_EQ(registry_.live_count(), 0u);
}

TEST_P(TempFiles, DiscardAndTheDestructorLeaveNothing) {
    {
        TempFile t = create("a");
        ASSERT_TRUE(run(t.write(bytes("partial"), 0)));
        ASSERT_TRUE(run(t.discard()));
        ASSERT_TRUE(run(t.discard()));  // twice is harmless
    }
    {
        TempFile t = create("b");
        ASSERT_TRUE(run(t.write(bytes("abandoned"), 0)));
        EXPECT_EQ(names_in(tree_.root()).size(), 1u);
        TempFile moved(std::move(t));  // the moved-from object must not unlink anything
        EXPECT_FALSE(t.on_disk());      // NOLINT(bugprone-use-after-move): checking exactly that
        EXPECT_TRUE(moved.on_disk());
    }  // neither commit nor discard: the destructor removes it
    EXPECT_TRUE(names_in(tree_.root()).empty());
    EXPECT_EQ(registry_.live_count(), 0u);
}

TEST_P(TempFiles, AFailedRenameRemovesTheTempFileAndKeepsTheOldOne) {
    // A directory where the file should go: rename(2) really fails (EISDIR).
    ASSERT_EQ(::mkdir(tree_.in_root("keep").c_str(), 0755), 0);
    write_text(tree_.in_root("keep/inside"), "original");
    TempFile t = create("keep");
    ASSERT_TRUE(run(t.write(bytes("replacement"), 0)));
    auto done = run(t.commit());
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().err, EISDIR);
    EXPECT_EQ(done.error().path, "keep");
    EXPECT_EQ(done.error().op, "rename");
    EXPECT_FALSE(t.on_disk());
    EXPECT_EQ(names_in(tree_.root()), std::set<std::string>{"keep"});
    EXPECT_EQ(read_text(tree_.in_root("keep/inside")), "original");
    EXPECT_EQ(registry_.live_count(), 0u);
}

TEST_P(TempFiles, AFailedFsyncRemovesTheTempFileBeforeAnyRename) {
    write_text(tree_.in_root("keep"), "original");
    TempFile t = create("keep");
    ASSERT_TRUE(run(t.write(bytes("replacement"), 0)));
    engine().set_fault_hook([](const engine::Op& op, int64_t result) {
        return op.kind() == engine::OpKind::fsync ? -EIO : result;
    });
    auto done = run(t.commit(true));
    engine().set_fault_hook(nullptr);
    ASSERT_FALSE(done);
    EXPECT_EQ(done.error().err, EIO);
    EXPECT_EQ(done.error().op, "fsync");
    EXPECT_EQ(names_in(tree_.root()), std::set<std::string>{"keep"});
    EXPECT_EQ(read_text(tree_.in_root("keep")), "original");
}

TEST_P(TempFiles, AFailedWriteIsReportedAndDiscardCleansUp) {
    TempFile t = create("w");
    engine().set_fault_hook([](const engine::Op& op, int64_t result) {
        return op.kind() == engine::OpKind::write ? -ENOSPC : result;
    });
    auto w = run(t.write(bytes("data"), 0));
    engine().set_fault_hook(nullptr);
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().err, ENOSPC);
    EXPECT_EQ(w.error().path, "w");
    ASSERT_TRUE(run(t.discard()));
    EXPECT_TRUE(names_in(tree_.root()).empty());
}

TEST_P(TempFiles, LongNamesGetShortenedTempNames) {
    std::string name(255, 'L');
    TempFile t = create(name);
    EXPECT_EQ(t.temp_rel().size(), 254u);
    ASSERT_TRUE(run(t.write(bytes("x"), 0)));
    ASSERT_TRUE(run(t.commit()));
    EXPECT_EQ(names_in(tree_.root()), std::set<std::string>{name});
}

TempFileRegistry* g_signal_registry = nullptr;  // test-only bridge to the signal handler
extern "C" void remove_on_signal(int) { g_signal_registry->remove_all_now(); }

TEST_P(TempFiles, RemoveAllNowFromASignalHandler) {
    ASSERT_EQ(::mkdir(tree_.in_root("d").c_str(), 0755), 0);
    std::vector<TempFile> live;
    for (const char* rel : {"x", "y", "d/z"}) live.push_back(create(rel));
    EXPECT_EQ(registry_.live_count(), 3u);
    g_signal_registry = &registry_;
    struct sigaction action {}, previous {};
    action.sa_handler = remove_on_signal;
    ASSERT_EQ(::sigaction(SIGUSR2, &action, &previous), 0);
    ASSERT_EQ(::raise(SIGUSR2), 0);
    ::sigaction(SIGUSR2, &previous, nullptr);
    g_signal_registry = nullptr;
    EXPECT_EQ(names_in(tree_.root()), std::set<std::string>{"d"});
    EXPECT_TRUE(names_in(tree_.in_root("d")).empty());
    EXPECT_EQ(registry_.live_count(), 0u);
    for (TempFile& t : live) EXPECT_TRUE(run(t.discard()));  // ENOENT is not an error here
}

URSYNC_FS_ROOT_SUITE(TempFiles);

TEST(TempFileRegistry, SlotsRunOutAndComeBack) {
    TempFileRegistry registry(2);
    auto a = registry.add(3, "a");
    auto b = registry.add(3, "b");
    ASSERT_TRUE(a && b);
    EXPECT_FALSE(registry.add(3, "c"));
    registry.remove(*a);
    EXPECT_TRUE(registry.add(3, "c"));
    EXPECT_FALSE(registry.add(3, std::string(256, 'n')));  // longer than NAME_MAX
    EXPECT_EQ(registry.live_count(), 2u);
}

TEST(TempFileRegistry, RetiredSlotsAreNotReusedUnderTheirOwners) {
    char tmpl[] = "/tmp/ursync-registry-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    std::string dir = tmpl;
    int dir_fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY);
    write_text(dir + "/.t.AAAAAA", "");
    TempFileRegistry registry(1);
    auto slot = registry.add(dir_fd, ".t.AAAAAA");
    ASSERT_TRUE(slot);
    registry.remove_all_now();
    EXPECT_FALSE(exists_nofollow(dir + "/.t.AAAAAA"));
    EXPECT_FALSE(registry.add(dir_fd, "other"));  // the one slot stays retired
    registry.remove(*slot);                        // the owner's late remove changes nothing
    EXPECT_FALSE(registry.add(dir_fd, "other"));
    ::close(dir_fd);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ursync::fs
