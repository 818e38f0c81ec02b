// The sender's request loop: validation, echoes, phases, NDX_DEL_STATS, stats and goodbye.
#include "roles/send/sender.h"

#include <cerrno>
#include <utility>

#include "protocol/file_entry.h"
#include "protocol/varint.h"
#include "roles/send/send_messages.h"
#include "roles/send/send_yield.h"

namespace ursync::roles {

using protocol::k_ndx_done;
using session::SessionError;
using session::SessionResult;

namespace {

// Phases after phase 0 (rsync max_phase for protocol >= 29).
constexpr int k_max_phase = 2;

}  // namespace

Sender::Sender(Session& s, SendList& list, SendBuffer& out, protocol::NdxState& ndx_in,
               protocol::NdxState& ndx_out)
    : s_(s),
      list_(list),
      out_(out),
      ndx_in_(ndx_in),
      ndx_out_(ndx_out),
      prefetch_(s.engine, list, s.params.xfer_checksum),
      io_error_at_start_(s.state.io_error) {
    if (s.options.remove_source_files != 0)
        s.hooks.success = [this](int32_t ndx) { return note_success(ndx); };
    if (s.params.compress == "zstd") {
        zstd_ = std::make_unique<protocol::ZstdTokenEncoder>(
            s.options.compress_level.value_or(protocol::k_zstd_level_default));
    }
    log_ctx_.am_sender = true;
    log_ctx_.local = s.local;  // a local copy shows transfers as '>' (rsync's local_server)
    log_ctx_.preserve_mtimes = s.options.times;
    log_ctx_.receiver_symlink_times = s.params.symlink_times;
    log_ctx_.allow_8bit = s.options.eight_bit_output;
    if (s.link && s.local && !s.am_server) s.link->sender = this;
}

Sender::~Sender() {
    if (s_.link && s_.link->sender == this) s_.link->sender = nullptr;
    s_.hooks.success = nullptr;
}

std::optional<LocalSourceRef> Sender::local_source(int32_t ndx) {
    auto found = list_.lookup(ndx);
    if (!found || !found->entry->is_regular()) return std::nullopt;
    FlistBuilder& builder = list_.builder();
    LocalSourceRef ref;
    ref.root = &builder.root(found->info->root);
    ref.name = found->entry->name;
    ref.full_name = builder.full_name(found->info->root, found->entry->name);
    ref.size = found->entry->size;
    return ref;
}

// Bytes a transfer of `len` data bytes takes on the wire from the sender: the echoed request and
// sum head, the literal tokens (rsync sends whole files in 32 KiB chunks, each with a 4-byte
// length), the end token and the file checksum, plus about one mux header per chunk. Local
// copies that move data kernel-side still report what rsync would have sent, as --stats does.
static int64_t wire_bytes_for(int64_t len, size_t digest_len) {
    constexpr int64_t k_chunk = 32 * 1024;
    const int64_t chunks = (len + k_chunk - 1) / k_chunk;
    return 3 + 16 + len + chunks * (4 + 4) + 4 + static_cast<int64_t>(digest_len);
}

std::optional<SendList::Item> Sender::count_local_transfer(int32_t ndx, uint16_t iflags) {
    auto found = list_.lookup(ndx);
    if (!found) return std::nullopt;
    if (!found->info->sent && (iflags & k_item_is_new)) count_created(*found->entry);
    ++s_.stats.xferred_files;
    s_.stats.total_transferred_size += found->entry->size;
    s_.stats.local_read += 3 + 16;  // the request: ndx, item flags, empty sum head
    return *found;
}

void Sender::local_sent(int32_t ndx, uint16_t iflags, int64_t bytes, LocalOrder order) {
    auto found = count_local_transfer(ndx, iflags);
    if (found) {
        s_.stats.literal_data += bytes;
        const int64_t wire = wire_bytes_for(bytes, protocol::digest_len(s_.params.xfer_checksum));
        s_.stats.local_written += wire;
        found->info->sent = true;
        SendRequest req;
        req.ndx = ndx;
        req.iflags = iflags;
        if (auto line = item_line(*found->entry, *found->info, req, wire)) add_line(order.seq, std::move(*line));
    }
    item_done(order.seq);
}

// mirrors the read-error report of rsync sender.c:send_files (the data was zero-filled there,
// so the receiver's checksum fails and the file is redone)
void Sender::local_read_error(int32_t ndx, uint16_t iflags, int64_t bytes, int err,
                              LocalOrder order) {
    local_sent(ndx, iflags, bytes, order);
    auto found = list_.lookup(ndx);
    if (!found) return;
    s_.state.io_error |= k_ioerr_general;
    s_.state.partial = true;
    s_.output.error(std::string(k_sender_sys_prefix) + "read errors mapping " +
                    list_.builder().full_name(found->info->root, found->entry->name) + ": " +
                    errno_text(err) + "\n");
}

void Sender::local_open_failed(int32_t ndx, uint16_t iflags, int err, LocalOrder order) {
    auto found = count_local_transfer(ndx, iflags);
    item_done(order.seq);
    if (!found) return;
    report_open_failure(list_.builder().full_name(found->info->root, found->entry->name), err,
                        err == ENOENT);
}

void Sender::ordered_line(uint64_t seq, std::string line) {
    add_line(seq, std::move(line));
    item_done(seq);
}

void Sender::print_line(std::string line) {
    if (record_seq_) {
        add_line(*record_seq_, std::move(line));
    } else {
        s_.output.info(line);
    }
}

void Sender::add_line(uint64_t seq, std::string line) {
    if (seq == next_line_) {
        s_.output.info(line);  // everything before it is out
        return;
    }
    deferred_[seq].lines.push_back(std::move(line));
}

void Sender::item_done(uint64_t seq) {
    if (seq == next_line_ && (deferred_.empty() || deferred_.begin()->first != seq)) {
        ++next_line_;  // nothing of it waits: the usual case, without touching the map
    } else {
        deferred_[seq].done = true;
    }
    emit_ready_lines();
}

void Sender::emit_ready_lines() {
    while (!deferred_.empty() && deferred_.begin()->first == next_line_) {
        Deferred& d = deferred_.begin()->second;
        for (const auto& line : d.lines) s_.output.info(line);
        d.lines.clear();
        if (!d.done) return;  // the head item goes on; its next lines print as they come
        deferred_.erase(deferred_.begin());
        ++next_line_;
    }
}

void Sender::record_done() {
    if (!record_seq_) return;
    const uint64_t seq = *record_seq_;
    record_seq_.reset();
    item_done(seq);
}

void Sender::report_open_failure(const std::string& full_name, int err, bool not_found) {
    if (not_found) {
        s_.state.io_error |= k_ioerr_vanished;
        s_.output.error("file has vanished: " + full_name + "\n");
    } else {
        s_.state.io_error |= k_ioerr_general;
        s_.state.partial = true;
        s_.output.error(std::string(k_sender_sys_prefix) + "send_files failed to open " +
                        full_name + ": " + errno_text(err) + "\n");
    }
}

engine::Task<SessionResult<void>> Sender::handle_del_stats() {
    int32_t counts[5] = {};
    for (int32_t& c : counts) {
        auto v = co_await s_.in.read_varint("the deletion statistics");
        if (!v) co_return Unexpected{std::move(v).error()};
        if (*v < 0 || *v > k_del_stat_max)
            co_return session::fail("invalid deletion count " + std::to_string(*v),
                                    ExitCode::protocol);
        c = *v;
    }
    if (s_.am_server) {
        // A server sender passes the counts on to its client (with its own ndx state).
        protocol::put_ndx(out_.w(), ndx_out_, protocol::k_ndx_del_stats);
        for (int32_t c : counts) protocol::put_varint(out_.w(), c);
    } else {
        TypeCounts& d = s_.stats.deleted_files;
        d.reg = counts[0];
        d.dir = counts[1];
        d.link = counts[2];
        d.dev = counts[3];
        d.special = counts[4];
        d.total = int64_t{counts[0]} + counts[1] + counts[2] + counts[3] + counts[4];
    }
    co_return SessionResult<void>{};
}

// mirrors rsync rsync.c:read_ndx_and_attrs for the sender
engine::Task<SessionResult<SendRequest>> Sender::read_request() {
    // What we produced goes out before we wait (MuxIn flushes MuxOut, not our buffer).
    list_.output_flushed();
    auto c = co_await out_.commit(1);
    if (!c) co_return Unexpected{std::move(c).error()};
    protocol::ItemRecordOptions record_options;
    record_options.xattr_requests =
        list_.xattrs() && s_.options.xattrs != 0 && !s_.options.dry_run;
    record_options.xattr_optim = s_.params.xattr_optim;
    for (;;) {
        auto req = co_await s_.in.decode<SendRequest>(
            [this, &record_options](protocol::ByteCursor& cur) {
                return protocol::get_item_record(cur, ndx_in_, record_options);
            },
            "a file index");
        if (!req) co_return Unexpected{std::move(req).error()};
        if (req->ndx >= 0 || req->ndx == k_ndx_done) co_return std::move(*req);
        if (req->ndx == protocol::k_ndx_del_stats) {
            auto d = co_await handle_del_stats();
            if (!d) co_return Unexpected{std::move(d).error()};
            continue;
        }
        co_return session::fail("Invalid file index: " + std::to_string(req->ndx) + " [sender]",
                                ExitCode::protocol);
    }
}

// mirrors rsync sender.c:receive_sums (sum head validated against the negotiated digest)
engine::Task<SessionResult<protocol::BlockSums>> Sender::read_sums(bool header_only) {
    const int digest_len = static_cast<int>(protocol::digest_len(s_.params.xfer_checksum));
    auto head = co_await s_.in.decode<protocol::SumHead>(
        [digest_len](protocol::ByteCursor& c) { return protocol::get_sum_head(c, digest_len); },
        "the sum header");
    if (!head) co_return Unexpected{std::move(head).error()};
    protocol::BlockSums sums;
    sums.head = *head;
    if (header_only) co_return sums;
    const uint64_t bytes = protocol::block_sums_size(*head);
    if (bytes > k_block_sums_bytes_max)
        co_return session::fail("block checksums too large (" + std::to_string(bytes) + " bytes)",
                                ExitCode::malloc);
    const auto count = static_cast<size_t>(head->count);
    const auto s2len = static_cast<size_t>(head->s2length);
    sums.weak.reserve(count);
    sums.strong.reserve(count * s2len);
    const size_t per_block = 4 + s2len;
    size_t got = 0;
    PeriodicYield guard(s_.engine);
    while (got < count) {
        co_await guard.tick();
        // Whole blocks in batches of about 64 KiB, straight from the input buffer.
        const size_t want = std::min(count - got, std::max<size_t>(1, 65536 / per_block));
        auto ready = co_await s_.in.need(want * per_block, "the block checksums");
        if (!ready) co_return Unexpected{std::move(ready).error()};
        auto avail = s_.in.available();
        for (size_t b = 0; b < want; ++b) {
            const std::byte* p = avail.data() + b * per_block;
            const uint32_t weak = static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
                                  static_cast<uint32_t>(p[2]) << 16 |
                                  static_cast<uint32_t>(p[3]) << 24;
            sums.weak.push_back(weak);
            sums.strong.insert(sums.strong.end(), p + 4, p + per_block);
        }
        s_.in.consume(want * per_block);
        got += want;
    }
    co_return sums;
}

void Sender::write_echo(const SendRequest& req, const protocol::FileEntry& entry,
                        const SendInfo& info) {
    SendRequest echo = req;
    echo.xattr_nums.reset();  // the answer, not the request, follows the echo
    protocol::put_item_record(out_.w(), ndx_out_, echo);
    if (req.xattr_nums) {
        FlistBuilder& builder = list_.builder();
        list_.xattrs()->put_answer(out_.w(), entry, builder.root(info.root),
                                   builder.full_name(info.root, entry.name));
    }
}

void Sender::count_created(const protocol::FileEntry& entry) {
    s_.stats.created_files.add(entry.mode);
}

// A client sender prints the items (rsync log.c:log_item with the stdout format).
std::optional<std::string> Sender::item_line(const protocol::FileEntry& entry, const SendInfo& info,
                                             const SendRequest& req, int64_t bytes) const {
    if (s_.am_server || s_.options.stdout_format.empty()) return std::nullopt;
    LogItem item;
    item.file = &entry;
    item.name = entry.name;
    item.iflags = req.iflags;
    item.hlink_target = req.xname;
    item.bytes = bytes;
    item.dir = list_.builder().root_dir(info.root);  // %f: rsync's F_PATHNAME
    return format_log_line(s_.options.stdout_format, item, log_ctx_) + "\n";
}

void Sender::log_item(const protocol::FileEntry& entry, const SendInfo& info,
                      const SendRequest& req, int64_t bytes) {
    if (auto line = item_line(entry, info, req, bytes)) print_line(std::move(*line));
}

// mirrors rsync log.c:maybe_log_item (client side)
void Sender::maybe_log_item(const protocol::FileEntry& entry, const SendInfo& info,
                            const SendRequest& req) {
    if (s_.am_server) return;
    const uint32_t significant = req.iflags & k_item_significant;
    const int has_i = s_.options.stdout_format_has_i;
    const bool name2 = s_.options.info.level(cli::InfoWord::name) >= 2;
    const bool see_item = has_i && (significant || !req.xname.empty() || has_i > 1 || name2);
    const bool local_change = (req.iflags & k_item_local_change) && significant;
    if (see_item || local_change || !req.xname.empty() || (entry.is_dir() && significant))
        log_item(entry, info, req, 0);
}

void Sender::log_before_data(const protocol::FileEntry& entry, const SendInfo& info,
                             const SendRequest& req) {
    const cli::Options& o = s_.options;
    if (o.log_before_transfer) {
        log_item(entry, info, req, 0);
    } else if (!s_.am_server && o.info.level(cli::InfoWord::name) >= 1 &&
               o.info.level(cli::InfoWord::progress) == 1) {
        print_line(entry.name + "\n");
    }
}

ProgressTotals Sender::progress_totals() const {
    return ProgressTotals{s_.stats.num_files.total, s_.stats.total_size, list_.eof()};
}

engine::Task<SessionResult<void>> Sender::run() {
    PeriodicYield guard(s_.engine);
    for (;;) {
        co_await guard.tick();
        if (s_.params.inc_recurse) {
            auto more = co_await list_.send_more(k_flist_lookahead_entries);
            if (!more) co_return more;
        }
        record_done();  // the lines of later items may follow the last record's now
        auto req = co_await read_request();
        if (!req) co_return Unexpected{std::move(req).error()};
        if (!to_remove_.empty()) co_await remove_sent_sources();
        if (req->ndx >= 0 && s_.link && s_.link->sender == this && !s_.link->record_seqs.empty()) {
            record_seq_ = s_.link->record_seqs.front();
            s_.link->record_seqs.pop_front();
        }
        if (req->ndx == k_ndx_done) {
            if (s_.progress) {
                if (auto seg = list_.current_segment())
                    s_.progress->end_list(list_.list().last_position(*seg), progress_totals());
            }
            if (s_.params.inc_recurse && list_.unfinished_segments() > 0) {
                list_.finish_oldest();
                if (list_.unfinished_segments() > 0) {
                    protocol::put_ndx(out_.w(), ndx_out_, k_ndx_done);
                    continue;
                }
            }
            if (++phase_ > k_max_phase) break;
            protocol::put_ndx(out_.w(), ndx_out_, k_ndx_done);
            continue;
        }
        if (s_.params.inc_recurse) {
            auto more = co_await list_.send_more(k_flist_lookahead_entries);
            if (!more) co_return more;
        }
        auto found = list_.lookup(req->ndx);
        if (!found) co_return Unexpected{std::move(found).error()};
        const protocol::FileEntry& entry = *found->entry;
        SendInfo& info = *found->info;
        if (req->xattr_nums) {
            auto marked = list_.xattrs()->mark_asked(entry, *req->xattr_nums);
            if (!marked) co_return marked;
        }
        if (!(req->iflags & k_item_transfer)) {
            maybe_log_item(entry, info, *req);
            write_echo(*req, entry, info);
            if (req->iflags & k_item_is_new) count_created(entry);
            auto c = co_await out_.commit();
            if (!c) co_return c;
            continue;
        }
        if (!entry.is_regular()) {
            co_return session::fail("received request to transfer non-regular file: " +
                                        std::to_string(req->ndx) + " [sender]",
                                    ExitCode::protocol);
        }
        if (phase_ == k_max_phase) {
            co_return session::fail("got transfer request in phase 2 [sender]", ExitCode::protocol);
        }
        auto sent = co_await send_file(*req, entry, info);
        if (!sent) co_return sent;
    }
    record_done();
    if (s_.state.io_error != io_error_at_start_) {
        auto c = co_await out_.commit(1);
        if (!c) co_return c;
        protocol::ByteWriter msg;
        protocol::put_int(msg, s_.state.io_error);
        auto m = co_await out_.mux().send_message(protocol::MsgCode::io_error, msg.bytes());
        if (!m) co_return m;
    }
    protocol::put_ndx(out_.w(), ndx_out_, k_ndx_done);
    co_return co_await out_.flush();
}

engine::Task<SessionResult<void>> Sender::finish() {
    if (!to_remove_.empty()) co_await remove_sent_sources();
    if (s_.am_server) {
        // The client receiver reads these as its own totals (read/written swapped).
        auto f = co_await out_.flush();
        if (!f) co_return f;
        protocol::ByteWriter w;
        protocol::put_varlong(w, static_cast<int64_t>(s_.in.bytes_read()), 3);
        protocol::put_varlong(w, static_cast<int64_t>(out_.mux().bytes_written()), 3);
        protocol::put_varlong(w, s_.stats.total_size, 3);
        protocol::put_varlong(w, s_.stats.flist_buildtime_ms, 3);
        protocol::put_varlong(w, s_.stats.flist_xfertime_ms, 3);
        out_.w().put(w.bytes());
    }
    // mirrors rsync main.c:read_final_goodbye
    auto req = co_await read_request();
    if (!req) co_return Unexpected{std::move(req).error()};
    if (s_.params.protocol >= 31 && req->ndx == k_ndx_done) {
        protocol::put_ndx(out_.w(), ndx_out_, k_ndx_done);
        req = co_await read_request();
        if (!req) co_return Unexpected{std::move(req).error()};
    }
    if (req->ndx != k_ndx_done) {
        co_return session::fail(
            "Invalid packet at end of run (" + std::to_string(req->ndx) + ") [sender]",
            ExitCode::protocol);
    }
    co_return co_await out_.flush();
}

}  // namespace ursync::roles
