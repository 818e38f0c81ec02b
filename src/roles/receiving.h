// The receiving side's shared state: what the generator and receiver coroutines of one session share.
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/event.h"
#include "engine/task.h"
#include "fs/beneath.h"
#include "fs/ids.h"
#include "fs/temp_registry.h"
#include "fs/xattrs.h"
#include "protocol/byte_cursor.h"
#include "protocol/flist_codec.h"
#include "protocol/ndx.h"
#include "protocol/token_zstd.h"
#include "protocol/xattr_codec.h"
#include "roles/file_list.h"
#include "roles/filter.h"
#include "roles/local_link.h"
#include "roles/log_format.h"
#include "roles/xattr_names.h"
#include "roles/session_context.h"
#include "roles/stats.h"
#include "session/session_error.h"

namespace ursync::roles {

using session::SessionError;
using session::SessionResult;

// Per-entry facts the two coroutines learn while working (rsync's FLAG_* bits on file_struct).
struct RecvEntryState {
    bool file_sent = false;    // FLAG_FILE_SENT: a transfer was requested (a redo is the second)
    bool dir_created = false;  // FLAG_DIR_CREATED: made early (mode 0700) by the generator
    bool missing_dir = false;  // FLAG_MISSING_DIR: its contents are skipped
    bool time_failed = false;  // FLAG_TIME_FAILED (symlinks)
    bool redo_asked = false;   // the receiver asked for a redo (its FLAG_FILE_SENT)
    bool hlink_retry = false;  // -H: its group's transfer failed; it may lead the group now
    bool in_flight = false;    // requested and not yet ended (a hostile sender cannot end it twice)
    std::optional<uint32_t> final_perms;  // a dir opened up (u+rwx) while filled: its real mode
};

// Progress of one file-list segment (rsync's flist->in_progress / to_redo).
struct SegmentProgress {
    int32_t in_progress = 0;  // transfers requested and not yet finished by the receiver
    int32_t to_redo = 0;      // failed verifications waiting for their phase-1 request
    std::vector<RecvEntryState> state;  // indexed like FlistSegment::entries
};

// Where a directory of the DirTable lives among the segments.
struct EntryRef {
    size_t seg = 0;
    size_t idx = 0;
    friend bool operator==(const EntryRef&, const EntryRef&) = default;
};

// One hard-link group (-H) on the receiving side: the member whose data arrives (the leader)
// and the members waiting to be linked to it. mirrors rsync hlink.c's F_HL_PREV chains
struct HlinkGroup {
    enum class Status { none, pending, done };
    Status status = Status::none;
    std::optional<EntryRef> leader;
    std::vector<std::pair<EntryRef, int32_t>> waiters;  // entry and its index
};

// A wake-up call from one coroutine to another on the same engine. Every notify() advances a
// generation; a waiter that took generation() before it suspended elsewhere (a flush, say)
// waits with wait_since(), which returns at once if a notify happened in between — otherwise
// that notify would be lost and the waiter would sleep forever.
class Wakeup {
public:
    explicit Wakeup(engine::Engine& engine) : engine_(engine) {}
    void notify() {
        ++generation_;
        auto waiters = std::move(waiters_);
        waiters_.clear();
        for (auto h : waiters) engine_.post(h);
    }
    uint64_t generation() const { return generation_; }
    struct Awaiter {
        Wakeup& w;
        uint64_t seen;
        bool await_ready() const noexcept { return w.generation_ != seen; }
        void await_suspend(std::coroutine_handle<> h) { w.waiters_.push_back(h); }
        void await_resume() const noexcept {}
    };
    // Waits for the next notify (callers re-check their condition in a loop).
    Awaiter wait() { return Awaiter{*this, generation_}; }
    // Waits unless a notify came after `seen` was taken.
    Awaiter wait_since(uint64_t seen) { return Awaiter{*this, seen}; }

private:
    engine::Engine& engine_;
    uint64_t generation_ = 0;
    std::vector<std::coroutine_handle<>> waiters_;
};

// One --usermap/--groupmap rule: FROM (a name, a wildcard name, or an id range) -> TO.
struct IdMapRule {
    enum class Kind { wild, name, range };
    Kind kind = Kind::range;
    std::string name;
    uint32_t lo = 0, hi = 0;
    uint32_t to = 0;
};

// Where backups (-b) go: the destination itself (name + suffix) or a --backup-dir tree.
struct BackupTarget {
    fs::DirRoot* root = nullptr;            // the tree backups are made in
    std::unique_ptr<fs::DirRoot> own_root;  // an absolute --backup-dir outside the destination
    std::string prefix;                     // a relative --backup-dir inside the destination
};

class LocalCopier;

// What a stat prefetch job learned about a destination entry besides its stat
// (roles/gen_prefetch.h): -c's sum of a regular file of the listed size, -X's attributes.
struct PrefetchedExtra {
    std::optional<protocol::Digest> sum;
    std::optional<fs::XattrPairs> xattrs;
};

// -X on the receiving side: the lists the sender sent (as kept), shared by generator and
// receiver. The generator uses their digests and states, the receiver fills in long values.
struct RecvXattrs {
    bool optim = false;  // SessionParams::xattr_optim
    XattrNames names;    // which attribute names are kept and managed here
    protocol::XattrTable table;
};

struct RecvContext {
    explicit RecvContext(Session& session)
        : s(session), stats(session.stats), receiver_progress(session.engine),
          finish_progress(session.engine), generator_done(session.engine), ids(session.engine) {}

