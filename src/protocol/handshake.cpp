// Session start-up values and name negotiation; mirrors rsync compat.c (setup_protocol,
// check_sub_protocol, parse_negotiate_str, recv_negotiate_str).
#include "protocol/handshake.h"

#include <array>
#include <cctype>
#include <vector>

#include "protocol/varint.h"

namespace ursync::protocol {
namespace {

struct NameAlias {
    std::string_view name;
    std::string_view canonical;
};

// Every name ursync implements, strongest first, with accepted aliases.
constexpr std::array<NameAlias, 8> k_checksum_names{{
    {"xxh128", "xxh128"},
    {"xxh3", "xxh3"},
    {"xxh64", "xxh64"},
    {"xxhash", "xxh64"},
    {"md5", "md5"},
    {"md4", "md4"},
    {"sha1", "sha1"},
    {"none", "none"},
}};
constexpr std::array<NameAlias, 2> k_compress_names{{{"zstd", "zstd"}, {"none", "none"}}};

bool equal_nocase(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const auto ca = static_cast<unsigned char>(a[i]);
        const auto cb = static_cast<unsigned char>(b[i]);
        if (std::tolower(ca) != std::tolower(cb)) return false;
    }
    return true;
}

// The capability letters in the order a stock client writes them.
struct CapabilityLetter {
    char letter;
    bool ClientCapabilities::*flag;
};
constexpr std::array<CapabilityLetter, 10> k_capability_letters{{
    {'i', &ClientCapabilities::inc_recurse},
    {'L', &ClientCapabilities::symlink_times},
    {'s', &ClientCapabilities::symlink_iconv},
    {'f', &ClientCapabilities::safe_flist},
    {'x', &ClientCapabilities::avoid_xattr_optim},
    {'C', &ClientCapabilities::chksum_seed_fix},
    {'I', &ClientCapabilities::inplace_partial_dir},
    {'v', &ClientCapabilities::varint_flist_flags},
    {'u', &ClientCapabilities::id0_names},
    {'V', &ClientCapabilities::old_varint_flist_flags},
}};

std::string_view kind_word(NameKind kind) {
    return kind == NameKind::checksum ? "checksum" : "compress";
}

// Space-separated tokens (runs of spaces are skipped, like rsync).
std::vector<std::string_view> split_names(std::string_view list) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (pos < list.size()) {
        if (list[pos] == ' ') {
            ++pos;
            continue;
        }
        const size_t end = std::min(list.find(' ', pos), list.size());
        out.push_back(list.substr(pos, end - pos));
        pos = end;
    }
    return out;
}

Unexpected<WireError> negotiation_failed(NameKind kind, Role role, std::string_view ours,
                                         std::string_view peer) {
    const bool server = role == Role::server;
    std::string what = "Failed to negotiate a " + std::string(kind_word(kind)) + " choice.\n";
    what += server ? "Client list: " : "Server list: ";
    what += peer;
    what += server ? "\nServer list: " : "\nClient list: ";
    what += ours;
    return unsupported(std::move(what));
}

// Leading decimal digits of text as a number (0 if none), and how many characters they took.
int32_t leading_number(std::string_view text, size_t& used) {
    int32_t value = 0;
    used = 0;
    while (used < text.size() && text[used] >= '0' && text[used] <= '9' && value < 100000) {
        value = value * 10 + (text[used] - '0');
        ++used;
    }
    return value;
}

}  // namespace

WireResult<int32_t> negotiate_protocol_version(int32_t ours, int32_t remote) {
    if (remote < k_protocol_version_remote_min || remote > k_protocol_version_remote_max) {
        return version_mismatch(
            "protocol version mismatch -- is your shell clean?\n"
            "(see the rsync manpage for an explanation)");
    }
    const int32_t agreed = remote < ours ? remote : ours;
    if (agreed < k_protocol_version_min) {
        return version_mismatch("remote protocol version " + std::to_string(remote) +
                                " is too old: ursync needs at least " +
                                std::to_string(k_protocol_version_min));
    }
    return agreed;
}

ClientCapabilities parse_capabilities(std::string_view text) {
    ClientCapabilities caps;
    size_t used = 0;
    const int32_t proto = leading_number(text, used);
    if (proto != 0 && used < text.size() && text[used] == '.') {
        size_t sub_used = 0;
        caps.prerelease_sub = leading_number(text.substr(used + 1), sub_used);
        if (caps.prerelease_sub != 0) caps.prerelease_protocol = proto;
    }
    // Letters count wherever they appear, as stock rsync's strchr() tests do.
    for (const auto& cap : k_capability_letters) {
        if (text.find(cap.letter) != std::string_view::npos) caps.*cap.flag = true;
    }
    if (caps.prerelease_protocol == 0) caps.prerelease_sub = 0;
    return caps;
}

