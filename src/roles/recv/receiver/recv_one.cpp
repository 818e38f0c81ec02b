// One transfer on the receiving side: basis, sink, data, verification, finishing.
#include "roles/recv/receiver/recv_one.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "fs/rel_path.h"
#include "fs/source_file.h"
#include "fs/temp_file.h"
#include "roles/common/errors.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_backup.h"
#include "roles/recv/core/recv_xattrs.h"
#include "roles/recv/core/transfers.h"
#include "roles/recv/receiver/recv_data.h"

namespace ursync::roles {

namespace {

using protocol::FileEntry;

void count_created(RecvContext& ctx, const FileEntry& e) { ctx.stats.created_files.add(e.mode); }

// Attributes on the temp file, then the rename over the destination (times only when the data
// is verified). False when it could not be put in place (reported; the temp file is gone).
// mirrors rsync rsync.c:finish_transfer
engine::Task<bool> finish_file(RecvContext& ctx, fs::TempFile& temp, const std::string& name,
                               const FileEntry& e, uint32_t mode, bool ok_to_set_time) {
    if (ctx.xattrs) co_await apply_xattrs(ctx, temp.fd(), name, e, name);
    auto st = co_await fs::stat_fd(ctx.s.engine, temp.fd(), temp.temp_rel());
    if (st) {
        co_await set_attrs_fd(ctx, temp.fd(), name, e, mode, *st,
                              SetAttrsFlags{true, false, !ok_to_set_time});
    }
    if (ctx.backup && temp.final_rel() == name && !(co_await make_backup(ctx, name))) {
        co_await temp.discard();
        co_return false;
    }
    auto done = co_await temp.commit(ctx.s.options.fsync);
    if (!done) {
        report_xfer_error(ctx, "rename \"" + temp.temp_rel() + "\" -> \"" + name + "\": " +
                                   errno_text(done.error().err));
        co_return false;
    }
    co_return true;
}

// A verified file put in place while the receiver reads on (bounded by k_finish_inflight_max).
engine::Task<void> finish_in_background(RecvContext& ctx, ReceiverState& r, fs::TempFile temp,
                                        std::string name,
                                        EntryRef ref, int32_t ndx, uint32_t mode) {
    const bool ok = co_await finish_file(ctx, temp, name, ctx.entry(ref), mode, true);
    transfer_ended(ctx, ref, ndx, false, ok);
    if (ok) {
        auto sent = co_await send_success(ctx, ndx, 1);
        if (!sent) ctx.fail(std::move(sent).error());
    }
    r.finishing--;
    r.finish_progress.notify();
}

// --inplace: cut the file to its new length, set its attributes, close it.
engine::Task<bool> finish_inplace(RecvContext& ctx, RecvSink& sink, const std::string& name,
                                  const FileEntry& e, uint32_t mode, bool ok_to_set_time) {
    const int fd = std::exchange(sink.inplace_fd, -1);
    const auto len = static_cast<off_t>(sink.written);
    const int err = co_await ctx.s.engine.offload(
        [fd, len] { return ::ftruncate(fd, len) == 0 ? 0 : errno; });
    bool ok = err == 0;
    if (!ok) report_xfer_error(ctx, "ftruncate \"" + name + "\" failed: " + errno_text(err));
    if (ctx.xattrs) co_await apply_xattrs(ctx, fd, name, e, name);
    auto st = co_await fs::stat_fd(ctx.s.engine, fd, name);
    if (st) {
        co_await set_attrs_fd(ctx, fd, name, e, mode, *st,
                              SetAttrsFlags{true, false, !ok_to_set_time});
    }
    if (ctx.s.options.fsync) co_await ctx.s.engine.fsync(fd);
    auto closed = co_await ctx.s.engine.close(fd);
    if (!closed) {
        report_xfer_error(ctx, "close \"" + name + "\" failed: " + errno_text(closed.err()));
        ok = false;
    }
    co_return ok;
}

std::string dir_of(const std::string& rel) {
    const size_t slash = rel.rfind('/');
    return slash == std::string::npos ? std::string(".") : rel.substr(0, slash);
}

// --delay-updates: where `name` waits (its dir's partial dir), if the partial dir is relative.
std::optional<std::string> delayed_path(const RecvContext& ctx, const std::string& name) {
    if (!ctx.s.options.delay_updates) return std::nullopt;
    return partial_path(ctx, name);
}

// Removes a used --partial-dir basis, and its directory once empty.
// mirrors rsync receiver.c's unlink of partialptr and handle_partial_dir(PDIR_DELETE)
engine::Task<void> drop_partial(RecvContext& ctx, const std::string& partial) {
    co_await ctx.root->unlink(partial);
    co_await ctx.root->rmdir(dir_of(partial));
}

// The transfer's line before its data: the item (a format without %b/%c), or with --progress
// alone the bare name. mirrors the "log the transfer" step of rsync receiver.c:recv_files
void log_before_data(RecvContext& ctx, const FileEntry& e, const std::string& name,
                     uint32_t iflags) {
    const auto& o = ctx.s.options;
    if (o.log_before_transfer) {
        log_received_item(ctx, e, e.name, iflags, {}, true);
    } else if (!ctx.s.am_server && o.info.level(cli::InfoWord::name) >= 1 &&
               o.info.level(cli::InfoWord::progress) == 1) {
        ctx.s.output.info(name + "\n");
    }
}

// Data gathered in memory written to a temp file of its own for `name`: nullopt when the temp
// file could not be made (reported, as a failed mkstemp is); a failed write ends the run as the
// receiver's write errors do.
engine::Task<SessionResult<std::optional<fs::TempFile>>> temp_from_memory(
    RecvContext& ctx, const std::string& name, const std::vector<std::byte>& data) {
    auto t = co_await fs::TempFile::create(*ctx.root, ctx.temps, name,
            fs::k_temp_file_mode, ctx.temp_root.get());
    if (!t) {
        report_xfer_error(ctx, "mkstemp \"" + name + "\" failed: " + errno_text(t.error().err));
        co_return std::optional<fs::TempFile>{};
    }
    auto w = co_await t->write(data, 0);
    if (!w) {
        co_await t->discard();
        co_return session::fail("write failed on \"" + name + "\": " + errno_text(w.error().err),
                                ExitCode::file_io);
    }
    co_return std::optional<fs::TempFile>{std::move(*t)};
}

// A verified file in its temp file: attributes and the rename go on in the background while
// the next file arrives. Without a temp file (it could not be made) the transfer just ends.
engine::Task<SessionResult<void>> end_verified(RecvContext& ctx, ReceiverState& r,
                                               const RecvRecord& rec,
                                               std::optional<fs::TempFile>& temp,
                                               const std::string& name, uint32_t mode) {
    if (!temp) {
        transfer_ended(ctx, rec.ref, rec.ndx, false, false);
        co_return SessionResult<void>{};
    }
    while (r.finishing >= k_finish_inflight_max) co_await r.finish_progress.wait();
    r.finishing++;
    ctx.s.engine.spawn(finish_in_background(ctx, r, std::move(*temp), name, rec.ref, rec.ndx, mode));
    co_return SessionResult<void>{};
}

}  // namespace

ProgressTotals progress_totals(const RecvContext& ctx) {
    return ProgressTotals{ctx.stats.num_files.total, ctx.stats.total_size, ctx.flist_eof};
}

// The end of phase 1 with --delay-updates: every waiting file goes into place.
// mirrors rsync receiver.c:handle_delayed_updates
engine::Task<SessionResult<void>> handle_delayed_updates(RecvContext& ctx, ReceiverState& r) {
    auto pending = std::move(r.delayed_updates);
    r.delayed_updates.clear();
    for (const auto& u : pending) {
        auto moved = co_await ctx.root->rename(u.partial, u.final_path);
        if (!moved) {
            report_xfer_error(ctx, "rename failed for \"" + u.final_path + "\" (from " + u.partial +
                                       "): " + errno_text(moved.error().err));
            continue;
        }
        auto ok = co_await send_success(ctx, u.ndx, 1);
        if (!ok) co_return ok;
        const size_t slash = u.partial.rfind('/');
        if (slash != std::string::npos) co_await ctx.root->rmdir(u.partial.substr(0, slash));
    }
    co_return SessionResult<void>{};
}

// Waits until at most `max` background finishes are running.
engine::Task<void> wait_finishes(ReceiverState& r, int max) {
    while (r.finishing > max) co_await r.finish_progress.wait();
}

// One transfer: basis, temp file, data, verification, attributes, rename.
engine::Task<SessionResult<void>> receive_one(RecvContext& ctx, ReceiverState& r,
                                              const RecvRecord& rec) {
    const auto& o = ctx.s.options;
    const FileEntry& e = ctx.entry(rec.ref);
    const std::string name = ctx.local_path(e);
    RecvEntryState& state = ctx.state(rec.ref);
    const bool redoing = state.redo_asked;
    if (!redoing && (rec.iflags & k_item_is_new)) count_created(ctx, e);
    ctx.stats.xferred_files++;
    ctx.stats.total_transferred_size += e.size;
    if (ctx.s.progress) {
        ctx.s.progress->begin_file(e.size, ctx.flist.position(rec.ndx, rec.ref.seg),
                                   progress_totals(ctx));
    }

    if (o.dry_run) {
        log_received_item(ctx, e, e.name, rec.iflags, {}, true);
        co_return SessionResult<void>{};
    }

    auto head = co_await read_sum_head(ctx);
    if (!head) co_return Unexpected{std::move(head).error()};

    // The basis: the destination file itself, opened without following anything. Needed for
    // block copies, and without -p for the mode of an existing file.
    int basis_fd = -1;
    std::optional<fs::FileAttrs> basis_st;
    std::optional<std::string> partial_basis;
    if (rec.fnamecmp_type == k_fnamecmp_partial_dir) partial_basis = partial_path(ctx, name);
    if (head->count > 0 || !o.perms) {
        fs::DirRoot& basis_root = rec.fnamecmp_type < ctx.alt_roots.size()
                                      ? *ctx.alt_roots[rec.fnamecmp_type]
                                      : *ctx.root;
        auto fd = co_await basis_root.open(partial_basis ? *partial_basis : name, O_RDONLY);
        if (fd) {
            basis_fd = *fd;
            auto st = co_await fs::stat_fd(ctx.s.engine, basis_fd, name);
            if (!st) {
                co_await ctx.s.engine.close(basis_fd);
                basis_fd = -1;
            } else if (!st->is_regular()) {
                co_await ctx.s.engine.close(basis_fd);
                basis_fd = -1;
                if (st->is_dir()) report_xfer_error(ctx, "recv_files: \"" + name + "\" is a directory");
            } else {
                basis_st = *st;
            }
        }
    }
    const uint32_t mode = o.perms ? e.mode : dest_mode(ctx, e.mode, basis_st ? basis_st->mode : 0,
                                                      basis_st.has_value());
    // Where the data goes: a temp file beside the destination, or the destination itself.
    std::optional<fs::TempFile> temp;
    std::vector<std::byte> gathered;
    RecvSink sink;
    if (o.inplace) {
        auto fd = co_await ctx.root->open(name, O_WRONLY | O_CREAT, fs::k_temp_file_mode);
        if (!fd) {
            report_xfer_error(ctx, "open \"" + name + "\" failed: " + errno_text(fd.error().err));
        } else {
            sink.inplace_fd = *fd;
        }
    } else {
        // --delay-updates: the new file waits in the partial dir until the end of phase 1.
        std::string target = name;
        if (auto partial = delayed_path(ctx, name)) {
            auto made = co_await ctx.root->mkdir(fs::join_rel(dir_of(name), *o.partial_dir), 0700);
            if (made || made.error().err == EEXIST) target = *partial;
        }
        if (r.batches.eligible(e, *head, target == name && !partial_basis)) {
            // Gathered in memory; a batch puts it in place (recv_batch.h).
            sink.memory = &gathered;
            sink.spill_to = &temp;
            sink.spill_target = target;
        } else if (auto t = co_await fs::TempFile::create(*ctx.root, ctx.temps, target,
                fs::k_temp_file_mode, ctx.temp_root.get()); !t) {
            report_xfer_error(ctx, "mkstemp \"" + name + "\" failed: " + errno_text(t.error().err));
        } else {
            temp.emplace(std::move(*t));
            sink.temp = &*temp;
        }
    }
    if (o.append > 0 && !redoing && sink.inplace_fd >= 0 && head->count > 0) {
        const int64_t blen = head->blength;
        sink.append_from = static_cast<uint64_t>(
            int64_t{head->count} * blen - (head->remainder ? blen - head->remainder : 0));
        sink.append_verify = o.append == 2;
    }
    if (!sink.empty()) log_before_data(ctx, e, name, rec.iflags);
    auto data = co_await receive_data(ctx, r, name, *head, basis_fd,
                                      basis_st ? static_cast<int64_t>(basis_st->size) : 0, e.size,
                                      sink);
    if (basis_fd >= 0) co_await ctx.s.engine.close(basis_fd);
    if (sink.memory) {
        // A verified file goes to a batch; what a batch cannot take, and what --partial keeps,
        // goes through a temp file of its own. An unverified file without --partial is dropped.
        const bool verified = data && data->verified;
        if (verified) {
            if (!o.log_before_transfer) log_received_item(ctx, e, e.name, rec.iflags, {}, true);
            if (co_await r.batches.queue(rec.ref, rec.ndx, rec.iflags, name, mode, gathered))
                co_return SessionResult<void>{};
        }
        if (verified || (o.partial && sink.written > 0)) {
            auto made = co_await temp_from_memory(ctx, name, gathered);
            if (!made) co_return Unexpected{std::move(made).error()};
            if (*made) {
                temp.emplace(std::move(**made));
                sink.temp = &*temp;
            }
            sink.memory = nullptr;
        }
        if (verified) {
            co_return co_await end_verified(ctx, r, rec, temp, name, mode);
        }
    }
    if (!data) {
        // Interrupted: --partial keeps what arrived (rsync's cleanup keeps a partial file).
        if (temp && o.partial && sink.written > 0) {
            co_await finish_file(ctx, *temp, name, e, mode, false);
        } else if (temp) {
            co_await temp->discard();
        }
        if (sink.inplace_fd >= 0) co_await ctx.s.engine.close(sink.inplace_fd);
        co_return Unexpected{std::move(data).error()};
    }
    if (sink.empty()) {
        transfer_ended(ctx, rec.ref, rec.ndx, false, false);
        co_return SessionResult<void>{};
    }
    if (!o.log_before_transfer) log_received_item(ctx, e, e.name, rec.iflags, {}, true);
    if (data->verified && temp && temp->final_rel() == name && !partial_basis)
        co_return co_await end_verified(ctx, r, rec, temp, name, mode);

    int recv_ok = data->verified ? 1 : 0;
    const std::string temp_final = temp ? temp->final_rel() : name;
    if (sink.inplace_fd >= 0) {
        if (!(co_await finish_inplace(ctx, sink, name, e, mode, data->verified))) recv_ok = -1;
    } else if (temp && temp->final_rel() != name) {
        // --delay-updates: into the partial dir now, into place at the end of phase 1.
        if (recv_ok == 1 && co_await finish_file(ctx, *temp, name, e, mode, true)) {
            r.delayed_updates.push_back({temp->final_rel(), name, rec.ndx});
            recv_ok = 2;
        } else if (recv_ok == 1) {
            recv_ok = -1;
        } else {
            co_await temp->discard();
        }
    } else if (recv_ok == 1 || o.partial) {
        // --partial keeps a file that failed verification too (the redo may use it as basis).
        if (!(co_await finish_file(ctx, *temp, name, e, mode, recv_ok == 1))) recv_ok = -1;
    } else if (temp) {
        co_await temp->discard();
    }

    if (recv_ok == 0) {
        const bool is_error = redoing;
        if (is_error || ctx.s.options.info.level(cli::InfoWord::name) >= 1 ||
            o.stdout_format_has_i != 0) {
            const char* kept = o.inplace || o.partial ? "retained" : "discarded";
            ctx.s.output.error(std::string(is_error ? "ERROR" : "WARNING") + ": " + e.name +
                               " failed verification -- update " + kept +
                               (is_error ? "" : " (will try again)") + ".\n");
        }
        if (is_error) ctx.s.state.partial = true;
        if (!redoing) state.redo_asked = true;
        transfer_ended(ctx, rec.ref, rec.ndx, !redoing, false);
        co_return SessionResult<void>{};
    }
    if (recv_ok >= 1 && partial_basis && *partial_basis != temp_final) {
        co_await drop_partial(ctx, *partial_basis);
    }
    transfer_ended(ctx, rec.ref, rec.ndx, false, recv_ok >= 1);
    if (recv_ok == 1) co_return co_await send_success(ctx, rec.ndx, 1);
    co_return SessionResult<void>{};
}

}  // namespace ursync::roles
