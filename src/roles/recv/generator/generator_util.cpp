// Helpers shared by the generator's per-entry code.
#include "roles/recv/generator/generator_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "roles/common/file_hash.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/generator/basis_sums.h"

#include "roles/recv/core/prefetch_extra.h"
#include "roles/recv/core/recv_itemize.h"
#include "roles/recv/generator/delete.h"
#include "util/scratch.h"

namespace ursync::roles {

int info_level(const RecvContext& ctx, cli::InfoWord w) { return ctx.s.options.info.level(w); }

EffectiveOptions effective(const RecvContext& ctx, const GenState& g) {
    const auto& o = ctx.s.options;
    if (g.redo_mode)
        return {false, false, false, false, false, true, 0, std::nullopt, std::nullopt};
    return {o.ignore_existing, o.existing, o.update, o.checksum, o.size_only, o.ignore_times,
            o.append, o.max_size, o.min_size};
}

void maybe_record(RecvContext& ctx, GenState& g, int32_t ndx, uint32_t iflags) {
    if (!record_wanted(ctx, iflags)) return;
    write_record(ctx, g.out, ndx, iflags);
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

engine::Task<std::optional<protocol::Digest>> file_checksum(RecvContext& ctx, fs::DirRoot& root,
                                                             const std::string& rel) {
    // Taken with its stat, ahead of time (generator.cpp, prefetch_ahead).
    if (&root == ctx.root.get()) {
        if (auto sum = take_prefetched_sum(ctx, rel)) co_return *sum;
    }
    auto leaf = co_await root.leaf(rel, "open");
    if (!leaf) co_return std::nullopt;
    const auto algo = ctx.s.params.file_checksum;
    fs::DirHandle dir = std::move(leaf->dir);
    std::string name = std::move(leaf->name);
    auto job = [&dir, &name, algo] {
        return hash_file_blocking(dir->get(), name.c_str(), algo,
                                  util::thread_scratch(k_basis_read_chunk_bytes));
    };
    co_return co_await ctx.s.engine.offload(job);
}

engine::Task<bool> quick_check_ok(RecvContext& ctx, const GenState& g, fs::DirRoot& root, const protocol::FileEntry& e,
                                  const std::string& rel, const fs::FileAttrs& st) {
    const auto eff = effective(ctx, g);
    if (st.size != static_cast<uint64_t>(e.size)) co_return false;
    if (eff.checksum) {
        auto sum = co_await file_checksum(ctx, root, rel);
        co_return sum && e.checksum.len > 0 && sum->len >= e.checksum.len &&
            std::equal(e.checksum.bytes.begin(),
                       e.checksum.bytes.begin() + static_cast<ptrdiff_t>(e.checksum.len),
                       sum->bytes.begin());
    }
    if (eff.size_only) co_return true;
    if (eff.ignore_times) co_return false;
    co_return !mtime_differs(ctx, st, e);
}

}  // namespace ursync::roles
