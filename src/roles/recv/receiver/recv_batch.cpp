// Verified small files put in place in batches on the worker pool (see recv_batch.h).
#include "roles/recv/receiver/recv_batch.h"

#include <utility>

#include "fs/fs_error.h"
#include "roles/recv/core/batch_dest.h"
#include "roles/common/errors.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/transfers.h"

namespace ursync::roles {

bool RecvBatcher::eligible(const protocol::FileEntry& e, const protocol::SumHead& head,
                           bool into_final_name) const {
    const auto& o = ctx_.s.options;
    return into_final_name && head.count == 0 && e.is_regular() &&
           e.size <= static_cast<int64_t>(k_recv_batch_file_bytes_max) && !o.dry_run &&
           !o.inplace && !o.delay_updates && !o.sparse && !o.preallocate && !ctx_.backup &&
           !ctx_.xattrs && !ctx_.temp_root && ctx_.root != nullptr;
}

engine::Task<bool> RecvBatcher::queue(EntryRef ref, int32_t ndx, uint32_t iflags,
                                      std::string name, uint32_t mode,
                                      std::vector<std::byte>& data) {
    const protocol::FileEntry& e = ctx_.entry(ref);
    Pending p;
    if (!(co_await prepare_batch_dest(ctx_, name, p.item, p.dst))) co_return false;
    p.item.from_memory = true;
    p.item.data = std::move(data);
    p.item.want = want_of(e, mode);
    p.item.preserve = preserve_of(ctx_, e, SetAttrsFlags{true, false, false});
    p.item.fsync = ctx_.s.options.fsync;
    p.item.dest_absent = (iflags & k_item_is_new) != 0;
    p.ref = ref;
    p.ndx = ndx;
    p.name = std::move(name);
    batch_bytes_ += p.item.data.size();
    batch_.push_back(std::move(p));
    if (batch_.size() >= k_recv_batch_files || batch_bytes_ >= k_recv_batch_bytes)
        co_await flush();
    co_return true;
}

engine::Task<void> RecvBatcher::flush() {
    if (batch_.empty()) co_return;
    while (running_ >= k_recv_batches_max) co_await ended_.wait();
    std::vector<Pending> batch = std::move(batch_);
    batch_.clear();
    batch_bytes_ = 0;
    ++running_;
    ctx_.s.engine.spawn(run_batch(std::move(batch)));
}

engine::Task<void> RecvBatcher::drain() {
    co_await flush();
    while (running_ > 0) co_await ended_.wait();
}

engine::Task<void> RecvBatcher::run_batch(std::vector<Pending> batch) {
    std::vector<fs::CopyItem> items;
    items.reserve(batch.size());
    for (Pending& p : batch) items.push_back(std::move(p.item));
    co_await run_batch_job(ctx_, items);
    for (size_t i = 0; i < batch.size(); ++i) {
        batch[i].item = std::move(items[i]);
        batch[i].item.data = {};
        co_await finish(batch[i]);
    }
    --running_;
    ended_.notify();
}

// One file's end, reported as the receiver reports a file finished through its own temp file.
// mirrors rsync receiver.c:recv_files after receive_data, and rsync.c:finish_transfer
engine::Task<void> RecvBatcher::finish(Pending& p) {
    if (p.dst.temp_slot) ctx_.temps.remove(*p.dst.temp_slot);
    const fs::CopyItem& c = p.item;
    if (c.attr_err != 0) {
        report_xfer_error(ctx_, fs::sys_error(c.attr_op ? c.attr_op : "set attributes", p.name,
                                              c.attr_err).message());
    }
    bool ok = false;
    switch (c.stage) {
    case fs::CopyStage::done:
        ok = true;
        break;
    case fs::CopyStage::create_temp:
        report_xfer_error(ctx_, "mkstemp \"" + p.name + "\" failed: " + errno_text(c.err));
        break;
    case fs::CopyStage::rename:
        report_batch_rename(ctx_, c, p.name);
        break;
    default:
        // A write that failed (a full disk): the run ends, as the receiver's write error does.
        ctx_.fail(session::SessionError{"write failed on \"" + p.name + "\": " + errno_text(c.err),
                                        ExitCode::file_io});
        break;
    }
    transfer_ended(ctx_, p.ref, p.ndx, false, ok);
    if (ok) {
        auto sent = co_await send_success(ctx_, p.ndx, 1);
        if (!sent) ctx_.fail(std::move(sent).error());
    }
}

}  // namespace ursync::roles
