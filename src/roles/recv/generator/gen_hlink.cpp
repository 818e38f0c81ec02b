// Hard links in the generator: leader choice, waiting members, linking, itemize records.
#include "roles/recv/generator/gen_hlink.h"

#include <cstring>

#include "fs/special.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_itemize.h"
#include "roles/recv/generator/delete.h"

namespace ursync::roles {

namespace {

using Status = HlinkGroup::Status;

// rsync's F_HLINK_NOT_LAST: another member of the group comes later in the list received so far.
bool not_last(const RecvContext& ctx, EntryRef ref) {
    const int32_t gnum = hlink_group_of(ctx.entry(ref));
    const auto& segs = ctx.flist.segments();
    for (size_t si = ref.seg; si < segs.size(); ++si) {
        for (size_t i = si == ref.seg ? ref.idx + 1 : 0; i < segs[si].entries.size(); ++i) {
            const auto& e = segs[si].entries[i];
            if (!segs[si].dropped[i] && e.hlink.linked && hlink_group_of(e) == gnum) return true;
        }
    }
    return false;
}

// Links `member` to the group's leader (or confirms it already is the same file) and sends the
// "hf... => leader" record. mirrors rsync hlink.c:maybe_hard_link
engine::Task<SessionResult<void>> link_member(RecvContext& ctx, GenState& g, EntryRef member,
                                              int32_t ndx, EntryRef leader) {
    const auto& o = ctx.s.options;
    const auto& e = ctx.entry(member);
    const std::string name = ctx.local_path(e);
    const std::string leader_name = ctx.local_path(ctx.entry(leader));
    std::optional<fs::FileAttrs> leader_st;
    std::optional<fs::FileAttrs> st;
    if (!ctx.dry_dest_missing) {
        auto ls = co_await ctx.root->stat(leader_name);
        if (ls) leader_st = *ls;
        auto cur = co_await ctx.root->stat(name);
        if (cur) st = *cur;
    }
    if (!leader_st && !o.dry_run) {
        report_xfer_error(ctx, "stat \"" + leader_name + "\" failed: No such file or directory (2)");
        co_return SessionResult<void>{};
    }
    const uint32_t base = k_item_local_change | k_item_xname_follows;
    if (st && leader_st && st->dev == leader_st->dev && st->ino == leader_st->ino) {
        const uint32_t iflags = itemize_flags(ctx, e, st, base);
        if (record_wanted(ctx, iflags)) {
            write_record(ctx, g.out, ndx, iflags, k_fnamecmp_fname, "");
        }
        co_return SessionResult<void>{};
    }
    if (st && st->is_dir()) {
        auto room = co_await make_room(ctx, g, name, st->mode, e.mode);
        if (!room) co_return Unexpected{std::move(room).error()};
        if (!*room) co_return SessionResult<void>{};
        st.reset();
    }
    if (!o.dry_run) {
        auto made = co_await fs::make_hard_link(*ctx.root, leader_name, name);
        if (!made) {
            report_xfer_error(ctx, "link \"" + name + "\" => \"" + leader_name + "\" failed: " +
                                       std::strerror(made.error().err) + " (" +
                                       std::to_string(made.error().err) + ")");
            co_return SessionResult<void>{};
        }
    }
    const uint32_t iflags = itemize_flags(ctx, e, st, base);
    write_record(ctx, g.out, ndx, iflags, k_fnamecmp_fname, ctx.entry(leader).name);
    co_return co_await flush_requests(ctx, g, false);
}

}  // namespace

engine::Task<SessionResult<bool>> hlink_before(RecvContext& ctx, GenState& g, const GenItem& item,
                                               const std::optional<fs::FileAttrs>& st) {
    HlinkGroup& grp = ctx.hlinks.groups[hlink_group_of(ctx.entry(item.ref))];
    if (grp.status == Status::done) {
        auto r = co_await link_member(ctx, g, item.ref, item.ndx, *grp.leader);
        if (!r) co_return Unexpected{std::move(r).error()};
        co_return true;
    }
    // A member that has nothing at its name waits for a later one to be transferred, unless
    // the group's transfer already failed once (then the first one left leads).
    const bool waits = grp.status == Status::pending ||
                       (!st && !ctx.state(item.ref).hlink_retry && not_last(ctx, item.ref));
    if (!waits) co_return false;
    grp.waiters.emplace_back(item.ref, item.ndx);
    if (ctx.fopts.inc_recurse) ctx.progress[item.ref.seg].in_progress++;
    co_return true;
}

void hlink_after(RecvContext& ctx, const GenItem& item) {
    HlinkGroup& grp = ctx.hlinks.groups[hlink_group_of(ctx.entry(item.ref))];
    grp.leader = item.ref;
    if (ctx.state(item.ref).file_sent && !ctx.s.options.dry_run) {
        grp.status = Status::pending;
        return;
    }
    grp.status = Status::done;
    ctx.hlinks.finished.emplace_back(hlink_group_of(ctx.entry(item.ref)), true);
}

engine::Task<SessionResult<std::vector<GenItem>>> hlink_next_finished(RecvContext& ctx,
                                                                     GenState& g) {
    std::vector<GenItem> retry;
    if (ctx.hlinks.finished.empty()) co_return retry;
    const auto [gnum, ok] = ctx.hlinks.finished.front();
    ctx.hlinks.finished.pop_front();
    HlinkGroup& grp = ctx.hlinks.groups[gnum];
    auto waiters = std::move(grp.waiters);
    grp.waiters.clear();
    grp.status = ok ? Status::done : Status::none;
    for (const auto& [ref, ndx] : waiters) {
        if (!ok) {
            retry.push_back(GenItem{ref, ndx, 0});
            continue;
        }
        if (ctx.fopts.inc_recurse) ctx.progress[ref.seg].in_progress--;
        auto r = co_await link_member(ctx, g, ref, ndx, *grp.leader);
        if (!r) co_return Unexpected{std::move(r).error()};
    }
    co_return retry;
}

}  // namespace ursync::roles
