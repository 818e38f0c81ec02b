// The generator's main loop: segments in order, redo requests, NDX_DONE accounting, dir times.
#include "roles/recv/generator/generator.h"

#include "roles/recv/core/prefetch_extra.h"

#include "protocol/varint.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/generator/basis_sums.h"
#include "roles/recv/generator/delete.h"
#include "roles/recv/generator/gen_hlink.h"
#include "roles/recv/generator/generator_entry.h"
#include "roles/recv/generator/generator_util.h"
#include "roles/recv/generator/local_copier.h"
#include "util/scratch.h"

namespace ursync::roles {

namespace {

using protocol::k_ndx_done;

bool fatal(const RecvContext& ctx) { return ctx.fatal.has_value(); }

// rsync's MIN_FILECNT_LOOKAHEAD / 2: entries in hand before a segment is generated with -H.
constexpr size_t k_hlink_lookahead_entries = 500;

void put_done(RecvContext& ctx, GenState& g) {
    protocol::put_ndx(g.out, ctx.ndx_out, k_ndx_done);
    ctx.dones_queued++;
}

// Waits for the receiver to report progress (after handing over our pending records).
engine::Task<SessionResult<void>> wait_for_receiver(RecvContext& ctx, GenState& g) {
    const uint64_t seen = ctx.receiver_progress.generation();  // before the flushes suspend
    if (g.copier) co_await g.copier->flush();  // copies it gathered end by themselves
    auto f = co_await flush_requests(ctx, g, true);
    if (!f) co_return f;
    auto flushed = co_await ctx.s.out.flush();
    if (!flushed) co_return flushed;
    if (fatal(ctx)) co_return SessionResult<void>{};
    // Once the receiver has read the sender's last record only local copies still running can
    // tell us anything: a generator still waiting for the list or a phase end then waits for
    // what a peer that broke off the protocol will never send.
    if (ctx.receiver_done && ctx.receiver_progress.generation() == seen &&
        !(g.copier && g.copier->busy())) {
        co_return session::fail("the sender ended the transfer before it ended the file list",
                                ExitCode::stream_io);
    }
    co_await ctx.receiver_progress.wait_since(seen);
    co_return SessionResult<void>{};
}

// Sends the phase-1 requests for failed verifications, and the NDX_DONE of every segment whose
// transfers are all finished. mirrors rsync generator.c:check_for_finished_files
engine::Task<SessionResult<void>> check_for_finished_files(RecvContext& ctx, GenState& g,
                                                           bool check_redo) {
    bool ended_segment = false;
    for (;;) {
        if (fatal(ctx)) co_return SessionResult<void>{};
        if (!ctx.hlinks.finished.empty()) {
            auto h = co_await process_finished_hlinks(ctx, g);
            if (!h) co_return h;
            continue;
        }
        if (check_redo && !ctx.redo_queue.empty()) {
            const int32_t ndx = ctx.redo_queue.front();
            ctx.redo_queue.pop_front();
            auto loc = locate_ndx(ctx, ndx);
            if (!loc || !loc->idx) {
                co_return session::fail("redo of an unknown index " + std::to_string(ndx),
                                        ExitCode::protocol);
            }
            g.redo_mode = true;
            auto r = co_await recv_generator(ctx, g, GenItem{{loc->seg, *loc->idx}, ndx, 0});
            g.redo_mode = false;
            ctx.progress[loc->seg].to_redo--;
            if (!r) co_return r;
            continue;
        }
        // Only segments the generator has walked past can be finished (incremental only).
        const size_t walked = g.walk_done ? ctx.flist.segments().size() : g.current;
        const bool can_end = ctx.fopts.inc_recurse && g.first_open < walked &&
                             ctx.progress[g.first_open].in_progress == 0 &&
                             ctx.progress[g.first_open].to_redo == 0;
        if (can_end) {
            put_done(ctx, g);
            g.first_open++;
            ended_segment = true;
            continue;
        }
        // While the list is still coming, a finished segment's NDX_DONE goes out at once: the
        // sender answers it with the next directory's segment, which it can build while this
        // side works on the ones it has. (rsync leaves it buffered until the generator waits,
        // so both ends take turns.) The flush may wait, and the receiver may report progress
        // meanwhile: look again after it, as after every other wait in this loop, or a caller
        // that then waits for the receiver's next progress could wait for nothing.
        if (ended_segment && !ctx.flist_eof) {
            ended_segment = false;
            auto f = co_await flush_requests(ctx, g, true);
            if (!f) co_return f;
            auto o = co_await ctx.s.out.flush();
            if (!o) co_return o;
            continue;
        }
        break;
    }
    co_return co_await flush_requests(ctx, g, false);
}

// The generator's stats (and -c sums) are taken ahead of the walk in worker jobs of this many
// entries, kept up to k_stat_prefetch_ahead entries ahead with at most k_stat_prefetch_jobs
// jobs in flight (stat() waits for its own). Measured on 20k files: 2 jobs / 128 ahead gave
// -c no-op 0.19 s, 4 / 256 0.17 s, 4 / 512 0.16 s, 6 / 1024 no better.
constexpr size_t k_stat_prefetch_entries = 128;
constexpr int64_t k_stat_prefetch_ahead = 256;
constexpr size_t k_stat_prefetch_jobs = 4;

// Sets the mtimes of directories again after their contents were written, and gives the
// directories opened up for writing their real mode. mirrors rsync generator.c:touch_up_dirs
engine::Task<void> touch_up_dirs(RecvContext& ctx) {
    const auto& o = ctx.s.options;
    if (o.dry_run || o.list_only || !ctx.root) co_return;
    const bool times = o.times && o.omit_dir_times == 0;
    struct Dir {
        const protocol::FileEntry* entry;
        std::optional<uint32_t> final_perms;
        std::string rel;
    };
    std::vector<Dir> dirs;
    auto& segs = ctx.flist.segments();
    for (size_t si = segs.size(); si-- > 0;) {
        for (size_t i = segs[si].entries.size(); i-- > 0;) {
            const auto& e = segs[si].entries[i];
            const auto& state = ctx.progress[si].state[i];
            if (!e.is_dir() || segs[si].dropped[i] || state.missing_dir) continue;
            if (!times && !state.final_perms) continue;
            dirs.push_back(Dir{&e, state.final_perms, ctx.local_path(e)});
        }
    }
    // Their stats are taken ahead in worker jobs, as the walk's are; what the walk asked for
    // and did not use (a directory it skipped) is older than the writes since.
    co_await ctx.root->drop_prefetched();
    size_t asked = 0;
    for (size_t k = 0; k < dirs.size(); ++k) {
        while (asked < dirs.size() && asked - k < static_cast<size_t>(k_stat_prefetch_ahead) &&
               ctx.root->prefetches_in_flight() < k_stat_prefetch_jobs) {
            std::vector<std::string> names;
            for (; asked < dirs.size() && names.size() < k_stat_prefetch_entries; ++asked)
                names.push_back(dirs[asked].rel);
            co_await ctx.root->prefetch_stats(std::move(names));
        }
        const Dir& d = dirs[k];
        auto st = co_await ctx.root->stat(d.rel);
        if (!st || !st->is_dir()) continue;
        const uint32_t mode = d.final_perms ? *d.final_perms : st->mode;
        SetAttrsFlags flags;
        flags.skip_mtime = !times;
        co_await set_attrs_at(ctx, d.rel, *d.entry, mode, *st, flags);
    }
}

// Keeps the entries ahead of (seg, i) asked for: while less than a window past it is, asks for
// the next window of what has arrived (across segments).
engine::Task<void> prefetch_ahead(RecvContext& ctx, GenState& g, size_t seg, size_t i) {
    if (!ctx.root || ctx.local_name || ctx.dry_dest_missing || ctx.s.options.list_only) co_return;
    const bool checksum = effective(ctx, g).checksum;
    const int64_t here = int64_t{ctx.flist.segments()[seg].ndx_start} + static_cast<int64_t>(i);
    if (g.prefetch_next < here) g.prefetch_next = here;
    while (g.prefetch_next - here < k_stat_prefetch_ahead &&
           ctx.root->prefetches_in_flight() < k_stat_prefetch_jobs) {
        std::vector<std::string> names;
        std::vector<int64_t> sizes;
        const auto& segs = ctx.flist.segments();
        int64_t next = g.prefetch_next;
        for (size_t s = seg; s < segs.size() && names.size() < k_stat_prefetch_entries; ++s) {
            const int64_t start = segs[s].ndx_start;
            const int64_t end = start + static_cast<int64_t>(segs[s].entries.size());
            if (next < start) next = start;
            // A segment's directory is stat()ed again before its entries (its second visit,
            // see walk_segments): ask for it with them.
            if (next == start && s > seg && s >= g.prefetch_parents && ctx.fopts.inc_recurse &&
                !ctx.s.options.keep_dirlinks && segs[s].parent_dir >= 0 &&
                static_cast<size_t>(segs[s].parent_dir) < ctx.dir_entries.size()) {
                g.prefetch_parents = s + 1;
                const auto& dir =
                    ctx.entry(ctx.dir_entries[static_cast<size_t>(segs[s].parent_dir)]);
                names.push_back(ctx.local_path(dir));
                sizes.push_back(-1);
            }
            for (; next < end && names.size() < k_stat_prefetch_entries; ++next) {
                const auto k = static_cast<size_t>(next - start);
                if (segs[s].dropped[k]) continue;
                const auto& e = segs[s].entries[k];
                names.push_back(ctx.local_path(e));
                sizes.push_back(checksum && e.is_regular() ? e.size : -1);
            }
        }
        if (names.empty()) break;  // nothing more has arrived
        g.prefetch_next = next;
        // -c hashes files whose size matches, -X reads attributes, in the same job.
        fs::DirRoot::PrefetchExtra extra;
        if (checksum || ctx.xattrs) {
            extra = prefetch_extra(std::move(sizes),
                                   checksum ? std::optional(ctx.s.params.file_checksum)
                                            : std::nullopt,
                                   ctx.xattrs ? std::optional(ctx.xattrs->names) : std::nullopt);
        }
        co_await ctx.root->prefetch_stats(std::move(names), std::move(extra));
    }
}

// Phase 0: every segment in order (waiting for segments that have not arrived yet).
engine::Task<SessionResult<void>> walk_segments(RecvContext& ctx, GenState& g) {
    const auto& o = ctx.s.options;
    const bool delete_during = cli::delete_during(o.delete_mode);
    for (size_t seg = 0;; ++seg) {
        g.current = seg;
        // With -H and incremental recursion a group's leader depends on which members have
        // arrived, so first have rsync's look-ahead in hand: the end of the list, or
        // k_hlink_lookahead_entries entries. mirrors rsync generator.c:generate_files
        if (o.hard_links && ctx.fopts.inc_recurse) {
            for (;;) {
                size_t ahead = 0;
                for (size_t s = seg; s < ctx.flist.segments().size(); ++s)
                    ahead += ctx.flist.segments()[s].entries.size();
                if (ctx.flist_eof || fatal(ctx) || ahead >= k_hlink_lookahead_entries) break;
                auto w = co_await wait_for_receiver(ctx, g);
                if (!w) co_return w;
            }
        }
        const int64_t parent = ctx.flist.segments()[seg].parent_dir;
        if (ctx.fopts.inc_recurse && parent >= 0 &&
            static_cast<size_t>(parent) < ctx.dir_entries.size()) {
            const EntryRef dir = ctx.dir_entries[static_cast<size_t>(parent)];
            const int32_t ndx = ctx.flist.segments()[seg].ndx_start - 1;
            auto r = co_await recv_generator(ctx, g, GenItem{dir, ndx, 1});
            if (!r) co_return r;
            if (delete_during && !ctx.state(dir).missing_dir && !ctx.entry(dir).no_content_dir) {
                auto d = co_await delete_in_dir(ctx, g, dir);
                if (!d) co_return d;
            }
        }
        const size_t count = ctx.flist.segments()[seg].entries.size();
        for (size_t i = 0; i < count; ++i) {
            if (fatal(ctx)) co_return SessionResult<void>{};
            if (ctx.flist.segments()[seg].dropped[i]) continue;
            co_await prefetch_ahead(ctx, g, seg, i);
            const auto& s = ctx.flist.segments()[seg];  // (after the wait: the list may grow)
            const int32_t ndx = s.ndx_start + static_cast<int32_t>(i);
            const auto& e = s.entries[i];
            int is_dir = 0;
            if (e.is_dir()) is_dir = ctx.fopts.inc_recurse ? -1 : 1;
            auto r = co_await recv_generator(ctx, g, GenItem{{seg, i}, ndx, is_dir});
            if (!r) co_return r;
            auto c = co_await check_for_finished_files(ctx, g, false);
            if (!c) co_return c;
        }
        if (!ctx.fopts.inc_recurse) {
            put_done(ctx, g);
            break;
        }
        g.current = seg + 1;
        for (;;) {
            auto c = co_await check_for_finished_files(ctx, g, true);
            if (!c) co_return c;
            if (fatal(ctx)) co_return SessionResult<void>{};
            if (ctx.flist.segments().size() > seg + 1 || ctx.flist_eof) break;
            auto w = co_await wait_for_receiver(ctx, g);
            if (!w) co_return w;
        }
        if (ctx.flist.segments().size() <= seg + 1) break;
    }
    g.walk_done = true;
    co_return SessionResult<void>{};
}

// Waits until the receiver has reported `count` phase ends, sending redo requests meanwhile.
engine::Task<SessionResult<void>> wait_msgdone(RecvContext& ctx, GenState& g, int count,
                                               bool check_redo) {
    for (;;) {
        auto c = co_await check_for_finished_files(ctx, g, check_redo);
        if (!c) co_return c;
        if (fatal(ctx) || ctx.msgdone >= count) co_return SessionResult<void>{};
        auto w = co_await wait_for_receiver(ctx, g);
        if (!w) co_return w;
    }
}

engine::Task<SessionResult<void>> generate(RecvContext& ctx, GenState& g) {
    const auto& o = ctx.s.options;
    const int32_t protocol = ctx.s.params.protocol;
    const bool delay_updates = o.delay_updates;
    const bool early_delete_done = !cli::delete_deferred(o.delete_mode);
    const bool any_delete = o.delete_mode != cli::DeleteMode::none || o.force_delete;

    if (o.delete_mode == cli::DeleteMode::before && !ctx.local_name) {
        auto d = co_await do_delete_pass(ctx, g);
        if (!d) co_return d;
    }
    auto walked = co_await walk_segments(ctx, g);
    // Local copies still running end before the phase does (and long before the directory
    // times are set).
    if (g.copier) co_await g.copier->drain();
    if (!walked) co_return walked;
    if (cli::delete_during(o.delete_mode))
        co_await finish_delete_during(ctx, g);
    g.phase = 1;

    auto w1 = co_await wait_msgdone(ctx, g, 1, true);
    if (!w1) co_return w1;
    g.phase = 2;
    put_done(ctx, g);
    if (!delay_updates) put_done(ctx, g);
    if (protocol >= 31 && early_delete_done) {
        if (any_delete) put_del_stats(ctx, g.out);
        if (!delay_updates) put_done(ctx, g);
    }
    auto w2 = co_await wait_msgdone(ctx, g, 2, false);
    if (!w2) co_return w2;
    g.phase = 3;
    if (delay_updates) {
        put_done(ctx, g);
        if (protocol >= 31 && early_delete_done) put_done(ctx, g);
    }
    auto w3 = co_await wait_msgdone(ctx, g, 3, false);
    if (!w3) co_return w3;

    if (o.delete_mode == cli::DeleteMode::delay) {
        auto d = co_await do_delayed_deletions(ctx, g);
        if (!d) co_return d;
    }
    if (o.delete_mode == cli::DeleteMode::after && !ctx.local_name) {
        auto d = co_await do_delete_pass(ctx, g);
        if (!d) co_return d;
    }
    report_delete_limit(ctx, g);
    if (protocol >= 31) {
        if (!early_delete_done) {
            if (any_delete) put_del_stats(ctx, g.out);
            put_done(ctx, g);
        }
        auto w4 = co_await wait_msgdone(ctx, g, 4, false);
        if (!w4) co_return w4;
    }
    co_await touch_up_dirs(ctx);
    // The goodbye (rsync main.c:do_recv, after generate_files).
    put_done(ctx, g);
    auto f = co_await flush_requests(ctx, g, true);
    if (!f) co_return f;
    co_return co_await ctx.s.out.flush();
}

}  // namespace

engine::Task<void> run_generator(RecvContext& ctx, LocalCopier* copier) {
    GenState g;
    g.copier = copier;
    ctx.gen_out = &g.out;
    auto r = co_await generate(ctx, g);
    if (g.copier) co_await g.copier->drain();
    ctx.gen_out = nullptr;
    if (!r) ctx.fail(std::move(r).error());
    ctx.generator_done.set();
    ctx.receiver_progress.notify();
}

}  // namespace ursync::roles