    Session& s;
    Stats& stats;
    protocol::FlistOptions fopts;
    protocol::FlistCodecState codec;   // the sender's file-list compression state
    protocol::NdxState ndx_in;         // indexes read from the sender
    protocol::NdxState ndx_out;        // indexes the generator writes
    FileList flist;
    std::vector<SegmentProgress> progress;  // parallel to flist.segments()
    std::vector<EntryRef> dir_entries;      // parallel to flist.dirs()
    std::vector<std::string> filter_rules;
    FilterList filters;  // the receiver-side view of the rules (protects names from deletion)

    // The destination: a pinned directory; with a single non-directory the file's name in it.
    std::unique_ptr<fs::DirRoot> root;
    std::optional<std::string> local_name;
    bool dry_dest_missing = false;  // -n and the destination directory does not exist
    std::unique_ptr<BackupTarget> backup;  // -b: where old versions go (nullptr: no backups)
    std::vector<std::unique_ptr<fs::DirRoot>> alt_roots;  // --compare/copy/link-dest (null: absent)
    fs::TempFileRegistry temps;
    LocalCopier* copier = nullptr;  // a local copy: whole files copied here, not over the wire
    std::unique_ptr<RecvXattrs> xattrs;  // with -X
    // Prefetched extras taken from the root but not used up yet, by destination name.
    mutable std::unordered_map<std::string, PrefetchedExtra> extras;

    // Generator bookkeeping. `gen_out` holds its records not yet handed to the connection; the
    // receiver hands them over before it waits for input (the sender may be waiting for them).
    protocol::ByteWriter* gen_out = nullptr;
    size_t gen_first_open = 0;  // oldest segment whose NDX_DONE the generator has not sent
    size_t gen_current = 0;     // the segment the generator is walking
    bool gen_walk_done = false; // every segment walked (phase 0 requests all written)
    int gen_phase = 0;
    bool redo_mode = false;     // writing phase-1 requests: full-length strong sums
    LocalLink* link = nullptr;  // a local copy's link to its sender (records are numbered there)

