// The checks and derived settings rsync applies once every option has been read (the second half
// of options.c:parse_arguments), in rsync's order so the first complaint is rsync's.
#include <algorithm>
#include <array>
#include <cstdlib>

#include "cli/filter_args.h"
#include "cli/parse_state.h"
#include "cli/size_arg.h"

namespace ursync::cli {
namespace {

constexpr std::size_t k_max_batch_name_len = 256;
constexpr std::size_t k_max_path_len = 4096;
constexpr std::int64_t k_default_max_alloc = 1024LL * 1024 * 1024;
constexpr std::string_view k_tmp_partial_dir = ".~tmp~";
constexpr std::array<std::string_view, 8> k_checksum_names{"xxh128", "xxh3", "xxh64", "xxhash",
                                                           "md5",    "md4",  "sha1",  "none"};
constexpr std::array<std::string_view, 5> k_compress_names{"zstd", "lz4", "zlibx", "zlib", "none"};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

template <std::size_t N>
bool known_name(const std::array<std::string_view, N>& names, std::string_view name) {
    for (auto known : names) {
        if (iequals(known, name)) return true;
    }
    return false;
}

// mirrors rsync log.c:log_format_has
bool log_format_has(std::string_view format, char esc) {
    for (std::size_t p = format.find('%'); p != std::string_view::npos; p = format.find('%', p)) {
        ++p;
        while (p < format.size() && format[p] == '\'') ++p;
        if (p < format.size() && format[p] == '-') ++p;
        while (p < format.size() && format[p] >= '0' && format[p] <= '9') ++p;
        while (p < format.size() && format[p] == '\'') ++p;
        if (p >= format.size()) break;
        if (format[p] == esc) return true;
        if (format[p] == '%') ++p;
    }
    return false;
}

// rsync's parse_checksum_choice() name checks: "XFER[,FILE]", each a known name or "auto".
Expected<void, CliError> check_checksum_choice(const std::string& choice) {
    const std::size_t comma = choice.find(',');
    auto check = [&](std::size_t start, std::size_t len) -> Expected<void, CliError> {
        const std::string_view name = std::string_view(choice).substr(start, len);
        if (iequals(name, "auto") || known_name(k_checksum_names, name)) return {};
        return Unexpected{
            CliError{"unknown checksum name: " + choice.substr(start), ExitCode::unsupported}};
    };
    if (comma == std::string::npos) return check(0, choice.size());
    if (auto r = check(0, comma); !r) return r;
    return check(comma + 1, std::string::npos);
}

Compression compression_named(std::string_view name) {
    if (iequals(name, "zstd")) return Compression::zstd;
    if (iequals(name, "lz4")) return Compression::lz4;
    if (iequals(name, "zlibx")) return Compression::zlibx;
    if (iequals(name, "zlib")) return Compression::zlib;
    return Compression::off;  // "none"
}

// -z, --compress-choice, --old/--new-compress and --compress-level together.
Expected<void, CliError> settle_compression(ParseState& st) {
    Options& o = st.opt;
    o.compress_count = st.compress_count;
    o.compress_level = st.compress_level;
    if (!st.compress_choice && st.compress_count > 1) st.compress_choice = "zlibx";
    bool on = st.compress_count > 0;
    if (st.compress_choice && !iequals(*st.compress_choice, "auto")) {
        if (!known_name(k_compress_names, *st.compress_choice)) {
            return Unexpected{
                CliError{"unknown compress name: " + *st.compress_choice, ExitCode::unsupported}};
        }
        o.compress_choice = iequals(*st.compress_choice, "none") ? "none" : *st.compress_choice;
        o.compression = compression_named(*st.compress_choice);
        on = o.compression != Compression::off;
    } else if (on) {
        // rsync keeps the raw -z count as its algorithm number here (1 zlib, 2 zlibx, 3 lz4,
        // 4 zstd); only "-zz --zc=auto" and the like reach the higher ones.
        constexpr std::array<Compression, 4> k_by_count{Compression::zlib, Compression::zlibx,
                                                        Compression::lz4, Compression::zstd};
        const auto index = static_cast<std::size_t>(std::min(st.compress_count, 4) - 1);
        o.compression = k_by_count.at(index);
    }
    if (!on && st.compress_level) o.compression = Compression::negotiate;
    if (o.compress_threads < 0) o.compress_threads = 0;
    return {};
}

Expected<void, CliError> settle_backups(ParseState& st) {
    Options& o = st.opt;
    o.suffix_given = st.backup_suffix.has_value();
    o.suffix = st.backup_suffix ? *st.backup_suffix : (o.backup_dir ? "" : "~");
    if (o.suffix.find('/') != std::string::npos) {
        return Unexpected{option_error("--suffix cannot contain slashes: " + o.suffix)};
    }
    bool same_as_dest = false;
    if (o.backup_dir) {
        o.backup = true;
        std::string dir = *o.backup_dir;
        while (dir.size() >= 2 && dir[0] == '.' && dir[1] == '/') dir.erase(0, 2);
        if (dir == ".") dir.clear();
        if (dir.size() > k_max_path_len - 128) {
            return Unexpected{option_error("the --backup-dir path is WAY too long.")};
        }
        if (dir.empty()) {
            same_as_dest = true;
            o.backup_dir.reset();
        } else {
            o.backup_dir = dir;
        }
    }
    if (o.backup_dir) {
        // no suffix or protect rule needed
    } else if (o.suffix.empty() && (!st.am_server || !o.sender)) {
        return Unexpected{
            option_error(std::string("--suffix cannot be empty ") +
                         (same_as_dest ? "when --backup-dir is the same as the dest dir"
                                       : "without a --backup-dir"))};
    } else if (o.backup && o.delete_mode != DeleteMode::none && !o.delete_excluded &&
               !st.am_server) {
        o.filter_rules.push_back("P *" + o.suffix);
    }
    if (o.backup && !o.backup_dir) o.omit_dir_times = -1;
    return {};
}

void settle_output_format(ParseState& st) {
    Options& o = st.opt;
    if (st.stdout_format) {
        o.out_format = *st.stdout_format;
        o.stdout_format = *st.stdout_format;
        if (st.am_server && log_format_has(o.stdout_format, 'I')) {
            o.stdout_format_has_i = 2;
        } else if (log_format_has(o.stdout_format, 'i')) {
            o.stdout_format_has_i = o.itemize | 1;
        }
        if (!log_format_has(o.stdout_format, 'b') && !log_format_has(o.stdout_format, 'c') &&
            !log_format_has(o.stdout_format, 'C')) {
            o.log_before_transfer = !st.am_server;
        }
    } else if (o.itemize > 0) {
        o.stdout_format = "%i %n%L";
        o.stdout_format_has_i = o.itemize;
        o.log_before_transfer = !st.am_server;
    }
    if (o.progress && !st.am_server) {
        if (!o.log_before_transfer && o.info.level(InfoWord::name) == 0) {
            (void)o.info.apply_words("name", OutputPriority::implied, false);
        }
        (void)o.info.apply_words("FLIST2,PROGRESS", OutputPriority::implied, false);
    }
    if (o.info.level(InfoWord::name) >= 1 && o.stdout_format.empty()) {
        o.stdout_format = "%n%L";
        o.log_before_transfer = !st.am_server;
    }
    o.stdout_format_has_o_or_i = o.stdout_format_has_i != 0 || log_format_has(o.stdout_format, 'o');
    if (!o.log_file.empty() && !st.am_daemon && o.log_file_format.empty()) {
        o.log_file_format = "%i %n%L";
    }
}

Expected<void, CliError> settle_partial(ParseState& st, const Environment& env) {
    Options& o = st.opt;
    if (o.append > 0) {
        if (st.whole_file > 0) {
            return Unexpected{option_error("--append cannot be used with --whole-file")};
        }
        o.inplace = true;
    }
    if (o.write_devices) o.inplace = true;
    if (o.delay_updates && !o.partial_dir) {
        o.partial_dir = std::string(k_tmp_partial_dir);
        o.partial_dir_implied = true;
    }
    if (o.inplace) {
        if (o.partial_dir) {
            return Unexpected{option_error(
                std::string("--") + (o.append > 0 ? "append" : "inplace") +
                " cannot be used with --" + (o.delay_updates ? "delay-updates" : "partial-dir"))};
        }
        o.partial = false;
        return {};
    }
    if (o.partial && !o.partial_dir && !st.am_server && env.get_var) {
        if (auto dir = env.get_var("RSYNC_PARTIAL_DIR"); dir && !dir->empty()) o.partial_dir = *dir;
    }
    if (o.partial_dir) {
        if (o.partial_dir->empty() || *o.partial_dir == ".") {
            o.partial_dir.reset();
        } else {
            o.partial = true;
        }
    }
    return {};
}

Expected<void, CliError> settle_files_from(ParseState& st, std::size_t arg_count) {
    Options& o = st.opt;
    if (!o.files_from) return {};
    if (arg_count > 2 || (!st.am_server && arg_count == 1)) {
        return Unexpected{CliError{"", ExitCode::syntax, true}};
    }
    if (*o.files_from == "-") {
        if (st.am_server) o.files_from_host = "";
        return {};
    }
    if (auto spec = check_for_hostspec(*o.files_from, 0)) {
        if (st.am_server) {
            return Unexpected{
                option_error("The --files-from sent to the server cannot specify a host.")};
        }
        o.files_from = spec->path;
        o.files_from_host = spec->user_host;
        if (spec->path == "-") {
            return Unexpected{option_error("Invalid --files-from remote filename")};
        }
    }
    return {};
}

}  // namespace

// mirrors the part of rsync options.c:parse_arguments after the popt loop
Expected<FinalizeResult, CliError> finalize_options(ParseState& st, std::size_t arg_count,
                                                    const Environment& env) {
    Options& o = st.opt;
    auto getenv_nonempty = [&](const char* name) -> std::optional<std::string> {
        if (!env.get_var) return std::nullopt;
        auto value = env.get_var(name);
        if (value && value->empty()) return std::nullopt;
        return value;
    };
    if (o.stderr_mode != StderrMode::errors) o.stderr_mode_given = true;

    if (!st.max_alloc_arg) st.max_alloc_arg = getenv_nonempty("RSYNC_MAX_ALLOC");
    if (st.max_alloc_arg) {
        auto size = parse_size_arg(*st.max_alloc_arg, "max-alloc", {'B', 1024 * 1024, -1, true});
        if (!size) return Unexpected{option_error(size.error())};
        if (*size == 0) return Unexpected{option_error("max-alloc must be greater than zero")};
        o.max_alloc = *size;
        o.max_alloc_arg = *st.max_alloc_arg;
        o.max_alloc_given = *size != k_default_max_alloc;
    }

    if (st.old_style_args < 0) {
        auto old_env = getenv_nonempty("RSYNC_OLD_ARGS");
        if (!st.am_server && st.protect_args <= 0 && old_env) {
            st.protect_args = 0;
            st.old_style_args = std::atoi(old_env->c_str());
        } else {
            st.old_style_args = 0;
        }
    } else if (st.old_style_args > 0) {
        if (st.protect_args > 0) {
            return Unexpected{option_error("--secluded-args conflicts with --old-args.")};
        }
        st.protect_args = 0;
    }
    if (st.protect_args < 0) {
        auto protect_env = getenv_nonempty("RSYNC_PROTECT_ARGS");
        st.protect_args =
            (!st.am_server && protect_env && std::atoi(protect_env->c_str()) != 0) ? 1 : 0;
    }
    o.old_args = st.old_style_args;
    o.secluded_args = st.protect_args > 0;

    if (st.checksum_choice && !iequals(*st.checksum_choice, "auto") &&
        !iequals(*st.checksum_choice, "auto,auto")) {
        if (auto r = check_checksum_choice(*st.checksum_choice); !r) return Unexpected{r.error()};
        o.checksum_choice = *st.checksum_choice;
        const std::string xfer = o.checksum_choice.substr(0, o.checksum_choice.find(','));
        if (iequals(xfer, "none")) st.whole_file = 1;
    }

    if (o.human_readable > 1 && st.raw_arg_count == 1 && !st.am_server) {
        return FinalizeResult::help;
    }

    if (auto r = settle_compression(st); !r) return Unexpected{r.error()};

    if (!o.outbuf.empty() && !st.am_server) {
        const char mode = o.outbuf[0];
        if (std::string_view("NnUuLlBbFf").find(mode) == std::string_view::npos) {
            return Unexpected{option_error("Invalid --outbuf setting -- specify N, L, or B.")};
        }
    }

    o.info.apply_verbosity(o.verbose);
    o.debug.apply_verbosity(o.verbose);
    if (o.stats) {
        (void)o.info.apply_words(o.verbose > 1 ? "stats3" : "stats2", OutputPriority::implied,
                                 false);
    }
    if (o.iconv && !st.am_server && *o.iconv == "-") o.iconv.reset();
    if (o.fuzzy > 1) o.fuzzy = static_cast<int>(o.alt_dest_dirs.size()) + 1;

    if (st.protect_args == 1 && st.am_server && !st.secluded_args_received) {
        return FinalizeResult::awaiting_secluded_args;
    }

    if (o.super_mode == SuperMode::fake_super && o.xattrs > 1) {
        return Unexpected{option_error("--fake-super conflicts with -XX")};
    }
    if (o.write_batch != 0 && o.read_batch) {
        return Unexpected{option_error("--write-batch and --read-batch can not be used together")};
    }
    if (o.write_batch > 0 || o.read_batch) {
        if (st.am_server) {
            st.warnings.push_back(std::string("ignoring --") +
                                  (o.write_batch != 0 ? "write" : "read") +
                                  "-batch option sent to server");
            o.read_batch = false;
            o.write_batch = 0;
            o.batch_name.reset();
        } else if (o.dry_run) {
            o.write_batch = 0;
        }
    } else if (o.write_batch < 0 && o.dry_run) {
        o.write_batch = 0;
    }
    if (o.read_batch && o.files_from) {
        return Unexpected{option_error("--read-batch cannot be used with --files-from")};
    }
    if (o.read_batch && o.remove_source_files != 0) {
        return Unexpected{option_error(std::string("--read-batch cannot be used with --remove-") +
                                       (o.remove_source_files == 1 ? "source" : "sent") +
                                       "-files")};
    }
    if (o.batch_name && o.batch_name->size() > k_max_batch_name_len) {
        return Unexpected{option_error("the batch-file name must be 256 characters or less.")};
    }
    if (o.temp_dir && o.temp_dir->size() >= k_max_path_len - 10) {
        return Unexpected{option_error("the --temp-dir path is WAY too long.")};
    }
    if (o.max_delete && *o.max_delete < 0) o.max_delete = 0;
    if (o.files_from) {
        if (st.recurse == 1) st.recurse = 0;
        if (st.xfer_dirs < 0) st.xfer_dirs = 1;
    }
    if (arg_count < 2 && !o.read_batch && !st.am_server) st.list_only |= 1;
    o.list_only = st.list_only != 0;
    o.list_only_given = st.list_only > 1;

    if (st.xfer_dirs >= 4) {
        o.filter_rules.push_back("- /*/*");
        o.old_dirs = true;
        st.recurse = 1;
        st.xfer_dirs = 1;
    } else if (st.recurse != 0) {
        st.xfer_dirs = 1;
    } else if (st.xfer_dirs < 0) {
        st.xfer_dirs = o.list_only ? 1 : 0;
    }
    o.recursive = st.recurse != 0;
    o.dirs = st.xfer_dirs != 0;
    o.dirs_given = st.xfer_dirs == 2;

    if (st.relative < 0) st.relative = o.files_from ? 1 : 0;
    o.relative = st.relative != 0;
    if (!o.relative) o.implied_dirs = false;

    if (st.delete_before + (st.delete_during != 0 ? 1 : 0) + st.delete_after > 1) {
        return Unexpected{option_error("You may not combine multiple --delete-WHEN options.")};
    }
    o.delete_timing_given = true;
    if (st.delete_before != 0)
        o.delete_mode = DeleteMode::before;
    else if (st.delete_during == 2)
        o.delete_mode = DeleteMode::delay;
    else if (st.delete_during != 0)
        o.delete_mode = DeleteMode::during;
    else if (st.delete_after != 0)
        o.delete_mode = DeleteMode::after;
    else {
        o.delete_timing_given = false;
        if (st.delete_plain || o.delete_excluded) o.delete_mode = DeleteMode::during;
    }
    if (!o.dirs && o.delete_mode != DeleteMode::none) {
        return Unexpected{
            option_error("--delete does not work without --recursive (-r) or --dirs (-d).")};
    }
    o.missing_args = st.missing_args >= 2   ? MissingArgs::remove
                     : st.missing_args == 1 ? MissingArgs::ignore
                                            : MissingArgs::error;

    if (o.confine_root) {
        if (st.am_daemon) {
            o.confine_root.reset();
        } else if (o.confine_root->empty() || (*o.confine_root)[0] != '/') {
            return Unexpected{option_error("--confine-root must be an absolute path")};
        } else if (o.insecure_links) {
            return Unexpected{
                option_error("--insecure-links cannot be combined with --confine-root")};
        }
    }

    if (auto r = settle_backups(st); !r) return Unexpected{r.error()};
    settle_output_format(st);
    if (auto r = settle_partial(st, env); !r) return Unexpected{r.error()};
    if (auto r = settle_files_from(st, arg_count); !r) return Unexpected{r.error()};

    if (st.whole_file >= 0) o.whole_file = st.whole_file > 0;
    o.hard_links = o.hard_links_level > 0;
    o.one_file_system = o.one_file_system_level > 0;
    o.server = st.am_server;
    return FinalizeResult::ready;
}

}  // namespace ursync::cli
