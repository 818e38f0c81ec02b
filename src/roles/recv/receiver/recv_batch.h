// Received files put in place in batches: a small file whose data arrived whole and verified is
// kept in memory, and batches of them are written, given their attributes and renamed (or linked)
// into place by plain syscalls in one worker job each (fs/copy_job.h), several jobs at once, while
// the receiver reads on. Per file the engine thread makes no system call at all; before, each
// file was a serial chain of ring operations and a worker job.
//
// What a user sees does not change: the item line is printed when the data is in (as before),
// and the file's end reaches the generator (transfer_ended: hard-link followers, the phase's
// accounting) and the sender (MSG_SUCCESS) when its batch ends, as a file finished in the
// background did.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/task.h"
#include "fs/copy_job.h"
#include "fs/dir_cache.h"
#include "protocol/file_entry.h"
#include "protocol/sum_head.h"
#include "roles/recv/core/batch_dest.h"
#include "roles/recv/core/entry_ref.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/core/wakeup.h"

namespace ursync::roles {

// Files up to this size are gathered in memory (a bigger one streams into its temp file).
inline constexpr uint64_t k_recv_batch_file_bytes_max = 256u << 10;
// A batch is started once it holds this many files or bytes, or when the receiver would wait
// for the sender.
inline constexpr size_t k_recv_batch_files = 64;
inline constexpr uint64_t k_recv_batch_bytes = 8u << 20;
// Batches running on the worker pool at once.
inline constexpr int k_recv_batches_max = 4;

class RecvBatcher {
public:
    explicit RecvBatcher(RecvContext& ctx) : ctx_(ctx), ended_(ctx.s.engine) {}
    RecvBatcher(const RecvBatcher&) = delete;
    RecvBatcher& operator=(const RecvBatcher&) = delete;

    // Whether the data of this transfer may be gathered in memory and put in place here: a
    // whole-file transfer of a small file, into the destination itself, with no option that
    // needs the receiver's own path (in-place, delayed updates, backups, holes, xattrs).
    bool eligible(const protocol::FileEntry& e, const protocol::SumHead& head,
                  bool into_final_name) const;
    // Queues the verified `data` of `e` to become `name` (with `mode`); false when it cannot be
    // done here (the caller writes it through a temp file of its own; `data` is left as it
    // was). On true `data` is taken and the transfer ends when its batch does.
    engine::Task<bool> queue(EntryRef ref, int32_t ndx, uint32_t iflags, std::string name,
                             uint32_t mode, std::vector<std::byte>& data);
    // Starts the batch gathered so far.
    engine::Task<void> flush();
    // Starts the gathered batch and waits for every batch to end.
    engine::Task<void> drain();
    bool idle() const { return running_ == 0 && batch_.empty(); }

private:
    struct Pending {
        fs::CopyItem item;
        BatchDest dst;
        EntryRef ref;
        int32_t ndx = 0;
        std::string name;
    };
    engine::Task<void> run_batch(std::vector<Pending> batch);
    engine::Task<void> finish(Pending& p);

    RecvContext& ctx_;
    std::vector<Pending> batch_;
    uint64_t batch_bytes_ = 0;
    int running_ = 0;
    Wakeup ended_;
};

}  // namespace ursync::roles
