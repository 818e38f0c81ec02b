// Helpers shared by the generator's per-entry code.
#include "roles/generator_util.h"

#include "roles/delete.h"
#include "roles/recv_itemize.h"

namespace ursync::roles {

int info_level(const RecvContext& ctx, cli::InfoWord w) { return ctx.s.options.info.level(w); }

EffectiveOptions effective(const RecvContext& ctx) {
    const auto& o = ctx.s.options;
    if (ctx.redo_mode) return {false, false, false, false, false, true, std::nullopt, std::nullopt};
    return {o.ignore_existing, o.existing, o.update, o.checksum, o.size_only, o.ignore_times,
            o.max_size, o.min_size};
}

void maybe_record(RecvContext& ctx, GenState& g, int32_t ndx, uint32_t iflags) {
    if (record_wanted(ctx, iflags)) put_record(g.out, ctx.ndx_out, ndx, iflags);
}

engine::Task<std::optional<fs::FileAttrs>> stat_after(RecvContext& ctx, const std::string& rel) {
    auto st = co_await ctx.root->stat(rel);
    if (!st) co_return std::nullopt;
    co_return *st;
}

engine::Task<bool> clear_way(RecvContext& ctx, GenState& g, const std::string& rel,
                             const fs::FileAttrs& current, uint32_t wanted_mode) {
    auto r = co_await roles::make_room(ctx, g, rel, current.mode, wanted_mode);
    if (!r) {
        ctx.fail(std::move(r).error());
        co_return false;
    }
    co_return *r;
}

}  // namespace ursync::roles
