// The options value: one member per rsync option, as it stands after parsing (every role reads it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/output_levels.h"

namespace ursync::cli {

// When the receiver deletes extraneous files. A plain `--delete` is stored as `during` with
// `delete_timing_given == false`: rsync picks "during" for protocol >= 30 and "before" below.
enum class DeleteMode { none, before, during, delay, after };

// --delete-during and --delete-delay: each directory is scanned as the generator reaches it.
inline bool delete_during(DeleteMode m) { return m == DeleteMode::during || m == DeleteMode::delay; }
// --delete-delay and --delete-after: the deletions happen after the transfer.
inline bool delete_deferred(DeleteMode m) { return m == DeleteMode::delay || m == DeleteMode::after; }

// Where messages go (`--stderr=errors|all|client`, `--[no-]msgs2stderr`); rsync's msgs2stderr
// 2/1/0.
enum class StderrMode { errors, all, client };

// `--super` / `--no-super` / `--fake-super`; `unset` keeps rsync's default (super-user iff root).
enum class SuperMode { unset, super, no_super, fake_super };

// `--compare-dest` / `--copy-dest` / `--link-dest` (only one kind may be used, up to 20 dirs).
enum class AltDestKind { none, compare, copy, link };

// `--ignore-missing-args` / `--delete-missing-args`.
enum class MissingArgs { error, ignore, remove };

// What -z, --compress-choice and --compress-level ask for (rsync's do_compression after parsing).
// `negotiate` = compress with whatever both sides agree on (--compress-level without -z).
enum class Compression { off, negotiate, zlib, zlibx, lz4, zstd };

// Settings of `--daemon` mode (rsync parses these with a separate option table).
struct DaemonOptions {
    std::string config_file;           // --config
    std::vector<std::string> dparams;  // --dparam / -M, each "name=value"
    bool no_detach = false;            // --no-detach
    std::string address;               // --address
    int bwlimit = 0;                   // --bwlimit (daemon form: a plain integer)
    int port = 0;                      // --port
    std::string sockopts;              // --sockopts
    std::string log_file;              // --log-file
    std::string log_file_format;       // --log-file-format

    bool operator==(const DaemonOptions&) const = default;
};

struct Options {
    // ---- output ----
    int verbose = 0;                               // -v (repeatable)
    bool quiet = false;                            // -q
    OutputLevels info = OutputLevels::for_info();  // --info, plus what -v/--stats/--progress imply
    OutputLevels debug = OutputLevels::for_debug();  // --debug, plus what -v implies
    StderrMode stderr_mode = StderrMode::errors;
    bool stderr_mode_given = false;         // --stderr / --[no-]msgs2stderr was given
    bool motd = true;                       // --[no-]motd
    bool stats = false;                     // --stats
    int human_readable = 1;                 // -h (repeatable), --no-h = 0
    int itemize = 0;                        // -i (repeatable)
    bool progress = false;                  // --progress / -P
    bool eight_bit_output = false;          // -8
    std::optional<std::string> out_format;  // --out-format / --log-format as given
    std::string stdout_format;    // effective per-file output format ("%i %n%L" for -i, ...)
    int stdout_format_has_i = 0;  // rsync's stdout_format_has_i (2 means %I seen on a server)
    bool stdout_format_has_o_or_i = false;
    bool log_before_transfer = false;
    std::string log_file;          // --log-file
    std::string log_file_format;   // --log-file-format (defaulted to "%i %n%L" with --log-file)
    std::string outbuf;            // --outbuf (N, L or B)
    bool list_only = false;        // --list-only, or implied by a lone source argument
    bool list_only_given = false;  // --list-only was given (it is forwarded to the server)

    // ---- what to transfer ----
    bool recursive = false;             // -r / -a
    std::optional<bool> inc_recursive;  // --[no-]inc-recursive; nullopt = rsync's default (allowed)
    bool dirs = false;                  // directories are transferred (-d, -r, or a listing)
    bool dirs_given = false;   // -d itself is in effect (it puts `d` in the compact string)
    bool old_dirs = false;     // --old-dirs (implies "- /*/*" and recursion)
    bool relative = false;     // -R
    bool implied_dirs = true;  // --[no-]implied-dirs
    std::optional<std::string> files_from;       // --files-from
    std::optional<std::string> files_from_host;  // host of a remote --files-from ("" = the peer)
    bool from0 = false;                          // -0
    bool one_file_system = false;                // -x
    int one_file_system_level = 0;               // -xx = 2
    bool existing = false;                       // --existing / --ignore-non-existing
    bool ignore_existing = false;                // --ignore-existing
    std::optional<long long> max_size;           // --max-size, bytes
    std::optional<long long> min_size;           // --min-size, bytes
    std::string max_size_arg;                    // the canonical decimal text rsync forwards
    std::string min_size_arg;
    MissingArgs missing_args = MissingArgs::error;
    bool prune_empty_dirs = false;  // -m
    bool cvs_exclude = false;       // -C (":C" and "-C" are appended when the filter list is sent)
    // --filter/-f/-F/--exclude/--include/--*-from, in command-line order, as rsync rule text
    // ("- *.o", "+ keep/", ": /.rsync-filter", "!").
    std::vector<std::string> filter_rules;

