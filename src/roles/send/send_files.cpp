// roles::send_files: the whole sending side of a session (file list, requests, end of run).
#include "protocol/mux_frame.h"
#include "protocol/varint.h"
#include "roles/common/flist_progress.h"
#include "roles/common/log_format.h"
#include "roles/filter/filter.h"
#include "roles/send/flist_build.h"
#include "roles/send/flist_send.h"
#include "roles/send/send_buffer.h"
#include "roles/send/send_files.h"
#include "roles/send/sender.h"

namespace ursync::roles {

namespace {

// A fatal error: reported as rsync does, the exit code noted, and MSG_ERROR_EXIT sent so the
// peer stops too (rsync log.c:log_exit + io.c's error-exit message).
engine::Task<void> fail_session(Session& s, SendBuffer& out, const session::SessionError& err) {
    // A local copy's receiver that failed has said why; the sender then only lost it.
    const bool echo = s.local && s.link && s.link->receiver_failed &&
                      err.code == ExitCode::stream_io;
    if (!err.what.empty() && !echo) {
        s.output.error("ursync: " + err.what + "\n");  // two messages: see run_session
        s.output.error(exit_line(err.code, "sender"));
    }
    s.state.note_exit(err.code);
    if (s.params.protocol >= 31 && exit_code_sent_to_peer(err.code) && !err.what.empty()) {
        (void)co_await out.commit(1);
        protocol::ByteWriter msg;
        protocol::put_int(msg, to_int(err.code));
        (void)co_await out.mux().send_message(protocol::MsgCode::error_exit, msg.bytes());
    }
    if (err.what.empty()) {
        // The peer asked us to stop (MSG_ERROR_EXIT): a sender acknowledges with an empty one.
        (void)co_await out.commit(1);
        (void)co_await out.mux().send_message(protocol::MsgCode::error_exit, {});
    }
    (void)co_await out.mux().flush();
}

// A pushing client prints what the server receiver deleted (MSG_DELETED: a directory's name
// ends in a NUL). mirrors rsync io.c's MSG_DELETED case + log.c:log_delete
void log_deleted(Session& s, const LogContext& ctx, std::string_view payload) {
    const cli::Options& o = s.options;
    if (o.info.level(cli::InfoWord::del) < 1 && o.stdout_format.empty()) return;
    const bool is_dir = !payload.empty() && payload.back() == '\0';
    if (is_dir) payload.remove_suffix(1);
    // %n ends a directory's name with '/'; the item is typeless so the formatter adds nothing.
    protocol::FileEntry e;
    e.name = std::string(payload) + (is_dir ? "/" : "");
    LogItem item;
    item.file = &e;
    item.name = e.name;
    item.iflags = k_item_deleted;
    const std::string fmt = o.stdout_format_has_o_or_i ? o.stdout_format : "deleting %n";
    std::string line = format_log_line(fmt, item, ctx) + "\n";
    if (s.link && s.link->sender && !s.link->deleted_seqs.empty()) {
        const uint64_t seq = s.link->deleted_seqs.front();
        s.link->deleted_seqs.pop_front();
        s.link->sender->ordered_line(seq, std::move(line));
        return;
    }
    s.output.info(line);
}

bool ends_with_cvs_rules(const std::vector<std::string>& rules) {
    const size_t n = rules.size();
    return n >= 2 && rules[n - 2] == ":C" && rules[n - 1] == "-C";
}

}  // namespace

namespace {

engine::Task<void> run_sending(Session& s, SendBuffer& out, std::vector<std::string> sources,
                               std::vector<std::string> filter_rules) {
    const cli::Options& o = s.options;
    // -C: the CVS rules come last (rsync recv_filter_list / send_filter_list).
    if (o.cvs_exclude && !ends_with_cvs_rules(filter_rules)) {
        filter_rules.emplace_back(":C");
        filter_rules.emplace_back("-C");
    }
    auto filters = FilterList::parse(filter_rules, FilterParseOptions{o.delete_excluded});
    if (!filters) {
        // (Named, not a temporary in the co_await: GCC 12 destroys such temporaries twice.)
        const session::SessionError err{filters.error().what, filters.error().code};
        co_await fail_session(s, out, err);
        co_return;
    }
    // A server sender given no path sends "." (rsync main.c:do_server_sender).
    if (s.am_server && sources.empty() && (o.recursive || o.dirs || o.list_only))
        sources.emplace_back(".");

    if (!s.am_server) {
        LogContext ctx;
        ctx.am_sender = true;
        ctx.local = s.local;
        ctx.preserve_mtimes = o.times;
        ctx.receiver_symlink_times = s.params.symlink_times;
        ctx.allow_8bit = o.eight_bit_output;
        s.hooks.deleted = [&s, ctx](std::string_view name) { log_deleted(s, ctx, name); };
    }
    FlistBuilder builder(s, std::move(*filters));
    protocol::NdxState ndx_in;
    protocol::NdxState ndx_out;
    SendList list(s, builder, out, ndx_out);

    const int flist_level = o.info.level(cli::InfoWord::flist);
    FlistProgress flist_progress(
        s.output, flist_level >= 1 && o.dirs && !s.am_server && !s.params.inc_recurse,
        flist_level);
    if (flist_progress.shown()) {
        flist_progress.start("building file list");
        list.set_flist_progress(&flist_progress);
    } else if (s.params.inc_recurse && flist_level >= 1 && !s.am_server) {
        s.output.info("sending incremental file list\n");
    }
    auto first = co_await list.send_first(sources);
    list.set_flist_progress(nullptr);
    if (!first) {
        co_await fail_session(s, out, first.error());
        co_return;
    }
    flist_progress.finish(list.list().entry_count());
    // A server with nothing to send is done (rsync exits right after the empty list).
    if (s.am_server && list.list().entry_count() == 0) co_return;

    Sender sender(s, list, out, ndx_in, ndx_out);
    auto ran = co_await sender.run();
    if (!ran) {
        co_await fail_session(s, out, ran.error());
        co_return;
    }
    auto finished = co_await sender.finish();
    if (!finished) co_await fail_session(s, out, finished.error());
}

}  // namespace

engine::Task<void> send_files(Session& s, std::vector<std::string> sources,
                              std::vector<std::string> filter_rules) {
    SendBuffer out(s.out);
    co_await run_sending(s, out, std::move(sources), std::move(filter_rules));
    // Messages queued for the client (a server's MSG_INFO lines) go out before we return.
    co_await s.output.flush();
    (void)co_await out.flush();
}

}  // namespace ursync::roles
