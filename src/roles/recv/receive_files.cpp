// receive_files: the receiving side of a session (rsync's do_recv): file list, destination,
// then the generator and receiver coroutines side by side until the end-of-run exchange.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "engine/event.h"
#include "fs/rel_path.h"
#include "protocol/varint.h"
#include "roles/common/files_from.h"
#include "roles/recv/core/flist_recv.h"
#include "roles/recv/core/recv_backup.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/core/recv_ids.h"
#include "roles/recv/generator/generator.h"
#include "roles/recv/generator/local_copier.h"
#include "roles/recv/generator/recv_altdest.h"
#include "roles/recv/receive_files.h"
#include "roles/recv/receiver/receiver.h"

#include <optional>

namespace ursync::roles {

namespace {

// Read once at start-up (static initialisation, before any engine runs): the engine thread
// makes no syscall but io_uring_enter once it runs. The process never changes its uid.
const bool k_euid_is_root = ::geteuid() == 0;

bool am_root_for(const cli::Options& o) {
    switch (o.super_mode) {
        case cli::SuperMode::super: return true;
        case cli::SuperMode::no_super:
        case cli::SuperMode::fake_super: return false;
        case cli::SuperMode::unset: break;
    }
    return k_euid_is_root;
}

// mirrors rsync main.c:get_local_name: a directory destination (created if several items come,
// or the path ends in '/'), or a single file's new name in its parent directory.
engine::Task<SessionResult<void>> set_up_destination(RecvContext& ctx, std::string dest) {
    auto& s = ctx.s;
    const auto& o = s.options;
    if (dest.empty()) dest = ".";
    size_t file_total = ctx.flist.entry_count();

    struct statx stx {};
    auto r = co_await s.engine.statx(AT_FDCWD, dest.c_str(), 0, STATX_TYPE, &stx);
    const bool exists = r.ok();
    if (!exists && r.err() != ENOENT) {
        co_return session::fail("ERROR: cannot stat destination \"" + dest + "\": " +
                                    errno_text(r.err()),
                                ExitCode::file_select);
    }
    const size_t slash = dest.rfind('/');
    const bool trailing_slash = slash != std::string::npos && slash + 1 == dest.size();
    bool now_exists = exists;
    if (o.mkpath && !exists && (slash != std::string::npos || file_total > 1)) {
        // --mkpath: the missing directories of the destination path first (rsync's make_path).
        const bool whole = file_total > 1 && !trailing_slash;
        const std::string path = whole ? dest : dest.substr(0, slash == std::string::npos ? 0 : slash);
        int created = 0;
        for (size_t pos = 1; pos <= path.size(); ++pos) {
            if (pos != path.size() && path[pos] != '/') continue;
            const std::string part = path.substr(0, pos);
            auto made = co_await s.engine.mkdirat(AT_FDCWD, part.c_str(), 0777);
            if (made) {
                created++;
            } else if (made.err() != EEXIST) {
                co_return session::fail("ursync: [Receiver] mkdir \"" + part + "\" failed: " +
                                            errno_text(made.err()),
                                        ExitCode::file_io);
            }
        }
        if (created && (o.info.level(cli::InfoWord::name) >= 1 || o.stdout_format_has_i != 0)) {
            s.output.info("created " + std::to_string(created) +
                          (created == 1 ? " directory" : " directories") + " for " + path + "\n");
        }
        if (created) {
            r = co_await s.engine.statx(AT_FDCWD, dest.c_str(), 0, STATX_TYPE, &stx);
            now_exists = r.ok();
        }
    }
    const bool is_dir = now_exists && S_ISDIR(stx.stx_mode);

    if (now_exists && !is_dir) {
        if (file_total > 1) {
            co_return session::fail(
                "ERROR: destination must be a directory when copying more than 1 file",
                ExitCode::file_select);
        }
        if (file_total == 1 && ctx.flist.segments()[0].entries[0].is_dir()) {
            co_return session::fail("ERROR: cannot overwrite non-directory with a directory",
                                    ExitCode::file_select);
        }
    }
    std::string root_path = dest;
    if (!is_dir && (file_total > 1 || trailing_slash)) {
        if (trailing_slash && dest.size() > 1) dest.pop_back();
        if (now_exists) {
            co_return session::fail("ERROR: destination path is not a directory",
                                    ExitCode::syntax);
        }
        if (!o.dry_run) {
            auto made = co_await s.engine.mkdirat(AT_FDCWD, dest.c_str(), 0777);
            if (!made) {
                co_return session::fail("ursync: [Receiver] mkdir \"" + dest + "\" failed: " +
                                            errno_text(made.err()),
                                        ExitCode::file_io);
            }
        }
        auto& first = ctx.flist.segments()[0];
        if (!first.entries.empty() && first.entries[0].name == ".")
            ctx.progress[0].state[0].dir_created = true;
        if (o.info.level(cli::InfoWord::name) >= 1 || o.stdout_format_has_i != 0)
            s.output.info("created directory " + dest + "\n");
        if (o.dry_run) {
            ctx.dry_dest_missing = true;
            co_return SessionResult<void>{};
        }
        root_path = dest;
    } else if (!is_dir) {
        // A single file: its parent directory is the root, the last component its name.
        if (slash == std::string::npos) {
            root_path = ".";
            ctx.local_name = dest;
        } else {
            root_path = slash == 0 ? "/" : dest.substr(0, slash);
            ctx.local_name = dest.substr(slash + 1);
        }
    }
    auto root = co_await fs::DirRoot::open_root(s.engine, root_path);
    if (!root) {
        co_return session::fail("change_dir \"" + root_path + "\" failed: " +
                                    errno_text(root.error().err),
                                ExitCode::file_select);
    }
    ctx.root = std::move(*root);
    co_return SessionResult<void>{};
}

// The error, then rsync's exit line for it (as rsync's exit_cleanup prints it).
void report_fatal(Session& s, const SessionError& e) {
    s.output.error(e.what + "\n");
    s.output.error(exit_line(e.code, "receiver"));
    s.state.note_exit(e.code);
    if (s.link) s.link->receiver_failed = true;
}

// A fatal error ends the run at both ends: reported, then (protocol 31+, a remote peer) the
// peer is told the exit code with MSG_ERROR_EXIT, as rsync's _exit_cleanup does, so a stock
// client exits with it instead of "connection unexpectedly closed" (12). Then the peer's
// input is read and dropped until it closes (rsync's noop_io_until_death, bounded by 60 s
// unless --timeout is set), so our last words reach it before the connection ends.
engine::Task<void> fail_run(Session& s, const SessionError& e) {
    report_fatal(s, e);
    const bool tell_peer = !s.local && !e.what.empty() && s.params.protocol >= 31 &&
                           s.out.multiplexed() && exit_code_sent_to_peer(e.code);
    if (!tell_peer) co_return;
    co_await s.output.flush();
    protocol::ByteWriter msg;
    protocol::put_int(msg, to_int(e.code));
    if (!co_await s.out.send_message(protocol::MsgCode::error_exit, msg.bytes())) co_return;
    if (!co_await s.out.flush()) co_return;
    s.in.bound_waits_ms(60'000);
    co_await s.in.drain("the peer's end after an error");
}

// Not inlined into the coroutine: g++ 12 built the call in receive_files' frame wrongly under
// ASan (a garbage reference reached requested_names_for).
[[gnu::noinline]] void set_requested_names(RecvContext& ctx,
                                           const std::vector<std::string>& source_args) {
    ctx.requested = requested_names_for(ctx.s.options, source_args, ctx.s.params.protocol);
}

// A receiving side with a local --files-from list sends it to the sender over the connection
// while it reads the file list (rsync io.c:start_filesfrom_forwarding), in a task of its own
// so that neither side waits on the other. `done` is set when it has gone out (or failed).
engine::Task<void> forward_names(Session& s, std::string bytes, engine::Event& done) {
    const std::span<const std::byte> data(reinterpret_cast<const std::byte*>(bytes.data()),
                                          bytes.size());
    // Below protocol 31 rsync sends the list outside the multiplexed frames.
    // (No co_await inside a conditional expression: GCC 12 mishandles its temporaries.)
    SessionResult<void> sent;
    if (s.params.protocol < 31) {
        sent = co_await s.out.send_unframed(data);
    } else {
        sent = co_await s.out.send(data);
    }
    if (sent) (void)co_await s.out.flush();
    done.set();
}


[[gnu::noinline]] void set_requested_list_names(RecvContext& ctx,
                                                const std::vector<std::string>& names) {
    // The names a pulling client forwards are what it asked for (rsync's add_implied_include
    // for each forwarded name, as written: a "../x" the sender cleans to "x" is refused, as
    // by rsync), not the source directory.
    const std::vector<std::string> none;
    ctx.requested = requested_names_for(ctx.s.options, none, ctx.s.params.protocol);
    if (!ctx.requested.implied) return;
    for (const auto& name : names) ctx.requested.implied->add_arg(name);
}

engine::Task<void> receive_files_now(Session& s, std::string dest,
                                     std::vector<std::string> filter_rules,
                                     std::vector<std::string>* list_names);

}  // namespace

engine::Task<void> receive_files(Session& s, std::string dest,
                                 std::vector<std::string> filter_rules) {
    const cli::Options& o = s.options;
    if (!o.files_from || o.files_from_host) {
        co_await receive_files_now(s, std::move(dest), std::move(filter_rules), nullptr);
        co_return;
    }
    // (Named locals: GCC 12 destroys some temporaries made inside a co_await twice.)
    std::string data;
    int err = 0;
    const std::string path = *o.files_from;
    auto read_all = [&path, &data, &err] { err = read_files_from_file(path, data); };
    co_await s.engine.offload(read_all);
    if (err != 0) {
        std::string text = "failed to open files-from file " + path + ": " + std::strerror(err);
        const SessionError failure{std::move(text), ExitCode::syntax};
        co_await fail_run(s, failure);
        co_return;
    }
    std::string bytes = forward_files_from(data, o.from0);
    FilesFromNames split = split_files_from(bytes, FilesFromFormat{true, false}, true);
    std::vector<std::string> names = std::move(split.names);
    engine::Event forwarded(s.engine);
    s.engine.spawn(forward_names(s, std::move(bytes), forwarded));
    co_await receive_files_now(s, std::move(dest), std::move(filter_rules), &names);
    co_await forwarded;
}

namespace {

engine::Task<void> receive_files_now(Session& s, std::string dest,
                                     std::vector<std::string> filter_rules,
                                     std::vector<std::string>* list_names) {
    RecvContext ctx(s);
    ctx.fopts = flist_options_for(s.options, s.params);
    ctx.filter_rules = std::move(filter_rules);
    FilterParseOptions parse_options;
    parse_options.delete_excluded = s.options.delete_excluded;
    auto filters = FilterList::parse(ctx.filter_rules, parse_options);
    if (!filters) {
        const SessionError err{filters.error().what, filters.error().code};
        co_await fail_run(s, err);
        co_return;
    }
    ctx.filters = std::move(*filters);
    // A relative partial dir (--delay-updates' ".~tmp~") is never ours to delete, as in rsync's
    // options.c, which adds it to the filter list.
    const auto& pd = s.options.partial_dir;
    if (pd && !pd->empty() && pd->front() != '/') {
        auto added = ctx.filters.add("- " + *pd + "/");
        if (!added) {
            const SessionError err{added.error().what, added.error().code};
            co_await fail_run(s, err);
            co_return;
        }
    }
    if (s.source_args && list_names)
        set_requested_list_names(ctx, *list_names);
    else if (s.source_args)
        set_requested_names(ctx, *s.source_args);
    ctx.am_root = am_root_for(s.options);
    if (s.options.xattrs > 0) {
        ctx.xattrs = std::make_unique<RecvXattrs>();
        ctx.xattrs->optim = s.params.xattr_optim;
        XattrNames& names = ctx.xattrs->names;
        names.level = s.options.xattrs;
        names.am_root = ctx.am_root;
        names.rules = ctx.filters.has_xattr_rules() ? &ctx.filters : nullptr;
        names.side = FilterSide::receiver;
    }
    ctx.log_ctx.am_sender = false;
    ctx.log_ctx.preserve_mtimes = s.options.times;
    ctx.log_ctx.receiver_symlink_times = true;
    ctx.log_ctx.allow_8bit = s.options.eight_bit_output;
    s.hooks.no_send = [&ctx](int32_t ndx) { return note_no_send(ctx, ndx); };

    auto first = co_await parse_id_maps(ctx);
    if (first) first = co_await recv_first_file_list(ctx);
    if (first && !s.am_server && !s.local && ctx.flist.segments().front().entries.empty()) {
        // A pulling client sent an empty list (the source is missing): no destination is
        // made and nothing more is exchanged; the sender's exit code is the run's.
        // mirrors rsync main.c:client_run (flist->used == 0)
        s.hooks.no_send = nullptr;
        co_return;
    }
    if (first && !s.options.list_only) first = co_await set_up_destination(ctx, dest);
    if (!first) {
        s.hooks.no_send = nullptr;
        co_await fail_run(s, first.error());
        co_return;
    }
    {
        auto backup = co_await open_backup_target(ctx);
        if (!backup) {
            s.hooks.no_send = nullptr;
            co_await fail_run(s, backup.error());
            co_return;
        }
        ctx.backup = std::move(*backup);
    }
    co_await open_alt_dests(ctx);
    if (s.options.temp_dir && ctx.root && !s.options.dry_run) {
        // -T: relative to the destination, as the receiver's working directory is in rsync.
        const std::string& t = *s.options.temp_dir;
        std::string path = !t.empty() && t.front() == '/' ? t : ctx.root->path() + "/" + t;
        auto opened = co_await fs::DirRoot::open_root(s.engine, path);
        if (!opened) {
            const SessionError err{"ursync: [receiver] cannot use --temp-dir \"" + t + "\": " +
                                       errno_text(opened.error().err),
                                   ExitCode::file_io};
            s.hooks.no_send = nullptr;
            co_await fail_run(s, err);
            co_return;
        }
        ctx.temp_root = std::move(*opened);
    }
    // -b without --backup-dir on a receiving client: the backups are protected from --delete
    // (rsync options.c adds "P *~"; a server gets the rule from its client).
    const auto& o = s.options;
    if (!s.am_server && o.backup && !o.backup_dir && o.delete_mode != cli::DeleteMode::none &&
        !o.delete_excluded) {
        auto added = ctx.filters.add("P *" + o.suffix);
        if (!added) {
            const SessionError err{added.error().what, added.error().code};
            co_await fail_run(s, err);
            co_return;
        }
    }
    std::optional<LocalCopier> copier;
    if (s.local && s.link) {
        copier.emplace(ctx, *s.link);
        ctx.link = s.link;
    }
    s.engine.spawn(run_generator(ctx, copier ? &*copier : nullptr));
    co_await run_receiver(ctx);
    // The generator stops at its next check once ctx.fatal is set.
    co_await ctx.generator_done;
    s.hooks.no_send = nullptr;
    if (ctx.fatal) co_await fail_run(s, *ctx.fatal);
    if (s.am_server) {
        s.stats.total_read = static_cast<int64_t>(s.in.bytes_read());
        s.stats.total_written = static_cast<int64_t>(s.out.bytes_written());
    }
}

}  // namespace

}  // namespace ursync::roles
