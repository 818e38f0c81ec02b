// The sender's main loop: answering the generator's requests, phases, stats and the goodbye.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/task.h"
#include "protocol/item_record.h"
#include "protocol/ndx.h"
#include "protocol/strong_sum.h"
#include "protocol/sum_head.h"
#include "protocol/token_zstd.h"
#include "roles/common/local_link.h"
#include "roles/common/log_format.h"
#include "roles/common/session_context.h"
#include "roles/send/flist_build.h"
#include "roles/send/flist_send.h"
#include "roles/send/match.h"
#include "roles/send/send_buffer.h"
#include "roles/send/send_prefetch.h"
#include "session/session_error.h"

namespace ursync::roles {

// Most block-sum bytes one request may carry (count * (4 + s2length)); rsync's default
// --max-alloc is 1 GiB.
inline constexpr uint64_t k_block_sums_bytes_max = uint64_t{1} << 30;
// Each deletion count in NDX_DEL_STATS is at most this (rsync MAX_WIRE_DEL_STAT).
inline constexpr int32_t k_del_stat_max = int32_t{1} << 28;
// File bytes read per engine read while sending.
inline constexpr size_t k_sender_read_bytes = 4 * 1024 * 1024;

// One request from the generator (rsync rsync.c:read_ndx_and_attrs, sender side). With -X,
// xattr_nums set means a request for long values came and an answer goes with the echo.
using SendRequest = protocol::ItemRecord;

class Sender final : public LocalSenderSide {
  public:
    Sender(Session& s, SendList& list, SendBuffer& out, protocol::NdxState& ndx_in,
           protocol::NdxState& ndx_out);
    ~Sender();
    Sender(const Sender&) = delete;
    Sender& operator=(const Sender&) = delete;

    // Answers requests until the generator's last phase ends, then writes the final NDX_DONE.
    // mirrors rsync sender.c:send_files
    engine::Task<session::SessionResult<void>> run();
    // Server: the five statistics; both: the end-of-run exchange. mirrors rsync
    // main.c:handle_stats (server sender) and read_final_goodbye
    engine::Task<session::SessionResult<void>> finish();

    // A local copy's receiving side copying files itself (roles/local_link.h).
    std::optional<LocalSourceRef> local_source(int32_t ndx) override;
    void local_sent(int32_t ndx, uint16_t iflags, int64_t bytes, LocalOrder order) override;
    void local_read_error(int32_t ndx, uint16_t iflags, int64_t bytes, int err,
                          LocalOrder order) override;
    void local_open_failed(int32_t ndx, uint16_t iflags, int err, LocalOrder order) override;
    void ordered_line(uint64_t seq, std::string line) override;
    // What both of those count for ndx as a transferred file (its echoed request included);
    // nullopt when ndx is not in the list.
    std::optional<SendList::Item> count_local_transfer(int32_t ndx, uint16_t iflags);

  private:
    // The next index (and its attributes) from the generator; NDX_DEL_STATS is handled here.
    engine::Task<session::SessionResult<SendRequest>> read_request();
    engine::Task<session::SessionResult<void>> handle_del_stats();
    // With --append (`header_only`) the generator sends the header alone: no block sums.
    engine::Task<session::SessionResult<protocol::BlockSums>> read_sums(bool header_only = false);
    bool updating_basis_file(const SendRequest& req) const;
    // The request echoed to the receiver (with -X the values it asked for).
    void write_echo(const SendRequest& req, const protocol::FileEntry& entry, const SendInfo& info);
    engine::Task<session::SessionResult<void>> send_file(const SendRequest& req,
                                                         const protocol::FileEntry& entry,
                                                         SendInfo& info);
    // A step's tokens to the wire: the literal pieces straight from the file's buffer.
    engine::Task<session::SessionResult<void>> send_tokens(const TokenSink& sink);
    void log_item(const protocol::FileEntry& entry, const SendInfo& info, const SendRequest& req,
                  int64_t bytes);
    // The line log_item prints, if any.
    std::optional<std::string> item_line(const protocol::FileEntry& entry, const SendInfo& info,
                                         const SendRequest& req,
                                         int64_t bytes) const;
    // A client's line about an item. In a local copy the lines keep the generator's order (as
    // rsync's sender prints them, in request order): a copy's line, or a record's, waits for the
    // lines of every earlier record and copy.
    void print_line(std::string line);
    // Line ordering in a local copy: the line(s) of item `seq`; its end; what can go out now.
    void add_line(uint64_t seq, std::string line);
    void item_done(uint64_t seq);
    void emit_ready_lines();
    // Ends the record being handled (its lines may be followed by later items').
    void record_done();
    void maybe_log_item(const protocol::FileEntry& entry, const SendInfo& info,
                        const SendRequest& req);
    // The transfer's line before its data: the item (a format without %b/%c), or with
    // --progress alone the bare name. mirrors rsync sender.c:send_files
    void log_before_data(const protocol::FileEntry& entry, const SendInfo& info,
                         const SendRequest& req);
    ProgressTotals progress_totals() const;
    void count_created(const protocol::FileEntry& entry);
    void report_open_failure(const std::string& full_name, int err, bool not_found);

    // --remove-source-files: MSG_SUCCESS names a file the receiver has; it is removed here
    // unless it changed since it was listed. mirrors rsync sender.c:successful_send
    session::SessionResult<void> note_success(int32_t ndx);
    engine::Task<void> remove_sent_sources();
    struct SentSource {
        uint32_t root = 0;
        std::string name;
        uint32_t mode = 0;
        int64_t size = 0;
        int64_t mtime_sec = 0;
        uint32_t mtime_nsec = 0;
    };
    std::vector<SentSource> to_remove_;

    Session& s_;
    SendList& list_;
    SendBuffer& out_;
    protocol::NdxState& ndx_in_;
    protocol::NdxState& ndx_out_;
    std::unique_ptr<protocol::ZstdTokenEncoder> zstd_;
    SendPrefetch prefetch_;
    LogContext log_ctx_;
    int phase_ = 0;
    int32_t io_error_at_start_ = 0;
    struct Deferred {
        std::vector<std::string> lines;
        bool done = false;
    };
    std::map<uint64_t, Deferred> deferred_;  // by LocalLink seq: items with lines waiting
    uint64_t next_line_ = 0;                 // the seq whose lines go out next
    std::optional<uint64_t> record_seq_;     // the seq of the record being handled
};

}  // namespace ursync::roles
