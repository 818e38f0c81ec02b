// Applies one option occurrence to the parse state, in command-line order, as rsync's popt loop
// does (later options override earlier ones; some act at once).
#include <cstring>
#include <ctime>

#include "cli/chmod_rules.h"
#include "cli/filter_args.h"
#include "cli/parse_state.h"
#include "cli/popt_lexer.h"
#include "cli/size_arg.h"
#include "cli/stop_time.h"

namespace ursync::cli {
namespace {

constexpr int k_max_basis_dirs = 20;
constexpr std::int64_t k_max_block_size = 1 << 17;
constexpr std::int64_t k_old_max_block_size = 1 << 29;

int to_int(const std::string& text) {
    int value = 0;
    (void)parse_popt_integer(text, value);  // validated by the lexer
    return value;
}

Expected<ApplyAction, CliError> next() {
    return ApplyAction::next;
}

Expected<ApplyAction, CliError> apply_output_words(OutputLevels& levels, const std::string& words,
                                                   bool am_server) {
    auto result = levels.apply_words(words, OutputPriority::user, am_server);
    if (!result) {
        const char* option = levels.kind() == OutputKind::info ? "--info" : "--debug";
        return Unexpected{
            CliError{std::string("Unknown ") + option + " item: \"" + result.error() + "\"",
                     ExitCode::syntax}};
    }
    if (*result == OutputWordsResult::help) {
        return levels.kind() == OutputKind::info ? ApplyAction::info_help : ApplyAction::debug_help;
    }
    return ApplyAction::next;
}

Expected<ApplyAction, CliError> size_option(const std::string& value, std::string_view name,
                                            const SizeArgLimits& limits,
                                            std::optional<long long>& out, std::string* canonical) {
    auto size = parse_size_arg(value, name, limits);
    if (!size) return Unexpected{option_error(size.error())};
    out = *size;
    if (canonical != nullptr) *canonical = format_big_num(*size, 0);
    return ApplyAction::next;
}

Expected<ApplyAction, CliError> from_file(ParseState& st, const std::string& path, bool include,
                                          const Environment& env) {
    const std::string name = (path == "-" && st.am_server) ? "./-" : path;
    auto text = env.read_file ? env.read_file(name) : Expected<std::string, int>{Unexpected{2}};
    if (!text) {
        const int err = text.error();
        return Unexpected{CliError{std::string("rsync: [") + (st.am_server ? "server" : "client") +
                                       "] failed to open " + (include ? "in" : "ex") +
                                       "clude file " + path + ": " + std::strerror(err) + " (" +
                                       std::to_string(err) + ")",
                                   ExitCode::file_io}};
    }
    for (auto& rule : rules_from_file_text(*text, include, st.opt.from0)) {
        st.opt.filter_rules.push_back(std::move(rule));
    }
    return ApplyAction::next;
}

Expected<ApplyAction, CliError> alt_dest(ParseState& st, AltDestKind kind, const std::string& dir) {
    auto name = [](AltDestKind k) {
        return k == AltDestKind::compare ? "--compare-dest"
                                         : (k == AltDestKind::copy ? "--copy-dest" : "--link-dest");
    };
    if (st.opt.alt_dest != AltDestKind::none && st.opt.alt_dest != kind) {
        return Unexpected{option_error(std::string("ERROR: the ") + name(kind) +
                                       " option conflicts with the " + name(st.opt.alt_dest) +
                                       " option")};
    }
    st.opt.alt_dest = kind;
    if (st.opt.alt_dest_dirs.size() >= k_max_basis_dirs) {
        return Unexpected{option_error("ERROR: at most " + std::to_string(k_max_basis_dirs) + " " +
                                       name(kind) + " args may be specified")};
    }
    st.opt.alt_dest_dirs.push_back(dir);
    return ApplyAction::next;
}

// --usermap/--groupmap and the halves of --chown, with rsync's conflict messages.
Expected<ApplyAction, CliError> id_map(std::string& map, bool& via_chown, bool from_chown,
                                       std::string_view what, std::string value) {
    if (!map.empty()) {
        if (from_chown) {
            if (!via_chown) {
                return Unexpected{
                    option_error("--chown conflicts with prior --" + std::string(what) + "map.")};
            }
            return Unexpected{option_error("You can only specify a " + std::string(what) +
                                           "-affecting --chown once.")};
        }
        if (via_chown) {
            return Unexpected{
                option_error("--" + std::string(what) + "map conflicts with prior --chown.")};
        }
        return Unexpected{
            option_error("You can only specify --" + std::string(what) + "map once.")};
    }
    map = std::move(value);
    via_chown = from_chown;
    return ApplyAction::next;
}

Expected<ApplyAction, CliError> chown_option(ParseState& st, const std::string& value) {
    Options& o = st.opt;
    const std::size_t colon = value.find(':');
    const std::string user = value.substr(0, colon);
    if (!user.empty()) {
        auto r = id_map(o.usermap, st.usermap_via_chown, true, "user", "*:" + user);
        if (!r) return r;
        o.owner = true;
    }
    if (colon != std::string::npos && colon + 1 < value.size()) {
        auto r = id_map(o.groupmap, st.groupmap_via_chown, true, "group",
                        "*:" + value.substr(colon + 1));
        if (!r) return r;
        o.group = true;
    }
    return ApplyAction::next;
}

Expected<ApplyAction, CliError> apply_stop_after(ParseState& st, const std::string& value) {
    // atol(): optional blanks and sign, then digits
    std::size_t i = 0;
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t')) ++i;
    bool negative = false;
    if (i < value.size() && (value[i] == '+' || value[i] == '-')) negative = value[i++] == '-';
    long long minutes = 0;
    for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
        minutes = minutes * 10 + (value[i] - '0');
        if (minutes > 1'000'000'000'000LL) break;
    }
    if (negative || minutes <= 0) {
        return Unexpected{option_error("invalid --stop-after value: " + value)};
    }
    st.opt.stop_arg = value;
    st.opt.stop_at_utime = static_cast<long long>(std::time(nullptr)) + minutes * 60;
    return ApplyAction::next;
}

// rsync built without crtime support (Linux) refuses -N while parsing.
Expected<ApplyAction, CliError> crtimes_refused(const ParseState& st) {
    const char* who = st.am_server ? "The server does not support" : "This rsync does not support";
    return Unexpected{option_error(std::string(who) + " --crtimes (-N)")};
}

}  // namespace

