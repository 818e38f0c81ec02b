// Extended-attribute lists, requests and answers on the wire.
#include "protocol/xattr_codec.h"

#include <xxhash.h>

#include <algorithm>

#include "protocol/strong_sum.h"
#include "protocol/varint.h"

namespace ursync::protocol {

namespace {

uint64_t list_hash(const XattrList& list) {
    XXH3_state_t* st = XXH3_createState();
    XXH3_64bits_reset(st);
    for (const auto& x : list) {
        XXH3_64bits_update(st, x.name.data(), x.name.size() + 1);  // with the NUL
        const uint64_t len = x.value_len;
        XXH3_64bits_update(st, &len, sizeof len);
        XXH3_64bits_update(st, x.value.data(), x.value.size());
    }
    const uint64_t h = XXH3_64bits_digest(st);
    XXH3_freeState(st);
    return h;
}

bool same_list(const XattrList& a, const XattrList& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

// A wire size: a varint within [0, max].
WireResult<size_t> get_size(ByteCursor& in, size_t max, std::string_view what) {
    auto v = get_varint(in);
    if (!v) return Unexpected{v.error()};
    if (*v < 0 || static_cast<size_t>(*v) > max)
        return malformed("xattr " + std::string(what) + " out of range: " + std::to_string(*v));
    return static_cast<size_t>(*v);
}

std::string take_string(ByteCursor& in, size_t n) {
    Bytes b = in.take(n);
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

XattrList make_xattr_list(std::vector<std::pair<std::string, std::string>> attrs) {
    std::sort(attrs.begin(), attrs.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    XattrList list;
    list.reserve(attrs.size());
    for (auto& [name, value] : attrs) {
        Xattr x;
        x.name = std::move(name);
        x.value_len = value.size();
        x.num = static_cast<int32_t>(list.size()) + 1;
        if (x.is_long()) {
            Digest d = file_sum(ChecksumAlgo::md5, as_bytes(value));
            x.value.assign(reinterpret_cast<const char*>(d.bytes.data()), k_xattr_digest_len);
        } else {
            x.value = std::move(value);
        }
        list.push_back(std::move(x));
    }
    return list;
}

std::optional<int32_t> XattrTable::find(const XattrList& list) const {
    auto [lo, hi] = by_hash_.equal_range(list_hash(list));
    for (auto it = lo; it != hi; ++it)
        if (same_list(lists_[static_cast<size_t>(it->second)], list)) return it->second;
    return std::nullopt;
}

int32_t XattrTable::add(XattrList list) {
    const auto ndx = static_cast<int32_t>(lists_.size());
    by_hash_.emplace(list_hash(list), ndx);
    lists_.push_back(std::move(list));
    return ndx;
}

void encode_xattr_ref(ByteWriter& out, int32_t ref) {
    put_varint(out, ref + 1);
}

void encode_xattr_literal(ByteWriter& out, const XattrList& list) {
    put_varint(out, 0);
    put_varint(out, static_cast<int32_t>(list.size()));
    for (const auto& x : list) {
        put_varint(out, static_cast<int32_t>(x.name.size() + 1));
        put_varint(out, static_cast<int32_t>(x.value_len));
        out.put(x.name);
        out.put_u8(0);
        out.put(x.value);  // the digest of a long value
    }
}

WireResult<XattrBlockHead> decode_xattr_head(ByteCursor& in, size_t known) {
    auto v = get_varint(in);
    if (!v) return Unexpected{v.error()};
    if (*v < 0 || static_cast<size_t>(*v) > known)
        return malformed("xattr list index " + std::to_string(*v) + " out of range");
    XattrBlockHead head;
    if (*v != 0) {
        head.ref = *v - 1;
        return head;
    }
    auto count = get_size(in, k_xattr_count_max, "count");
    if (!count) return Unexpected{count.error()};
    head.count = static_cast<int32_t>(*count);
    return head;
}

WireResult<Xattr> decode_xattr_item(ByteCursor& in) {
    auto name_len = get_size(in, k_xattr_name_len_max, "name length");
    if (!name_len) return Unexpected{name_len.error()};
    auto value_len = get_size(in, k_xattr_value_len_max, "value length");
    if (!value_len) return Unexpected{value_len.error()};
    Xattr x;
    x.value_len = *value_len;
    const size_t carried = x.is_long() ? k_xattr_digest_len : x.value_len;
    if (!in.has(*name_len + carried)) return need_more();
    std::string name = take_string(in, *name_len);
    if (name.empty() || name.back() != '\0' || name.find('\0') != name.size() - 1)
        return malformed("invalid xattr name received");
    name.pop_back();
    x.name = std::move(name);
    x.value = take_string(in, carried);
    return x;
}

void encode_xattr_request(ByteWriter& out, std::span<const int32_t> nums) {
    int32_t prior = 0;
    for (int32_t n : nums) {
        put_varint(out, n - prior);
        prior = n;
    }
    put_byte(out, 0);
}

WireResult<std::optional<int32_t>> decode_xattr_num(ByteCursor& in, int32_t prior) {
    auto v = get_varint(in);
    if (!v) return Unexpected{v.error()};
    if (*v == 0) return std::optional<int32_t>{};
    const int64_t num = int64_t{prior} + *v;
    if (num < 1 || num > k_xattr_count_max) return malformed("xattr request out of range");
    return std::optional<int32_t>{static_cast<int32_t>(num)};
}

void encode_xattr_answer(ByteWriter& out, std::span<const XattrValue> values) {
    int32_t prior = 0;
    for (const auto& v : values) {
        put_varint(out, v.num - prior);
        prior = v.num;
        put_varint(out, static_cast<int32_t>(v.value.size()));
        out.put(v.value);
    }
    put_byte(out, 0);
}

WireResult<size_t> decode_xattr_value_len(ByteCursor& in) {
    return get_size(in, k_xattr_value_len_max, "value length");
}

}  // namespace ursync::protocol
