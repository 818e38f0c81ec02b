// log_format implementation: itemize letters, %-escapes with printf-style widths, name escaping.
#include "roles/common/log_format.h"

#include <langinfo.h>

#include <cctype>
#include <cstdio>
#include <ctime>

#include <unistd.h>

#include "roles/common/stats.h"

namespace ursync::roles {

namespace {

using protocol::mode_is_device;
using protocol::mode_is_dir;
using protocol::mode_is_special;
using protocol::mode_is_symlink;

std::string item_name(const LogItem& item) {
    return item.name.empty() && item.file ? item.file->name : std::string(item.name);
}

// Applies a %-width like "-10" or "5" to a value (printf semantics for %s).
std::string apply_width(std::string_view width, std::string value) {
    if (width.empty()) return value;
    bool left = width[0] == '-';
    size_t n = 0;
    for (char ch : width.substr(left ? 1 : 0)) n = n * 10 + static_cast<size_t>(ch - '0');
    if (value.size() >= n) return value;
    std::string pad(n - value.size(), ' ');
    return left ? value + pad : pad + value;
}

}  // namespace

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

std::string itemize_string(const LogItem& item, const LogContext& ctx) {
    const uint32_t f = item.iflags;
    if (f & k_item_deleted) return "*deleting  ";
    const uint32_t mode = item.file ? item.file->mode : 0;
    std::string c(11, '.');
    c[0] = (f & k_item_local_change) ? ((f & k_item_xname_follows) ? 'h' : 'c')
           : !(f & k_item_transfer)  ? '.'
           : (!ctx.local && ctx.am_sender) ? '<'
                                           : '>';
    if (mode_is_symlink(mode)) {
        c[1] = 'L';
        c[3] = '.';
        c[4] = !(f & k_item_report_time) ? '.'
               : (!ctx.preserve_mtimes || !ctx.receiver_symlink_times ||
                  (f & k_item_report_timefail))
                   ? 'T'
                   : 't';
    } else {
        c[1] = mode_is_dir(mode) ? 'd' : mode_is_special(mode) ? 'S' : mode_is_device(mode) ? 'D' : 'f';
        c[3] = (f & k_item_report_size) ? 's' : '.';
        c[4] = !(f & k_item_report_time) ? '.' : ctx.preserve_mtimes ? 't' : 'T';
    }
    c[2] = (f & k_item_report_change) ? 'c' : '.';
    c[5] = (f & k_item_report_perms) ? 'p' : '.';
    c[6] = (f & k_item_report_owner) ? 'o' : '.';
    c[7] = (f & k_item_report_group) ? 'g' : '.';
    const uint32_t at = f & (k_item_report_atime | k_item_report_crtime);
    c[8] = !at ? '.' : at == (k_item_report_atime | k_item_report_crtime) ? 'b'
           : (f & k_item_report_atime)                                    ? 'u'
                                                                          : 'n';
    c[9] = (f & k_item_report_acl) ? 'a' : '.';
    c[10] = (f & k_item_report_xattr) ? 'x' : '.';
    if (f & (k_item_is_new | k_item_missing_data)) {
        char ch = (f & k_item_is_new) ? '+' : '?';
        for (size_t i = 2; i < c.size(); ++i) c[i] = ch;
    } else if (c[0] == '.' || c[0] == 'h' || c[0] == 'c') {
        bool all_dots = true;
        for (size_t i = 2; i < c.size(); ++i) all_dots = all_dots && c[i] == '.';
        if (all_dots)
            for (size_t i = 2; i < c.size(); ++i) c[i] = ' ';
    }
    return c;
}

namespace {

// rsync's %f: the sender joins the source directory and the name; both sides clean the
// result (no "//", no "./" components) and drop a leading '/'.
std::string full_path(const LogItem& item) {
    std::string joined = item_name(item);
    if (!item.dir.empty()) joined = std::string(item.dir) + "/" + joined;
    std::string out;
    size_t i = 0;
    while (i <= joined.size()) {
        size_t end = joined.find('/', i);
        if (end == std::string::npos) end = joined.size();
        const std::string_view part(joined.data() + i, end - i);
        const bool last = end == joined.size();
        // Empty parts ("//") go, and so do "." parts but a last one ("src/." stays).
        if (!part.empty() && (part != "." || last)) {
            if (!out.empty()) out += '/';
            out += part;
        }
        i = end + 1;
    }
    return out;
}

}  // namespace

std::string format_log_line(std::string_view format, const LogItem& item, const LogContext& ctx) {
    std::string out;
    const protocol::FileEntry* file = item.file;
    for (size_t i = 0; i < format.size(); ++i) {
        if (format[i] != '%' || i + 1 >= format.size()) {
            out += format[i];
            continue;
        }
        const size_t start = i;
        size_t j = i + 1;
        int humanize = 0;
        while (j < format.size() && format[j] == '\'') ++humanize, ++j;
        size_t width_start = j;
        if (j < format.size() && format[j] == '-') ++j;
        while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) ++j;
        std::string_view width = format.substr(width_start, j - width_start);
        while (j < format.size() && format[j] == '\'') ++humanize, ++j;
        if (j >= format.size()) {
            out += format.substr(start);  // rsync stops there, the rest as written
            break;
        }
        char code = format[j];
        i = j;
        std::string value;
        bool known = true;
        switch (code) {
            case 'i': value = itemize_string(item, ctx); break;
            case 'n':
                value = item_name(item);
                if (file && file->is_dir() && !(item.iflags & k_item_deleted)) value += '/';
                break;
            case 'f': value = full_path(item); break;
            case 'L':
                if (!item.hlink_target.empty()) {
                    value = " => " + std::string(item.hlink_target);
                } else if (file && file->is_symlink()) {
                    value = " -> " + file->symlink_target;
                } else if (!width.empty()) {
                    value = "    ";
                }
                break;
            case 'l': value = human_num(file ? file->size : 0, humanize); break;
            case 'o':
                value = (item.iflags & k_item_deleted) ? "del." : ctx.am_sender ? "send" : "recv";
                break;
            case 'b':
            case 'c':
                value = human_num((item.iflags & k_item_transfer) ? item.bytes : 0, humanize);
                break;
            case 'B': value = permstring(file ? file->mode : 0).substr(1); break;  // no type letter
            case 'M': {
                value = timestring(file ? file->mtime_sec : 0);
                for (auto& ch : value)
                    if (ch == ' ') ch = '-';
                break;
            }
            case 't': value = timestring(std::time(nullptr)); break;
            case 'p': value = std::to_string(::getpid()); break;
            case 'U': value = std::to_string(file ? file->uid : 0); break;
            case 'G': value = std::to_string(file ? file->gid : 0); break;
            case '%': value = "%"; break;
            // %u %h %a %m %P name a daemon's user, host and module; %C a checksum (not kept
            // here). rsync leaves an escape it has no value for as written.
            default: known = false; break;
        }
        if (!known) {
            out += format.substr(start, j - start + 1);
            continue;
        }
        out += apply_width(width, std::move(value));
    }
    return out;
}

