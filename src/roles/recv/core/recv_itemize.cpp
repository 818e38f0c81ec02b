// Itemizing on the receiving side: iflags, generator records, and the client's per-file lines.
#include "roles/recv/core/recv_itemize.h"

#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/core/recv_xattrs.h"

namespace ursync::roles {

namespace {

constexpr uint32_t k_chmod_bits = 07777;

}  // namespace

uint32_t itemize_flags(const RecvContext& ctx, const protocol::FileEntry& e,
                       const std::optional<fs::FileAttrs>& current, uint32_t iflags,
                       bool time_failed) {
    const auto& o = ctx.s.options;
    if (ctx.xattrs && xattrs_differ_marking(ctx, e, ctx.local_path(e), current.has_value()))
        iflags |= k_item_report_xattr;
    if (!current) return (iflags | k_item_is_new) & 0xFFFFu;
    const fs::FileAttrs& st = *current;
    const bool keep_time = !o.times              ? false
                           : e.is_dir()          ? o.omit_dir_times == 0
                           : e.is_symlink()      ? !o.omit_link_times
                                                 : true;
    if (e.is_regular() && static_cast<uint64_t>(e.size) != st.size) iflags |= k_item_report_size;
    if (time_failed) {
        if (iflags & k_item_local_change) iflags |= k_item_report_time | k_item_report_timefail;
    } else if (keep_time ? mtime_differs(ctx, st, e)
                         : (iflags & (k_item_transfer | k_item_local_change)) &&
                               !(iflags & k_item_matched)) {
        iflags |= k_item_report_time;
    }
    if (o.atimes > 0 && !e.is_dir() && !e.is_symlink() && e.atime_sec != st.atime_sec)
        iflags |= k_item_report_atime;
    if (!e.is_symlink()) {
        if (o.perms) {
            if ((st.mode & k_chmod_bits) != (e.mode & k_chmod_bits)) iflags |= k_item_report_perms;
        } else if (o.executability && (((st.mode & 0111) != 0) != ((e.mode & 0111) != 0))) {
            iflags |= k_item_report_perms;
        }
    }
    if (o.owner && ctx.am_root && e.uid != st.uid) iflags |= k_item_report_owner;
    if (o.group && group_settable(ctx, e.gid) && e.gid != st.gid) iflags |= k_item_report_group;
    return iflags & 0xFFFFu;
}

bool record_wanted(const RecvContext& ctx, uint32_t iflags, std::string_view xname) {
    const auto& o = ctx.s.options;
    return (iflags & (k_item_significant | k_item_report_xattr)) ||
           o.info.level(cli::InfoWord::name) >= 2 || o.stdout_format_has_i > 1 || !xname.empty();
}

void write_record(RecvContext& ctx, protocol::ByteWriter& out, int32_t ndx, uint32_t iflags,
                  uint8_t fnamecmp_type, std::string_view xname) {
    protocol::ItemRecord rec;
    rec.ndx = ndx;
    rec.iflags = static_cast<uint16_t>(iflags & protocol::k_item_wire_mask);
    rec.basis_type = fnamecmp_type;
    rec.xname = xname;
    rec.xattr_nums = take_xattr_request(ctx, ndx, iflags);
    protocol::put_item_record(out, ctx.ndx_out, rec);
    if (ctx.link && ctx.link->sender) ctx.link->record_seqs.push_back(ctx.link->next_seq++);
}

// mirrors rsync log.c:maybe_log_item and log_item (client side)
void log_received_item(RecvContext& ctx, const protocol::FileEntry& e, const std::string& name,
                       uint32_t iflags, std::string_view xname, bool transfer, int64_t bytes) {
    const auto& o = ctx.s.options;
    if (ctx.s.am_server || o.stdout_format.empty()) return;
    if (!transfer) {
        const uint32_t significant = iflags & k_item_significant;
        const bool itemizing = o.stdout_format_has_i != 0;
        const bool see_item =
            itemizing && (significant || !xname.empty() || o.stdout_format_has_i > 1 ||
                          o.info.level(cli::InfoWord::name) >= 2);
        const bool local_change = (iflags & k_item_local_change) && significant;
        if (!(see_item || local_change || !xname.empty() || (e.is_dir() && significant))) return;
    }
    LogItem item;
    item.file = &e;
    item.name = name;
    item.iflags = iflags;
    item.hlink_target = xname;
    item.bytes = bytes;
    ctx.s.output.info(format_log_line(o.stdout_format, item, ctx.log_ctx) + "\n");
}

}  // namespace ursync::roles
