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
#include "roles/receiving.h"

namespace ursync::roles {

std::vector<std::byte> pack_extra(const PrefetchedExtra& x);
PrefetchedExtra unpack_extra(std::span<const std::byte> blob);

// The hook a prefetch job runs per entry: with `sum_algo`, the sum of each regular file whose
// size is `sizes[pos]`; with `xattrs`, the attributes whose names it manages.
fs::DirRoot::PrefetchExtra prefetch_extra(std::vector<int64_t> sizes,
                                          std::optional<protocol::ChecksumAlgo> sum_algo,
                                          std::optional<XattrNames> xattrs);

// What is still unused of rel's prefetched extra (taken from the destination root the first
// time), or nullptr. Callers reset the part they use, then call extra_used().
PrefetchedExtra* prefetched_extra(const RecvContext& ctx, const std::string& rel);
void extra_used(const RecvContext& ctx, const std::string& rel);

}  // namespace ursync::roles