    // Receiver bookkeeping.
    size_t recv_first_open = 0;  // oldest segment the receiver has not freed
    size_t recv_current_seg = 0; // segment of the last record read (rsync's cur_flist)
    bool flist_eof = false;
    int recv_phase = 0;
    int msgdone = 0;             // phase ends the receiver reported (rsync's msgdone_cnt)
    bool recv_finished = false;  // the receiver saw the end of the sender's last phase
    std::deque<int32_t> redo_queue;
    // --delay-updates: files waiting in their partial dir: partial path, final path, index.
    struct DelayedUpdate {
        std::string partial;
        std::string final_path;
        int32_t ndx = 0;
    };
    std::vector<DelayedUpdate> delayed_updates;
    Wakeup receiver_progress;    // receiver -> generator: something changed
    int finishing = 0;           // verified files still being put in place (in the background)
    Wakeup finish_progress;      // a background finish ended
    engine::Event generator_done;

    std::unordered_map<int32_t, HlinkGroup> hlinks;     // by group id (first_ndx)
    std::deque<std::pair<int32_t, bool>> hlink_finished; // leader transfers over: group, ok

    std::optional<SessionError> fatal;  // first fatal error; both coroutines stop on it

    // Deletion state and statistics (NDX_DEL_STATS), uid/gid maps, session facts.
    TypeCounts deleted;
    std::vector<std::pair<std::string, uint32_t>> delayed_deletes;  // --delete-delay: path, mode
    int64_t skipped_deletes = 0;                                    // beyond --max-delete
    std::unordered_map<std::string, std::unordered_set<std::string>> list_children;
    size_t children_indexed = 0;  // segments already in list_children
    bool io_error_warned = false; // "IO error encountered -- skipping file deletion" said
    std::unordered_map<uint32_t, uint32_t> uid_map;  // sender id -> local id, once decided
    std::unordered_map<uint32_t, uint32_t> gid_map;
    std::unordered_map<uint32_t, std::string> user_names;  // the names the sender gave
    std::unordered_map<uint32_t, std::string> group_names;
    std::vector<IdMapRule> usermap;
    std::vector<IdMapRule> groupmap;
    fs::IdCache ids;
    bool am_root = false;
    LogContext log_ctx;
    std::unique_ptr<protocol::ZstdTokenDecoder> zstd;

    // Helpers.
    const protocol::FileEntry& entry(EntryRef r) const {
        return flist.segments()[r.seg].entries[r.idx];
    }
    RecvEntryState& state(EntryRef r) { return progress[r.seg].state[r.idx]; }
    void fail(SessionError error) {
        if (!fatal) fatal = std::move(error);
        receiver_progress.notify();
    }
    // The local path of an entry (its name, or local_name for a single-file transfer).
    std::string local_path(const protocol::FileEntry& e) const {
        return local_name ? *local_name : e.name;
    }
};

// Tells the sender that ndx arrived safely (MSG_SUCCESS), when --remove-source-files asks for it:
// `level` is the lowest remove_source_files value (1 = --remove-source-files, 2 = the old
// --remove-sent-files) the item counts for. mirrors rsync io.c:send_msg_success
engine::Task<SessionResult<void>> send_success(RecvContext& ctx, int32_t ndx, int level = 1);

// rsync's fnamecmp_type for a basis in the --partial-dir (the only one besides the destination
// file that we ever request); defined with the record (protocol/item_record.h).
using protocol::k_fnamecmp_partial_dir;

// Where a partial copy of `name` lives: its directory's --partial-dir (relative ones only; an
// absolute partial dir is outside the destination and not used). nullopt without one.
std::optional<std::string> partial_path(const RecvContext& ctx, const std::string& name);

// The segment (position in flist.segments()) holding ndx, and the entry position (or nullopt
// for the segment's parent-directory slot ndx_start - 1).
struct NdxLocation {
    size_t seg = 0;
    std::optional<size_t> idx;
};
std::optional<NdxLocation> locate_ndx(const RecvContext& ctx, int32_t ndx);

}  // namespace ursync::roles
