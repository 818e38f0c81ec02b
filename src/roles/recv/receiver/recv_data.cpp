// Rebuilding one file from the token stream (plain or zstd), checked with the whole-file sum.
#include "roles/recv/receiver/recv_data.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>
#include <vector>

#include "engine/io_helpers.h"
#include "protocol/strong_sum.h"
#include "protocol/sum_head.h"
#include "protocol/token_plain.h"
#include "roles/common/errors.h"
#include "roles/recv/core/recv_context.h"
#include "roles/recv/core/recv_attrs.h"
#include "roles/recv/receiver/recv_batch.h"

namespace ursync::roles {

namespace {

using protocol::TokenEvent;

bool all_zero(protocol::Bytes data) {
    return std::all_of(data.begin(), data.end(), [](std::byte b) { return b == std::byte{0}; });
}

// The basis bytes read last: runs of matched blocks are served from one large read.
struct BasisCache {
    std::vector<std::byte> buf;
    uint64_t off = 0;
    size_t len = 0;
};

// Basis bytes [pos, pos + len), zero-filled past the end of a basis that shrank (as rsync's
// map_ptr reads them). With --inplace the basis is the file being written: no read-ahead.
engine::Task<Expected<protocol::Bytes, int>> read_basis(RecvContext& ctx, BasisCache& cache,
                                                        int fd, uint64_t pos, size_t len,
                                                        bool inplace) {
    if (!inplace && pos >= cache.off && pos + len <= cache.off + cache.len)
        co_return protocol::Bytes(cache.buf).subspan(static_cast<size_t>(pos - cache.off), len);
    const size_t want = inplace ? len : std::max(len, k_basis_read_ahead_bytes);
    cache.buf.resize(want);
    auto r = co_await engine::read_full(ctx.s.engine, fd, cache.buf, pos);
    if (!r) co_return Unexpected{r.err()};
    const auto got = static_cast<size_t>(r.value());
    if (got < len) std::memset(cache.buf.data() + got, 0, len - got);
    cache.off = pos;
    cache.len = std::max(got, len);
    co_return protocol::Bytes(cache.buf).first(len);
}

// Writes to the temp file in the background, at most k_recv_writes_inflight at once, so that
// the next batch is rebuilt while the last one goes into the page cache. With a hasher, each
// batch is also added to the whole-file checksum on a worker thread first, batch after batch
// in stream order, so the engine thread never hashes a big file. Every path out of
// receive_data drains it first (the tasks refer to it, to the hasher and to the temp file).
class WriteBehind {
  public:
    WriteBehind(engine::Engine& engine, protocol::FileHasher* hasher)
        : engine_(engine), ended_(engine), hasher_(hasher) {}
    // Hashes all of `buf` (with a hasher) and writes its runs [first, second) at `off` + first;
    // waits first while the limit is reached. Returns the first error so far (0: none).
    engine::Task<int> start(fs::TempFile& temp, std::vector<std::byte> buf, uint64_t off,
                            std::vector<std::pair<size_t, size_t>> runs) {
        while (inflight_ >= k_recv_writes_inflight) co_await ended_.wait();
        if (err_ != 0) co_return err_;
        ++inflight_;
        engine_.spawn(run(temp, std::move(buf), off, std::move(runs), started_++));
        co_return 0;
    }
    engine::Task<int> drain() {
        while (inflight_ > 0) co_await ended_.wait();
        co_return err_;
    }

  private:
    engine::Task<void> run(fs::TempFile& temp, std::vector<std::byte> buf, uint64_t off,
                           std::vector<std::pair<size_t, size_t>> runs, uint64_t seq) {
        if (hasher_) {
            while (hashed_ != seq) co_await ended_.wait();
            protocol::FileHasher* hasher = hasher_;
            const protocol::Bytes all(buf);
            co_await engine_.offload([hasher, all] { hasher->update(all); });
            ++hashed_;
            ended_.notify();
        }
        for (const auto& [from, to] : runs) {
            if (err_ != 0) break;
            auto w = co_await temp.write(protocol::Bytes(buf).subspan(from, to - from), off + from);
            if (!w && err_ == 0) err_ = w.error().err;
        }
        --inflight_;
        ended_.notify();
    }

