// DirRoot's stat prefetching: worker jobs started ahead of the stats that consume them, and the
// bookkeeping that drops what a change through the root made stale.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <span>
#include <utility>

#include "engine/event.h"
#include "fs/beneath.h"
#include "fs/rel_path.h"

namespace ursync::fs {

using engine::Task;

namespace {

bool is_at_or_beneath(std::string_view path, std::string_view top) {
    return path.size() >= top.size() && path.compare(0, top.size(), top) == 0 &&
           (path.size() == top.size() || path[top.size()] == '/');
}

}  // namespace

// One job's items and results; shared by the root and the job (which may outlive the root).
struct DirRoot::PrefetchBatch {
    explicit PrefetchBatch(engine::Engine& engine) : ready(engine) {}
    struct Item {
        DirHandle dir;  // null: the directory does not exist (prefetched as not found)
        std::string name;
        std::string rel;
        size_t pos = 0;
        Prefetched result;
        std::optional<std::vector<std::byte>> extra;
    };
    std::vector<Item> items;
    PrefetchExtra extra;
    // Changes made through the root while the job ran: path, and whether beneath it too.
    std::vector<std::pair<std::string, bool>> changes;
    engine::Event ready;
};

Task<void> DirRoot::prefetch_stats(std::vector<std::string> rels, PrefetchExtra extra) {
    auto batch = std::make_shared<PrefetchBatch>(engine_);
    batch->extra = std::move(extra);
    batch->items.reserve(rels.size());
    // Names in one directory share its resolution (and a missing one is looked for once).
    std::string last_parent;
    DirHandle last_dir;
    bool last_missing = false;
    bool have_last = false;
    for (size_t pos = 0; pos < rels.size(); ++pos) {
        std::string& rel = rels[pos];
        if (!is_safe_rel_path(rel) || is_root_rel(rel) || in_flight_rels_.contains(rel)) continue;
        auto [parent, name] = split_parent_leaf(rel);
        if (!have_last || parent != last_parent) {
            have_last = true;
            last_parent.assign(parent);
            if (fresh_dirs_.contains(last_parent)) {
                last_missing = true;
                last_dir = nullptr;
            } else {
                auto dir = co_await resolve_dir(parent, "stat", rel);
                last_missing = !dir && dir.error().err == ENOENT;
                last_dir = dir ? std::move(*dir) : nullptr;
            }
        }
        if (!last_dir && !last_missing) continue;  // the stat itself will say why
        PrefetchBatch::Item item;
        item.dir = last_dir;
        item.name = std::string(name);
        item.pos = pos;
        if (!last_dir) item.result.err = ENOENT;
        item.rel = std::move(rel);
        batch->items.push_back(std::move(item));
    }
    if (batch->items.empty()) co_return;
    for (const auto& item : batch->items) in_flight_rels_.insert(item.rel);
    in_flight_.push_back(batch);
    engine_.spawn(run_prefetch(engine_, std::move(batch)));
}

Task<void> DirRoot::run_prefetch(engine::Engine& engine, std::shared_ptr<PrefetchBatch> batch) {
    PrefetchBatch* b = batch.get();
    auto job = [b] {
        for (auto& it : b->items) {
            if (!it.dir) continue;
            struct statx stx {};
            if (::statx(it.dir->get(), it.name.c_str(), AT_SYMLINK_NOFOLLOW, k_statx_mask, &stx) != 0) {
                it.result.err = errno;
                continue;
            }
            it.result.attrs = attrs_from_statx(stx);
            if (b->extra) it.extra = b->extra(it.pos, it.dir->get(), it.name.c_str(), it.result.attrs);
        }
        return 0;
    };
    co_await engine.offload(job);
    b->ready.set();
}

Task<void> DirRoot::harvest_oldest() {
    if (in_flight_.empty()) co_return;
    std::shared_ptr<PrefetchBatch> batch = in_flight_.front();
    co_await batch->ready;
    // Another waiter may have taken it meanwhile.
    if (in_flight_.empty() || in_flight_.front() != batch) co_return;
    in_flight_.pop_front();
    harvest(*batch);
}

void DirRoot::harvest(PrefetchBatch& batch) {
    for (auto& it : batch.items) {
        in_flight_rels_.erase(it.rel);
        bool stale = false;
        for (const auto& [path, subtree] : batch.changes) {
            if (subtree ? is_at_or_beneath(it.rel, path) : it.rel == path) {
                stale = true;
                break;
            }
        }
        if (stale) continue;
        if (it.extra) prefetched_extra_.insert_or_assign(it.rel, std::move(*it.extra));
        prefetched_.insert_or_assign(std::move(it.rel), it.result);
    }
}

Task<void> DirRoot::drop_prefetched() {
    while (!in_flight_.empty()) {
        std::shared_ptr<PrefetchBatch> batch = in_flight_.front();
        co_await batch->ready;
        if (in_flight_.empty() || in_flight_.front() != batch) continue;
        in_flight_.pop_front();
        for (const auto& it : batch->items) in_flight_rels_.erase(it.rel);
    }
    prefetched_.clear();
    prefetched_extra_.clear();
    fresh_dirs_.clear();
}

bool DirRoot::has_prefetched(std::string_view rel) const {
    const std::string key(rel);
    return prefetched_.contains(key) || in_flight_rels_.contains(key);
}

std::optional<std::vector<std::byte>> DirRoot::take_prefetched_extra(const std::string& rel) {
    auto it = prefetched_extra_.find(rel);
    if (it == prefetched_extra_.end()) return std::nullopt;
    std::vector<std::byte> extra = std::move(it->second);
    prefetched_extra_.erase(it);
    return extra;
}

void DirRoot::changed(std::string_view rel, bool subtree) {
    if (!fresh_dirs_.empty()) {
        if (subtree)
            std::erase_if(fresh_dirs_, [rel](const auto& d) { return is_at_or_beneath(d, rel); });
        else
            fresh_dirs_.erase(std::string(rel));
    }
    for (auto& batch : in_flight_) batch->changes.emplace_back(std::string(rel), subtree);
    if (prefetched_.empty() && prefetched_extra_.empty()) return;
    if (!subtree) {
        const std::string key(rel);
        prefetched_.erase(key);
        prefetched_extra_.erase(key);
        return;
    }
    std::erase_if(prefetched_, [rel](const auto& kv) { return is_at_or_beneath(kv.first, rel); });
    std::erase_if(prefetched_extra_,
                  [rel](const auto& kv) { return is_at_or_beneath(kv.first, rel); });
}

}  // namespace ursync::fs
