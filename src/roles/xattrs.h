// -X on the sending side, and the attribute-name rules both sides follow (rsync xattrs.c on
// Linux): which names are read, sent, accepted and managed.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "engine/task.h"
#include "fs/beneath.h"
#include "protocol/xattr_codec.h"
#include "roles/flist_build.h"
#include "roles/session_context.h"
#include "session/session_error.h"

namespace ursync::roles {

// Filter rules that name attributes (the 'x' modifier) are refused with -X for now.
inline constexpr const char* k_xattr_rules_refused =
    "filter rules for extended attributes (the 'x' modifier) are not supported yet";

// rsync's own attributes ("user.rsync.%stat", ...): copied only with -XX.
bool xattr_is_rsyncs(std::string_view name);
// What a sender reads and sends: every namespace but system.*; rsync's own with -XX.
bool sender_keeps_xattr(std::string_view name, int level);
// What a receiver manages on its files: root every namespace but system.*, others user.* only.
bool receiver_manages_xattr(std::string_view name, bool am_root);
// What a receiver keeps of a received list: others than root only user.*; rsync's own with -XX.
bool receiver_accepts_xattr(std::string_view name, bool am_root, int level);

// Whether an echoed or requested record carries the xattr exchange (rsync's condition in
// itemize, send_files and recv_files): -X, data moving (not -n), the item reports an xattr
// change, and not a locally made hard link with the hard-link optimisation.
bool xattr_exchange(int level, bool dry_run, bool optim, uint32_t iflags);

// The sender's lists: read for the entries of a segment, sent after each entry, answered on the
// generator's request.
class SendXattrs {
  public:
    explicit SendXattrs(Session& s) : s_(s) {}

    // The lists of `entries` (read in one worker job). A list that cannot be read is reported
    // (the run ends with code 23) and sent empty.
    engine::Task<std::vector<protocol::XattrList>> read(FlistBuilder& builder,
                                                        const std::vector<BuiltEntry>& entries);
    // Appends `list` after the encoding of `e` and records its index in e.xattr_ndx.
    void put(protocol::ByteWriter& out, protocol::FileEntry& e, protocol::XattrList list);
    // The generator's request for `e`: marks the long values it asks for. A num that does not
    // name a long value not yet sent is a protocol error.
    session::SessionResult<void> mark_asked(const protocol::FileEntry& e,
                                            std::span<const int32_t> nums);
    // The answer for `e` (the values marked, re-read from the source `rel` beneath `root`).
    void put_answer(protocol::ByteWriter& out, const protocol::FileEntry& e, fs::DirRoot& root,
                    const std::string& full_name);

  private:
    Session& s_;
    protocol::XattrTable table_;
};

}  // namespace ursync::roles
