// Compact option letters: the order rsync writes them in, and a server's reading of them.
#include "cli/compact_flags.h"

#include <array>
#include <span>
#include <vector>

#include "cli/option_table.h"
#include "cli/parse.h"

namespace ursync::cli {
namespace {

constexpr int k_verbose_letters_max = 9;

void add_twice_if(std::string& out, char letter, int count) {
    if (count > 0) out += letter;
    if (count > 1) out += letter;
}

}  // namespace

bool client_allows_inc_recurse(const Options& o, bool server_is_sender) {
    if (o.inc_recursive == false) return false;
    if (!o.recursive || o.qsort) return false;
    const bool client_is_receiver = server_is_sender;
    const bool delete_before = o.delete_mode == DeleteMode::before && o.delete_timing_given;
    const bool delete_after = o.delete_mode == DeleteMode::after;
    return !(client_is_receiver &&
             (delete_before || delete_after || o.delay_updates || o.prune_empty_dirs));
}

std::string build_client_info(const Options& o, bool server_is_sender) {
    if (o.protocol.value_or(k_protocol_version) < 30) return {};
    std::string info = ".";
    if (client_allows_inc_recurse(o, server_is_sender)) info += 'i';
    info += "LsfxCIvu";
    return info;
}

std::string build_compact_flags(const Options& o, bool server_is_sender) {
    const bool client_is_sender = !server_is_sender;
    std::string s = "-";
    if (o.secluded_args) s += 's';
    for (int i = 0; i < o.verbose && i < k_verbose_letters_max; ++i) s += 'v';
    if (o.quiet && o.stderr_mode != StderrMode::client) s += 'q';
    if (o.backup) s += 'b';
    if (o.update) s += 'u';
    if (o.dry_run) s += 'n';
    if (o.links) s += 'l';
    if (o.dirs_given ||
        (o.dirs && !o.recursive &&
         (o.list_only || (o.delete_mode != DeleteMode::none && client_is_sender)))) {
        s += 'd';
    }
    if (client_is_sender) {
        if (o.keep_dirlinks) s += 'K';
        if (o.prune_empty_dirs) s += 'm';
        if (o.omit_dir_times > 0) s += 'O';
        if (o.omit_link_times) s += 'J';
        add_twice_if(s, 'y', o.fuzzy);
    } else {
        if (o.copy_links) s += 'L';
        if (o.copy_dirlinks) s += 'k';
    }
    if (o.whole_file == true) s += 'W';
    add_twice_if(s, 'H', o.hard_links_level);
    if (o.owner) s += 'o';
    if (o.group) s += 'g';
    if (o.devices) s += 'D';
    if (o.times) s += 't';
    add_twice_if(s, 'U', o.atimes);
    if (o.perms) {
        s += 'p';
    } else if (o.executability && client_is_sender) {
        s += 'E';
    }
    if (o.acls) s += 'A';
    add_twice_if(s, 'X', o.xattrs);
    if (o.recursive) s += 'r';
    if (o.checksum) s += 'c';
    if (o.cvs_exclude) s += 'C';
    if (o.ignore_times) s += 'I';
    if (o.relative) s += 'R';
    add_twice_if(s, 'x', o.one_file_system_level);
    if (o.sparse) s += 'S';
    if (o.compression == Compression::zlib) s += 'z';
    if (o.protocol.value_or(k_protocol_version) >= 30)
        s += "e" + build_client_info(o, server_is_sender);
    return s.size() > 1 ? s : std::string{};
}

// mirrors rsync compat.c's reading of client_info (the letters tested with strchr)
ClientInfo parse_client_info(std::string_view text) {
    ClientInfo info;
    std::size_t pos = 0;
    auto read_int = [&]() {
        int value = 0;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && value < 100000) {
            value = value * 10 + (text[pos++] - '0');
        }
        return value;
    };
    info.pre_release_protocol = read_int();
    if (info.pre_release_protocol != 0 && pos < text.size() && text[pos] == '.') {
        ++pos;
        info.pre_release_sub = read_int();
    }
    auto has = [&](char letter) { return text.find(letter) != std::string_view::npos; };
    info.inc_recurse = has('i');
    info.symlink_times = has('L');
    info.symlink_iconv = has('s');
    info.safe_file_list = has('f');
    info.avoid_xattr_optim = has('x');
    info.checksum_seed_fix = has('C');
    info.inplace_partial_dir = has('I');
    info.varint_flist_flags = has('v');
    info.id0_names = has('u');
    info.old_varint = has('V');
    return info;
}

Expected<CompactFlags, CliError> parse_compact_flags(std::string_view arg) {
    if (arg.size() < 2 || arg[0] != '-' || arg[1] == '-') {
        return Unexpected{CliError{
            "rsync: on remote machine: " + std::string(arg) + ": not a compact option string",
            ExitCode::syntax}};
    }
    const std::array<std::string, 4> argv{"rsync", "--server", std::string(arg), "."};
    auto inv = parse_command_line(std::span<const std::string>(argv), Environment::empty());
    if (!inv) return Unexpected{inv.error()};
    CompactFlags flags;
    for (std::size_t i = 1; i < arg.size(); ++i) {
        const OptionSpec* spec = find_short_option(OptionTableKind::main, arg[i]);
        if (spec != nullptr && spec->arg != ArgKind::none) {
            if (arg[i] == 'e') flags.client_info = std::string(arg.substr(i + 1));
            break;  // the rest of the cluster is this letter's value
        }
        flags.letters += arg[i];
    }
    flags.options = std::move(inv->options);
    return flags;
}

}  // namespace ursync::cli
