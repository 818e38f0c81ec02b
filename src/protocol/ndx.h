// File-index (ndx) codec for protocol >= 30: delta-encoded indexes and the negative markers.
#pragma once

#include <cstdint>

#include "protocol/byte_cursor.h"
#include "protocol/wire_error.h"

namespace ursync::protocol {

inline constexpr int32_t k_ndx_done = -1;            // end of a phase / file-list segment
inline constexpr int32_t k_ndx_flist_eof = -2;       // no more file-list segments (inc_recurse)
inline constexpr int32_t k_ndx_del_stats = -3;       // deletion counts follow
inline constexpr int32_t k_ndx_flist_offset = -101;  // -101 - k: file-list segment for dir k
inline constexpr int32_t k_ndx_max = 0x7FFFFFFF;

// The delta state of one direction; a session keeps one for sending and one for receiving.
struct NdxState {
    int32_t prev_pos = -1;
    int32_t prev_neg = 1;
};

// Appends ndx (any int32 except INT32_MIN, which has no magnitude) and updates state.
void put_ndx(ByteWriter& out, NdxState& state, int32_t ndx);

// Reads one ndx. The state changes only on success; on error the cursor position is unspecified.
// Values whose magnitude exceeds k_ndx_max are malformed.
WireResult<int32_t> get_ndx(ByteCursor& in, NdxState& state);

}  // namespace ursync::protocol
