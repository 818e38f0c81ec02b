// RecvContext's helpers: MSG_SUCCESS, --partial-dir paths, finding an index among the segments.
#include "roles/recv/core/recv_context.h"

#include "fs/rel_path.h"
#include "protocol/varint.h"

namespace ursync::roles {

engine::Task<SessionResult<void>> send_success(RecvContext& ctx, int32_t ndx, int level) {
    const auto& o = ctx.s.options;
    if (o.remove_source_files == 0 || o.remove_source_files < level || o.dry_run)
        co_return SessionResult<void>{};
    protocol::ByteWriter w;
    protocol::put_int(w, ndx);
    co_return co_await ctx.s.out.send_message(protocol::MsgCode::success, w.bytes());
}

std::optional<std::string> partial_path(const RecvContext& ctx, const std::string& name) {
    const auto& pd = ctx.s.options.partial_dir;
    if (!pd || pd->empty() || pd->front() == '/' || !fs::is_safe_rel_path(*pd)) return std::nullopt;
    const size_t slash = name.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string(".") : name.substr(0, slash);
    return fs::join_rel(fs::join_rel(dir, *pd),
                        slash == std::string::npos ? name : name.substr(slash + 1));
}

std::optional<NdxLocation> locate_ndx(const RecvContext& ctx, int32_t ndx) {
    const auto& segs = ctx.flist.segments();
    for (size_t i = ctx.recv_first_open; i < segs.size(); ++i) {
        const auto& seg = segs[i];
        const int64_t start = seg.ndx_start;
        const int64_t end = start + static_cast<int64_t>(seg.entries.size());
        if (ndx < start - 1 || ndx >= end) continue;
        if (ndx == start - 1) {
            // The parent slot exists only for incremental segments that have a directory.
            if (!ctx.fopts.inc_recurse || seg.parent_dir < 0) return std::nullopt;
            return NdxLocation{i, std::nullopt};
        }
        return NdxLocation{i, static_cast<size_t>(ndx - start)};
    }
    return std::nullopt;
}

}  // namespace ursync::roles