CliError option_error(std::string text) {
    return CliError{"rsync: " + text, ExitCode::syntax};
}

// mirrors the switch in rsync options.c:parse_arguments
Expected<ApplyAction, CliError> apply_occurrence(ParseState& st, const Occurrence& occ,
                                                 const Environment& env) {
    using enum OptionId;
    Options& o = st.opt;
    const std::string& v = occ.value;
    st.used.push_back(occ.spec->id);
    // One line per option, in rsync's table order, so it reads against rsync's switch.
    // clang-format off
    switch (occ.spec->id) {
        case help: return ApplyAction::help;
        case version: ++st.version_count; return next();
        case verbose: ++o.verbose; return next();
        case no_verbose: case no_v: o.verbose = 0; return next();
        case info: return apply_output_words(o.info, v, st.am_server);
        case debug: return apply_output_words(o.debug, v, st.am_server);
        case stderr_mode: {
            auto is_prefix = [&](std::string_view word) {
                return !v.empty() && v.size() <= word.size() && word.substr(0, v.size()) == v;
            };
            if (is_prefix("errors")) o.stderr_mode = StderrMode::errors;
            else if (is_prefix("all")) o.stderr_mode = StderrMode::all;
            else if (is_prefix("client")) o.stderr_mode = StderrMode::client;
            else {
                return Unexpected{option_error("--stderr mode \"" + v +
                                               "\" is not one of errors, all, or client")};
            }
            o.stderr_mode_given = true;
            return next();
        }
        case msgs2stderr: o.stderr_mode = StderrMode::all; return next();
        case no_msgs2stderr: o.stderr_mode = StderrMode::client; return next();
        case quiet: o.quiet = true; return next();
        case motd: o.motd = true; return next();
        case no_motd: o.motd = false; return next();
        case stats: o.stats = true; return next();
        case human_readable: ++o.human_readable; return next();
        case no_human_readable: case no_h: o.human_readable = 0; return next();
        case dry_run: o.dry_run = true; return next();
        case archive:
            if (st.recurse == 0) st.recurse = 1;
            o.links = o.perms = o.times = o.group = o.owner = o.devices = o.specials = true;
            return next();
        case recursive: st.recurse = 2; return next();
        case no_recursive: case no_r: st.recurse = 0; return next();
        case inc_recursive: case i_r: o.inc_recursive = true; return next();
        case no_inc_recursive: case no_i_r: o.inc_recursive = false; return next();
        case dirs: st.xfer_dirs = 2; return next();
        case no_dirs: case no_d: st.xfer_dirs = 0; return next();
        case old_dirs: case old_d: st.xfer_dirs = 4; return next();
        case perms: o.perms = true; return next();
        case no_perms: case no_p: o.perms = false; return next();
        case executability: o.executability = true; return next();
        case acls: o.acls = o.perms = true; return next();
        case no_acls: case no_A: o.acls = false; return next();
        case xattrs: ++o.xattrs; return next();
        case no_xattrs: case no_X: o.xattrs = 0; return next();
        case times: o.times = true; return next();
        case no_times: case no_t: o.times = false; return next();
        case atimes: if (++o.atimes > 1) o.open_noatime = true; return next();
        case no_atimes: case no_U: o.atimes = 0; return next();
        case open_noatime: o.open_noatime = true; return next();
        case no_open_noatime: o.open_noatime = false; return next();
        case crtimes: return crtimes_refused(st);
        case no_crtimes: case no_N: o.crtimes = false; return next();
        case omit_dir_times: o.omit_dir_times = 1; return next();
        case no_omit_dir_times: case no_O: o.omit_dir_times = 0; return next();
        case omit_link_times: o.omit_link_times = true; return next();
        case no_omit_link_times: case no_J: o.omit_link_times = false; return next();
        case modify_window: o.modify_window = to_int(v); return next();
        case super: o.super_mode = SuperMode::super; return next();
        case no_super: o.super_mode = SuperMode::no_super; return next();
        case fake_super: o.super_mode = SuperMode::fake_super; return next();
        case owner: o.owner = true; return next();
        case no_owner: case no_o: o.owner = false; return next();
        case group: o.group = true; return next();
        case no_group: case no_g: o.group = false; return next();
        case devices_specials: o.devices = o.specials = true; return next();
        case no_D: o.devices = o.specials = false; return next();
        case devices: o.devices = true; return next();
        case no_devices: o.devices = false; return next();
        case copy_devices: o.copy_devices = true; return next();
        case write_devices: o.write_devices = true; return next();
        case no_write_devices: o.write_devices = false; return next();
        case specials: o.specials = true; return next();
        case no_specials: o.specials = false; return next();
        case drop_D: o.drop_devices = true; return next();
        case no_drop_D: o.drop_devices = false; return next();
        case confine_root: o.confine_root = v; return next();
        case links: o.links = true; return next();
        case no_links: case no_l: o.links = false; return next();
        case copy_links: o.copy_links = true; return next();
        case copy_unsafe_links: o.copy_unsafe_links = true; return next();
        case safe_links: o.safe_links = true; return next();
        case insecure_links: o.insecure_links = true; return next();
        case no_insecure_links: o.insecure_links = false; return next();
        case munge_links: o.munge_links = true; return next();
        case no_munge_links: o.munge_links = false; return next();
        case copy_dirlinks: o.copy_dirlinks = true; return next();
        case keep_dirlinks: o.keep_dirlinks = true; return next();
        case hard_links: ++o.hard_links_level; return next();
        case no_hard_links: case no_H: o.hard_links_level = 0; return next();
        case relative: st.relative = 1; return next();
        case no_relative: case no_R: st.relative = 0; return next();
        case implied_dirs: case i_d: o.implied_dirs = true; return next();
        case no_implied_dirs: case no_i_d: o.implied_dirs = false; return next();
        case chmod:
            // Validated here, as rsync does: a bad rule ends the run before anything starts.
            if (!ChmodRules{}.add(v, process_umask()))
                return Unexpected{option_error("Invalid argument passed to --chmod (" + v + ")")};
            o.chmod.push_back(v);
            return next();
        case ignore_times: o.ignore_times = true; return next();
        case size_only: o.size_only = true; return next();
        case one_file_system: ++o.one_file_system_level; return next();
        case no_one_file_system: case no_x: o.one_file_system_level = 0; return next();
        case update: o.update = true; return next();
        case existing: case ignore_non_existing: o.existing = true; return next();
        case ignore_existing: o.ignore_existing = true; return next();
        case max_size: return size_option(v, "max-size", {}, o.max_size, &o.max_size_arg);
        case min_size: return size_option(v, "min-size", {}, o.min_size, &o.min_size_arg);
        case max_alloc: st.max_alloc_arg = v; return next();
        case sparse: o.sparse = true; return next();
        case no_sparse: case no_S: o.sparse = false; return next();
        case preallocate: o.preallocate = true; return next();
        case inplace: o.inplace = true; return next();
        case no_inplace: o.inplace = false; return next();
        case append: o.append = st.am_server ? o.append + 1 : 1; return next();
        case append_verify: o.append = 2; return next();
        case no_append: o.append = 0; return next();
        case del: st.delete_during = 1; return next();
        case delete_: st.delete_plain = true; return next();
        case delete_before: st.delete_before = 1; return next();
        case delete_during: st.delete_during = 1; return next();
        case delete_delay: st.delete_during = 2; return next();
        case delete_after: st.delete_after = 1; return next();
        case delete_excluded: o.delete_excluded = true; return next();
        case delete_missing_args: st.missing_args |= 2; return next();
        case ignore_missing_args: st.missing_args |= 1; return next();
        case remove_sent_files: o.remove_source_files = 2; return next();
        case remove_source_files: o.remove_source_files = 1; return next();
        case force: o.force_delete = true; return next();
        case no_force: o.force_delete = false; return next();
        case ignore_errors: o.ignore_errors = true; return next();
        case no_ignore_errors: o.ignore_errors = false; return next();
        case max_delete: o.max_delete = to_int(v); return next();
        case filter_F:
            if (auto rule = dash_f_rule(++st.f_option_count)) o.filter_rules.push_back(*rule);
            return next();
        case filter: if (!v.empty()) o.filter_rules.push_back(v); return next();
        case exclude: case include:
            if (auto rule = old_style_rule(v, occ.spec->id == include)) {
                o.filter_rules.push_back(*rule);
            }
            return next();
        case exclude_from: return from_file(st, v, false, env);
        case include_from: return from_file(st, v, true, env);
        case cvs_exclude: o.cvs_exclude = true; return next();
        case whole_file: st.whole_file = 1; return next();
        case no_whole_file: case no_W: st.whole_file = 0; return next();
        case checksum: o.checksum = true; return next();
        case no_checksum: case no_c: o.checksum = false; return next();
        case checksum_choice: case cc: st.checksum_choice = v; return next();
        case block_size: {
            const bool old = o.protocol && *o.protocol < 30;
            std::optional<long long> size;
            auto r = size_option(v, "block-size",
                                 {'b', 0, old ? k_old_max_block_size : k_max_block_size, false},
                                 size, nullptr);
            if (r) o.block_size = static_cast<int>(*size);
            return r;
        }
        case compare_dest: return alt_dest(st, AltDestKind::compare, v);
        case copy_dest: return alt_dest(st, AltDestKind::copy, v);
        case link_dest: return alt_dest(st, AltDestKind::link, v);
        case fuzzy: ++o.fuzzy; return next();
        case no_fuzzy: case no_y: o.fuzzy = 0; return next();
        case compress: ++st.compress_count; return next();
        case old_compress: st.compress_choice = "zlib"; return next();
        case new_compress: st.compress_choice = "zlibx"; return next();
        case no_compress: case no_z:
            st.compress_count = 0;
            st.compress_choice.reset();
            return next();
        case compress_choice: case zc: st.compress_choice = v; return next();
        case skip_compress: o.skip_compress = v; return next();
        case compress_level: case zl: st.compress_level = to_int(v); return next();
        case compress_threads: case zt: o.compress_threads = to_int(v); return next();
        case partial_progress: o.progress = o.partial = true; return next();
        case progress: o.progress = true; return next();
        case no_progress: o.progress = false; return next();
        case partial: o.partial = true; return next();
        case no_partial: o.partial = false; return next();
        case partial_dir: o.partial_dir = v; return next();
        case delay_updates: o.delay_updates = true; return next();
        case no_delay_updates: o.delay_updates = false; return next();
        case prune_empty_dirs: o.prune_empty_dirs = true; return next();
        case no_prune_empty_dirs: case no_m: o.prune_empty_dirs = false; return next();
        case log_file: o.log_file = v; return next();
        case log_file_format: o.log_file_format = v; return next();
        case out_format: case log_format: st.stdout_format = v; return next();
        case itemize_changes: ++o.itemize; return next();
        case no_itemize_changes: case no_i: o.itemize = 0; return next();
        case bwlimit: {
            auto r = size_option(v, "bwlimit", {'K', 512, -1, true}, o.bwlimit_bytes, nullptr);
            if (r) o.bwlimit = static_cast<int>((*o.bwlimit_bytes + 512) / 1024);
            return r;
        }
        case no_bwlimit: o.bwlimit = 0; return next();
        case backup: o.backup = true; return next();
        case no_backup: o.backup = false; return next();
        case backup_dir: o.backup_dir = v; return next();
        case suffix: st.backup_suffix = v; return next();
        case list_only: st.list_only = 2; return next();
        case read_batch: o.batch_name = v; o.read_batch = true; return next();
        case write_batch: o.batch_name = v; o.write_batch = 1; return next();
        case only_write_batch: o.batch_name = v; o.write_batch = -1; return next();
        case files_from: o.files_from = v; return next();
        case from0: o.from0 = true; return next();
        case no_from0: o.from0 = false; return next();
        case old_args:
            st.old_style_args = st.old_style_args <= 0 ? 1 : st.old_style_args + 1;
            return next();
        case no_old_args: st.old_style_args = 0; return next();
        case secluded_args: case protect_args: st.protect_args = 1; return next();
        case no_secluded_args: case no_protect_args: case no_s: st.protect_args = 0; return next();
        case trust_sender: o.trust_sender = true; return next();
        case numeric_ids: o.numeric_ids = true; return next();
        case no_numeric_ids: o.numeric_ids = false; return next();
        case usermap: {
            auto r = id_map(o.usermap, st.usermap_via_chown, false, "user", v);
            if (r) o.owner = true;
            return r;
        }
        case groupmap: {
            auto r = id_map(o.groupmap, st.groupmap_via_chown, false, "group", v);
            if (r) o.group = true;
            return r;
        }
        case chown: return chown_option(st, v);
        case timeout: o.timeout = to_int(v); return next();
        case no_timeout: o.timeout = 0; return next();
        case contimeout: o.contimeout = to_int(v); return next();
        case no_contimeout: o.contimeout = 0; return next();
        case fsync: o.fsync = true; return next();
        case stop_after: case time_limit: return apply_stop_after(st, v);
        case stop_at: {
            const std::time_t now = std::time(nullptr);
            auto at = parse_stop_time(v, now);
            if (!at) return Unexpected{option_error("invalid --stop-at format: " + v)};
            if (*at <= now)
                return Unexpected{option_error("--stop-at time is not in the future: " + v)};
            o.stop_arg = v;
            o.stop_at_utime = static_cast<long long>(*at);
            return next();
        }
        case rsh:
            if (st.am_server) {
                o.client_info = v;
            } else {
                o.rsh = v;
                o.rsh_given = true;
            }
            return next();
        case rsync_path: o.rsync_path = v; return next();
        case temp_dir: o.temp_dir = v; return next();
        case iconv: o.iconv = v; return next();
        case no_iconv: o.iconv.reset(); return next();
        case ipv4: o.address_family = 4; return next();
        case ipv6: o.address_family = 6; return next();
        case eight_bit_output: o.eight_bit_output = true; return next();
        case no_eight_bit_output: case no_8: o.eight_bit_output = false; return next();
        case mkpath: o.mkpath = true; return next();
        case no_mkpath: o.mkpath = false; return next();
        case qsort: o.qsort = true; return next();
        case copy_as: o.copy_as = v; return next();
        case address: o.address = v; return next();
        case port: o.port = to_int(v); return next();
        case sockopts: o.sockopts = v; return next();
        case password_file: o.password_file = v; return next();
        case early_input: o.early_input = v; return next();
        case blocking_io: o.blocking_io = true; return next();
        case no_blocking_io: o.blocking_io = false; return next();
        case outbuf: o.outbuf = v; return next();
        case remote_option:
            if (v.empty() || v[0] != '-') {
                return Unexpected{option_error("Remote option must start with a dash: " + v)};
            }
            o.remote_options.push_back(v);
            return next();
        case protocol: o.protocol = to_int(v); return next();
        case checksum_seed: o.checksum_seed = to_int(v); return next();
        case server: o.iconv.reset(); return next();
        case sender:
            if (!st.am_server) return Unexpected{CliError{"", ExitCode::syntax, true}};
            o.sender = true;
            return next();
        case config: case daemon: case dparam: case detach: case no_detach:
            return ApplyAction::daemon_mode;
        default: break;
    }
    // clang-format on
    return next();  // daemon-table ids never reach this table's walk
}

