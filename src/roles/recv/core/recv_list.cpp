// --list-only lines: permission string, size, modification time, name (and link target).
#include "roles/recv/core/recv_list.h"

#include <cstdio>
#include <ctime>

#include "roles/common/log_format.h"
#include "roles/common/stats.h"

namespace ursync::roles {

namespace {

std::string pad_left(std::string s, size_t width) {
    return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

}  // namespace

void list_file_entry(RecvContext& ctx, const protocol::FileEntry& e) {
    const auto& o = ctx.s.options;
    const size_t size_width = o.human_readable ? 14 : 11;
    std::string line = permstring(e.mode) + " " +
                       pad_left(human_num(e.size, o.human_readable), size_width) + " " +
                       timestring(e.mtime_sec);
    if (o.atimes > 0) {
        const std::string at = e.is_dir() ? "" : timestring(e.atime_sec);
        line += pad_left(at, timestring(e.mtime_sec).size() + 1);
    }
    if (o.crtimes) line += " " + timestring(e.crtime_sec);
    line += " " + e.name;
    if (o.links && e.is_symlink()) line += " -> " + e.symlink_target;
    ctx.s.output.info(line + "\n");
}

}  // namespace ursync::roles