std::string format_capabilities(const ClientCapabilities& caps) {
    std::string out;
    if (caps.prerelease_protocol != 0) {
        out = std::to_string(caps.prerelease_protocol) + "." + std::to_string(caps.prerelease_sub);
    } else {
        out = ".";
    }
    for (const auto& cap : k_capability_letters) {
        if (caps.*cap.flag) out += cap.letter;
    }
    return out;
}

ServerCompat server_compat_flags(const ClientCapabilities& caps, const ServerFacts& facts) {
    ServerCompat out;
    if (facts.allow_inc_recurse && caps.inc_recurse) out.flags |= k_cf_inc_recurse;
    if (facts.can_set_symlink_times) out.flags |= k_cf_symlink_times;
    if (facts.symlink_iconv) out.flags |= k_cf_symlink_iconv;
    if (caps.safe_flist) out.flags |= k_cf_safe_flist;
    if (caps.avoid_xattr_optim) out.flags |= k_cf_avoid_xattr_optim;
    if (caps.chksum_seed_fix) out.flags |= k_cf_chksum_seed_fix;
    if (caps.inplace_partial_dir) out.flags |= k_cf_inplace_partial_dir;
    if (caps.id0_names) out.flags |= k_cf_id0_names;
    if (caps.varint_flist_flags) {
        out.negotiate_strings = true;
        out.flags |= k_cf_varint_flist_flags;
    }
    if (caps.old_varint_flist_flags) {
        out.flags |= k_cf_varint_flist_flags;
        out.as_byte = true;
    }
    return out;
}

int32_t server_protocol_for(int32_t ours, const ClientCapabilities& caps) {
    // Our releases are final (subprotocol 0).
    const int32_t theirs = caps.prerelease_protocol;
    if (theirs == 0 || caps.prerelease_sub == 0) return ours;
    if (theirs < ours) return theirs - 1;
    if (theirs == ours) return ours - 1;
    return ours;
}

void put_compat_flags(ByteWriter& out, const ServerCompat& compat) {
    if (compat.as_byte) {
        put_byte(out, static_cast<uint8_t>(compat.flags));
    } else {
        put_varint(out, static_cast<int32_t>(compat.flags));
    }
}

WireResult<uint32_t> get_compat_flags(ByteCursor& in) {
    auto value = get_varint(in);
    if (!value) return Unexpected{value.error()};
    return static_cast<uint32_t>(*value);
}

std::string default_name_list(NameKind kind, Role role) {
    std::string out;
    auto add = [&out](std::string_view name) {
        if (!out.empty()) out += ' ';
        out += name;
    };
    if (kind == NameKind::checksum) {
        for (const auto& n : k_checksum_names) {
            if (n.name == n.canonical && n.name != "none") add(n.name);
        }
    } else {
        add("zstd");
    }
    if (role == Role::server) add("none");
    return out;
}

std::optional<std::string_view> canonical_name(NameKind kind, std::string_view name) {
    if (kind == NameKind::checksum) {
        for (const auto& n : k_checksum_names) {
            if (equal_nocase(name, n.name)) return n.canonical;
        }
    } else {
        for (const auto& n : k_compress_names) {
            if (equal_nocase(name, n.name)) return n.canonical;
        }
    }
    return std::nullopt;
}

void put_name_list(ByteWriter& out, std::string_view list) {
    put_vstring(out, list);
}

WireResult<std::string> get_name_list(ByteCursor& in, NameKind kind) {
    auto list = get_vstring(in, k_nstr_len_max);
    if (!list && list.error().kind == WireError::Kind::malformed) {
        return unsupported("Failed to negotiate a " + std::string(kind_word(kind)) +
                           " choice (over-long list).");
    }
    return list;
}

WireResult<std::string> choose_name(NameKind kind, Role role, std::string_view ours,
                                    std::string_view peer_list) {
    std::vector<std::string_view> ranked;  // our canonical names, best first, no repeats
    for (std::string_view tok : split_names(ours)) {
        auto canon = canonical_name(kind, tok);
        if (!canon || (role == Role::client && *canon == "none")) continue;
        bool seen = false;
        for (auto r : ranked) seen = seen || r == *canon;
        if (!seen) ranked.push_back(*canon);
    }
    size_t best = ranked.size();
    for (std::string_view tok : split_names(peer_list)) {
        auto canon = canonical_name(kind, tok);
        if (!canon) continue;
        for (size_t rank = 0; rank < best; ++rank) {
            if (ranked[rank] == *canon) {
                best = rank;
                break;
            }
        }
        if (best == 0) break;
    }
    if (best == ranked.size()) return negotiation_failed(kind, role, ours, peer_list);
    return std::string(ranked[best]);
}

WireResult<std::string> choose_without_negotiation(NameKind kind, std::string_view ours) {
    const std::string_view implied = kind == NameKind::checksum ? "md5" : "zlib";
    for (std::string_view tok : split_names(ours)) {
        auto canon = canonical_name(kind, tok);
        if (canon && *canon == implied) return std::string(implied);
    }
    return negotiation_failed(kind, Role::server, ours, implied);
}

}  // namespace ursync::protocol
