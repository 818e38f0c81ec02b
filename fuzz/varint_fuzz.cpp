// Fuzzes the integer/vstring decoders; every decoded value must survive encode + decode.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "protocol/varint.h"

using namespace ursync::protocol;

namespace {

// Decodes one item of the kind `op` selects; on success re-encodes and decodes it again.
void one_item(uint8_t op, ByteCursor& in) {
    ByteWriter out;
    switch (op % 8) {
        case 0: {
            auto v = get_varint(in);
            if (!v) return;
            put_varint(out, *v);
            ByteCursor again{Bytes{out.bytes()}};
            URSYNC_FUZZ_CHECK(*get_varint(again) == *v && again.remaining() == 0);
            URSYNC_FUZZ_CHECK(varint_size(static_cast<uint8_t>(out.bytes()[0])) == out.size());
            return;
        }
        case 1:
        case 2: {
            const int min_bytes = op % 8 == 1 ? 3 : 4;
            auto v = get_varlong(in, min_bytes);
            if (!v) return;
            put_varlong(out, *v, min_bytes);
            ByteCursor again{Bytes{out.bytes()}};
            URSYNC_FUZZ_CHECK(*get_varlong(again, min_bytes) == *v && again.remaining() == 0);
            URSYNC_FUZZ_CHECK(varlong_size(static_cast<uint8_t>(out.bytes()[0]), min_bytes) ==
                              out.size());
            return;
        }
        case 3: {
            auto v = get_longint(in);
            if (!v) return;
            put_longint(out, *v);
            ByteCursor again{Bytes{out.bytes()}};
            URSYNC_FUZZ_CHECK(*get_longint(again) == *v);
            return;
        }
        case 4: {
            auto v = get_vstring(in, k_vstring_len_max);
            if (!v) return;
            URSYNC_FUZZ_CHECK(v->size() <= k_vstring_len_max);
            put_vstring(out, *v);
            ByteCursor again{Bytes{out.bytes()}};
            URSYNC_FUZZ_CHECK(*get_vstring(again, k_vstring_len_max) == *v);
            return;
        }
        case 5: {
            auto v = get_vstring(in, 255);
            if (v) URSYNC_FUZZ_CHECK(v->size() <= 255);
            return;
        }
        case 6: {
            auto v = get_int(in);
            if (v) (void)get_shortint(in);
            return;
        }
        default:
            (void)get_byte(in);
            return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const uint8_t op = data[0];
    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data) + 1, size - 1}};
    for (int i = 0; i < 64 && in.remaining() > 0; ++i) {
        const size_t before = in.remaining();
        one_item(static_cast<uint8_t>(op + i), in);
        if (in.remaining() == before) break;  // an error: the position is unspecified, stop
    }
    return 0;
}
