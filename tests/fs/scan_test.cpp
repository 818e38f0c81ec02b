// Directory scans and walks over a tree of every file type, a vanishing entry, and mount points.
#include "fs/scan.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <map>

#include "fs/source_file.h"
#include "fs_test_util.h"

namespace ursync::fs {
namespace {

using engine::Task;
using testing::write_text;

class Scan : public testing::FsRootTest {
protected:
    // root/: file, hard (link to file), dir/ {inner, deeper/{x}}, sym -> file, fifo, empty/
    void build_tree() {
        write_text(tree_.in_root("file"), "0123456789");
        ASSERT_EQ(::link(tree_.in_root("file").c_str(), tree_.in_root("hard").c_str()), 0);
        ASSERT_EQ(::mkdir(tree_.in_root("dir").c_str(), 0750), 0);
        write_text(tree_.in_root("dir/inner"), "x");
        ASSERT_EQ(::mkdir(tree_.in_root("dir/deeper").c_str(), 0755), 0);
        write_text(tree_.in_root("dir/deeper/x"), "");
        ASSERT_EQ(::symlink("file", tree_.in_root("sym").c_str()), 0);
        ASSERT_EQ(::mkfifo(tree_.in_root("fifo").c_str(), 0600), 0);
        ASSERT_EQ(::mkdir(tree_.in_root("empty").c_str(), 0700), 0);
    }
};

std::map<std::string, FileAttrs> by_name(const std::vector<DirEntry>& entries) {
    std::map<std::string, FileAttrs> m;
    for (const auto& e : entries) {
        EXPECT_TRUE(e.attrs) << e.name << ": " << e.attrs.error().message();
        if (e.attrs) m[e.name] = *e.attrs;
    }
    return m;
}

TEST_P(Scan, ListsEveryTypeWithItsAttributes) {
    build_tree();
    auto entries = run(scan_dir(root(), "."));
    ASSERT_TRUE(entries) << entries.error().message();
    std::vector<std::string> names;
    for (const auto& e : *entries) names.push_back(e.name);
    EXPECT_EQ(names, (std::vector<std::string>{"dir", "empty", "fifo", "file", "hard", "sym"}));
    auto m = by_name(*entries);
    EXPECT_EQ(m["file"].type, FileType::regular);
    EXPECT_EQ(m["file"].size, 10u);
    EXPECT_EQ(m["file"].nlink, 2u);
    EXPECT_EQ(m["hard"].ino, m["file"].ino);
    EXPECT_EQ(m["hard"].dev, m["file"].dev);
    EXPECT_EQ(m["dir"].type, FileType::directory);
    EXPECT_EQ(m["dir"].perms(), 0750u);
    EXPECT_EQ(m["sym"].type, FileType::symlink);  // the link, not its target
    EXPECT_EQ(m["sym"].size, 4u);
    EXPECT_EQ(m["fifo"].type, FileType::fifo);
    auto sub = run(scan_dir(root(), "dir"));
    ASSERT_TRUE(sub);
    EXPECT_EQ(by_name(*sub).size(), 2u);
    auto none = run(scan_dir(root(), "empty"));
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
}

TEST_P(Scan, ManyEntriesMoreThanTheInFlightLimit) {
    ASSERT_EQ(::mkdir(tree_.in_root("many").c_str(), 0755), 0);
    const int count = 1000;
    for (int i = 0; i < count; ++i) write_text(tree_.in_root("many/f" + std::to_string(i)), std::string(static_cast<size_t>(i % 7), 'z'));
    auto entries = run(scan_dir(root(), "many"));
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), static_cast<size_t>(count));
    for (const auto& e : *entries) {
        ASSERT_TRUE(e.attrs) << e.name;
        int i = std::stoi(e.name.substr(1));
        EXPECT_EQ(e.attrs->size, static_cast<uint64_t>(i % 7)) << e.name;
    }
}

TEST_P(Scan, AnEntryVanishingAfterGetdentsIsReportedAsAValue) {
    build_tree();
    write_text(tree_.in_root("dir/gone"), "bye");
    // The names as getdents read them; "gone" is unlinked before its statx (which the worker
    // job runs right after): its error is a value beside the others.
    const int fd = ::openat(root().fd(), "dir", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    ScanResult scan = scan_dir_blocking(fd, true);
    ::close(fd);
    ASSERT_EQ(scan.err, 0);
    ASSERT_EQ(scan.names.size(), 3u);
    EXPECT_EQ(scan.names[1].name, "gone");
    EXPECT_EQ(scan.errs[1], 0);
    scan.errs[1] = ENOENT;  // what the statx of a name unlinked after getdents gives
    auto entries = entries_of(std::move(scan), "dir");
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 3u);
    const DirEntry& gone = (*entries)[1];
    EXPECT_EQ(gone.name, "gone");
    ASSERT_FALSE(gone.attrs);
    EXPECT_TRUE(gone.attrs.error().not_found());
    EXPECT_EQ(gone.attrs.error().path, "dir/gone");
    EXPECT_TRUE((*entries)[0].attrs);
    EXPECT_TRUE((*entries)[2].attrs);
}

