// One file's data: open confined, echo the request and sum head, tokens from the delta search.
#include <algorithm>
#include <cstring>

#include "protocol/mux_frame.h"
#include "protocol/varint.h"
#include "roles/send/match.h"
#include "roles/send/send_messages.h"
#include "roles/send/sender.h"

namespace ursync::roles {

using session::SessionResult;

namespace {

// The file's bytes the delta search looks at: [start, end()), kept in one reused buffer
// (bytes before `start` are dropped by moving the rest to the front when that is cheap).
struct FileWindow {
    std::vector<std::byte> buf;
    size_t head = 0;  // buf[head] is the byte at file offset `start`
    size_t tail = 0;  // one past the last valid byte in buf
    int64_t start = 0;
    int64_t end() const { return start + static_cast<int64_t>(tail - head); }
    std::span<std::byte> data() { return {buf.data() + head, tail - head}; }
    void drop_before(int64_t off) {
        if (off <= start) return;
        const auto n = static_cast<size_t>(std::min<int64_t>(off, end()) - start);
        head += n;
        start += static_cast<int64_t>(n);
        if (head == tail) head = tail = 0;
    }
    // Room for `n` more bytes after tail (uninitialised until read into). The kept bytes are
    // moved so that the next read lands 64-byte aligned (the kernel's copy is much slower to
    // a misaligned buffer; see app/aligned_new.cpp).
    std::span<std::byte> reserve_tail(size_t n) {
        if (tail + n > buf.size()) {
            if (head > 0) {
                const size_t kept = tail - head;
                const size_t pad = (64 - kept % 64) % 64;
                if (pad < head) {
                    std::memmove(buf.data() + pad, buf.data() + head, kept);
                    head = pad;
                    tail = pad + kept;
                }
            }
            if (tail + n > buf.size()) buf.resize(tail + n);
        }
        return {buf.data() + tail, n};
    }
};

}  // namespace

// Literal pieces shorter than this are copied in with the token headers around them (a delta's
// short runs), longer ones go to the wire from the file's buffer.
constexpr size_t k_literal_inline_bytes_max = 512;

engine::Task<SessionResult<void>> Sender::send_tokens(const TokenSink& sink) {
    const protocol::Bytes bytes(sink.bytes.bytes());
    size_t at = 0;
    for (const TokenSink::Piece& p : sink.pieces) {
        out_.w().put(bytes.subspan(at, p.bytes_end - at));
        at = p.bytes_end;
        if (p.literal.size() < k_literal_inline_bytes_max) {
            out_.w().put(p.literal);
            continue;
        }
        auto r = co_await out_.put_data(p.literal);
        if (!r) co_return r;
    }
    out_.w().put(bytes.subspan(at));
    co_return SessionResult<void>{};
}

// mirrors rsync sender.c: the receiver writes into the basis it reads (an --inplace update of
// the file itself, or a --partial-dir basis when the client has the inplace-partial capability)
bool Sender::updating_basis_file(const SendRequest& req) const {
    const bool inplace_partial = (s_.params.compat_flags & protocol::k_cf_inplace_partial_dir) != 0;
    if (inplace_partial && req.basis_type == protocol::k_fnamecmp_partial_dir) return true;
    return s_.options.inplace && req.basis_type == protocol::k_fnamecmp_fname;
}

// mirrors the transfer part of rsync sender.c:send_files and match.c:match_sums
engine::Task<SessionResult<void>> Sender::send_file(const SendRequest& req,
                                                    const protocol::FileEntry& entry,
                                                    SendInfo& info) {
    if (!info.sent && (req.iflags & k_item_is_new)) count_created(entry);
    ++s_.stats.xferred_files;
    s_.stats.total_transferred_size += entry.size;
    if (s_.progress) {
        // lookup() just made the request's segment the current one.
        const size_t seg = list_.current_segment().value_or(0);
        s_.progress->begin_file(entry.size, list_.list().position(req.ndx, seg),
                                progress_totals());
    }

    if (s_.options.dry_run) {
        log_item(entry, info, req, 0);
        write_echo(req, entry, info);
        co_return co_await out_.commit();
    }
    // --append: the first request of a file gets its header only; a redo is a normal
    // transfer (rsync turns append_mode off while FLAG_FILE_SENT is set).
    const int append = info.sent ? 0 : s_.options.append;
    auto sums = co_await read_sums(append > 0);
    if (!sums) co_return Unexpected{std::move(sums).error()};

    // Opened (and, when small, read and hashed) by a worker job, usually one started for an
    // earlier request; redo requests (phase 1) do not read ahead.
    FlistBuilder& builder = list_.builder();
    PrefetchedFile src = co_await prefetch_.take(req.ndx, phase_ == 0);
    if (src.read.err != 0) {
        const int err = src.read.err;
        report_open_failure(builder.full_name(info.root, entry.name), err, err == ENOENT);
        auto c = co_await out_.commit(1);
        if (!c) co_return c;
        protocol::ByteWriter msg;
        protocol::put_int(msg, req.ndx);
        co_return co_await out_.mux().send_message(protocol::MsgCode::no_send, msg.bytes());
    }
    const auto file_len = static_cast<int64_t>(src.read.size);
    if (append > 0 && file_len < entry.size) {
        // mirrors rsync sender.c: the file shrank since it was listed
        s_.output.error("skipped diminished file: " +
                          builder.full_name(info.root, entry.name) + "\n");
        if (src.read.fd >= 0) co_await s_.engine.close(src.read.fd);
        if (s_.params.protocol < 30) co_return SessionResult<void>{};
        protocol::ByteWriter msg;
        protocol::put_int(msg, req.ndx);
        co_return co_await out_.mux().send_message(protocol::MsgCode::no_send, msg.bytes());
    }
    // The bytes the receiver already has (rsync's s->flength), never more than the file.
    int64_t kept = 0;
    if (append > 0) {
        const auto& h = sums->head;
        kept = int64_t{h.count} * h.blength;
        if (h.remainder != 0) kept -= h.blength - h.remainder;
        kept = std::clamp<int64_t>(kept, 0, file_len);
    }
    const uint64_t bytes_before = out_.produced();

    write_echo(req, entry, info);
    protocol::put_sum_head(out_.w(), sums->head);
    log_before_data(entry, info, req);

    protocol::BlockSums no_sums;
    DeltaMatcher matcher(
        append > 0 ? no_sums : *sums, file_len,
        DeltaMatcher::Config{s_.params.xfer_checksum, s_.params.seed,
                             s_.params.seed_first ? protocol::Md5SeedOrder::seed_first
                                                  : protocol::Md5SeedOrder::seed_last,
                             updating_basis_file(req)});
    matcher.start_at(kept);
    const TokenOut tokens{zstd_.get()};
    TokenSink sink;
    bool shown_first = false;
    auto show_progress = [&] {
        if (s_.progress && file_len > 0 && matcher.first_position() >= 0) {
            // rsync shows progress after every token; one step writes many, so the first
            // token's position (the first line of a file) is shown on its own.
            if (!shown_first) s_.progress->show(matcher.first_position(), file_len);
            shown_first = true;
            s_.progress->show(matcher.position(), file_len);
        }
    };
    int read_error = 0;
    protocol::Digest digest;
    SessionResult<void> result;
    if (src.read.whole) {
        // The whole file is in memory: one step. Without block sums or compression that step
        // only cuts the data into literal runs, cheaper than a hand-off.
        const protocol::Bytes data = src.read.data();
        protocol::WireResult<bool> stepped = false;
        if ((sums->head.count == 0 || append > 0) && !zstd_) {
            stepped = matcher.step(data, 0, sink, tokens);
        } else {
            stepped =
                co_await s_.engine.offload([&] { return matcher.step(data, 0, sink, tokens); });
        }
        if (!stepped) {
            result = session::fail("token stream: " + protocol::describe(stepped.error()),
                                   ExitCode::stream_io);
        } else {
            result = co_await send_tokens(sink);
            if (result) result = co_await out_.commit();
            show_progress();
        }
        read_error = src.read.read_err;
        digest = src.digest;
        if (append == 1 && kept > 0) {
            // --append: the file sum covers the sent data only (--append-verify: all of it).
            protocol::FileHasher hasher(s_.params.xfer_checksum);
            hasher.update(data.subspan(static_cast<size_t>(kept)));
            digest = hasher.finish();
        }
    } else {
        const int fd = src.read.fd;
        protocol::FileHasher hasher(s_.params.xfer_checksum);
        FileWindow win;
        while (!matcher.done()) {
            win.drop_before(matcher.keep_from());
            // Read ahead in large pieces, at least as far as the search needs.
            const int64_t target =
                std::min(file_len, std::max(matcher.wanted_end(),
                                            win.end() + static_cast<int64_t>(k_sender_read_bytes)));
            const int64_t fresh_from = win.end();
            while (win.end() < target) {
                const auto off = static_cast<uint64_t>(win.end());
                const auto want = static_cast<size_t>(target - win.end());
                std::span<std::byte> dst = win.reserve_tail(want);
                engine::SysResult r = engine::SysResult::from_raw(0);
                if (!read_error) r = co_await s_.engine.read(fd, dst, off);
                if (!r || r.value() == 0) {
                    // A read error or a file that shrank: zeros stand in (rsync map_ptr), and
                    // the receiver gets a wrong checksum so it discards the result.
                    if (!read_error) read_error = r ? ENODATA : r.err();
                    std::memset(dst.data(), 0, want);
                    win.tail += want;
                    break;
                }
                win.tail += static_cast<size_t>(r.value());
            }
            const auto fresh_len = static_cast<size_t>(win.end() - fresh_from);
            protocol::Bytes fresh(win.data().data() + (win.data().size() - fresh_len), fresh_len);
            protocol::Bytes window(win.data().data(), win.data().size());
            const int64_t window_start = win.start;
            sink.clear();
            auto stepped = co_await s_.engine.offload([&] {
                if (append == 1 && fresh_from < kept) {
                    const auto skip = static_cast<size_t>(
                        std::min<int64_t>(kept - fresh_from, static_cast<int64_t>(fresh.size())));
                    hasher.update(fresh.subspan(skip));
                } else {
                    hasher.update(fresh);
                }
                return matcher.step(window, window_start, sink, tokens);
            });
            if (!stepped) {
                result = session::fail("token stream: " + protocol::describe(stepped.error()),
                                       ExitCode::stream_io);
                break;
            }
            // Before the window changes: the literal pieces point into it.
            result = co_await send_tokens(sink);
            if (result) result = co_await out_.commit();
            if (!result) break;
            show_progress();
        }
        co_await s_.engine.close(fd);
        if (result) digest = hasher.finish();
    }
    if (!result) co_return result;
    if (s_.progress) s_.progress->end_file(file_len);

    if (read_error) {
        // An all-zero sum (or, if the real sum is that, one with its last byte bumped).
        bool all_zero = true;
        for (size_t i = 0; i < digest.len; ++i)
            if (digest.bytes[i] != std::byte{0}) all_zero = false;
        std::fill(digest.bytes.begin(), digest.bytes.end(), std::byte{0});
        if (all_zero && digest.len > 0) digest.bytes[digest.len - 1] = std::byte{1};
        s_.state.io_error |= k_ioerr_general;
        s_.state.partial = true;
        s_.output.error(std::string(k_sender_sys_prefix) + "read errors mapping " +
                        builder.full_name(info.root, entry.name) + ": " + errno_text(read_error) +
                        "\n");
    }
    out_.w().put(digest.view());
    s_.stats.literal_data += matcher.counts().literal_bytes;
    s_.stats.matched_data += matcher.counts().matched_bytes;
    info.sent = true;
    if (!s_.options.log_before_transfer)
        log_item(entry, info, req, static_cast<int64_t>(out_.produced() - bytes_before));
    co_return co_await out_.commit();
}

}  // namespace ursync::roles
