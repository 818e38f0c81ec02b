// --list-only lines: permission string, size, modification time, name (and link target).
#include "roles/recv_list.h"

#include <cstdio>
#include <ctime>

#include "roles/stats.h"

namespace ursync::roles {

namespace {

// rsync's permstring: the type letter, then rwx triplets with s/S/t/T.
std::string permstring(uint32_t mode) {
    std::string s = "----------";
    if (protocol::mode_is_dir(mode)) s[0] = 'd';
    else if (protocol::mode_is_symlink(mode)) s[0] = 'l';
    else if (protocol::mode_type(mode) == protocol::k_mode_char_dev) s[0] = 'c';
    else if (protocol::mode_type(mode) == protocol::k_mode_block_dev) s[0] = 'b';
    else if (protocol::mode_type(mode) == protocol::k_mode_fifo) s[0] = 'p';
    else if (protocol::mode_type(mode) == protocol::k_mode_socket) s[0] = 's';
    static const char* rwx = "rwxrwxrwx";
    for (size_t i = 0; i < 9; ++i)
        if (mode & (1u << (8 - i))) s[i + 1] = rwx[i];
    if (mode & 04000) s[3] = (mode & 0100) ? 's' : 'S';
    if (mode & 02000) s[6] = (mode & 010) ? 's' : 'S';
    if (mode & 01000) s[9] = (mode & 01) ? 't' : 'T';
    return s;
}

std::string timestring(int64_t t) {
    time_t tt = static_cast<time_t>(t);
    struct tm tm {};
    localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y/%m/%d %H:%M:%S", &tm);
    return buf;
}

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
