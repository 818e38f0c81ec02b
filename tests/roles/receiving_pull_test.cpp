// Pulls from a stock `rsync --server --sender` into roles::receive_files: the destination tree,
// the itemize lines and the exit codes must equal what stock rsync makes of the same transfer.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "receiving_test_util.h"
#include "tests/util/stock_rsync.h"

namespace ursync::roles::testing {
namespace {

// Output lines as a sorted multiset (generator and receiver print independently, as rsync's two
// processes do), with the destination's name made neutral.
std::string lines_of(std::string text, const std::string& dest) {
    for (size_t at; (at = text.find(dest)) != std::string::npos;) text.replace(at, dest.size(), "DEST");
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

// src/: a.txt, b.txt, empty, exec.sh (0755), link -> a.txt, sub/c.txt, sub/deeper/d.bin,
// emptydir/.
void make_src(const ScratchDir& d) {
    const std::string src = d / "src";
    sh("mkdir -p '" + src + "/sub/deeper' '" + src + "/emptydir'");
    write_file(src + "/a.txt", "hello world\n");
    write_file(src + "/b.txt", "second file contents\n", 1704164000, 5);
    write_file(src + "/empty", "");
    write_file(src + "/exec.sh", "#!/bin/sh\necho hi\n");
    ::chmod((src + "/exec.sh").c_str(), 0755);
    ::symlink("a.txt", (src + "/link").c_str());
    sh("touch -h -d @1600000000.25 '" + src + "/link'");
    write_file(src + "/sub/c.txt", "nested\n");
    std::string big;
    for (int i = 0; i < 20000; ++i) big += "line " + std::to_string(i) + " of a bigger file\n";
    write_file(src + "/sub/deeper/d.bin", big, 1704000000, 999999999);
    sh("touch -d @1700000000 '" + src + "/sub/deeper' '" + src + "/emptydir' '" + src + "/sub' '" +
       src + "'");
}

// Runs the same pull with ursync and with stock rsync into two fresh destinations and compares.
void expect_same_as_stock(const ScratchDir& d, const std::vector<std::string>& args,
                          const std::string& prepare_dest = "", bool compare_output = true) {
    const std::string ours = d / "ours", theirs = d / "theirs";
    if (!prepare_dest.empty()) {
        // One starting state, copied (times included) to both destinations.
        const std::string start = d / "start";
        sh("rm -rf '" + ours + "' '" + theirs + "' '" + start + "'");
        sh(prepare_dest + " '" + start + "'");
        sh("cp -a '" + start + "' '" + ours + "' && cp -a '" + start + "' '" + theirs + "'");
    }
    auto want = stock_pull(args, d / "src/", theirs + "/");
    ASSERT_EQ(want.local_code, 0) << want.err;
    auto got = ursync_pull(args, d / "src/", ours + "/");
    EXPECT_EQ(got.local_code, 0) << got.err;
    EXPECT_EQ(got.remote_code, 0) << got.err;
    EXPECT_EQ(tree_listing(ours), tree_listing(theirs));
    EXPECT_TRUE(temp_leftovers(ours).empty());
    if (compare_output) {
        EXPECT_EQ(lines_of(got.out, ours), lines_of(want.out, theirs));
    }
}

class RecvPull : public ::testing::Test {
protected:
    void SetUp() override {
        if (!tests::have_rsync()) GTEST_SKIP() << "stock rsync is not installed";
        make_src(dir);
    }
    ScratchDir dir;
};

TEST_F(RecvPull, ArchiveIncrementalIntoNewDir) { expect_same_as_stock(dir, {"-a"}); }

TEST_F(RecvPull, ArchiveWithoutIncrementalRecursion) {
    expect_same_as_stock(dir, {"-a", "--no-inc-recursive"});
}

TEST_F(RecvPull, Protocol31And30) {
    expect_same_as_stock(dir, {"-a", "--protocol=31"});
    ScratchDir other;
    make_src(other);
    expect_same_as_stock(other, {"-a", "--protocol=30"});
}

TEST_F(RecvPull, ItemizeNewTree) { expect_same_as_stock(dir, {"-ai"}); }

class RecvPullVerbose : public RecvPull, public ::testing::WithParamInterface<const char*> {};

TEST_P(RecvPullVerbose, NewTree) {
    // -v output ends with the summary the lead prints; compare the per-file lines only.
    const std::string ours = dir / "ours", theirs = dir / "theirs";
    auto want = stock_pull({"-av", GetParam()}, dir / "src/", theirs + "/");
    auto got = ursync_pull({"-av", GetParam()}, dir / "src/", ours + "/");
    EXPECT_EQ(got.local_code, 0) << got.err;
    EXPECT_EQ(tree_listing(ours), tree_listing(theirs));
    // Stock ends with the summary (the lead's connection code prints it).
    std::string want_lines = want.out.substr(0, want.out.find("\n\nsent ") + 1);
    EXPECT_EQ(lines_of(got.out, ours), lines_of(want_lines, theirs));
}

INSTANTIATE_TEST_SUITE_P(IncrementalOrNot, RecvPullVerbose,
                         ::testing::Values("--inc-recursive", "--no-inc-recursive"));

TEST_F(RecvPull, ItemizeUpdatesOfAnExistingTree) {
    // The destination already holds an older copy: changed content, times, perms, a stale
    // symlink target and a file where a directory must go.
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo changed >\"$d/a.txt\"; "
        "touch -d @1600000000 \"$d/b.txt\"; chmod 600 \"$d/sub/c.txt\"; rm \"$d/link\"; "
        "ln -s b.txt \"$d/link\"; rm -r \"$d/emptydir\"; echo x >\"$d/emptydir\"'";
    expect_same_as_stock(dir, {"-ai"}, prep);
}

TEST_F(RecvPull, DeltaTransferUsesTheBasis) {
    // --no-W: the basis differs in a few bytes; the result must be exact and mostly matched.
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; "
        "printf XXXX | dd of=\"$d/sub/deeper/d.bin\" bs=1 seek=5000 conv=notrunc 2>/dev/null; "
        "touch -d @1600000000 \"$d/sub/deeper/d.bin\"'";
    expect_same_as_stock(dir, {"-ai", "--no-W"}, prep);
    auto again = ursync_pull({"-a", "--no-W", "--no-inc-recursive"}, dir / "src/", dir / "ours/");
    EXPECT_EQ(again.local_code, 0);
    sh("printf YYYY | dd of='" + dir / "ours/sub/deeper/d.bin" +
       "' bs=1 seek=9000 conv=notrunc 2>/dev/null; touch -d @1600000000 '" +
       dir / "ours/sub/deeper/d.bin" + "'");
    auto delta = ursync_pull({"-a", "--no-W"}, dir / "src/", dir / "ours/");
    EXPECT_EQ(delta.local_code, 0) << delta.err;
    EXPECT_GT(delta.stats.matched_data, 400000);
    EXPECT_LT(delta.stats.literal_data, 5000);
    EXPECT_EQ(tree_listing(dir / "ours"), tree_listing(dir / "theirs"));
}

TEST_F(RecvPull, ChecksumMode) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; printf \"hello World\\n\" >\"$d/a.txt\"; "
        "touch -r " + dir / "src/a.txt" + " \"$d/a.txt\"'";
    expect_same_as_stock(dir, {"-aic"}, prep);
}

TEST_F(RecvPull, ZstdCompression) {
    expect_same_as_stock(dir, {"-ai", "--compress-choice=zstd"});
}

TEST_F(RecvPull, DeleteDuringReportsAndRemoves) {
    const std::string prep =
        "sh -c 'd=$0; mkdir -p \"$d/olddir/inner\" \"$d/sub\"; echo x >\"$d/stale.txt\"; "
        "echo y >\"$d/olddir/f\"; echo z >\"$d/olddir/inner/g\"; echo w >\"$d/sub/gone\"'";
    expect_same_as_stock(dir, {"-ai", "--delete"}, prep);
}

TEST_F(RecvPull, DeleteAfterWithoutIncrementalRecursion) {
    const std::string prep =
        "sh -c 'd=$0; mkdir -p \"$d/olddir\"; echo x >\"$d/stale.txt\"; echo y >\"$d/olddir/f\"'";
    expect_same_as_stock(dir, {"-av", "--delete-after"}, prep, false);
}

TEST_F(RecvPull, SingleFileToNewName) {
    auto want = stock_pull({"-a"}, dir / "src/a.txt", dir / "theirs.txt");
    auto got = ursync_pull({"-a"}, dir / "src/a.txt", dir / "ours.txt");
    EXPECT_EQ(got.local_code, 0) << got.err;
    EXPECT_EQ(read_file(dir / "ours.txt"), "hello world\n");
    struct stat a {}, b {};
    ::stat((dir / "ours.txt").c_str(), &a);
    ::stat((dir / "theirs.txt").c_str(), &b);
    EXPECT_EQ(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
    EXPECT_EQ(a.st_mode, b.st_mode);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

// A destination with extras: excluded names, a non-empty directory where a file belongs.
std::string extras_prep(const ScratchDir& dir) {
    return "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo t >\"$d/x.tmp\"; "
           "echo k >\"$d/keep.tmp\"; mkdir -p \"$d/skipdir\" \"$d/sub/x.tmp\"; echo s >\"$d/skipdir/f\"; "
           "echo e >\"$d/extra\"; rm \"$d/b.txt\"; mkdir \"$d/b.txt\"; echo w >\"$d/b.txt/in-the-way\"'";
}

TEST_F(RecvPull, ExcludedNamesAreProtectedFromDelete) {
    expect_same_as_stock(dir, {"-ai", "--delete", "--include=keep.tmp", "--exclude=*.tmp",
                               "--exclude=skipdir/"},
                         extras_prep(dir));
}

TEST_F(RecvPull, DeleteExcludedRemovesThemToo) {
    expect_same_as_stock(dir, {"-ai", "--delete", "--delete-excluded", "--exclude=*.tmp"},
                         extras_prep(dir));
}

TEST_F(RecvPull, DirectoryInTheWayWithoutDelete) {
    // Without --delete a non-empty directory cannot make way for a file: exit 23 as stock.
    const std::string ours = dir / "ours", theirs = dir / "theirs";
    sh(extras_prep(dir) + " '" + ours + "'");
    sh("cp -a '" + ours + "' '" + theirs + "'");
    auto want = stock_pull({"-a"}, dir / "src/", theirs + "/");
    auto got = ursync_pull({"-a"}, dir / "src/", ours + "/");
    EXPECT_EQ(want.local_code, 23);
    EXPECT_EQ(got.local_code, 23) << got.err;
    EXPECT_EQ(tree_listing(ours, false), tree_listing(theirs, false));
}

TEST_F(RecvPull, InplaceUpdates) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo changed >\"$d/a.txt\"; "
        "printf QQ | dd of=\"$d/sub/deeper/d.bin\" bs=1 seek=3000 conv=notrunc 2>/dev/null; "
        "truncate -s 600000 \"$d/sub/deeper/d.bin\"; touch -d @1600000000 \"$d/sub/deeper/d.bin\"'";
    expect_same_as_stock(dir, {"-ai", "--inplace", "--no-W"}, prep);
}

TEST_F(RecvPull, DryRunChangesNothing) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo changed >\"$d/a.txt\"; "
        "rm -r \"$d/sub\"; echo e >\"$d/extra\"'";
    expect_same_as_stock(dir, {"-ain", "--delete"}, prep);
    ScratchDir other;
    make_src(other);
    expect_same_as_stock(other, {"-ain"});  // into a destination that does not exist
}

TEST_F(RecvPull, RecursiveOnlyKeepsLocalModes) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; chmod 600 \"$d/a.txt\"; "
        "echo changed >\"$d/a.txt\"'";
    const std::string ours = dir / "ours", theirs = dir / "theirs";
    sh(prep + " '" + ours + "'");
    sh("cp -a '" + ours + "' '" + theirs + "'");
    auto want = stock_pull({"-r"}, dir / "src/", theirs + "/");
    auto got = ursync_pull({"-r"}, dir / "src/", ours + "/");
    EXPECT_EQ(got.local_code, 0) << got.err;
    // Without -t the times are "now": compare everything else.
    auto strip_times = [](std::string s) {
        for (size_t at; (at = s.find("mtime=")) != std::string::npos;) {
            size_t end = s.find_first_of(" \n", at);
            s.erase(at, end - at);
        }
        return s;
    };
    EXPECT_EQ(strip_times(tree_listing(ours)), strip_times(tree_listing(theirs)));
}

TEST_F(RecvPull, QuickCheckVariants) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; printf \"hello WORLD\\n\" >\"$d/a.txt\"; "
        "touch -d @1800000000 \"$d/b.txt\"; rm \"$d/sub/c.txt\"'";
    for (auto args : std::vector<std::vector<std::string>>{{"-ai", "--size-only"},
                                                            {"-ai", "-I"},
                                                            {"-ai", "-u"},
                                                            {"-ai", "--existing"},
                                                            {"-ai", "--ignore-existing"}}) {
        SCOPED_TRACE(args[1]);
        sh("rm -rf '" + dir / "ours" + "' '" + dir / "theirs" + "'");
        expect_same_as_stock(dir, args, prep);
    }
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

// Hard-link groups within a directory and across directories (segments).
void add_hard_links(const ScratchDir& dir) {
    const std::string src = dir / "src";
    sh("mkdir -p '" + src + "/hard' && cd '" + src + "' && printf 'linked data\\n' >hard/one && "
       "ln hard/one hard/two && ln hard/one sub/three && printf pair >hard/pa && ln hard/pa hard/pb && "
       "touch -d @1690000000 hard/one hard/pa hard sub . ");
}

inline void same_inode(const std::string& a, const std::string& b) {
    struct stat x {}, y {};
    ASSERT_EQ(::lstat(a.c_str(), &x), 0) << a;
    ASSERT_EQ(::lstat(b.c_str(), &y), 0) << b;
    EXPECT_EQ(x.st_ino, y.st_ino) << a << " and " << b << " are not one file";
}

TEST_F(RecvPull, HardLinksIntoAnEmptyDestination) {
    add_hard_links(dir);
    expect_same_as_stock(dir, {"-aH"}, "", false);
    same_inode(dir / "ours/hard/one", dir / "ours/hard/two");
    same_inode(dir / "ours/hard/one", dir / "ours/sub/three");
    same_inode(dir / "ours/hard/pa", dir / "ours/hard/pb");
}

TEST_F(RecvPull, HardLinksWithoutIncrementalRecursion) {
    add_hard_links(dir);
    expect_same_as_stock(dir, {"-aiH", "--no-inc-recursive"});
    same_inode(dir / "ours/hard/one", dir / "ours/sub/three");
}

TEST_F(RecvPull, HardLinksOverAStaleDestination) {
    add_hard_links(dir);
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; rm \"$d/hard/two\"; "
        "echo other >\"$d/hard/two\"; rm \"$d/sub/three\"'";
    expect_same_as_stock(dir, {"-aH"}, prep, false);
    same_inode(dir / "ours/hard/one", dir / "ours/hard/two");
    same_inode(dir / "ours/hard/one", dir / "ours/sub/three");
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, DelayUpdates) {
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; echo changed >\"$d/a.txt\"; "
        "echo x >\"$d/stale\"; rm -r \"$d/sub/deeper\"'";
    expect_same_as_stock(dir, {"-ai", "--delay-updates", "--delete"}, prep);
}

TEST_F(RecvPull, RemoveSourceFilesTellsTheSender) {
    // Two copies of the source: stock rsync empties one, we the other; they must end alike.
    sh("cp -a '" + dir / "src" + "' '" + dir / "src2" + "'");
    sh("mkdir -p '" + dir / "ours/sub" + "' '" + dir / "theirs/sub" + "'");
    sh("cp -a '" + dir / "src/sub/c.txt" + "' '" + dir / "ours/sub/" + "'");
    sh("cp -a '" + dir / "src/sub/c.txt" + "' '" + dir / "theirs/sub/" + "'");
    auto want = stock_pull({"-a", "--remove-source-files"}, dir / "src/", dir / "theirs/");
    auto got = ursync_pull({"-a", "--remove-source-files"}, dir / "src2/", dir / "ours/");
    EXPECT_EQ(got.local_code, 0) << got.err;
    EXPECT_EQ(got.remote_code, 0) << got.err;
    EXPECT_EQ(tree_listing(dir / "src2", false), tree_listing(dir / "src", false));
    EXPECT_EQ(tree_listing(dir / "ours"), tree_listing(dir / "theirs"));
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, SafeLinksSkipsLinksLeavingTheTree) {
    const std::string src = dir / "src";
    sh("cd '" + src + "' && ln -s ../x up && ln -s /etc/passwd abs && ln -s ../a.txt sub/back && "
       "ln -s x/../../../y sub/mid && ln -s deeper/../c.txt sub/fine && "
       "touch -h -d @1600000000 up abs sub/back sub/mid sub/fine && touch -d @1700000000 . sub");
    expect_same_as_stock(dir, {"-ai", "--safe-links"});
    expect_same_as_stock(dir, {"-av", "--safe-links", "--no-inc-recursive"}, "mkdir", false);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, ListingWithoutDestination) {
    for (auto args : std::vector<std::vector<std::string>>{{"-r"}, {"-a"}, {"-a", "--no-h"}}) {
        auto want = stock_pull(args, dir / "src/", "");
        auto got = ursync_pull(args, dir / "src/", "");
        EXPECT_EQ(got.local_code, 0) << got.err;
        EXPECT_EQ(lines_of(got.out, "\x01"), lines_of(want.out, "\x01"));
    }
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, PartialDirCopyIsTheBasis) {
    // a.txt: only a partial copy exists; b.txt: up to date with a stale partial; sub/deeper/d.bin
    // changed with a partial copy of the new version.
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; mkdir -p \"$d/.part\" \"$d/sub/deeper/.part\"; "
        "mv \"$d/a.txt\" \"$d/.part/a.txt\"; echo stale >\"$d/.part/b.txt\"; "
        "head -c 300000 " + dir / "src/sub/deeper/d.bin" + " >\"$d/sub/deeper/.part/d.bin\"; "
        "echo old >\"$d/sub/deeper/d.bin\"; touch -d @1700000000 \"$d\" \"$d/sub/deeper\"'";
    expect_same_as_stock(dir, {"-ai", "--no-W", "--partial-dir=.part"}, prep);
    expect_same_as_stock(dir, {"-ai", "--partial-dir=.part", "--no-inc-recursive"}, prep);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, RelativePaths) {
    for (const char* tail : {"/./sub/deeper", "/sub/c.txt", "/./sub"}) {
        SCOPED_TRACE(tail);
        sh("rm -rf '" + dir / "ours" + "' '" + dir / "theirs" + "'");
        auto want = stock_pull({"-aiR"}, dir / "src" + tail, dir / "theirs/");
        auto got = ursync_pull({"-aiR"}, dir / "src" + tail, dir / "ours/");
        EXPECT_EQ(got.local_code, want.local_code) << got.err;
        // (The created destination and -R's implied directories get "now" as their time.)
        EXPECT_EQ(tree_listing(dir / "ours", false), tree_listing(dir / "theirs", false));
        EXPECT_EQ(lines_of(got.out, dir / "ours"), lines_of(want.out, dir / "theirs"));
    }
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, MkpathCreatesTheMissingParents) {
    auto want = stock_pull({"-ai", "--mkpath"}, dir / "src/", dir / "theirs/x/y/");
    auto got = ursync_pull({"-ai", "--mkpath"}, dir / "src/", dir / "ours/x/y/");
    EXPECT_EQ(got.local_code, 0) << got.err;
    EXPECT_EQ(tree_listing(dir / "ours", false), tree_listing(dir / "theirs", false));
    EXPECT_EQ(lines_of(got.out, dir / "ours"), lines_of(want.out, dir / "theirs"));
    auto want1 = stock_pull({"-a", "--mkpath"}, dir / "src/a.txt", dir / "theirs/p/q/new.txt");
    auto got1 = ursync_pull({"-a", "--mkpath"}, dir / "src/a.txt", dir / "ours/p/q/new.txt");
    EXPECT_EQ(got1.local_code, 0) << got1.err;
    EXPECT_EQ(tree_listing(dir / "ours", false), tree_listing(dir / "theirs", false));
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, SparseFilesGetHoles) {
    sh("cd '" + dir / "src" + "' && truncate -s 3M holes && printf data | dd of=holes bs=1 "
       "seek=1000000 conv=notrunc 2>/dev/null && truncate -s 2M tailhole && touch -d @1700000000 holes tailhole .");
    expect_same_as_stock(dir, {"-aiS"});
    struct stat st {};
    ASSERT_EQ(::stat((dir / "ours/holes").c_str(), &st), 0);
    EXPECT_LT(st.st_blocks * 512, 1024 * 1024) << "the zeros were written, not skipped";
    ASSERT_EQ(::stat((dir / "ours/tailhole").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 2 * 1024 * 1024);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, OwnersAndIdMaps) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to own files as others";
    sh("cd '" + dir / "src" + "' && chown daemon:bin a.txt && chown -h bin:daemon link && "
       "chown 4242:4343 b.txt && chown nobody sub/c.txt");
    for (auto args : std::vector<std::vector<std::string>>{
             {"-a"},
             {"-a", "--numeric-ids"},
             {"-a", "--chown=nobody:daemon"},
             {"-a", "--usermap=daemon:bin,4000-4300:daemon,*:nobody", "--groupmap=bin:4444"},
             {"-a", "--numeric-ids", "--usermap=1:2"},
             {"-a", "--no-inc-recursive", "--usermap=d*:bin"}}) {
        SCOPED_TRACE(args.back());
        sh("rm -rf '" + dir / "ours" + "' '" + dir / "theirs" + "'");
        expect_same_as_stock(dir, args);
    }
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, AppendAndAppendVerify) {
    // d.bin: a true prefix; b.txt: a prefix with other content; a.txt: longer than the source.
    const std::string prep =
        "sh -c 'd=$0; cp -a " + dir / "src" + "/. \"$d\"; "
        "head -c 200000 " + dir / "src/sub/deeper/d.bin" + " >\"$d/sub/deeper/d.bin\"; "
        "printf XXXXXX >\"$d/b.txt\"; echo 0123456789abcdef >\"$d/a.txt\"'";
    expect_same_as_stock(dir, {"-ai", "--append"}, prep);
    expect_same_as_stock(dir, {"-ai", "--append-verify"}, prep);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, ReadOnlyDirectoriesAsNonSuperUser) {
    sh("cd '" + dir / "src" + "' && mkdir ro && echo x >ro/f && touch -d @1700000000 ro/f && "
       "chmod 555 ro && touch -d @1700000000 ro .");
    expect_same_as_stock(dir, {"-ai", "--no-super"});
    sh("chmod -R u+w '" + dir / "src/ro" + "'");
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, DeleteMissingArgsRemovesTheName) {
    sh("mkdir -p '" + dir / "start/sub" + "' && echo x >'" + dir / "start/gone.txt" + "' && "
       "echo y >'" + dir / "start/sub/gone2" + "'");
    sh("cp -a '" + dir / "start" + "' '" + dir / "ours" + "' && cp -a '" + dir / "start" + "' '" +
       dir / "theirs" + "'");
    // Two source args, one missing: its name is deleted at the destination.
    auto want = stock_pull({"-ai", "--delete-missing-args"}, dir / "src/a.txt",
                           dir / "theirs/");
    auto want2 = stock_pull({"-ai", "--delete-missing-args"}, dir / "src/gone.txt",
                            dir / "theirs/");
    auto got = ursync_pull({"-ai", "--delete-missing-args"}, dir / "src/a.txt", dir / "ours/");
    auto got2 = ursync_pull({"-ai", "--delete-missing-args"}, dir / "src/gone.txt", dir / "ours/");
    EXPECT_EQ(got2.local_code, want2.local_code) << got2.err;
    EXPECT_EQ(tree_listing(dir / "ours", false), tree_listing(dir / "theirs", false));
    EXPECT_EQ(got2.out, want2.out);
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, AlternateDestinations) {
    // prev/: an older snapshot; a.txt differs, b.txt has other perms, sub/c.txt is missing.
    const std::string prep =
        "sh -c 'd=$0; mkdir -p \"$d/prev\"; cp -a " + dir / "src" + "/. \"$d/prev\"; "
        "echo older >\"$d/prev/a.txt\"; chmod 600 \"$d/prev/b.txt\"; rm \"$d/prev/sub/c.txt\"; "
        "touch -d @1700000000 \"$d/prev/sub\"'";
    for (const char* kind : {"--link-dest=../prev", "--compare-dest=../prev", "--copy-dest=../prev"}) {
        SCOPED_TRACE(kind);
        const std::string ours = dir / "ours", theirs = dir / "theirs";
        sh("rm -rf '" + ours + "' '" + theirs + "' '" + dir / "start" + "'");
        sh(prep + " '" + dir / "start" + "'");
        sh("cp -a '" + dir / "start" + "' '" + ours + "' && cp -a '" + dir / "start" + "' '" + theirs + "'");
        auto want = stock_pull({"-ai", "--no-W", kind}, dir / "src/", theirs + "/new/");
        auto got = ursync_pull({"-ai", "--no-W", kind}, dir / "src/", ours + "/new/");
        EXPECT_EQ(got.local_code, want.local_code) << got.err;
        EXPECT_EQ(tree_listing(ours, false), tree_listing(theirs, false));
        EXPECT_EQ(lines_of(got.out, ours), lines_of(want.out, theirs));
    }
}

}  // namespace
}  // namespace ursync::roles::testing

