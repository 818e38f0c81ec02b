// The uncompressed token stream (sender -> receiver file data): literal runs, block refs, end.
#pragma once

#include <cstdint>

#include "protocol/byte_cursor.h"
#include "protocol/token_event.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

// Literal data: int n > 0 then n bytes, in runs of at most k_literal_chunk_len_max (nothing for
// empty data). mirrors rsync token.c:simple_send_token
void put_literal(ByteWriter& out, Bytes data);
// A copy of basis block `index` (>= 0): int -(index + 1).
void put_block_ref(ByteWriter& out, int32_t index);
// End of the file's data: int 0.
void put_token_end(ByteWriter& out);

// Reads one file's token stream. A literal run of any length (as stock accepts) comes out as
// pieces of at most k_literal_chunk_len_max bytes pointing into the cursor's data, so a long run
// never needs buffering. mirrors rsync token.c:simple_recv_token and receiver.c's index check
class PlainTokenDecoder {
  public:
    // block_count: the sum header's count; block refs at or beyond it are malformed.
    explicit PlainTokenDecoder(int32_t block_count) : block_count_(block_count) {}

    // The next event. On error (incomplete included) the decoder state is unchanged and the
    // cursor position unspecified: retry from a saved cursor with more bytes.
    // After Kind::end the decoder is ready for another file with the same block count.
    WireResult<TokenEvent> next(ByteCursor& in);
    // For the next file.
    void reset(int32_t block_count) {
        block_count_ = block_count;
        residue_ = 0;
    }
    // True between a literal run's header and its last byte.
    bool in_literal() const { return residue_ > 0; }

  private:
    int32_t block_count_;
    int32_t residue_ = 0;  // literal bytes of the current run not yet returned
};

}  // namespace ursync::protocol
