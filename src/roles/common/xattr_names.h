// -X: the attribute-name rules both sides follow (rsync xattrs.c on Linux): which names are
// read, sent, accepted and managed, and when a record carries the xattr exchange.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "roles/filter/filter.h"

namespace ursync::roles {

// rsync's own attributes ("user.rsync.%stat", ...): copied only with -XX.
bool xattr_is_rsyncs(std::string_view name);
// What a sender reads and sends: every namespace but system.*; rsync's own with -XX.
bool sender_keeps_xattr(std::string_view name, int level);
// What a receiver manages on its files: root every namespace but system.*, others user.* only.
bool receiver_manages_xattr(std::string_view name, bool am_root);
// What a receiver keeps of a received list: others than root only user.*; rsync's own with -XX.
bool receiver_accepts_xattr(std::string_view name, bool am_root, int level);

// The name rules of one side with the filter rules that name attributes ('x' modifier): when
// there are any, they replace the namespace defaults (rsync's saw_xattr_filter).
struct XattrNames {
    int level = 1;                      // -X given this many times
    bool am_root = false;               // receiving side: running as root
    const FilterList* rules = nullptr;  // the filter list, when it has 'x' rules
    FilterSide side = FilterSide::sender;

    // Sender: whether a name is read and sent.
    bool sender_keeps(std::string_view name) const;
    // Receiver: a received name as it is stored (nullopt: dropped). Others than root keep a
    // name outside user.* that the 'x' rules let through as "user.rsync." + name.
    std::optional<std::string> receiver_accepts(std::string_view name) const;
    // Receiver: whether a name on a destination file is compared, set and removed.
    bool receiver_manages(std::string_view name) const;
};

// Whether an echoed or requested record carries the xattr exchange (rsync's condition in
// itemize, send_files and recv_files): -X, data moving (not -n), the item reports an xattr
// change, and not a locally made hard link with the hard-link optimisation.
bool xattr_exchange(int level, bool dry_run, bool optim, uint32_t iflags);

}  // namespace ursync::roles
