// rsync's per-file output: the itemize string (%i), log-format expansion (%n %L %f %l ...), and
// the escaping of unprintable bytes in names. mirrors rsync log.c:log_formatted
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/file_entry.h"
#include "protocol/item_record.h"

namespace ursync::roles {

// ITEM_* bits: defined with the record that carries them (protocol/item_record.h).
using protocol::k_item_report_atime;
using protocol::k_item_report_change;
using protocol::k_item_report_size;
using protocol::k_item_report_timefail;
using protocol::k_item_report_time;
using protocol::k_item_report_perms;
using protocol::k_item_report_owner;
using protocol::k_item_report_group;
using protocol::k_item_report_acl;
using protocol::k_item_report_xattr;
using protocol::k_item_report_crtime;
using protocol::k_item_basis_type_follows;
using protocol::k_item_xname_follows;
using protocol::k_item_is_new;
using protocol::k_item_local_change;
using protocol::k_item_transfer;
using protocol::k_item_missing_data;
using protocol::k_item_deleted;
using protocol::k_item_matched;
using protocol::k_item_significant;

// What the formatter needs to know about the run.
struct LogContext {
    bool am_sender = false;         // '<' instead of '>' for transfers (client sender)
    bool local = false;             // a local copy: always '>'
    bool preserve_mtimes = false;   // -t: 't' else 'T'
    bool receiver_symlink_times = true;
    bool allow_8bit = false;        // -8
};

// One item to describe.
struct LogItem {
    const protocol::FileEntry* file = nullptr;
    std::string_view name;         // the path to show (defaults to file->name)
    uint32_t iflags = 0;
    std::string_view hlink_target; // %L " => target" for hard links
    int64_t bytes = 0;             // %b / %c
    std::string_view dir;          // a sender's %f: the source directory the name is under
};

// rsync's permstring (util1.c): the type letter, then rwx triplets with s/S/t/T.
std::string permstring(uint32_t mode);
// A modification time as rsync prints it in listings and %M: "YYYY/MM/DD hh:mm:ss", local time.
std::string timestring(int64_t t);

// The 11-character %i string ("*deleting  " for deletions).
std::string itemize_string(const LogItem& item, const LogContext& ctx);
// Expands a --out-format string (%i %n %L %f %l %o %b %c %B %M %U %G %p %t %% with widths and
// ' humanize marks); escapes without a value here (%u %h %a %m %P: a daemon's) stay as written.
std::string format_log_line(std::string_view format, const LogItem& item, const LogContext& ctx);
// How the terminal's locale treats bytes >= 0x80 (rsync checks names with iconv from the
// locale's charset to itself: valid characters print raw, other bytes are escaped).
enum class TerminalCharset { ascii, utf8, eight_bit };
// The charset of LC_CTYPE (call setlocale(LC_CTYPE, "") first, as main() does).
TerminalCharset terminal_charset_from_locale();

// rsync's filtered output (log.c:rwrite/filtered_fwrite): control bytes except tab and any
// literal "\#ddd" become "\#ooo" octal escapes; bytes >= 0x80 that are not valid characters
// of `charset` are escaped one by one; with -8 (allow_8bit) they all pass unchecked.
std::string escape_for_terminal(std::string_view text, bool allow_8bit,
                                TerminalCharset charset = TerminalCharset::ascii);

}  // namespace ursync::roles