TEST_P(Scan, AGetdentsFailureIsTheScansError) {
    ScanResult scan;
    scan.err = EIO;
    auto entries = entries_of(std::move(scan), "dir");
    ASSERT_FALSE(entries);
    EXPECT_EQ(entries.error().err, EIO);
    EXPECT_EQ(entries.error().path, "dir");
}

TEST_P(Scan, ScanningThroughASymlinkIsRefused) {
    build_tree();
    ASSERT_EQ(::symlink(tree_.outside().c_str(), tree_.in_root("out").c_str()), 0);
    auto entries = run(scan_dir(root(), "out"));
    ASSERT_FALSE(entries);
    auto missing = run(scan_dir(root(), "nothere"));
    ASSERT_FALSE(missing);
    EXPECT_TRUE(missing.error().not_found());
}

Task<std::vector<std::string>> walk_all(DirRoot& root, std::string start, WalkOptions options,
                                        int& errors) {
    TreeWalker walker(root, std::move(start), options);
    std::vector<std::string> order;
    while (auto step = co_await walker.next()) {
        if (!*step) {
            ++errors;
            continue;
        }
        order.push_back((*step)->dir);
    }
    co_return order;
}

TEST_P(Scan, WalksDepthFirstWithoutFollowingSymlinks) {
    build_tree();
    ASSERT_EQ(::mkdir(tree_.in_root("dir/a").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(tree_.in_root("zz").c_str(), 0755), 0);
    ASSERT_EQ(::symlink("dir", tree_.in_root("dirlink").c_str()), 0);
    int errors = 0;
    auto order = run(walk_all(root(), ".", {}, errors));
    EXPECT_EQ(errors, 0);
    EXPECT_EQ(order, (std::vector<std::string>{".", "dir", "dir/a", "dir/deeper", "empty", "zz"}));
    auto sub = run(walk_all(root(), "dir", {}, errors));
    EXPECT_EQ(sub, (std::vector<std::string>{"dir", "dir/a", "dir/deeper"}));
    auto bad = run(walk_all(root(), "file", {}, errors));
    EXPECT_TRUE(bad.empty());
    EXPECT_EQ(errors, 1);
}

URSYNC_FS_ROOT_SUITE(Scan);

class ScanDev : public testing::FsEngineTest {};

TEST_P(ScanDev, OneFileSystemStaysOnTheStartDevice) {
    struct stat dev_st {}, pts_st {};
    if (::stat("/dev", &dev_st) != 0 || ::stat("/dev/pts", &pts_st) != 0 ||
        dev_st.st_dev == pts_st.st_dev)
        GTEST_SKIP() << "/dev/pts is not a separate mount here";
    auto root = engine().run(DirRoot::open_root(engine(), "/dev"));
    ASSERT_TRUE(root);
    int errors = 0;
    auto crossing = engine().run(walk_all(**root, ".", {}, errors));
    auto staying = engine().run(walk_all(**root, ".", WalkOptions{true}, errors));
    auto has = [](const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    };
    EXPECT_TRUE(has(crossing, "pts"));
    EXPECT_FALSE(has(staying, "pts"));
    EXPECT_TRUE(has(staying, "."));
    for (const std::string& d : staying) {
        auto attrs = engine().run((*root)->stat(d));
        ASSERT_TRUE(attrs) << d;
        EXPECT_EQ(attrs->dev, static_cast<uint64_t>(dev_st.st_dev)) << d;
    }
}

TEST_P(ScanDev, SourceFilesOpenOnlyAsRegularFiles) {
    auto root_r = engine().run(DirRoot::open_root(engine(), tree_.root()));
    ASSERT_TRUE(root_r);
    DirRoot& root = **root_r;
    write_text(tree_.in_root("f"), "hello");
    ASSERT_EQ(::symlink("f", tree_.in_root("l").c_str()), 0);
    ASSERT_EQ(::mkfifo(tree_.in_root("p").c_str(), 0600), 0);
    ASSERT_EQ(::mkdir(tree_.in_root("d").c_str(), 0755), 0);

    auto ok = engine().run(open_source_file(root, "f"));
    ASSERT_TRUE(ok) << ok.error().message();
    EXPECT_EQ(ok->attrs.size, 5u);
    EXPECT_TRUE(ok->attrs.is_regular());
    EXPECT_EQ(::fcntl(ok->fd, F_GETFL) & O_NONBLOCK, 0);  // blocking again for the data reads
    char buf[8] = {};
    EXPECT_EQ(::read(ok->fd, buf, sizeof buf), 5);
    ::close(ok->fd);

    auto link = engine().run(open_source_file(root, "l"));
    ASSERT_FALSE(link);
    EXPECT_EQ(link.error().err, ELOOP);
    auto fifo = engine().run(open_source_file(root, "p"));  // must not block
    ASSERT_FALSE(fifo);
    EXPECT_EQ(fifo.error().err, EINVAL);
    auto dir = engine().run(open_source_file(root, "d"));
    ASSERT_FALSE(dir);
    EXPECT_EQ(dir.error().err, EISDIR);
    auto unsafe = engine().run(open_source_file(root, "../outside"));
    ASSERT_FALSE(unsafe);
    EXPECT_TRUE(unsafe.error().unsafe);
}

URSYNC_FS_ENGINE_SUITE(ScanDev);

}  // namespace
}  // namespace ursync::fs
