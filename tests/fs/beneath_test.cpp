// Confinement: every escape is refused on both resolution strategies and nothing appears outside.
#include "fs/beneath.h"

#include <sys/sysmacros.h>

#include "fs/metadata.h"
#include "fs/special.h"
#include "fs/temp_file.h"
#include "fs_test_util.h"

namespace ursync::fs {
namespace {

using testing::exists_nofollow;
using testing::names_in;
using testing::read_text;
using testing::write_text;

class Beneath : public testing::FsRootTest {};

// The errors a symlink in a path may give: the walk's ENOTDIR, openat2's ELOOP or EXDEV.
bool symlink_refusal(const FsError& e) {
    return !e.unsafe && (e.err == ELOOP || e.err == ENOTDIR || e.err == EXDEV);
}

TEST_P(Beneath, OpensCreatesAndStatsOrdinaryPaths) {
    ASSERT_TRUE(run(root().mkdir("a", 0755)));
    ASSERT_TRUE(run(root().mkdir("a/b", 0755)));
    auto fd = run(root().open("a/b/f", O_CREAT | O_WRONLY | O_EXCL, 0644));
    ASSERT_TRUE(fd) << fd.error().message();
    ::close(*fd);
    auto attrs = run(root().stat("a/b/f"));
    ASSERT_TRUE(attrs);
    EXPECT_TRUE(attrs->is_regular());
    EXPECT_TRUE(exists_nofollow(tree_.in_root("a/b/f")));
    auto top = run(root().stat("."));
    ASSERT_TRUE(top);
    EXPECT_TRUE(top->is_dir());
    auto dot = run(root().open(".", O_RDONLY | O_DIRECTORY));
    ASSERT_TRUE(dot);
    ::close(*dot);
    auto missing = run(root().stat("a/nope"));
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().not_found());
    EXPECT_EQ(missing.error().path, "a/nope");
}

TEST_P(Beneath, UnsafePathsAreRefusedBeforeAnySideEffect) {
    ASSERT_TRUE(run(root().mkdir("a", 0755)));
    std::vector<std::string> bad = {"../outside/x", "a/../../outside/x", tree_.in_outside("x"),
                                    "", "a//x", "a/./x", "a/", std::string("x\0y", 3), "..", "a/.."};
    for (const std::string& p : bad) {
        SCOPED_TRACE(p);
        auto check = [&](const FsError& e) {
            EXPECT_TRUE(e.unsafe);
            EXPECT_EQ(e.path, p);
            EXPECT_EQ(e.exit_code(), ExitCode::unsupported);
        };
        auto o = run(root().open(p, O_CREAT | O_WRONLY, 0644));
        ASSERT_FALSE(o);
        check(o.error());
        auto m = run(root().mkdir(p, 0755));
        ASSERT_FALSE(m);
        check(m.error());
        auto s = run(root().symlink("/etc/passwd", p));
        ASSERT_FALSE(s);
        check(s.error());
        auto l = run(root().link("a", p));
        ASSERT_FALSE(l);
        check(l.error());
        auto n = run(root().mknod(p, S_IFIFO | 0644, 0));
        ASSERT_FALSE(n);
        check(n.error());
        auto r = run(root().rename("a", p));
        ASSERT_FALSE(r);
        check(r.error());
        auto st = run(root().stat(p));
        ASSERT_FALSE(st);
        check(st.error());
        auto u = run(root().unlink(p));
        ASSERT_FALSE(u);
        check(u.error());
        TempFileRegistry registry;
        auto t = run(TempFile::create(root(), registry, p));
        ASSERT_FALSE(t);
        check(t.error());
        auto d = run(root().dir(p, "opendir"));
        ASSERT_FALSE(d);
        check(d.error());
    }
    EXPECT_TRUE(names_in(tree_.outside()).empty());
    EXPECT_EQ(names_in(tree_.root()), std::set<std::string>{"a"});
}

TEST_P(Beneath, AParentSymlinkOutOfTheTreeIsNeverFollowed) {
    write_text(tree_.in_outside("victim"), "precious");
    ASSERT_EQ(::chmod(tree_.in_outside("victim").c_str(), 0644), 0);
    ASSERT_EQ(::symlink(tree_.outside().c_str(), tree_.in_root("d").c_str()), 0);
    ASSERT_EQ(::symlink("../outside", tree_.in_root("rel").c_str()), 0);
    write_text(tree_.in_root("f"), "inside");
    TempFileRegistry registry;
    for (std::string dir : {"d", "rel"}) {
        SCOPED_TRACE(dir);
        auto expect_refused = [&](const auto& result) {
            ASSERT_FALSE(result);
            EXPECT_TRUE(symlink_refusal(result.error())) << result.error().message();
        };
        expect_refused(run(root().open(dir + "/x", O_CREAT | O_WRONLY, 0644)));
        expect_refused(run(root().open(dir + "/victim", O_WRONLY | O_TRUNC)));
        expect_refused(run(root().mkdir(dir + "/x", 0755)));
        expect_refused(run(root().symlink("t", dir + "/x")));
        expect_refused(run(root().link("f", dir + "/x")));
        expect_refused(run(root().mknod(dir + "/x", S_IFIFO | 0644, 0)));
        expect_refused(run(root().rename("f", dir + "/x")));
        expect_refused(run(root().unlink(dir + "/victim")));
        expect_refused(run(root().stat(dir + "/victim")));
        expect_refused(run(root().readlink(dir + "/victim")));
        expect_refused(run(TempFile::create(root(), registry, dir + "/x")));
        expect_refused(run(make_directory(root(), dir + "/x", 0755)));
        FileAttrs want;
        want.mode = S_IFREG | 0777;
        want.mtime_sec = 1;
        PreserveAttrs all{true, true, true, true, false};
        auto current = testing::lstat_of(tree_.in_outside("victim"));
        FileAttrs cur;
        cur.mode = current.st_mode;
        cur.type = FileType::regular;
        expect_refused(run(apply_attrs_at(root(), dir + "/victim", want, cur, all)));
    }
    EXPECT_EQ(names_in(tree_.outside()), std::set<std::string>{"victim"});
    EXPECT_EQ(read_text(tree_.in_outside("victim")), "precious");
    EXPECT_EQ(testing::lstat_of(tree_.in_outside("victim")).st_mode & 07777, 0644u);
    EXPECT_EQ(read_text(tree_.in_root("f")), "inside");
    EXPECT_EQ(registry.live_count(), 0u);
}

TEST_P(Beneath, ASymlinkToADirectoryInsideTheRootIsNotFollowedEither) {
    ASSERT_TRUE(run(root().mkdir("real", 0755)));
    ASSERT_EQ(::symlink("real", tree_.in_root("alias").c_str()), 0);
    auto o = run(root().open("alias/x", O_CREAT | O_WRONLY, 0644));
    ASSERT_FALSE(o);
    EXPECT_TRUE(symlink_refusal(o.error()));
    auto d = run(root().dir("alias", "opendir"));
    ASSERT_FALSE(d);
    EXPECT_TRUE(symlink_refusal(d.error()));
    EXPECT_TRUE(names_in(tree_.in_root("real")).empty());
}

TEST_P(Beneath, ALeafSymlinkIsNotOpenedThrough) {
    write_text(tree_.in_outside("target"), "keep");
    ASSERT_EQ(::symlink(tree_.in_outside("target").c_str(), tree_.in_root("lnk").c_str()), 0);
    ASSERT_EQ(::symlink(tree_.in_outside("dangling").c_str(), tree_.in_root("dang").c_str()), 0);
    for (int flags : {O_RDONLY, O_WRONLY | O_TRUNC, O_CREAT | O_WRONLY | O_TRUNC}) {
        auto o = run(root().open("lnk", flags, 0644));
        ASSERT_FALSE(o);
        EXPECT_EQ(o.error().err, ELOOP);
    }
    auto dangling = run(root().open("dang", O_CREAT | O_WRONLY, 0644));
    ASSERT_FALSE(dangling);
    EXPECT_EQ(dangling.error().err, ELOOP);
    EXPECT_EQ(read_text(tree_.in_outside("target")), "keep");
    EXPECT_FALSE(exists_nofollow(tree_.in_outside("dangling")));
    // stat without follow sees the link; readlink reads it.
    auto st = run(root().stat("lnk"));
    ASSERT_TRUE(st);
    EXPECT_TRUE(st->is_symlink());
    auto target = run(root().readlink("lnk"));
    ASSERT_TRUE(target);
    EXPECT_EQ(*target, tree_.in_outside("target"));
}

TEST_P(Beneath, ASymlinkPlantedEarlierInTheTransferIsRefusedDespiteTheCache) {
    ASSERT_TRUE(run(root().mkdir("d", 0755)));
    auto first = run(root().open("d/a", O_CREAT | O_WRONLY, 0644));  // caches "d" (walk) or not
    ASSERT_TRUE(first);
    ::close(*first);
    ASSERT_TRUE(run(root().unlink("d/a")));
    ASSERT_TRUE(run(root().rmdir("d")));
    ASSERT_TRUE(run(root().symlink(tree_.outside(), "d")));  // a received symlink named "d"
    auto second = run(root().open("d/b", O_CREAT | O_WRONLY, 0644));
    ASSERT_FALSE(second);
    EXPECT_TRUE(symlink_refusal(second.error())) << second.error().message();
    auto third = run(root().mkdir("d/c", 0755));
    ASSERT_FALSE(third);
    EXPECT_TRUE(names_in(tree_.outside()).empty());

    // The same through a rename: "e" cached, then renamed away and replaced by a symlink.
    ASSERT_TRUE(run(root().mkdir("e", 0755)));
    ASSERT_TRUE(run(root().mkdir("e/sub", 0755)));
    ASSERT_TRUE(run(root().stat("e/sub/none")).error().not_found());
    ASSERT_TRUE(run(root().rename("e", "e-old")));
    ASSERT_TRUE(run(root().symlink(tree_.outside(), "e")));
    auto fourth = run(root().open("e/sub/x", O_CREAT | O_WRONLY, 0644));
    ASSERT_FALSE(fourth);
    EXPECT_TRUE(names_in(tree_.outside()).empty());
}

TEST_P(Beneath, NamespaceOperationsWorkBeneathTheRoot) {
    ASSERT_TRUE(run(root().mkdir("x", 0700)));
    ASSERT_TRUE(run(root().mkdir("x/y", 0700)));
    write_text(tree_.in_root("x/y/f"), "data");
    ASSERT_TRUE(run(root().link("x/y/f", "x/hard")));
    EXPECT_EQ(testing::lstat_of(tree_.in_root("x/hard")).st_nlink, 2u);
    ASSERT_TRUE(run(root().rename("x/hard", "moved")));
    EXPECT_EQ(read_text(tree_.in_root("moved")), "data");
    ASSERT_TRUE(run(root().symlink("x/y/f", "x/sl")));
    EXPECT_EQ(*run(root().readlink("x/sl")), "x/y/f");
    ASSERT_TRUE(run(root().mknod("x/fifo", S_IFIFO | 0600, 0)));
    EXPECT_TRUE(S_ISFIFO(testing::lstat_of(tree_.in_root("x/fifo")).st_mode));
    auto busy = run(root().rmdir("x"));
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().err, ENOTEMPTY);
    for (const char* p : {"x/fifo", "x/sl", "x/y/f", "moved"}) ASSERT_TRUE(run(root().unlink(p)));
    ASSERT_TRUE(run(root().rmdir("x/y")));
    ASSERT_TRUE(run(root().rmdir("x")));
    EXPECT_TRUE(names_in(tree_.root()).empty());
    auto on_root = run(root().unlink("."));
    ASSERT_FALSE(on_root);
    EXPECT_EQ(on_root.error().err, EINVAL);
}

