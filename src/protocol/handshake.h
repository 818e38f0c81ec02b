// Session start-up values: protocol version, the client's -e capability letters, compat flags,
// and the checksum/compression name negotiation (rsync compat.c). Pure functions; the exchange
// itself is sequenced elsewhere.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/byte_cursor.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

// Remote versions a stock peer accepts at all (MIN/MAX_PROTOCOL_VERSION).
inline constexpr int32_t k_protocol_version_remote_min = 20;
inline constexpr int32_t k_protocol_version_remote_max = 40;
// Versions ursync speaks; k_protocol_version_max is what it announces by default.
inline constexpr int32_t k_protocol_version_min = 30;
inline constexpr int32_t k_protocol_version_max = 32;

// Compat flag bits (server -> client), rsync's CF_*.
inline constexpr uint32_t k_cf_inc_recurse = 1u << 0;
inline constexpr uint32_t k_cf_symlink_times = 1u << 1;
inline constexpr uint32_t k_cf_symlink_iconv = 1u << 2;
inline constexpr uint32_t k_cf_safe_flist = 1u << 3;
inline constexpr uint32_t k_cf_avoid_xattr_optim = 1u << 4;
inline constexpr uint32_t k_cf_chksum_seed_fix = 1u << 5;
inline constexpr uint32_t k_cf_inplace_partial_dir = 1u << 6;
inline constexpr uint32_t k_cf_varint_flist_flags = 1u << 7;
inline constexpr uint32_t k_cf_id0_names = 1u << 8;

// Negotiation strings are read into a 256-byte buffer by stock rsync (MAX_NSTR_STRLEN).
inline constexpr size_t k_nstr_len_max = 255;

// Agreed version = min(ours, remote). A remote outside 20..40 is the classic garbage-on-the-
// pipe case ("protocol version mismatch -- is your shell clean?"); a result below 30 is a
// version ursync does not speak. Both are Kind::version (exit 2).
WireResult<int32_t> negotiate_protocol_version(int32_t ours, int32_t remote);

// The letters after 'e' in the client's compact option string (e.g. ".iLsfxCIvu").
struct ClientCapabilities {
    bool inc_recurse = false;             // i
    bool symlink_times = false;           // L
    bool symlink_iconv = false;           // s
    bool safe_flist = false;              // f
    bool avoid_xattr_optim = false;       // x
    bool chksum_seed_fix = false;         // C
    bool inplace_partial_dir = false;     // I
    bool varint_flist_flags = false;      // v
    bool id0_names = false;               // u
    bool old_varint_flist_flags = false;  // V: pre-release form of v
    // A pre-release client writes "<protocol>.<subprotocol>" before the letters; 0 if absent.
    int32_t prerelease_protocol = 0;
    int32_t prerelease_sub = 0;
};

// Unknown letters are ignored (newer clients may add some), as stock rsync does.
ClientCapabilities parse_capabilities(std::string_view text);
// The -e text a client built with these capabilities sends (".iLsfxCIvu" for a stock client).
std::string format_capabilities(const ClientCapabilities& caps);

// What the server knows about the session when choosing compat flags.
struct ServerFacts {
    // Recursion on, no --use-qsort, and (server is the sender, or no --delete-before/-after,
    // --delay-updates, --prune-empty-dirs); the client's 'i' is checked here.
    bool allow_inc_recurse = false;
    bool can_set_symlink_times = false;  // CF_SYMLINK_TIMES
    bool symlink_iconv = false;          // built with iconv support
};

struct ServerCompat {
    uint32_t flags = 0;
    bool as_byte = false;            // the client used 'V': the flags go out as one raw byte
    bool negotiate_strings = false;  // checksum/compress name lists follow (client sent 'v')
};

// mirrors rsync compat.c:setup_protocol (server branch)
ServerCompat server_compat_flags(const ClientCapabilities& caps, const ServerFacts& facts);
// The version a server announces to a possibly pre-release client (compat.c:check_sub_protocol);
// equals ours for every release client.
int32_t server_protocol_for(int32_t ours, const ClientCapabilities& caps);

void put_compat_flags(ByteWriter& out, const ServerCompat& compat);
// A varint (which also reads the old single-byte form); unknown bits are kept, as stock does.
WireResult<uint32_t> get_compat_flags(ByteCursor& in);

// --- checksum / compression name negotiation ---

enum class NameKind { checksum, compress };
enum class Role { client, server };

// Our own list in canonical strength order: checksums "xxh128 xxh3 xxh64 md5 md4 sha1",
// compression "zstd"; a server appends "none" (a client never offers it).
std::string default_name_list(NameKind kind, Role role);
// Canonical name for a user- or peer-supplied one: case-insensitive, "xxhash" -> "xxh64";
// nullopt for names ursync does not implement.
std::optional<std::string_view> canonical_name(NameKind kind, std::string_view name);

// A name list as sent on the wire (vstring, at most k_nstr_len_max bytes). A longer list is
// refused as stock rsync does: Kind::unsupported ("Failed to negotiate ...", exit 4).
void put_name_list(ByteWriter& out, std::string_view list);
WireResult<std::string> get_name_list(ByteCursor& in, NameKind kind);

// rsync 3.5.0's rule (compat.c:parse_negotiate_str): among the names of peer_list (space
// separated) that appear in ours, the one ranked best in ours. `ours` is the list we sent.
// A client never accepts "none". No common name: Kind::unsupported with rsync's message
// ("Failed to negotiate a checksum choice.") followed by both lists.
WireResult<std::string> choose_name(NameKind kind, Role role, std::string_view ours,
                                    std::string_view peer_list);
// Without 'v' nothing is negotiated: the checksum is md5 and compression zlib, if ours has them.
WireResult<std::string> choose_without_negotiation(NameKind kind, std::string_view ours);

}  // namespace ursync::protocol
