// The generator and a regular file: quick check, -c sums, basis choice, the transfer request.
#include "roles/recv/generator/generator_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_itemize.h"
#include "roles/recv/generator/basis_sums.h"
#include "roles/recv/generator/generator_util.h"
#include "roles/recv/generator/local_copier.h"
#include "roles/recv/generator/recv_altdest.h"

namespace ursync::roles {

namespace {

using protocol::FileEntry;

}  // namespace

engine::Task<SessionResult<void>> gen_file(RecvContext& ctx, GenState& g, GenItem item,
                                           const FileEntry& e, const std::string& name,
                                           std::optional<fs::FileAttrs> st, int stat_err) {
    const auto& o = ctx.s.options;
    const auto eff = effective(ctx, g);
    if (eff.max_size && e.size > *eff.max_size) {
        if (info_level(ctx, cli::InfoWord::skip) >= 1) ctx.s.output.info(name + " is over max-size\n");
        co_return SessionResult<void>{};
    }
    if (eff.min_size && e.size < *eff.min_size) {
        if (info_level(ctx, cli::InfoWord::skip) >= 1) ctx.s.output.info(name + " is under min-size\n");
        co_return SessionResult<void>{};
    }
    if (eff.update_only && st && st->is_regular() &&
        e.mtime_sec - st->mtime_sec < o.modify_window.value_or(0)) {
        if (info_level(ctx, cli::InfoWord::skip) >= 1) ctx.s.output.info(name + " is newer\n");
        co_return SessionResult<void>{};
    }
    if (st && !st->is_regular()) {
        const bool room = co_await clear_way(ctx, g, name, *st, e.mode);
        if (!room) co_return SessionResult<void>{};
        st.reset();
        stat_err = 0;
    }
    // A partial copy from an earlier run (--partial-dir) serves as the basis.
    std::optional<std::string> partial;
    std::optional<fs::FileAttrs> partial_st;
    if (auto pp = partial_path(ctx, name); pp && !ctx.dry_dest_missing) {
        auto ps = co_await ctx.root->stat(*pp);
        if (ps && ps->is_regular()) {
            partial = std::move(pp);
            partial_st = *ps;
        }
    }
    if (!st && stat_err != 0 && !partial) {
        report_xfer_error(ctx, "recv_generator: failed to stat \"" + name + "\": " +
                                   std::strerror(stat_err) + " (" + std::to_string(stat_err) + ")");
        co_return SessionResult<void>{};
    }
    // --compare-dest/--copy-dest/--link-dest (rsync: when nothing is there, or not copy-dest).
    std::optional<uint8_t> alt_basis;
    std::optional<fs::FileAttrs> alt_st;
    if (!ctx.alt_roots.empty() && (!st || o.alt_dest != cli::AltDestKind::copy)) {
        auto alt = co_await try_dests_reg(ctx, g, item, e, name, st);
        if (!alt) co_return Unexpected{std::move(alt).error()};
        if (alt->handled) co_return co_await send_success(ctx, item.ndx, 1);
        alt_basis = alt->basis;
        alt_st = alt->basis_st;
    }
    bool up_to_date = false;
    if (st && !alt_basis) up_to_date = co_await quick_check_ok(ctx, g, *ctx.root, e, name, *st);
    if (up_to_date) {
        if (partial && !o.dry_run) {
            co_await ctx.root->unlink(*partial);
            const size_t slash = partial->rfind('/');
            if (slash != std::string::npos) co_await ctx.root->rmdir(partial->substr(0, slash));
        }
        if (!o.dry_run)
            co_await set_attrs_at(ctx, name, e, wanted_mode(ctx, e, st), *st,
                                  SetAttrsFlags{eff.checksum, o.stdout_format_has_i == 0, false});
        maybe_record(ctx, g, item.ndx, itemize_flags(ctx, e, st, 0));
        co_return co_await send_success(ctx, item.ndx, 1);
    }

    // --append: a file already as long as the sender's is left alone.
    if (eff.append > 0 && st && st->size >= static_cast<uint64_t>(e.size)) co_return SessionResult<void>{};

    // A transfer: open the basis unless the whole file is sent anyway: never with --append,
    // not even in a redo or a local copy (rsync's generate_files clears whole_file for the
    // run when --append is given).
    const bool whole_file = o.append == 0 && (o.whole_file.value_or(false) ||
                            ctx.s.params.xfer_checksum == protocol::ChecksumAlgo::none);
    int basis_fd = -1;
    if (partial) alt_basis.reset();  // rsync's prepare_to_open: the partial file wins
    std::optional<fs::FileAttrs> real_st = alt_basis ? alt_st : st;
    if (partial) st = partial_st;
    if (alt_basis) st = alt_st;
    // A pointer: in a dry run into a missing destination there is no root at all.
    fs::DirRoot* basis_root = alt_basis ? ctx.alt_roots[*alt_basis].get() : ctx.root.get();
    if (st && !o.dry_run && !whole_file && st->size > 0 && basis_root) {
        auto fd = co_await basis_root->open(partial ? *partial : name, O_RDONLY);
        if (!fd) {
            ctx.s.output.error("rsync: failed to open \"" + name + "\", continuing: " +
                               std::strerror(fd.error().err) + " (" +
                               std::to_string(fd.error().err) + ")\n");
            st.reset();
            real_st.reset();
        } else {
            basis_fd = *fd;
        }
    }
    uint32_t iflags = k_item_transfer;
    if (eff.checksum) iflags |= k_item_report_change;
    if (partial || alt_basis) iflags |= k_item_basis_type_follows;
    // A local copy of a whole file: the data moves kernel-side, not over the wire.
    if (basis_fd < 0 && whole_file && !partial && !alt_basis && g.copier &&
        !g.redo_mode && g.copier->eligible(e)) {
        const auto flags = static_cast<uint16_t>(itemize_flags(ctx, e, real_st, iflags));
        const uint32_t mode = wanted_mode(ctx, e, real_st);
        if (ctx.fopts.inc_recurse) ctx.progress[item.ref.seg].in_progress++;
        ctx.state(item.ref).in_flight = true;
        ctx.state(item.ref).file_sent = true;
        if (co_await g.copier->queue(item, e, name, flags, mode)) co_return SessionResult<void>{};
        if (ctx.fopts.inc_recurse) ctx.progress[item.ref.seg].in_progress--;
        ctx.state(item.ref).in_flight = false;
    }
    if (!o.dry_run) {
        if (ctx.fopts.inc_recurse) ctx.progress[item.ref.seg].in_progress++;
        ctx.state(item.ref).in_flight = true;
    }
    ctx.state(item.ref).file_sent = true;
    const uint32_t record_flags = itemize_flags(ctx, e, real_st, iflags);
    write_record(ctx, g.out, item.ndx, record_flags,
                 partial ? k_fnamecmp_partial_dir : alt_basis ? *alt_basis : k_fnamecmp_fname);
    if (o.dry_run) co_return SessionResult<void>{};
    if (basis_fd < 0) {
        g.out.put(empty_sum_head());
        co_return co_await flush_requests(ctx, g, false);
    }
    BasisSumRequest req;
    req.fd = basis_fd;
    req.file_len = static_cast<int64_t>(st->size);
    req.algo = ctx.s.params.xfer_checksum;
    req.seed = ctx.s.params.seed;
    req.seed_order = ctx.s.params.seed_first ? protocol::Md5SeedOrder::seed_first
                                             : protocol::Md5SeedOrder::seed_last;
    req.block_len = o.block_size;
    req.redo = g.redo_mode;
    req.head_only = eff.append > 0;
    int err = 0;
    auto sums = co_await generate_basis_sums(ctx.s.engine, req, err);
    co_await ctx.s.engine.close(basis_fd);
    if (!sums) {
        ctx.s.output.error("WARNING: file is too large for checksum sending: " + name + "\n");
        g.out.put(empty_sum_head());
    } else {
        g.out.put(sums->wire);
    }
    co_return co_await flush_requests(ctx, g, false);
}


}  // namespace ursync::roles
