// The generator's stat prefetch extras: what a prefetch job computes for an entry besides its
// stat (-c sums, -X attributes), packed as DirRoot keeps it, and taken part by part.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fs/beneath.h"
#include "protocol/strong_sum.h"
#include "roles/recv/core/recv_context.h"

namespace ursync::roles {

std::vector<std::byte> pack_extra(const PrefetchedExtra& x);
PrefetchedExtra unpack_extra(std::span<const std::byte> blob);

// The hook a prefetch job runs per entry: with `sum_algo`, the sum of each regular file whose
// size is `sizes[pos]`; with `xattrs`, the attributes whose names it manages.
fs::DirRoot::PrefetchExtra prefetch_extra(std::vector<int64_t> sizes,
                                          std::optional<protocol::ChecksumAlgo> sum_algo,
                                          std::optional<XattrNames> xattrs);

// The part of rel's prefetched extra each caller uses, once (taken from the destination root
// the first time; a part not asked for yet is kept in ctx.extras until it is).
std::optional<protocol::Digest> take_prefetched_sum(const RecvContext& ctx, const std::string& rel);
std::optional<fs::XattrPairs> take_prefetched_xattrs(const RecvContext& ctx,
                                                     const std::string& rel);

}  // namespace ursync::roles
