// Fuzzes the plain token decoder: events respect the block count and the piece limit, and the
// decoder consumes exactly what it reports.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"
#include "protocol/token_plain.h"
#include "protocol/varint.h"

using namespace ursync::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 2) return 0;
    const int32_t block_count = data[0] | (data[1] << 8);
    ByteCursor in{Bytes{reinterpret_cast<const std::byte*>(data) + 2, size - 2}};
    PlainTokenDecoder decoder{block_count};
    ByteWriter again;
    for (;;) {
        auto event = decoder.next(in);
        if (!event) break;
        if (event->kind == TokenEvent::Kind::end) {
            URSYNC_FUZZ_CHECK(!decoder.in_literal());
            decoder.reset(block_count);
            continue;
        }
        if (event->kind == TokenEvent::Kind::block) {
            URSYNC_FUZZ_CHECK(event->block >= 0 && event->block < block_count);
            continue;
        }
        URSYNC_FUZZ_CHECK(!event->literal.empty());
        URSYNC_FUZZ_CHECK(event->literal.size() <= static_cast<size_t>(k_literal_chunk_len_max));
        again.put(event->literal);
    }
    // What came out as literal data can be sent again and decodes to the same bytes.
    ByteWriter out;
    put_literal(out, Bytes{again.bytes()});
    put_token_end(out);
    ByteCursor in2{Bytes{out.bytes()}};
    PlainTokenDecoder decoder2{0};
    ByteWriter seen;
    for (;;) {
        auto event = decoder2.next(in2);
        URSYNC_FUZZ_CHECK(event.has_value());
        if (event->kind == TokenEvent::Kind::end) break;
        seen.put(event->literal);
    }
    URSYNC_FUZZ_CHECK(seen.bytes() == again.bytes());
    return 0;
}
