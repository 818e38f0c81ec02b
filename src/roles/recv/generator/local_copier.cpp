// Local copies moving data kernel-side in batches (see local_copier.h).
#include "roles/recv/generator/local_copier.h"

#include <cerrno>
#include <cstring>
#include <utility>

#include "roles/common/errors.h"
#include "roles/recv/core/batch_dest.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/transfers.h"

namespace ursync::roles {

namespace {

// -X: the list a copy gets, as the sender would send it: long values not received yet are
// read from the source in the copy job. The list's request states stay as the generator left
// them: a later record with the same list still asks the sender for what it lacks.
std::vector<std::pair<std::string, std::optional<std::string>>> local_xattrs(
    const RecvContext& ctx, const protocol::FileEntry& e) {
    std::vector<std::pair<std::string, std::optional<std::string>>> out;
    if (e.xattr_ndx < 0 || static_cast<size_t>(e.xattr_ndx) >= ctx.xattrs->table.size())
        return out;
    for (const protocol::Xattr& x : ctx.xattrs->table.at(e.xattr_ndx)) {
        if (!x.is_long()) out.emplace_back(x.name, x.value);
        else out.emplace_back(x.name, x.full);
    }
    return out;
}

}  // namespace

LocalCopier::LocalCopier(RecvContext& ctx, LocalLink& link)
    : ctx_(ctx), link_(link), batch_ended_(ctx.s.engine) {}

bool LocalCopier::eligible(const protocol::FileEntry& e) const {
    const auto& o = ctx_.s.options;
    // What needs the receiver's own data path: a basis or a partial file, holes, a backup, a
    // file finished elsewhere first, or the sender's removal of sources (a verification redo
    // too: the generator asks only outside its redo pass).
    // Progress lines are drawn by the sender as it reads, so --progress keeps the wire path.
    return link_.sender != nullptr && e.is_regular() && !o.dry_run && !o.inplace &&
           o.info.level(cli::InfoWord::progress) == 0 &&
           o.append == 0 && !o.sparse && !o.preallocate && !o.partial && !o.partial_dir &&
           !o.delay_updates && o.remove_source_files == 0 && !ctx_.backup && !o.temp_dir &&
           ctx_.root != nullptr;
}

engine::Task<bool> LocalCopier::queue(GenItem item, const protocol::FileEntry& e, std::string name,
                                      uint16_t iflags, uint32_t mode) {
    if (!link_.sender) co_return false;
    auto src = link_.sender->local_source(item.ndx);
    if (!src) co_return false;
    // Both directories resolved (and cached) on this thread, confined as every other access.
    auto src_leaf = co_await src->root->leaf(src->name, "open");
    if (!src_leaf) co_return false;
    Pending p;
    if (!(co_await prepare_batch_dest(ctx_, name, p.item, p.dst))) co_return false;
    p.item.src_dir = src_leaf->dir->get();
    p.item.src_name = std::move(src_leaf->name);
    p.item.want = want_of(e, mode);
    p.item.preserve = preserve_of(ctx_, e, SetAttrsFlags{true, false, false});
    p.item.fsync = ctx_.s.options.fsync;
    p.item.dest_absent = (iflags & k_item_is_new) != 0;
    if (ctx_.xattrs) p.item.xattrs = local_xattrs(ctx_, e);
    p.src_dir = std::move(src_leaf->dir);
    p.ref = item.ref;
    p.ndx = item.ndx;
    p.iflags = iflags;
    p.name = std::move(name);
    p.order = LocalOrder{link_.next_seq++};
    batch_bytes_ += static_cast<uint64_t>(e.size);
    batch_.push_back(std::move(p));
    if (batch_.size() >= k_local_batch_files || batch_bytes_ >= k_local_batch_bytes)
        co_await flush();
    co_return true;
}

engine::Task<void> LocalCopier::flush() {
    if (batch_.empty()) co_return;
    while (running_ >= k_local_batches_max) co_await batch_ended_.wait();
    std::vector<Pending> batch = std::move(batch_);
    batch_.clear();
    batch_bytes_ = 0;
    ++running_;
    ctx_.s.engine.spawn(run_batch(std::move(batch)));
}

engine::Task<void> LocalCopier::drain() {
    co_await flush();
    while (running_ > 0) co_await batch_ended_.wait();
}

engine::Task<void> LocalCopier::run_batch(std::vector<Pending> batch) {
    std::vector<fs::CopyItem> items;
    items.reserve(batch.size());
    for (Pending& p : batch) items.push_back(std::move(p.item));
    co_await run_batch_job(ctx_, items);
    for (size_t i = 0; i < batch.size(); ++i) {
        batch[i].item = std::move(items[i]);
        finish(batch[i]);
    }
    --running_;
    batch_ended_.notify();
}

// One copy's end, reported as rsync's sender and receiver report a transfer's end.
void LocalCopier::finish(Pending& p) {
    if (p.dst.temp_slot) ctx_.temps.remove(*p.dst.temp_slot);
    const fs::CopyItem& c = p.item;
    LocalSenderSide* sender = link_.sender;
    bool ok = false;
    if (c.attr_err != 0)
        report_xfer_error(ctx_, fs::sys_error(c.attr_op ? c.attr_op : "set attributes", p.name,
                                              c.attr_err).message());
    switch (c.stage) {
    case fs::CopyStage::done:
        if (sender) sender->local_sent(p.ndx, p.iflags, c.bytes, p.order);
        ok = true;
        break;
    case fs::CopyStage::open_source:
    case fs::CopyStage::not_regular:
        if (sender) sender->local_open_failed(p.ndx, p.iflags, c.err, p.order);
        break;
    case fs::CopyStage::create_temp:
        if (sender) sender->local_sent(p.ndx, p.iflags, 0, p.order);
        report_xfer_error(ctx_, "mkstemp \"" + p.name + "\" failed: " + errno_text(c.err));
        break;
    case fs::CopyStage::copy_data:
    case fs::CopyStage::fsync:
        // As the receiver's write error: the run ends (rsync's RERR_FILEIO).
        if (sender) sender->local_sent(p.ndx, p.iflags, c.bytes, p.order);
        ctx_.fail(session::SessionError{"write failed on \"" + p.name + "\": " + errno_text(c.err),
                                        ExitCode::file_io});
        break;
    case fs::CopyStage::source_changed:
        source_changed(p);
        return;
    case fs::CopyStage::rename:
        if (sender) sender->local_sent(p.ndx, p.iflags, c.bytes, p.order);
        report_batch_rename(ctx_, c, p.name);
        break;
    }
    transfer_ended(ctx_, p.ref, p.ndx, false, ok);
}

// A source that changed while it was copied: as rsync's sender and receiver end a file whose
// source changed while it was sent (the sender reports a short read; the whole-file checksum
// fails), the copy is discarded and the file redone, over the wire, in the redo pass.
void LocalCopier::source_changed(Pending& p) {
    const fs::CopyItem& c = p.item;
    if (LocalSenderSide* sender = link_.sender) {
        if (c.err != 0) sender->local_read_error(p.ndx, p.iflags, c.source_size, c.err, p.order);
        else sender->local_sent(p.ndx, p.iflags, c.bytes, p.order);
    }
    // mirrors the warning of rsync receiver.c:recv_files (never inplace or partial here)
    const auto& o = ctx_.s.options;
    if (o.info.level(cli::InfoWord::name) >= 1 || o.stdout_format_has_i != 0) {
        ctx_.s.output.error("WARNING: " + ctx_.entry(p.ref).name +
                            " failed verification -- update discarded (will try again).\n");
    }
    ctx_.state(p.ref).redo_asked = true;
    transfer_ended(ctx_, p.ref, p.ndx, true, false);
}

}  // namespace ursync::roles
