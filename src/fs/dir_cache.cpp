// The parent-directory fd cache: lookups, LRU eviction and subtree invalidation.
#include "fs/dir_cache.h"

#include "engine/engine.h"

namespace ursync::fs {

// The last holder may be a coroutine on the engine thread: the close then goes through its
// ring, so the engine thread makes no close(2) (a worker job closes it itself).
DirFd::~DirFd() { engine::close_detached(fd_); }

DirHandle DirCache::find(std::string_view rel) {
    auto it = map_.find(rel);
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->handle;
}

void DirCache::insert(std::string_view rel, DirHandle handle) {
    if (capacity_ == 0) return;
    if (auto it = map_.find(rel); it != map_.end()) {
        it->second->handle = std::move(handle);
        lru_.splice(lru_.begin(), lru_, it->second);
        return;
    }
    lru_.push_front(Entry{std::string(rel), std::move(handle)});
    map_.emplace(std::string(rel), lru_.begin());
    while (map_.size() > capacity_) {
        map_.erase(lru_.back().rel);
        lru_.pop_back();
    }
}

void DirCache::invalidate(std::string_view rel) {
    for (auto it = lru_.begin(); it != lru_.end();) {
        const std::string& key = it->rel;
        bool below = key.size() > rel.size() && key.compare(0, rel.size(), rel) == 0 &&
                     key[rel.size()] == '/';
        if (key == rel || below) {
            map_.erase(key);
            it = lru_.erase(it);
        } else {
            ++it;
        }
    }
}

void DirCache::clear() {
    map_.clear();
    lru_.clear();
}

}  // namespace ursync::fs
