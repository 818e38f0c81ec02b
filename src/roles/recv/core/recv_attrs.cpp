// Attribute decisions of the receiving side (same_time, dest_mode, set_file_attrs).
#include "roles/recv/core/recv_attrs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "fs/metadata.h"

namespace ursync::roles {

namespace {

constexpr uint32_t k_chmod_bits = 07777;
constexpr uint32_t k_access_perms = 0777;

int modify_window_of(const RecvContext& ctx) { return ctx.s.options.modify_window.value_or(0); }

// The process umask, read once without changing it for longer than two calls.
uint32_t default_perms() {
    static const uint32_t perms = [] {
        mode_t mask = ::umask(0);
        ::umask(mask);
        return k_access_perms & ~static_cast<uint32_t>(mask);
    }();
    return perms;
}

}  // namespace

fs::FileAttrs want_of(const protocol::FileEntry& e, uint32_t mode) {
    fs::FileAttrs want;
    want.type = fs::file_type_of(e.mode);
    want.mode = mode;
    want.mtime_sec = e.mtime_sec;
    want.mtime_nsec = e.mtime_nsec;
    want.atime_sec = e.atime_sec;
    want.uid = e.uid;
    want.gid = e.gid;
    return want;
}

fs::PreserveAttrs preserve_of(const RecvContext& ctx, const protocol::FileEntry& e,
                              SetAttrsFlags flags) {
    const auto& o = ctx.s.options;
    fs::PreserveAttrs p;
    p.perms = true;  // the entry's mode was already adjusted by dest_mode when !-p
    p.owner = ctx.am_root && o.owner;
    p.group = o.group && group_settable(ctx, e.gid);
    const bool omit = (e.is_dir() && o.omit_dir_times != 0) || (e.is_symlink() && o.omit_link_times);
    p.mtime = o.times && !omit && !flags.skip_mtime;
    p.atime = o.atimes > 0 && !omit && !e.is_dir();
    p.modify_window_sec = modify_window_of(ctx);
    p.accurate_time = flags.accurate_time;
    return p;
}

namespace {

engine::Task<bool> finish_set(RecvContext& ctx, const std::string& rel,
                              fs::FsResult<fs::AttrChanges> r, SetAttrsFlags flags) {
    if (!r) {
        report_xfer_error(ctx, r.error().message());
        co_return false;
    }
    if (flags.report && ctx.s.options.info.level(cli::InfoWord::name) >= 2) {
        ctx.s.output.info(r->any() ? rel + "\n" : rel + " is uptodate\n");
    }
    co_return r->any();
}

}  // namespace

bool same_time(int modify_window, int64_t a_sec, uint32_t a_nsec, int64_t b_sec, uint32_t b_nsec) {
    if (modify_window == 0) return a_sec == b_sec;
    if (modify_window < 0) return a_sec == b_sec && a_nsec == b_nsec;
    int64_t diff = a_sec > b_sec ? a_sec - b_sec : b_sec - a_sec;
    return diff <= modify_window;
}

bool mtime_differs(const RecvContext& ctx, const fs::FileAttrs& st, const protocol::FileEntry& e) {
    return !same_time(modify_window_of(ctx), st.mtime_sec, st.mtime_nsec, e.mtime_sec,
                      e.mtime_nsec);
}

uint32_t dest_mode(const RecvContext& ctx, uint32_t flist_mode, uint32_t stat_mode, bool exists) {
    uint32_t mode;
    if (exists) {
        mode = (flist_mode & ~k_chmod_bits) | (stat_mode & k_chmod_bits);
        if (ctx.s.options.executability && protocol::mode_is_regular(flist_mode)) {
            if (!(flist_mode & 0111))
                mode &= ~0111u;
            else if (!(stat_mode & 0111))
                mode |= (mode & 0444) >> 2;
        }
    } else {
        mode = flist_mode & (~k_chmod_bits | default_perms());
    }
    return mode;
}

uint32_t wanted_mode(const RecvContext& ctx, const protocol::FileEntry& e,
                     const std::optional<fs::FileAttrs>& current) {
    if (ctx.s.options.perms) return e.mode;
    bool exists = current.has_value() && (e.is_dir() ? current->is_dir() : !current->is_dir());
    return dest_mode(ctx, e.mode, current ? current->mode : 0, exists);
}

engine::Task<bool> set_attrs_at(RecvContext& ctx, const std::string& rel,
                                const protocol::FileEntry& e, uint32_t mode,
                                const fs::FileAttrs& current, SetAttrsFlags flags) {
    auto r = co_await fs::apply_attrs_at(*ctx.root, rel, want_of(e, mode), current,
                                         preserve_of(ctx, e, flags));
    co_return co_await finish_set(ctx, rel, std::move(r), flags);
}

engine::Task<bool> set_attrs_fd(RecvContext& ctx, int fd, const std::string& rel,
                                const protocol::FileEntry& e, uint32_t mode,
                                const fs::FileAttrs& current, SetAttrsFlags flags) {
    auto r = co_await fs::apply_attrs_fd(ctx.s.engine, fd, want_of(e, mode), current,
                                         preserve_of(ctx, e, flags), rel);
    co_return co_await finish_set(ctx, rel, std::move(r), flags);
}

bool group_settable(const RecvContext& ctx, uint32_t gid) {
    if (ctx.am_root) return true;
    static const std::vector<uint32_t> ours = [] {
        std::vector<uint32_t> ids;
        const int n = ::getgroups(0, nullptr);
        std::vector<gid_t> list(n > 0 ? static_cast<size_t>(n) : 0);
        const int got = n > 0 ? ::getgroups(n, list.data()) : 0;
        for (int i = 0; i < got; ++i) ids.push_back(list[static_cast<size_t>(i)]);
        ids.push_back(::getegid());
        return ids;
    }();
    return std::find(ours.begin(), ours.end(), gid) != ours.end();
}

void report_xfer_error(RecvContext& ctx, const std::string& text) {
    ctx.s.output.error("rsync: " + text + "\n");
    ctx.s.state.partial = true;
}

}  // namespace ursync::roles
