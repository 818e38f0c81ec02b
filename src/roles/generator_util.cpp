// Helpers shared by the generator's per-entry code.
#include "roles/generator_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "roles/basis_sums.h"
#include "roles/recv_attrs.h"

#include "roles/delete.h"
#include "roles/recv_itemize.h"

namespace ursync::roles {

int info_level(const RecvContext& ctx, cli::InfoWord w) { return ctx.s.options.info.level(w); }

EffectiveOptions effective(const RecvContext& ctx) {
    const auto& o = ctx.s.options;
    if (ctx.redo_mode)
        return {false, false, false, false, false, true, 0, std::nullopt, std::nullopt};
    return {o.ignore_existing, o.existing, o.update, o.checksum, o.size_only, o.ignore_times,
            o.append, o.max_size, o.min_size};
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

engine::Task<std::optional<protocol::Digest>> file_checksum(RecvContext& ctx, fs::DirRoot& root,
                                                             const std::string& rel) {
    auto fd = co_await root.open(rel, O_RDONLY);
    if (!fd) co_return std::nullopt;
    const int file = *fd;
    const auto algo = ctx.s.params.file_checksum;
    auto sum = co_await ctx.s.engine.offload([file, algo]() -> std::optional<protocol::Digest> {
        protocol::FileHasher hasher(algo);
        std::vector<std::byte> buf(k_basis_read_chunk_bytes);
        for (;;) {
            ssize_t n = ::read(file, buf.data(), buf.size());
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return std::nullopt;
            if (n == 0) break;
            hasher.update(protocol::Bytes(buf.data(), static_cast<size_t>(n)));
        }
        return hasher.finish();
    });
    co_await ctx.s.engine.close(file);
    co_return sum;
}

engine::Task<bool> quick_check_ok(RecvContext& ctx, fs::DirRoot& root, const protocol::FileEntry& e,
                                  const std::string& rel, const fs::FileAttrs& st) {
    const auto eff = effective(ctx);
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
