// Fuzzes the xattr decoders (-X): the list after a file-list entry, the generator's request and
// the sender's answer. Accepted values hold every limit, and re-encode to bytes that decode to
// the same values (the input's varints need not be minimal).
//
// Input: byte 0 picks what the stream is (low two bits: 0 or 3 a list, 1 a request, 2 an
// answer); byte 1 is how many lists the direction has carried (for references); the rest is the
// stream.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "protocol/xattr_codec.h"

using namespace ursync::protocol;

namespace {

constexpr size_t k_items_max = 4096;  // keeps each run fast
constexpr size_t k_values_max = 4096;

void fuzz_list(ByteCursor& in, size_t known) {
    auto head = decode_xattr_head(in, known);
    if (!head) return;
    if (head->ref >= 0) {
        URSYNC_FUZZ_CHECK(static_cast<size_t>(head->ref) < known && head->count == 0);
        ByteWriter out;
        encode_xattr_ref(out, head->ref);
        ByteCursor again{Bytes{out.bytes()}};
        auto back = decode_xattr_head(again, known);
        URSYNC_FUZZ_CHECK(back && back->ref == head->ref && again.remaining() == 0);
        return;
    }
    URSYNC_FUZZ_CHECK(head->count >= 0 && head->count <= k_xattr_count_max);
    XattrList list;
    for (int32_t i = 0; i < head->count && list.size() < k_items_max; ++i) {
        auto item = decode_xattr_item(in);
        if (!item) return;
        // The name may be empty (name_len 1, only the NUL): rsync accepts that too.
        URSYNC_FUZZ_CHECK(item->name.size() < k_xattr_name_len_max);
        URSYNC_FUZZ_CHECK(item->name.find('\0') == std::string::npos);
        URSYNC_FUZZ_CHECK(item->value_len <= k_xattr_value_len_max);
        URSYNC_FUZZ_CHECK(item->value.size() ==
                          (item->is_long() ? k_xattr_digest_len : item->value_len));
        list.push_back(std::move(*item));
    }
    if (static_cast<size_t>(head->count) != list.size()) return;
    ByteWriter out;
    encode_xattr_literal(out, list);
    ByteCursor again{Bytes{out.bytes()}};
    auto back = decode_xattr_head(again, 0);
    URSYNC_FUZZ_CHECK(back && back->ref < 0 && back->count == head->count);
    for (const Xattr& x : list) {
        auto got = decode_xattr_item(again);
        URSYNC_FUZZ_CHECK(got && *got == x);
    }
    URSYNC_FUZZ_CHECK(again.remaining() == 0);
}

// The nums of a request, or of an answer (`answer`: each with a value).
bool read_nums(ByteCursor& in, bool answer, std::vector<XattrValue>& out) {
    int32_t prior = 0;
    while (out.size() < k_values_max) {
        auto num = decode_xattr_num(in, prior);
        if (!num) return false;
        if (!*num) return true;
        URSYNC_FUZZ_CHECK(**num >= 1 && **num <= k_xattr_count_max);
        prior = **num;
        XattrValue v;
        v.num = prior;
        if (answer) {
            auto len = decode_xattr_value_len(in);
            if (!len) return false;
            URSYNC_FUZZ_CHECK(*len <= k_xattr_value_len_max);
            if (!in.has(*len)) return false;
            const Bytes bytes = in.take(*len);
            v.value.assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        }
        out.push_back(std::move(v));
    }
    return false;
}

void fuzz_nums(ByteCursor& in, bool answer) {
    std::vector<XattrValue> values;
    if (!read_nums(in, answer, values)) return;
    ByteWriter out;
    if (answer) {
        encode_xattr_answer(out, values);
    } else {
        std::vector<int32_t> nums;
        for (const XattrValue& v : values) nums.push_back(v.num);
        encode_xattr_request(out, nums);
    }
    ByteCursor again{Bytes{out.bytes()}};
    std::vector<XattrValue> back;
    URSYNC_FUZZ_CHECK(read_nums(again, answer, back) && again.remaining() == 0);
    URSYNC_FUZZ_CHECK(back.size() == values.size());
    for (size_t i = 0; i < values.size(); ++i)
        URSYNC_FUZZ_CHECK(back[i].num == values[i].num && back[i].value == values[i].value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const int mode = data[0] & 3;
    const size_t known = data[1];
    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data) + 2, size - 2}};
    switch (mode) {
        case 1:
            fuzz_nums(in, false);
            break;
        case 2:
            fuzz_nums(in, true);
            break;
        default:
            fuzz_list(in, known);
            break;
    }
    return 0;
}
