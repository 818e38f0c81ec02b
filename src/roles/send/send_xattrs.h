// -X on the sending side: lists read with the entries, sent after them, answered on request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "engine/task.h"
#include "fs/beneath.h"
#include "protocol/xattr_codec.h"
#include "roles/common/session_context.h"
#include "roles/common/xattr_names.h"
#include "roles/send/flist_build.h"
#include "session/session_error.h"

namespace ursync::roles {

// The sender's lists: read for the entries of a segment, sent after each entry, answered on the
// generator's request.
class SendXattrs {
  public:
    SendXattrs(Session& s, XattrNames names) : s_(s), names_(names) {}

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
    XattrNames names_;
    protocol::XattrTable table_;
};

}  // namespace ursync::roles
