// The parent-dir fd cache: LRU order, capacity, subtree invalidation, handles outliving eviction.
#include "fs/dir_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace ursync::fs {
namespace {

DirHandle fresh_handle() {
    int fd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    EXPECT_GE(fd, 0);
    return std::make_shared<const DirFd>(fd);
}

bool fd_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

TEST(DirCache, EvictsTheLeastRecentlyUsed) {
    DirCache cache(2);
    cache.insert("a", fresh_handle());
    cache.insert("b", fresh_handle());
    EXPECT_NE(cache.find("a"), nullptr);  // a is now the most recent
    cache.insert("c", fresh_handle());
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_NE(cache.find("a"), nullptr);
    EXPECT_EQ(cache.find("b"), nullptr);
    EXPECT_NE(cache.find("c"), nullptr);
}

TEST(DirCache, InvalidateDropsTheSubtreeOnly) {
    DirCache cache(8);
    for (const char* k : {"a", "a/b", "a/b/c", "ab", "b/a"}) cache.insert(k, fresh_handle());
    cache.invalidate("a");
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_EQ(cache.find("a/b"), nullptr);
    EXPECT_EQ(cache.find("a/b/c"), nullptr);
    EXPECT_NE(cache.find("ab"), nullptr);
    EXPECT_NE(cache.find("b/a"), nullptr);
    EXPECT_EQ(cache.size(), 2u);
}

TEST(DirCache, AnEvictedHandleStaysOpenForItsHolder) {
    DirCache cache(1);
    cache.insert("a", fresh_handle());
    DirHandle held = cache.find("a");
    int fd = held->get();
    cache.insert("b", fresh_handle());  // evicts "a"
    EXPECT_EQ(cache.find("a"), nullptr);
    EXPECT_TRUE(fd_open(fd));
    held.reset();
    EXPECT_FALSE(fd_open(fd));
}

TEST(DirCache, ReinsertReplacesAndZeroCapacityCachesNothing) {
    DirCache cache(4);
    DirHandle first = fresh_handle();
    DirHandle second = fresh_handle();
    cache.insert("a", first);
    cache.insert("a", second);
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find("a"), second);
    DirCache none(0);
    none.insert("a", fresh_handle());
    EXPECT_EQ(none.find("a"), nullptr);
}

}  // namespace
}  // namespace ursync::fs
