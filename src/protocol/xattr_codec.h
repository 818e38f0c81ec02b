// Extended attributes on the wire (-X): the list after each file-list entry, the generator's
// request for long values and the sender's answer (rsync xattrs.c; rsync-protocol.md §7.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

// Values longer than this travel as their MD5 digest first (MAX_FULL_DATUM).
inline constexpr size_t k_xattr_full_value_max = 32;
inline constexpr size_t k_xattr_digest_len = 16;
// What a receiver accepts (rsync MAX_WIRE_XATTR_COUNT/NAMELEN, MAX_XATTR_VALUE_BYTES and
// MAX_XATTR_LIST_BYTES). The name length counts the NUL the wire carries.
inline constexpr int32_t k_xattr_count_max = 65536;
inline constexpr size_t k_xattr_name_len_max = 4096;
inline constexpr size_t k_xattr_value_len_max = size_t{128} << 20;
inline constexpr size_t k_xattr_list_bytes_max = size_t{512} << 20;

// Where a long value stands between generator, sender and receiver (XSTATE_*).
enum class XattrState : uint8_t {
    abbreviated,  // only the digest is known
    wanted,       // generator: differs locally, to be asked for; sender: asked for
    handled,      // generator: asked for or matched locally; sender: sent
};

// One attribute. A value longer than k_xattr_full_value_max is "abbreviated": `value` holds its
// digest until the full value is known.
struct Xattr {
    std::string name;           // without the NUL the wire carries
    std::string value;          // the value, or the digest of a long one
    size_t value_len = 0;       // the length of the real value
    int32_t num = 0;            // 1-based place in the sender's list; requests name items by it
    XattrState state = XattrState::abbreviated;  // long values only
    std::optional<std::string> full;  // receiver: a long value once it is known

    bool is_long() const { return value_len > k_xattr_full_value_max; }
    friend bool operator==(const Xattr& a, const Xattr& b) {
        return a.name == b.name && a.value == b.value && a.value_len == b.value_len;
    }
};
using XattrList = std::vector<Xattr>;

// The wire form of attributes read from a file: sorted by name, numbered, long values replaced
// by their MD5 digest (xattrs.c:rsync_xal_get).
XattrList make_xattr_list(std::vector<std::pair<std::string, std::string>> attrs);

// The lists one direction has carried, in order; each file-list entry names one by index.
class XattrTable {
  public:
    // The index of a list equal to `list` (names, lengths and values or digests), if any.
    std::optional<int32_t> find(const XattrList& list) const;
    int32_t add(XattrList list);
    size_t size() const { return lists_.size(); }
    XattrList& at(int32_t ndx) { return lists_.at(static_cast<size_t>(ndx)); }
    const XattrList& at(int32_t ndx) const { return lists_.at(static_cast<size_t>(ndx)); }

  private:
    std::vector<XattrList> lists_;
    std::unordered_multimap<uint64_t, int32_t> by_hash_;
};

// The list of one entry: a reference to list `ref` sent before, or `count` literal items
// (xattrs.c:send_xattr writes varint ref+1, or 0 and the items).
void encode_xattr_ref(ByteWriter& out, int32_t ref);
void encode_xattr_literal(ByteWriter& out, const XattrList& list);

struct XattrBlockHead {
    int32_t ref = -1;    // >= 0: the same list as table entry `ref`
    int32_t count = 0;   // literal items that follow
};
// `known` is how many lists this direction has carried so far.
WireResult<XattrBlockHead> decode_xattr_head(ByteCursor& in, size_t known);
// One literal item: its num is not set here (the caller numbers items 1..count).
WireResult<Xattr> decode_xattr_item(ByteCursor& in);

// The generator's request after an itemized entry: the nums of the long values it needs, in
// list order, as varint differences ended by 0 (send_xattr_request with no file name).
void encode_xattr_request(ByteWriter& out, std::span<const int32_t> nums);
// One step of a request or of the sender's answer: the next num, or nullopt at the end. `prior`
// is the previous num of this request (0 first).
WireResult<std::optional<int32_t>> decode_xattr_num(ByteCursor& in, int32_t prior);

// The sender's answer: for each asked num its difference, the value length and the value, ended
// by 0 (send_xattr_request with a file name).
struct XattrValue {
    int32_t num = 0;
    std::string value;
};
void encode_xattr_answer(ByteWriter& out, std::span<const XattrValue> values);
// The length of one answered value (after its num).
WireResult<size_t> decode_xattr_value_len(ByteCursor& in);

}  // namespace ursync::protocol