// mirrors the daemon branch of rsync options.c:parse_arguments
Expected<ApplyAction, CliError> apply_daemon_occurrence(ParseState& st, const Occurrence& occ) {
    using enum OptionId;
    DaemonOptions& d = st.opt.daemon_options;
    const std::string& v = occ.value;
    st.used.push_back(occ.spec->id);
    // clang-format off
    switch (occ.spec->id) {
        case d_address: d.address = v; break;
        case d_bwlimit: d.bwlimit = to_int(v); break;
        case d_config: d.config_file = v; break;
        case d_daemon: st.daemon_opt = true; break;
        case d_dparam:
            if (v.find('=') == std::string::npos) {
                return Unexpected{CliError{"--dparam value is missing an '=': " + v +
                                               "\n(Type \"rsync --daemon --help\" for "
                                               "assistance with daemon mode.)",
                                           ExitCode::syntax}};
            }
            d.dparams.push_back(v);
            break;
        case d_ipv4: st.opt.address_family = 4; break;
        case d_ipv6: st.opt.address_family = 6; break;
        case d_detach: d.no_detach = false; break;
        case d_no_detach: d.no_detach = true; break;
        case d_log_file: d.log_file = v; break;
        case d_log_file_format: d.log_file_format = v; break;
        case d_port: d.port = to_int(v); break;
        case d_sockopts: d.sockopts = v; break;
        case d_protocol: st.opt.protocol = to_int(v); break;
        case d_server: st.am_server = true; break;
        case d_temp_dir: st.opt.temp_dir = v; break;
        case d_verbose: ++st.opt.verbose; break;
        case d_no_verbose: case d_no_v: st.opt.verbose = 0; break;
        case d_help: return ApplyAction::daemon_help;
        default: break;
    }
    // clang-format on
    return ApplyAction::next;
}

}  // namespace ursync::cli