TerminalCharset terminal_charset_from_locale() {
    std::string_view set = nl_langinfo(CODESET);
    if (set == "UTF-8" || set == "utf8") return TerminalCharset::utf8;
    if (set == "ANSI_X3.4-1968" || set == "ASCII" || set.empty()) return TerminalCharset::ascii;
    return TerminalCharset::eight_bit;  // a single-byte charset: every byte is a character
}

namespace {

// Length of the valid UTF-8 sequence starting at text[i] (0 if invalid or incomplete), with
// the same rules as glibc's UTF-8 iconv: no overlongs, no surrogates, nothing past U+10FFFF.
size_t utf8_sequence_len(std::string_view text, size_t i) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char c = b(i);
    size_t n = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 0;
    if (n == 0 || i + n > text.size()) return 0;
    for (size_t k = 1; k < n; ++k)
        if ((b(i + k) & 0xC0) != 0x80) return 0;
    if (n == 3 && c == 0xE0 && b(i + 1) < 0xA0) return 0;  // overlong
    if (n == 3 && c == 0xED && b(i + 1) >= 0xA0) return 0;  // surrogate
    if (n == 4 && c == 0xF0 && b(i + 1) < 0x90) return 0;  // overlong
    if (n == 4 && c == 0xF4 && b(i + 1) >= 0x90) return 0;  // past U+10FFFF
    return n;
}

void append_escape(std::string& out, unsigned char b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\#%03o", b);
    out += buf;
}

}  // namespace

std::string escape_for_terminal(std::string_view text, bool allow_8bit, TerminalCharset charset) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        auto b = static_cast<unsigned char>(text[i]);
        bool literal_escape = b == '\\' && i + 4 < text.size() && text[i + 1] == '#' &&
                              std::isdigit(static_cast<unsigned char>(text[i + 2])) &&
                              std::isdigit(static_cast<unsigned char>(text[i + 3])) &&
                              std::isdigit(static_cast<unsigned char>(text[i + 4]));
        if (literal_escape || (b < ' ' && b != '\t')) {
            append_escape(out, b);
            ++i;
        } else if (b < 0x80 || allow_8bit || charset == TerminalCharset::eight_bit) {
            out += static_cast<char>(b);
            ++i;
        } else if (size_t n = charset == TerminalCharset::utf8 ? utf8_sequence_len(text, i) : 0) {
            out.append(text.substr(i, n));
            i += n;
        } else {
            append_escape(out, b);
            ++i;
        }
    }
    return out;
}

}  // namespace ursync::roles