    // ---- what to preserve ----
    bool links = false;       // -l
    bool copy_links = false;  // -L
    bool copy_unsafe_links = false;
    bool safe_links = false;
    bool insecure_links = false;
    bool munge_links = false;
    bool copy_dirlinks = false;      // -k
    bool keep_dirlinks = false;      // -K
    bool hard_links = false;         // -H
    int hard_links_level = 0;        // -HH = 2
    bool perms = false;              // -p
    bool executability = false;      // -E
    std::vector<std::string> chmod;  // --chmod, each as given
    bool acls = false;               // -A
    int xattrs = 0;                  // -X (repeatable)
    bool owner = false;              // -o
    bool group = false;              // -g
    bool devices = false;            // --devices / -D
    bool specials = false;           // --specials / -D
    bool copy_devices = false;
    bool write_devices = false;
    bool drop_devices = false;  // --drop-D
    bool times = false;         // -t
    int atimes = 0;             // -U (repeatable)
    bool open_noatime = false;
    bool crtimes = false;          // -N
    int omit_dir_times = 0;        // -O = 1; -1 when implied by --backup without --backup-dir
    bool omit_link_times = false;  // -J
    SuperMode super_mode = SuperMode::unset;
    bool numeric_ids = false;
    std::string usermap;   // --usermap, or "*:USER" from --chown
    std::string groupmap;  // --groupmap, or "*:GROUP" from --chown
    std::optional<std::string> copy_as;

    // ---- how to transfer ----
    bool checksum = false;  // -c
    std::optional<bool>
        whole_file;             // -W / --no-W; nullopt = rsync's default (whole file iff local)
    bool dry_run = false;       // -n
    bool ignore_times = false;  // -I
    bool size_only = false;
    std::optional<int> modify_window;  // -@ / --modify-window
    bool update = false;               // -u
    bool inplace = false;
    int append = 0;       // --append = 1, --append-verify = 2
    bool sparse = false;  // -S
    bool preallocate = false;
    bool partial = false;  // --partial / -P
    std::optional<std::string> partial_dir;
    bool partial_dir_implied = false;  // ".~tmp~" chosen by --delay-updates (not forwarded)
    bool delay_updates = false;
    std::optional<int> block_size;        // -B, bytes
    std::optional<std::string> temp_dir;  // -T
    int fuzzy = 0;                        // -y (repeatable)
    AltDestKind alt_dest = AltDestKind::none;
    std::vector<std::string> alt_dest_dirs;
    bool fsync = false;
    bool qsort = false;
    std::optional<long long> stop_at_utime;  // --stop-after / --stop-at: seconds since the epoch
    std::string stop_arg;

    // ---- deletion and backups ----
    DeleteMode delete_mode = DeleteMode::none;
    bool delete_timing_given = false;  // one of --delete-before/-during/-delay/-after/--del given
    bool delete_excluded = false;
    bool force_delete = false;  // --force
    bool ignore_errors = false;
    std::optional<int> max_delete;  // --max-delete (a negative value is stored as 0)
    int remove_source_files = 0;    // 1 = --remove-source-files, 2 = --remove-sent-files
    bool backup = false;            // -b (also implied by --backup-dir)
    std::optional<std::string> backup_dir;
    std::string suffix = "~";  // --suffix ("" by default when --backup-dir is given)
    bool suffix_given = false;

    // ---- compression and checksums ----
    Compression compression = Compression::off;  // what -z/--compress-choice/--zl asked for
    int compress_count = 0;                      // -z repeated (-zz means zlibx)
    std::string compress_choice;                 // the choice as rsync forwards it ("" = none made)
    std::optional<int> compress_level;
    int compress_threads = 0;
    std::optional<std::string> skip_compress;
    std::string checksum_choice;  // as given ("" = auto); may be "XFER,FILE"
    int checksum_seed = 0;

    // ---- connection ----
    std::string rsh;                   // effective remote shell: -e, else $RSYNC_RSH, else "ssh"
    bool rsh_given = false;            // -e was given (a daemon spec then runs over the shell)
    std::string rsync_path = "rsync";  // --rsync-path
    std::optional<int> protocol;       // --protocol
    std::optional<int> timeout;        // --timeout, seconds (0 = none)
    std::optional<int> contimeout;     // --contimeout, seconds
    std::optional<long long> bwlimit_bytes;  // --bwlimit as parsed (bytes per second)
    int bwlimit = 0;                         // KiB per second, as rsync forwards it
    std::string address;
    int port = 0;
    std::string sockopts;
    std::optional<std::string> password_file;
    std::optional<std::string> early_input;
    std::optional<bool> blocking_io;
    int address_family = 0;                   // 4 (-4), 6 (-6) or 0
    std::vector<std::string> remote_options;  // -M, each starting with '-'
    std::optional<std::string> iconv;         // --iconv (a server keeps none, as rsync does)
    bool secluded_args = false;  // -s: args travel on the connection, not the command line
    int old_args = 0;            // --old-args (repeatable)
    bool trust_sender = false;
    bool mkpath = false;
    std::optional<std::string> confine_root;
    std::optional<long long> max_alloc;  // bytes (0 = unlimited)
    std::string max_alloc_arg;           // as given, forwarded when not the default
    bool max_alloc_given = false;

    // ---- batch mode ----
    std::optional<std::string> batch_name;
    int write_batch = 0;  // 1 = --write-batch, -1 = --only-write-batch
    bool read_batch = false;

    // ---- role switches ----
    bool server = false;      // --server
    bool sender = false;      // --sender (only valid with --server)
    bool daemon = false;      // --daemon (or another daemon-only option)
    std::string client_info;  // on a server: the `-e` text (".iLsfxCIvu"), kept verbatim
    DaemonOptions daemon_options;

    bool operator==(const Options&) const = default;
};

}  // namespace ursync::cli
