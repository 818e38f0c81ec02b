// -X: the attribute-name rules.
#include "roles/common/xattr_names.h"

#include "protocol/item_record.h"
#include "roles/common/log_format.h"

namespace ursync::roles {

namespace {

constexpr std::string_view k_user_prefix = "user.";
constexpr std::string_view k_system_prefix = "system.";
constexpr std::string_view k_rsync_prefix = "user.rsync.%";

bool has_prefix(std::string_view name, std::string_view prefix) {
    return name.substr(0, prefix.size()) == prefix;
}

}  // namespace

bool xattr_is_rsyncs(std::string_view name) { return has_prefix(name, k_rsync_prefix); }

bool sender_keeps_xattr(std::string_view name, int level) {
    if (has_prefix(name, k_system_prefix)) return false;
    return level >= 2 || !xattr_is_rsyncs(name);
}

bool receiver_manages_xattr(std::string_view name, bool am_root) {
    return am_root ? !has_prefix(name, k_system_prefix) : has_prefix(name, k_user_prefix);
}

bool receiver_accepts_xattr(std::string_view name, bool am_root, int level) {
    if (!am_root && !has_prefix(name, k_user_prefix)) return false;
    return level >= 2 || !xattr_is_rsyncs(name);
}

bool XattrNames::sender_keeps(std::string_view name) const {
    if (rules) {
        if (rules->xattr_excluded(name, side)) return false;
        return level >= 2 || !xattr_is_rsyncs(name);
    }
    return sender_keeps_xattr(name, level);
}

std::optional<std::string> XattrNames::receiver_accepts(std::string_view name) const {
    if (rules && rules->xattr_excluded(name, side)) return std::nullopt;
    std::string kept(name);
    if (!am_root && !has_prefix(name, k_user_prefix)) {
        if (!rules) return std::nullopt;
        kept = "user.rsync." + kept;
    }
    if (level < 2 && xattr_is_rsyncs(kept)) return std::nullopt;
    return kept;
}

bool XattrNames::receiver_manages(std::string_view name) const {
    if (rules) return !rules->xattr_excluded(name, side);
    return receiver_manages_xattr(name, am_root);
}

bool xattr_exchange(int level, bool dry_run, bool optim, uint32_t iflags) {
    return level != 0 && !dry_run && protocol::xattr_exchange_follows(optim, iflags);
}

}  // namespace ursync::roles