    engine::Engine& engine_;
    Wakeup ended_;
    protocol::FileHasher* hasher_;
    size_t inflight_ = 0;
    uint64_t started_ = 0;  // batches started
    uint64_t hashed_ = 0;   // batches added to the checksum
    int err_ = 0;
};

}  // namespace

engine::Task<SessionResult<protocol::SumHead>> read_sum_head(RecvContext& ctx) {
    const int digest = static_cast<int>(protocol::digest_len(ctx.s.params.xfer_checksum));
    co_return co_await ctx.s.in.decode<protocol::SumHead>(
        [digest](protocol::ByteCursor& c) { return protocol::get_sum_head(c, digest); },
        "sum head");
}

engine::Task<SessionResult<ReceivedData>> receive_data(RecvContext& ctx, ReceiverState& r,
                                                       const std::string& name,
                                                       const protocol::SumHead& sum_head,
                                                       int basis_fd, int64_t basis_len,
                                                       int64_t list_size, RecvSink& sink) {
    auto& in = ctx.s.in;
    const protocol::SumHead* head = &sum_head;
    if (head->count > 0) {
        // The blocks must lie in the basis we have: the sender cannot point us elsewhere.
        auto covers = protocol::check_sum_head_covers(*head, basis_fd >= 0 ? basis_len : 0);
        if (!covers || basis_fd < 0) {
            co_return session::fail("invalid sum head for " + name + " from sender",
                                    ExitCode::stream_io);
        }
    }

    const bool zstd = ctx.s.params.compress == "zstd";
    if (!ctx.s.params.compress.empty() && !zstd) {
        co_return session::fail("unsupported compression " + ctx.s.params.compress,
                                ExitCode::unsupported);
    }
    protocol::PlainTokenDecoder plain(head->count);
    if (zstd) {
        if (!r.zstd) r.zstd = std::make_unique<protocol::ZstdTokenDecoder>();
        r.zstd->begin_file(head->count);
    }

    protocol::FileHasher hasher(ctx.s.params.file_checksum);
    const bool inplace = sink.inplace_fd >= 0;
    BasisCache cache;
    std::vector<std::byte> pending;  // written data not yet handed to the temp file
    uint64_t pending_off = 0;
    uint64_t& offset = sink.written;
    offset = 0;
    if (sink.append_from > 0) {
        // mirrors the append_mode part of rsync receiver.c:receive_data
        if (sink.append_verify && basis_fd >= 0) {
            for (uint64_t pos = 0; pos < sink.append_from;) {
                const size_t len = static_cast<size_t>(
                    std::min<uint64_t>(k_basis_read_ahead_bytes, sink.append_from - pos));
                auto got = co_await read_basis(ctx, cache, basis_fd, pos, len, false);
                if (!got) {
                    co_return session::fail("read of basis \"" + name + "\" failed: " +
                                                errno_text(got.error()),
                                            ExitCode::file_io);
                }
                hasher.update(*got);
                pos += len;
            }
        }
        offset = sink.append_from;
    }
    // -S: runs of zeros become holes (the temp file is new, so a hole reads as zeros).
    const bool sparse = ctx.s.options.sparse;
    uint64_t data_end = 0;  // end of the last bytes actually written
    // A file streamed into its temp file is hashed by the writer, batch by batch, off this
    // thread; data gathered in memory (small) or spilled from it is hashed here.
    const bool hash_in_writes = sink.temp != nullptr;
    WriteBehind writes(ctx.s.engine, hash_in_writes ? &hasher : nullptr);
    // Hands `pending` to the background writer (only its non-zero runs with -S).
    auto write_pending = [&]() -> engine::Task<int> {
        if (pending.empty() || !sink.temp) co_return 0;
        protocol::Bytes all(pending);
        std::vector<std::pair<size_t, size_t>> runs;
        size_t pos = 0;
        while (pos < all.size()) {
            size_t end = all.size();
            if (sparse) {
                while (pos < all.size() && all_zero(all.subspan(pos, std::min(k_sparse_chunk_bytes,
                                                                                 all.size() - pos))))
                    pos += std::min(k_sparse_chunk_bytes, all.size() - pos);
                end = pos;
                while (end < all.size() &&
                       !all_zero(all.subspan(end, std::min(k_sparse_chunk_bytes, all.size() - end))))
                    end += std::min(k_sparse_chunk_bytes, all.size() - end);
            }
            if (end > pos) {
                runs.emplace_back(pos, end);
                data_end = pending_off + end;
            }
            pos = end;
        }
        std::vector<std::byte> buf = std::move(pending);
        pending = std::vector<std::byte>();
        pending.reserve(k_recv_write_batch_bytes);
        if (runs.empty() && !hash_in_writes) co_return 0;
        co_return co_await writes.start(*sink.temp, std::move(buf), pending_off, std::move(runs));
    };
    // The first failure while rebuilding; the loop stops and the writes are drained before any
    // return (they refer to this frame and to the temp file).
    std::optional<session::SessionError> failed;
    int write_err = 0;
    for (;;) {
        auto ev = co_await in.decode<TokenEvent>(
            [&](protocol::ByteCursor& c) { return zstd ? r.zstd->next(c) : plain.next(c); },
            "file data");
        if (!ev) {
            failed = std::move(ev).error();
            break;
        }
        if (ev->kind == TokenEvent::Kind::end) break;
        if (ctx.s.progress) ctx.s.progress->show(static_cast<int64_t>(offset), list_size);
        protocol::Bytes data;
        bool in_place = false;  // --inplace: this block already sits at the write offset
        if (ev->kind == TokenEvent::Kind::literal) {
            data = ev->literal;
            ctx.stats.literal_data += static_cast<int64_t>(data.size());
        } else {
            const auto block = static_cast<int64_t>(ev->block);
            const bool last = block == head->count - 1 && head->remainder != 0;
            const auto len = static_cast<size_t>(last ? head->remainder : head->blength);
            const auto pos = static_cast<uint64_t>(block * head->blength);
            in_place = inplace && pos == offset;
            auto got = co_await read_basis(ctx, cache, basis_fd, pos, len, inplace);
            if (!got) {
                failed = session::SessionError{
                    "read of basis \"" + name + "\" failed: " + errno_text(got.error()),
                    ExitCode::file_io};
                break;
            }
            data = *got;
            ctx.stats.matched_data += static_cast<int64_t>(len);
        }
        if (!hash_in_writes) hasher.update(data);
        if (sink.memory && sink.memory->size() + data.size() > k_recv_batch_file_bytes_max) {
            // Bigger than it was listed: on into a temp file, as any big file.
            auto t = co_await fs::TempFile::create(*ctx.root, ctx.temps, sink.spill_target,
                    fs::k_temp_file_mode, ctx.temp_root.get());
            if (t) {
                sink.spill_to->emplace(std::move(*t));
                sink.temp = &**sink.spill_to;
                pending = std::move(*sink.memory);
                pending_off = 0;
            } else {
                report_xfer_error(ctx, "mkstemp \"" + name + "\" failed: " +
                                           errno_text(t.error().err));
            }
            sink.memory->clear();
            sink.memory = nullptr;
        }
        if (sink.memory) {
            sink.memory->insert(sink.memory->end(), data.begin(), data.end());
        } else if (sink.temp) {
            if (pending.empty()) pending_off = offset;
            pending.insert(pending.end(), data.begin(), data.end());
            if (pending.size() >= k_recv_write_batch_bytes) write_err = co_await write_pending();
        } else if (inplace && !in_place) {
            auto w = co_await engine::write_all(ctx.s.engine, sink.inplace_fd, data, offset);
            if (!w) write_err = w.err();
        }
        if (write_err != 0) break;
        offset += data.size();
    }
    if (!failed && write_err == 0) write_err = co_await write_pending();
    if (const int drained = co_await writes.drain(); write_err == 0) write_err = drained;
    if (failed) co_return Unexpected{std::move(*failed)};
    if (write_err != 0) {
        co_return session::fail("write failed on \"" + name + "\": " + errno_text(write_err),
                                ExitCode::file_io);
    }
    if (sink.temp && data_end < offset) {
        // The file ends in a hole: give it its length (rsync's sparse_end).
        const int fd = sink.temp->fd();
        const auto len = static_cast<off_t>(offset);
        const int err =
            co_await ctx.s.engine.offload([fd, len] { return ::ftruncate(fd, len) == 0 ? 0 : errno; });
        if (err != 0) {
            co_return session::fail("ftruncate \"" + name + "\" failed: " + errno_text(err),
                                    ExitCode::file_io);
        }
    }

    if (ctx.s.progress) ctx.s.progress->end_file(list_size);

    const auto want = hasher.finish();
    std::vector<std::byte> got(protocol::digest_len(ctx.s.params.file_checksum));
    auto sum = co_await in.read_bytes(got, "file checksum");
    if (!sum) co_return Unexpected{std::move(sum).error()};
    ReceivedData result;
    result.verified =
        got.size() == want.len && std::memcmp(got.data(), want.bytes.data(), want.len) == 0;
    co_return result;
}

}  // namespace ursync::roles