TEST_P(Beneath, DeepTreesWorkWithATinyCache) {
    auto small = open_root(tree_.root(), 2);
    ASSERT_NE(small, nullptr);
    std::string path;
    for (int depth = 0; depth < 8; ++depth) {
        path += (depth ? "/d" : "d") + std::to_string(depth);
        ASSERT_TRUE(run(small->mkdir(path, 0755))) << path;
        for (int f = 0; f < 3; ++f) {
            auto fd = run(small->open(path + "/f" + std::to_string(f), O_CREAT | O_WRONLY, 0600));
            ASSERT_TRUE(fd);
            ::close(*fd);
        }
    }
    EXPECT_LE(small->cache().size(), 2u);
    EXPECT_TRUE(run(small->stat(path + "/f2")));
    EXPECT_TRUE(run(small->stat("d0/d1/f0")));
}

TEST_P(Beneath, FollowStatSeesTheTargetButNeverThroughAParentLink) {
    write_text(tree_.in_root("file"), "12345");
    ASSERT_EQ(::symlink("file", tree_.in_root("link").c_str()), 0);
    auto followed = run(stat_beneath(root(), "link", true));
    ASSERT_TRUE(followed);
    EXPECT_TRUE(followed->is_regular());
    EXPECT_EQ(followed->size, 5u);
    ASSERT_EQ(::symlink(".", tree_.in_root("self").c_str()), 0);
    auto through = run(stat_beneath(root(), "self/file", true));
    ASSERT_FALSE(through);
    EXPECT_TRUE(symlink_refusal(through.error()));
}

URSYNC_FS_ROOT_SUITE(Beneath);

TEST(BeneathProbe, AutomaticUsesOpenat2WhenTheKernelHasIt) {
    engine::Engine engine;
    auto root = engine.run(DirRoot::open_root(engine, "/tmp"));
    ASSERT_TRUE(root);
    long fd = ::syscall(SYS_openat2, AT_FDCWD, "/tmp", nullptr, 0);
    bool kernel_has_openat2 = !(fd < 0 && errno == ENOSYS);
    EXPECT_EQ(root.value()->uses_openat2(), kernel_has_openat2);
    auto missing = engine.run(DirRoot::open_root(engine, "/nonexistent-ursync-root"));
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().not_found());
}

}  // namespace
}  // namespace ursync::fs
