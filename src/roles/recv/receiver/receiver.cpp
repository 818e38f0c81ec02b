// The receiver: reads the sender's stream (echoes, file data, segments, phase ends), writes
// files through temp files, and tells the generator how each transfer ended.
#include "roles/recv/receiver/receiver.h"

#include <fcntl.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "fs/rel_path.h"
#include "fs/source_file.h"
#include "fs/temp_file.h"
#include "protocol/varint.h"
#include "roles/recv/core/flist_recv.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_backup.h"
#include "roles/recv/core/recv_itemize.h"
#include "roles/recv/core/recv_xattrs.h"
#include "roles/recv/core/transfers.h"
#include "roles/recv/receiver/recv_data.h"
#include "roles/recv/receiver/recv_one.h"

namespace ursync::roles {

namespace {

using protocol::FileEntry;

// The five counts after NDX_DEL_STATS.
constexpr int k_del_stats_count = 5;


void count_created(RecvContext& ctx, const FileEntry& e) { ctx.stats.created_files.add(e.mode); }

engine::Task<SessionResult<void>> read_del_stats(RecvContext& ctx) {
    for (int i = 0; i < k_del_stats_count; ++i) {
        auto v = co_await ctx.s.in.read_varint("deletion statistics");
        if (!v) co_return Unexpected{std::move(v).error()};
    }
    co_return SessionResult<void>{};
}

// mirrors rsync rsync.c:read_ndx_and_attrs (receiver side)
engine::Task<SessionResult<RecvRecord>> read_ndx_and_attrs(RecvContext& ctx, ReceiverState& r) {
    auto& in = ctx.s.in;
    RecvRecord rec;
    protocol::ItemRecord got;
    for (;;) {
        // The sender's xattr answer after an echo is read below, not as part of the record.
        auto decoded = co_await in.decode<protocol::ItemRecord>(
            [&ctx](protocol::ByteCursor& c) { return protocol::get_item_record(c, ctx.ndx_in); },
            "file index");
        if (!decoded) co_return Unexpected{std::move(decoded).error()};
        got = std::move(*decoded);
        rec.ndx = got.ndx;
        if (rec.ndx >= 0) break;
        if (rec.ndx == protocol::k_ndx_done) {
            // An NDX_DONE the generator never asked for ends a phase (or the run) under it:
            // without incremental recursion stray zeros after the file list would end every
            // phase and the goodbye while the generator's requests are still unanswered.
            // rsync's receiver follows such a sender and leaves its generator waiting, which
            // ends with "connection unexpectedly closed" (12); so do we, at once.
            if (++ctx.dones_read > ctx.dones_queued) {
                co_return session::fail(
                    "invalid data in the protocol stream: NDX_DONE from the sender before the "
                    "generator ended its phase (" + std::to_string(ctx.dones_read) + " read, " +
                        std::to_string(ctx.dones_queued) + " sent)",
                    ExitCode::stream_io);
            }
            co_return rec;
        }
        if (rec.ndx == protocol::k_ndx_del_stats) {
            auto d = co_await read_del_stats(ctx);
            if (!d) co_return Unexpected{std::move(d).error()};
            continue;
        }
        auto m = co_await recv_flist_marker(ctx, rec.ndx);
        if (!m) co_return Unexpected{std::move(m).error()};
    }
    rec.iflags = got.iflags;
    rec.fnamecmp_type = got.basis_type;
    rec.xname = std::move(got.xname);

    auto loc = locate_ndx(ctx, rec.ndx);
    if (!loc) {
        co_return session::fail("Invalid file index: " + std::to_string(rec.ndx),
                                ExitCode::protocol);
    }
    const FlistSegment& seg = ctx.flist.segments()[loc->seg];
    r.current_seg = loc->seg;
    if (loc->idx) {
        if (seg.dropped[*loc->idx]) {
            co_return session::fail("refusing transfer of cleared file index " +
                                        std::to_string(rec.ndx),
                                    ExitCode::protocol);
        }
        rec.ref = {loc->seg, *loc->idx};
    } else {
        if (seg.parent_dir < 0 || static_cast<size_t>(seg.parent_dir) >= ctx.dir_entries.size())
            co_return session::fail("Invalid file index: " + std::to_string(rec.ndx),
                                    ExitCode::protocol);
        rec.ref = ctx.dir_entries[static_cast<size_t>(seg.parent_dir)];
    }
    if (ctx.xattrs && xattr_exchange(ctx.xattrs->names.level, ctx.s.options.dry_run, ctx.xattrs->optim,
                                     rec.iflags)) {
        auto answer = co_await recv_xattr_answer(ctx, ctx.entry(rec.ref));
        if (!answer) co_return Unexpected{std::move(answer).error()};
    }
    if (ctx.xattrs && (rec.iflags & k_item_transfer) && loc->idx) {
        const std::string cmp = ctx.local_path(ctx.entry(rec.ref));
        co_await take_long_values(ctx, ctx.entry(rec.ref), cmp);
    }
    if (rec.iflags & k_item_transfer) {
        if (!loc->idx || !ctx.entry(rec.ref).is_regular()) {
            co_return session::fail("received request to transfer non-regular file: " +
                                        std::to_string(rec.ndx),
                                    ExitCode::protocol);
        }
        // We only ever ask for the destination file itself, or its --partial-dir copy, as the
        // basis: any other echo is refused (CVE-2024-12086).
        const bool partial_ok = rec.fnamecmp_type == k_fnamecmp_partial_dir &&
                                partial_path(ctx, ctx.local_path(ctx.entry(rec.ref)));
        const bool alt_ok = rec.fnamecmp_type < ctx.alt_roots.size() &&
                            ctx.alt_roots[rec.fnamecmp_type] != nullptr;
        if (rec.fnamecmp_type != k_fnamecmp_fname && !partial_ok && !alt_ok) {
            co_return session::fail("refusing basis type " + std::to_string(rec.fnamecmp_type) +
                                        " from sender for " + ctx.entry(rec.ref).name,
                                    ExitCode::protocol);
        }
    }
    co_return rec;
}

// Reads the 5 statistics a server sender writes after its last phase (client only).
// mirrors the client branch of rsync main.c:handle_stats
engine::Task<SessionResult<void>> read_sender_stats(RecvContext& ctx) {
    int64_t v[5] = {};
    for (auto& x : v) {
        auto r = co_await ctx.s.in.read_varlong(3, "statistics");
        if (!r) co_return Unexpected{std::move(r).error()};
        x = *r;
    }
    ctx.stats.total_written = v[0];
    ctx.stats.total_read = v[1];
    ctx.stats.total_size = v[2];
    ctx.stats.flist_buildtime_ms = v[3];
    ctx.stats.flist_xfertime_ms = v[4];
    co_return SessionResult<void>{};
}

engine::Task<SessionResult<void>> receive(RecvContext& ctx, ReceiverState& r) {
    constexpr int k_max_phase = 2;
    for (;;) {
        if (ctx.fatal) co_return SessionResult<void>{};
        // About to wait for the sender: the files gathered so far go into place (the generator
        // may wait for their ends), and the sender may be waiting for the generator's requests.
        if (ctx.s.in.available().empty()) co_await r.batches.flush();
        if (ctx.s.in.available().empty() && ctx.gen_out && ctx.gen_out->size() > 0) {
            auto bytes = ctx.gen_out->take();
            ctx.gen_out->clear();
            auto sent = co_await ctx.s.out.send(bytes);
            if (!sent) co_return sent;
        }
        auto rec = co_await read_ndx_and_attrs(ctx, r);
        if (!rec) co_return Unexpected{std::move(rec).error()};
        if (rec->ndx == protocol::k_ndx_done) {
            auto& segs = ctx.flist.segments();
            if (ctx.s.progress && r.current_seg < segs.size()) {
                ctx.s.progress->end_list(ctx.flist.last_position(r.current_seg),
                                         progress_totals(ctx));
            }
            co_await r.batches.drain();
            co_await wait_finishes(r, 0);
            if (ctx.fopts.inc_recurse && ctx.recv_first_open < segs.size()) {
                segs[ctx.recv_first_open].finished = true;
                ctx.recv_first_open++;
                // Freeing the current list makes the next one current (rsync flist_free).
                if (r.current_seg < ctx.recv_first_open)
                    r.current_seg = ctx.recv_first_open;
                if (ctx.recv_first_open < segs.size()) continue;
            }
            if (++r.phase > k_max_phase) break;
            if (r.phase == 2 && ctx.s.options.delay_updates) {
                auto moved = co_await handle_delayed_updates(ctx, r);
                if (!moved) co_return moved;
            }
            ctx.msgdone++;
            ctx.receiver_progress.notify();
            continue;
        }
        const FileEntry& e = ctx.entry(rec->ref);
        if (!(rec->iflags & k_item_transfer)) {
            log_received_item(ctx, e, e.name, rec->iflags, rec->xname, false);
            const uint32_t local_link = k_item_xname_follows | k_item_local_change;
            if (ctx.xattrs &&
                xattr_exchange(ctx.xattrs->names.level, ctx.s.options.dry_run, false, rec->iflags) &&
                (rec->iflags & local_link) != local_link) {
                const std::string rel = ctx.local_path(e);
                co_await apply_xattrs_at(ctx, rel, e);
            }
            if (rec->iflags & k_item_is_new) count_created(ctx, e);
            continue;
        }
        if (r.phase == 2) {
            co_return session::fail("got transfer request in phase 2", ExitCode::protocol);
        }
        auto one = co_await receive_one(ctx, r, *rec);
        if (!one) co_return one;
    }
    if (!ctx.s.am_server) {
        auto st = co_await read_sender_stats(ctx);
        if (!st) co_return st;
    }
    ctx.msgdone++;  // 3: the receiver's work is over
    ctx.receiver_progress.notify();
    if (ctx.s.params.protocol >= 31) {
        // mirrors rsync main.c:read_final_goodbye: the sender's echo of our last phase end.
        auto rec = co_await read_ndx_and_attrs(ctx, r);
        if (!rec) co_return Unexpected{std::move(rec).error()};
        if (rec->ndx != protocol::k_ndx_done) {
            co_return session::fail("Invalid packet at end of run (" + std::to_string(rec->ndx) + ")",
                                    ExitCode::protocol);
        }
        ctx.msgdone++;
        ctx.receiver_progress.notify();
    }
    co_return SessionResult<void>{};
}

}  // namespace

engine::Task<void> run_receiver(RecvContext& ctx) {
    ReceiverState r(ctx);
    auto done = co_await receive(ctx, r);
    co_await r.batches.drain();    // they use ctx and r: none may outlive them
    co_await wait_finishes(r, 0);
    if (!done) ctx.fail(std::move(done).error());
    ctx.receiver_done = true;
    ctx.receiver_progress.notify();
}

session::SessionResult<void> note_no_send(RecvContext& ctx, int32_t ndx) {
    auto loc = locate_ndx(ctx, ndx);
    if (!loc) {
        const auto& segs = ctx.flist.segments();
        int64_t first = 0, last = -1;
        if (ctx.recv_first_open < segs.size()) {
            first = int64_t{segs[ctx.recv_first_open].ndx_start} - 1;
            last = int64_t{segs.back().ndx_start} + static_cast<int64_t>(segs.back().entries.size()) - 1;
        }
        return session::fail("File-list index " + std::to_string(ndx) + " not in " +
                                 std::to_string(first) + " - " + std::to_string(last) +
                                 " (got_flist_entry_status)",
                             ExitCode::protocol);
    }
    if (loc->idx) transfer_ended(ctx, EntryRef{loc->seg, *loc->idx}, ndx, false, false);
    return {};
}

}  // namespace ursync::roles
