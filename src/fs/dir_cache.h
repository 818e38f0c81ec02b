// DirCache: a small LRU of open parent-directory fds keyed by relative path (files arrive dir by dir).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ursync::fs {

// An open directory fd shared by the cache and by the operations using it; it is closed when the
// last holder lets go, so an eviction never closes an fd an in-flight operation still uses.
// The close is a plain close(2): directory fds carry no dirty data, so it does no I/O and cannot
// block the engine thread.
class DirFd {
public:
    explicit DirFd(int fd) : fd_(fd) {}
    ~DirFd();
    DirFd(const DirFd&) = delete;
    DirFd& operator=(const DirFd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};
using DirHandle = std::shared_ptr<const DirFd>;

class DirCache {
public:
    static constexpr size_t k_entries_default = 64;

    explicit DirCache(size_t capacity = k_entries_default) : capacity_(capacity) {}

    // The handle for `rel`, or null; a hit becomes the most recently used entry.
    DirHandle find(std::string_view rel);
    // Adds (or replaces) `rel`, evicting the least recently used entry beyond capacity.
    void insert(std::string_view rel, DirHandle handle);
    // Drops `rel` and every entry beneath it (after a remove, rename or replace of `rel`).
    void invalidate(std::string_view rel);
    void clear();
    size_t size() const { return map_.size(); }
    size_t capacity() const { return capacity_; }

private:
    struct Entry {
        std::string rel;
        DirHandle handle;
    };
    struct Hash {
        using is_transparent = void;
        size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    using Lru = std::list<Entry>;

    size_t capacity_;
    Lru lru_;  // front = most recently used
    std::unordered_map<std::string, Lru::iterator, Hash, std::equal_to<>> map_;
};

}  // namespace ursync::fs
