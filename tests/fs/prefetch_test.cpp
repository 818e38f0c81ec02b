// DirRoot's stat prefetching: results taken once, jobs in flight, names in missing directories,
// the -c blob, and what a change through the root (to a name or above it) drops.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "fs/beneath.h"
#include "fs_test_util.h"

namespace ursync::fs {
namespace {

using testing::write_text;

class Prefetch : public testing::FsRootTest {
protected:
    std::vector<std::string> names(std::initializer_list<const char*> list) {
        return std::vector<std::string>(list.begin(), list.end());
    }
    // The size a stat through the root sees now.
    int64_t size_of(const std::string& rel) {
        auto st = run(root().stat(rel));
        return st ? static_cast<int64_t>(st->size) : -1;
    }
};

TEST_P(Prefetch, AStatTakesTheResultOnceAndThenLooksAgain) {
    write_text(tree_.in_root("a"), "1234");
    run(root().prefetch_stats(names({"a"})));
    EXPECT_TRUE(root().has_prefetched("a"));
    // Changed behind the root's back after the job: the prefetched size is what the first stat
    // sees (that is what prefetching means), the second one looks again.
    auto first = run(root().stat("a"));  // waits for the job
    write_text(tree_.in_root("a"), "123456");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->size, 4u);
    EXPECT_FALSE(root().has_prefetched("a"));
    EXPECT_EQ(size_of("a"), 6);
}

TEST_P(Prefetch, AChangeThroughTheRootDropsTheResultInFlightOrNot) {
    write_text(tree_.in_root("a"), "1234");
    write_text(tree_.in_root("b"), "1234");
    run(root().prefetch_stats(names({"a", "b"})));
    // Unlinked through the root while the job may still run: the stat must not report it.
    auto gone = run(root().unlink("a"));
    ASSERT_TRUE(gone);
    auto st = run(root().stat("a"));
    ASSERT_FALSE(st);
    EXPECT_TRUE(st.error().not_found());
    EXPECT_EQ(size_of("b"), 4);  // untouched: still the prefetched one
    // Harvested first, changed after: dropped as well.
    run(root().prefetch_stats(names({"b"})));
    EXPECT_EQ(size_of("b"), 4);
    run(root().prefetch_stats(names({"b"})));
    (void)run(root().stat("missing-name"));  // not prefetched: looks directly
    auto gone_too = run(root().unlink("b"));
    ASSERT_TRUE(gone_too);
    EXPECT_EQ(size_of("b"), -1);
}

TEST_P(Prefetch, ARenameOrRmdirDropsEverythingBeneath) {
    ASSERT_EQ(::mkdir(tree_.in_root("d").c_str(), 0755), 0);
    write_text(tree_.in_root("d/x"), "12");
    run(root().prefetch_stats(names({"d/x"})));
    auto moved = run(root().rename("d", "e"));
    ASSERT_TRUE(moved);
    EXPECT_EQ(size_of("d/x"), -1);
    EXPECT_EQ(size_of("e/x"), 2);
}

TEST_P(Prefetch, ANameInAMissingDirectoryIsNotFoundAndStaysSoAfterMkdir) {
    run(root().prefetch_stats(names({"new/x"})));
    EXPECT_TRUE(root().has_prefetched("new/x"));
    // Creating the directory changes only it: a new directory is empty.
    auto made = run(root().mkdir("new", 0755));
    ASSERT_TRUE(made);
    auto st = run(root().stat("new/x"));
    ASSERT_FALSE(st);
    EXPECT_TRUE(st.error().not_found());
    EXPECT_EQ(st.error().path, "new/x");
}

TEST_P(Prefetch, ANameInADirectoryThisRootMadeIsNotLookedForUntilItIsRenamed) {
    ASSERT_TRUE(run(root().mkdir("fresh", 0755)));
    // Made behind the root's back after the mkdir: the prefetch assumes the directory is still
    // as this root made it (empty but for what the copy itself puts there later).
    write_text(tree_.in_root("fresh/x"), "1");
    run(root().prefetch_stats(names({"fresh/x"})));
    auto assumed = run(root().stat("fresh/x"));
    ASSERT_FALSE(assumed);
    EXPECT_TRUE(assumed.error().not_found());
    EXPECT_EQ(size_of("fresh/x"), 1);  // a plain stat looks
    // Once it is renamed (or removed) through the root it is not fresh any more.
    ASSERT_TRUE(run(root().rename("fresh", "moved")));
    ASSERT_TRUE(run(root().rename("moved", "fresh")));
    run(root().prefetch_stats(names({"fresh/x"})));
    EXPECT_EQ(size_of("fresh/x"), 1);
}

TEST_P(Prefetch, TheExtraBlobIsKeptForRegularFilesItReturnsOne) {
    write_text(tree_.in_root("a"), "abc");
    ASSERT_EQ(::mkdir(tree_.in_root("d").c_str(), 0755), 0);
    std::vector<std::string> rels = names({"a", "d"});
    auto extra = [](size_t pos, int dir_fd, const char* name,
                    const FileAttrs& attrs) -> std::optional<std::vector<std::byte>> {
        if (!attrs.is_regular()) return std::nullopt;
        char buf[8] = {};
        const int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0) return std::nullopt;
        const ssize_t n = ::read(fd, buf, sizeof buf);
        ::close(fd);
        std::vector<std::byte> out{static_cast<std::byte>(pos)};
        for (ssize_t i = 0; i < n; ++i) out.push_back(static_cast<std::byte>(buf[i]));
        return out;
    };
    run(root().prefetch_stats(rels, extra));
    EXPECT_TRUE(run(root().stat("a")));
    EXPECT_TRUE(run(root().stat("d")));
    auto blob = root().take_prefetched_extra("a");
    ASSERT_TRUE(blob);
    EXPECT_EQ(*blob, (std::vector<std::byte>{std::byte{0}, std::byte{'a'}, std::byte{'b'},
                                              std::byte{'c'}}));
    EXPECT_FALSE(root().take_prefetched_extra("a"));  // once
    EXPECT_FALSE(root().take_prefetched_extra("d"));
}

TEST_P(Prefetch, UnsafeNamesAreNotPrefetched) {
    run(root().prefetch_stats(names({"../outside", ".", "/abs"})));
    EXPECT_FALSE(root().has_prefetched("../outside"));
    EXPECT_EQ(root().prefetches_in_flight(), 0u);
}

URSYNC_FS_ROOT_SUITE(Prefetch);

}  // namespace
}  // namespace ursync::fs
