// SendPrefetch: jobs that open and read the next source files in list order, handed out as the
// generator asks for them; a job's use sets how far the next one reads ahead.
#include "roles/send/send_prefetch.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "engine/event.h"

namespace ursync::roles {

// One job's files (ascending ndx); shared by the prefetcher and the job, which may outlive it.
struct SendPrefetch::Batch {
    explicit Batch(engine::Engine& engine) : ready(engine) {}
    ~Batch() {
        // A large file opened for nothing (the generator did not ask for it).
        for (const Item& it : items)
            if (it.file.read.fd >= 0) engine::close_detached(it.file.read.fd);
    }
    Batch(const Batch&) = delete;
    Batch& operator=(const Batch&) = delete;

    struct Item {
        int32_t ndx = 0;
        fs::DirHandle dir;  // the parent, resolved (and cached) by its DirRoot
        std::string leaf;
        bool use_openat2 = false;
        bool taken = false;
        PrefetchedFile file;  // file.read.err set before the job: not opened at all
    };
    Item* find(int32_t ndx) {
        auto it = std::lower_bound(items.begin(), items.end(), ndx,
                                   [](const Item& a, int32_t n) { return a.ndx < n; });
        return it != items.end() && it->ndx == ndx ? &*it : nullptr;
    }
    int32_t last_ndx() const { return items.empty() ? -1 : items.back().ndx; }

    std::vector<Item> items;
    int32_t next_ndx = -1;  // the first file after these (-1: none known yet)
    size_t taken = 0;
    engine::Event ready;
};

SendPrefetch::SendPrefetch(engine::Engine& engine, SendList& list, protocol::ChecksumAlgo algo)
    : engine_(engine), list_(list), algo_(algo) {}

SendPrefetch::~SendPrefetch() = default;

namespace {

struct Candidate {
    int32_t ndx = 0;
    uint32_t root = 0;
    std::string name;
};

}  // namespace

engine::Task<std::shared_ptr<SendPrefetch::Batch>> SendPrefetch::start_batch(int32_t from,
                                                                             bool ahead) {
    auto batch = std::make_shared<Batch>(engine_);
    // The regular files from `from` on, in list order, through the unfinished segments.
    const size_t files_max = ahead ? window_ : 1;
    std::vector<Candidate> picked;
    uint64_t bytes = 0;
    const auto& segs = list_.list().segments();
    // Segments hold ascending indexes: start at the one holding `from`.
    auto seg_end = [](const FlistSegment& seg) {
        return int64_t{seg.ndx_start} + static_cast<int64_t>(seg.entries.size());
    };
    const auto first = std::partition_point(
        segs.begin(), segs.end(), [&](const FlistSegment& seg) { return seg_end(seg) <= from; });
    for (auto si = static_cast<size_t>(first - segs.begin());
         si < segs.size() && batch->next_ndx < 0; ++si) {
        const FlistSegment& seg = segs[si];
        if (seg.finished) continue;
        size_t k = from > seg.ndx_start ? static_cast<size_t>(from - seg.ndx_start) : 0;
        for (; k < seg.entries.size(); ++k) {
            const protocol::FileEntry& e = seg.entries[k];
            if (seg.dropped[k] || !e.is_regular()) continue;
            const int32_t ndx = seg.ndx_start + static_cast<int32_t>(k);
            const auto size = static_cast<uint64_t>(std::max<int64_t>(0, e.size));
            const uint64_t read = size <= k_prefetch_whole_bytes_max ? size : 0;
            if (!picked.empty() &&
                (picked.size() >= files_max || bytes + read > k_prefetch_batch_bytes_max)) {
                batch->next_ndx = ndx;
                break;
            }
            bytes += read;
            picked.push_back(Candidate{ndx, list_.info_at(si, k).root, e.name});
        }
    }
    // Parents resolved here, through the roots' caches (a miss costs one confined open).
    FlistBuilder& builder = list_.builder();
    batch->items.reserve(picked.size());
    for (Candidate& c : picked) {
        Batch::Item item;
        item.ndx = c.ndx;
        fs::DirRoot& root = builder.root(c.root);
        item.use_openat2 = root.uses_openat2();
        auto leaf = co_await root.leaf(c.name, "open");
        if (leaf) {
            item.dir = std::move(leaf->dir);
            item.leaf = std::move(leaf->name);
        } else {
            item.file.read.err = leaf.error().err != 0 ? leaf.error().err : EINVAL;
        }
        batch->items.push_back(std::move(item));
    }
    engine_.spawn(run_batch(engine_, batch, algo_));
    co_return batch;
}

engine::Task<void> SendPrefetch::run_batch(engine::Engine& engine, std::shared_ptr<Batch> batch,
                                           protocol::ChecksumAlgo algo) {
    Batch* b = batch.get();
    co_await engine.offload([b, algo] {
        protocol::FileHasher hasher(algo);
        for (Batch::Item& it : b->items) {
            if (it.file.read.err != 0) continue;
            it.file.read = fs::open_and_read(it.dir->get(), it.leaf.c_str(), it.use_openat2,
                                             k_prefetch_whole_bytes_max);
            if (!it.file.read.whole) continue;
            hasher.update(it.file.read.data());
            it.file.digest = hasher.finish();
            hasher.reset();
        }
        return 0;
    });
    b->ready.set();
}

void SendPrefetch::retire_front() {
    const Batch& b = *batches_.front();
    const size_t n = b.items.size();
    wasted_ += n - b.taken;
    if (b.taken == n) {
        window_ = std::min(k_prefetch_files_max, window_ * 2);
    } else if (b.taken * 2 < n) {
        window_ = std::max<size_t>(1, window_ / 2);
    }
    batches_.pop_front();
}

engine::Task<PrefetchedFile> SendPrefetch::take(int32_t ndx, bool ahead) {
    std::shared_ptr<Batch> batch;
    if (ahead) {
        // Jobs wholly behind the request read files the generator did not ask for.
        while (!batches_.empty() && batches_.front()->last_ndx() < ndx) retire_front();
        if (!batches_.empty()) {
            const Batch::Item* item = batches_.front()->find(ndx);
            if (item != nullptr && !item->taken) {
                batch = batches_.front();
                ++hits_;
            }
        }
    } else {
        while (!batches_.empty()) retire_front();  // redo requests: nothing more to read ahead
    }
    if (!batch) {
        // A request the jobs ahead do not hold: the first one, or a file asked for again
        // (a redo). Only the first starts reading ahead; a redo leaves the jobs ahead alone.
        const bool start_ahead = ahead && batches_.empty();
        batch = co_await start_batch(ndx, start_ahead);
        if (start_ahead) batches_.push_back(batch);
    }
    co_await batch->ready;
    PrefetchedFile file;
    if (Batch::Item* item = batch->find(ndx); item != nullptr && !item->taken) {
        file = std::move(item->file);
        item->file.read.fd = -1;  // the taker closes it now
        item->taken = true;
        ++batch->taken;
    } else {
        file.read.err = EINVAL;  // not a regular file of the list (the caller checked that)
    }
    // Keep a job ahead: once the newest one is half used, the next one starts.
    if (ahead && !batches_.empty() && batches_.size() < k_prefetch_batches_ahead_max + 1) {
        const std::shared_ptr<Batch>& last = batches_.back();
        if (last->next_ndx >= 0 && last->taken * 2 >= last->items.size())
            batches_.push_back(co_await start_batch(last->next_ndx, true));
    }
    co_return file;
}

}  // namespace ursync::roles
