// The receiving side's shared state: what the generator and receiver coroutines of one session
// share.
//
// roles/recv/core/ sits under both coroutines of the receiving side and includes neither:
// this context, the file list as it arrives (flist_recv.h, recv_list.h), attributes
// (recv_attrs.h), item records and the -i lines (recv_itemize.h), -X lists (recv_xattrs.h),
// uid/gid mapping (recv_ids.h, id_maps.h), backups (recv_backup.h), the stat prefetch extras
// (prefetch_extra.h), hard-link groups (hlink_state.h), how requested transfers end
// (transfers.h) and a pulling client's checks of the names it is sent (requested_names.h).
// State only one coroutine uses lives with it: GenState in recv/generator/gen_state.h,
// ReceiverState in recv/receiver/receiver_state.h.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cli/chmod_rules.h"
#include "engine/engine.h"
#include "engine/event.h"
#include "engine/task.h"
#include "fs/beneath.h"
#include "fs/temp_registry.h"
#include "fs/xattrs.h"
#include "protocol/byte_cursor.h"
#include "protocol/flist_codec.h"
#include "protocol/ndx.h"
#include "protocol/xattr_codec.h"
#include "roles/common/file_list.h"
#include "roles/common/local_link.h"
#include "roles/common/log_format.h"
#include "roles/common/session_context.h"
#include "roles/common/stats.h"
#include "roles/common/xattr_names.h"
#include "roles/filter/filter.h"
#include "roles/recv/core/entry_ref.h"
#include "roles/recv/core/hlink_state.h"
#include "roles/recv/core/id_maps.h"
#include "roles/recv/core/requested_names.h"
#include "roles/recv/core/wakeup.h"
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

// Where backups (-b) go: the destination itself (name + suffix) or a --backup-dir tree.
struct BackupTarget {
    fs::DirRoot* root = nullptr;            // the tree backups are made in
    std::unique_ptr<fs::DirRoot> own_root;  // an absolute --backup-dir outside the destination
    std::string prefix;                     // a relative --backup-dir inside the destination
};

// What a stat prefetch job learned about a destination entry besides its stat
// (roles/recv/core/prefetch_extra.h): -c's sum of a regular file of the listed size, -X's attributes.
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

// The receiving session's shared core: what the generator and the receiver both read or
// write. Each coroutine keeps its own state beside it (GenState in recv/generator/gen_state.h,
// ReceiverState in recv/receiver/receiver_state.h).
struct RecvContext {
    explicit RecvContext(Session& session)
        : s(session), stats(session.stats), receiver_progress(session.engine),
          generator_done(session.engine), ids(session.engine) {}

    Session& s;
    // --chmod on the modes received (a pulling client's; rsync's recv_file_entry).
    std::optional<cli::ChmodRules> chmod = cli::chmod_rules(s.options.chmod);
    Stats& stats;

    // The file list as it arrives (flist_recv.h).
    protocol::FlistOptions fopts;
    protocol::FlistCodecState codec;   // the sender's file-list compression state
    protocol::NdxState ndx_in;         // indexes read from the sender
    protocol::NdxState ndx_out;        // indexes the generator writes
    FileList flist;
    std::vector<SegmentProgress> progress;  // parallel to flist.segments()
    std::vector<EntryRef> dir_entries;      // parallel to flist.dirs()
    bool flist_eof = false;                 // the sender's last segment arrived
    size_t recv_first_open = 0;             // oldest segment the receiver has not freed
    std::vector<std::string> filter_rules;
    FilterList filters;  // the receiver-side view of the rules (protects names from deletion)
    RequestedNames requested;  // a pulling client: which listed names it asked for

    // The destination: a pinned directory; with a single non-directory the file's name in it.
    std::unique_ptr<fs::DirRoot> root;
    std::optional<std::string> local_name;
    bool dry_dest_missing = false;  // -n and the destination directory does not exist
    std::unique_ptr<BackupTarget> backup;  // -b: where old versions go (nullptr: no backups)
    std::unique_ptr<fs::DirRoot> temp_root;  // -T / --temp-dir: where temp files are made
    std::vector<std::unique_ptr<fs::DirRoot>> alt_roots;  // --compare/copy/link-dest (null: absent)
    fs::TempFileRegistry temps;
    std::unique_ptr<RecvXattrs> xattrs;  // with -X
    // Prefetched extras taken from the root but not used up yet, by destination name.
    mutable std::unordered_map<std::string, PrefetchedExtra> extras;
    bool am_root = false;
    LogContext log_ctx;
    LocalLink* link = nullptr;  // a local copy's link to its sender (records are numbered there)

    // What the two coroutines tell each other. `gen_out` holds the generator's records not yet
    // handed to the connection; the receiver hands them over before it waits for input (the
    // sender may be waiting for them).
    protocol::ByteWriter* gen_out = nullptr;
    int msgdone = 0;                 // phase ends the receiver reported (rsync's msgdone_cnt)
    // NDX_DONEs the generator queued for the sender, and those the receiver read from it. The
    // sender writes each of its NDX_DONEs only after reading one of the generator's (its
    // echoes, its final one, its goodbye echo), so it can never have sent more than we queued.
    int dones_queued = 0;
    int dones_read = 0;
    std::deque<int32_t> redo_queue;  // failed verifications for the generator's phase 1
    Wakeup receiver_progress;        // receiver -> generator: something changed
    engine::Event generator_done;
    bool receiver_done = false;      // the receiver read its last record: nothing more arrives
    std::optional<SessionError> fatal;  // first fatal error; both coroutines stop on it

    HlinkState hlinks;  // -H groups and the leaders whose transfer ended
    IdMaps ids;         // uid/gid mapping (recv_ids.h)

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
