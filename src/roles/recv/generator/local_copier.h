// The receiving side of a local copy moving file data itself: whole-file transfers the
// generator decides on are gathered in batches and copied kernel-side (fs/copy_job.h) on the
// worker pool, several batches at once, instead of going through the sender and the socketpair.
// The generator's decisions, itemizing, NDX_DONE accounting and hard-link handling stay as they
// are: a copy ends through transfer_ended() as a received file does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/task.h"
#include "fs/copy_job.h"
#include "fs/dir_cache.h"
#include "roles/common/local_link.h"
#include "roles/recv/core/batch_dest.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/generator/gen_state.h"

namespace ursync::roles {

// A batch is started once it holds this many files or bytes (or when the generator waits).
inline constexpr size_t k_local_batch_files = 64;
inline constexpr uint64_t k_local_batch_bytes = 16u << 20;
// Batches running on the worker pool at once.
inline constexpr int k_local_batches_max = 4;

class LocalCopier {
public:
    LocalCopier(RecvContext& ctx, LocalLink& link);
    LocalCopier(const LocalCopier&) = delete;
    LocalCopier& operator=(const LocalCopier&) = delete;

    // Whether a whole-file transfer of `e` may be copied here with the options in force (asked
    // only outside the generator's redo pass, which always goes over the wire).
    bool eligible(const protocol::FileEntry& e) const;
    // Queues the copy of `item` (named `name` in the destination, to get `mode`); false when it
    // cannot be done here (the caller sends the request over the wire instead). On true the
    // transfer counts as requested (in flight) until its batch ends.
    engine::Task<bool> queue(GenItem item, const protocol::FileEntry& e, std::string name,
                             uint16_t iflags, uint32_t mode);
    // Starts the batch gathered so far.
    engine::Task<void> flush();
    // Starts the gathered batch and waits for every batch to end.
    engine::Task<void> drain();
    // Whether batches are gathered or running (their ends are still to come).
    bool busy() const { return running_ > 0 || !batch_.empty(); }

private:
    struct Pending {
        fs::CopyItem item;
        fs::DirHandle src_dir;  // keep the source directory fd open while the batch runs
        BatchDest dst;
        EntryRef ref;
        int32_t ndx = 0;
        uint16_t iflags = 0;
        std::string name;
        LocalOrder order;
    };
    engine::Task<void> run_batch(std::vector<Pending> batch);
    void finish(Pending& p);
    void source_changed(Pending& p);

    RecvContext& ctx_;
    LocalLink& link_;
    std::vector<Pending> batch_;
    uint64_t batch_bytes_ = 0;
    int running_ = 0;
    Wakeup batch_ended_;
};

}  // namespace ursync::roles