namespace ursync::roles::testing {
namespace {

TEST_F(RecvPull, TheChecksumSeedReachesTheStockSender) {
    // ursync puts --checksum-seed in the server's argv: with tests::k_false_match_seed the
    // stock sender finds the false block match in d.bin, and the file is sent again in phase 1,
    // exactly as in stock rsync's own pull.
    write_file(dir / "src/sub/deeper/d.bin", tests::false_match_file(), 1704000000, 999999999);
    const std::string ours = dir / "ours", theirs = dir / "theirs";
    for (const auto& d : {ours, theirs}) {
        sh("cp -a '" + dir / "src" + "' '" + d + "' && head -c " +
           std::to_string(tests::k_false_match_basis_len) + " '" + dir / "src/sub/deeper/d.bin" +
           "' >'" + d + "/sub/deeper/d.bin' && touch -d @1600000000 '" + d + "/sub/deeper/d.bin'");
    }
    const std::vector<std::string> args = {
        "-ai", "--no-W", "--checksum-seed=" + std::to_string(tests::k_false_match_seed)};
    auto want = stock_pull(args, dir / "src/", theirs + "/");
    ASSERT_EQ(want.local_code, 0) << want.err;
    ASSERT_EQ(tests::count_of(want.out, "sub/deeper/d.bin\n"), 2U) << "no redo:\n" << want.out;
    auto got = ursync_pull(args, dir / "src/", ours + "/");
    EXPECT_EQ(got.local_code, 0) << got.err;
    EXPECT_EQ(got.remote_code, 0) << got.err;
    EXPECT_EQ(lines_of(got.out, ours), lines_of(want.out, theirs));
    EXPECT_NE(got.err.find("d.bin failed verification"), std::string::npos) << got.err;
    EXPECT_EQ(tree_listing(ours), tree_listing(theirs));
}

}  // namespace
}  // namespace ursync::roles::testing
