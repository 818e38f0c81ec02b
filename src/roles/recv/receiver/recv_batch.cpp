// Verified small files put in place in batches on the worker pool (see recv_batch.h).
#include "roles/recv/receiver/recv_batch.h"

#include <span>
#include <utility>

#include "fs/fs_error.h"
#include "fs/temp_name.h"
#include "roles/common/errors.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/transfers.h"

namespace ursync::roles {

namespace {

std::string leaf_of(const std::string& rel) {
    const size_t slash = rel.rfind('/');
    return slash == std::string::npos ? rel : rel.substr(slash + 1);
}

// "dir" of "dir/name" ("" for a name at the top).
std::string dir_of_rel(const std::string& rel) {
    const size_t slash = rel.rfind('/');
    return slash == std::string::npos ? std::string() : rel.substr(0, slash);
}

}  // namespace

bool RecvBatcher::eligible(const protocol::FileEntry& e, const protocol::SumHead& head,
                           bool into_final_name) const {
    const auto& o = ctx_.s.options;
    return into_final_name && head.count == 0 && e.is_regular() &&
           e.size <= static_cast<int64_t>(k_recv_batch_file_bytes_max) && !o.dry_run &&
           !o.inplace && !o.delay_updates && !o.sparse && !o.preallocate && !ctx_.backup &&
           !ctx_.xattrs && ctx_.root != nullptr;
}

engine::Task<bool> RecvBatcher::queue(EntryRef ref, int32_t ndx, uint32_t iflags,
                                      std::string name, uint32_t mode,
                                      std::vector<std::byte>& data) {
    // The directory resolved (and cached) on this thread, confined as every other access; the
    // job checks it is still in place before and after the batch's files go in.
    auto leaf = co_await ctx_.root->leaf(name, "mkstemp");
    if (!leaf) co_return false;
    auto temp = fs::temp_name_template(name);
    if (!temp) co_return false;
    std::string temp_leaf = leaf_of(*temp);
    fs::fill_temp_suffix(temp_leaf, ctx_.root->random_u64());
    // Registered before the file exists: a signal handler that unlinks it too early finds
    // nothing, one that comes later finds it.
    auto slot = ctx_.temps.add(leaf->dir->get(), temp_leaf);
    if (!slot) co_return false;

    const protocol::FileEntry& e = ctx_.entry(ref);
    Pending p;
    p.item.from_memory = true;
    p.item.data = std::move(data);
    p.item.dst_dir = leaf->dir->get();
    p.item.dst_rel_dir = dir_of_rel(name);
    p.item.temp_name = std::move(temp_leaf);
    p.item.final_name = std::move(leaf->name);
    p.item.want = want_of(e, mode);
    p.item.preserve = preserve_of(ctx_, e, SetAttrsFlags{true, false, false});
    p.item.fsync = ctx_.s.options.fsync;
    p.item.dest_absent = (iflags & k_item_is_new) != 0;
    p.dst_dir = std::move(leaf->dir);
    p.ref = ref;
    p.ndx = ndx;
    p.name = std::move(name);
    p.temp_slot = slot;
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
    std::span<fs::CopyItem> view(items);
    const fs::CopyRoot root{ctx_.root->fd(), ctx_.root->uses_openat2()};
    co_await ctx_.s.engine.offload([view, root] {
        fs::run_copy_job(view, root);
        return 0;
    });
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
    if (p.temp_slot) ctx_.temps.remove(*p.temp_slot);
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
    case fs::CopyStage::rename: {
        // A directory moved away: its cached fd is dropped, so what comes later for it is
        // resolved afresh (and fails as rsync's would: the directory is not there).
        if (c.dir_moved) ctx_.root->forget(c.dst_rel_dir);
        const std::string dir = c.dst_rel_dir.empty() ? std::string() : c.dst_rel_dir + "/";
        report_xfer_error(ctx_, "rename \"" + dir + c.temp_name + "\" -> \"" + p.name +
                                    "\": " + errno_text(c.err));
        break;
    }
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
