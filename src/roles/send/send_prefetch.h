// Source files read ahead of the generator's requests: one worker job opens, fstats, reads and
// hashes a run of upcoming small files in file-list order (the order the generator asks for
// them), so a request finds its file's bytes waiting instead of costing ring ops and a hand-off.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

#include "engine/task.h"
#include "fs/source_read.h"
#include "protocol/strong_sum.h"
#include "roles/send/flist_send.h"

namespace ursync::roles {

// Files one job takes at most, and their list sizes together.
inline constexpr size_t k_prefetch_files_max = 64;
inline constexpr uint64_t k_prefetch_batch_bytes_max = uint64_t{4} << 20;
// Files up to this size (at open) are read whole in the job; larger ones stream through the ring.
inline constexpr uint64_t k_prefetch_whole_bytes_max = uint64_t{256} << 10;
// Jobs read ahead of the request being answered.
inline constexpr size_t k_prefetch_batches_ahead_max = 2;
// Files the first job ahead takes; each fully used job doubles it, a job used less than half
// halves it (a re-sync that sends few files wastes few reads).
inline constexpr size_t k_prefetch_files_start = 4;

// One source file as a job found it: opened (or why not), and when small its bytes and digest.
struct PrefetchedFile {
    fs::SourceRead read;
    protocol::Digest digest;  // the whole-file checksum of read.data when read.whole
};

class SendPrefetch {
  public:
    SendPrefetch(engine::Engine& engine, SendList& list, protocol::ChecksumAlgo algo);
    ~SendPrefetch();
    SendPrefetch(const SendPrefetch&) = delete;
    SendPrefetch& operator=(const SendPrefetch&) = delete;

    // The source of request `ndx` (a regular file of the list), opened beneath its root as
    // fs::open_and_read does. With `ahead`, the job that opens it (or a later one) also reads
    // the files after it in list order, and jobs further ahead start as these are used.
    engine::Task<PrefetchedFile> take(int32_t ndx, bool ahead);

    // Files handed out from a job started before they were asked for, and files read for
    // nothing (statistics for tests).
    uint64_t hits() const { return hits_; }
    uint64_t wasted() const { return wasted_; }

  private:
    struct Batch;
    // A job for the file `from` and, with `ahead`, up to window_ regular files after it.
    engine::Task<std::shared_ptr<Batch>> start_batch(int32_t from, bool ahead);
    static engine::Task<void> run_batch(engine::Engine& engine, std::shared_ptr<Batch> batch,
                                        protocol::ChecksumAlgo algo);
    // The oldest batch is done with: its use adjusts the window.
    void retire_front();

    engine::Engine& engine_;
    SendList& list_;
    protocol::ChecksumAlgo algo_;
    std::deque<std::shared_ptr<Batch>> batches_;  // ahead jobs, in list order
    size_t window_ = k_prefetch_files_start;
    uint64_t hits_ = 0;
    uint64_t wasted_ = 0;
};

}  // namespace ursync::roles
