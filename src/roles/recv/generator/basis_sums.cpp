// Block checksums of a basis file: read in chunks on the worker pool, weak and seeded strong sums.
#include "roles/recv/generator/basis_sums.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "protocol/rolling.h"

namespace ursync::roles {

namespace {

struct SumOutcome {
    std::optional<BasisSums> sums;
    int err = 0;
};

// Runs on a worker thread: plain preads are fine here.
SumOutcome compute(const BasisSumRequest& r) {
    SumOutcome out;
    const int digest = static_cast<int>(protocol::digest_len(r.algo));
    const int32_t blength = r.block_len.value_or(protocol::block_len_for(r.file_len));
    const int32_t s2length = r.redo ? protocol::redo_strong_sum_len(digest)
                                    : protocol::strong_sum_len_for(r.file_len, blength, digest);
    auto head = protocol::sum_head_for(r.file_len, blength, s2length);
    if (!head) {
        out.err = EFBIG;
        return out;
    }
    BasisSums sums;
    sums.head = *head;
    protocol::ByteWriter w;
    protocol::put_sum_head(w, *head);
    if (r.head_only) {
        sums.wire = w.take();
        out.sums = std::move(sums);
        return out;
    }
    const auto block = static_cast<size_t>(blength);
    const size_t chunk = std::max(block, k_basis_read_chunk_bytes / block * block);
    std::vector<std::byte> buf(chunk);
    int64_t offset = 0;
    while (offset < r.file_len) {
        const size_t want = static_cast<size_t>(std::min<int64_t>(
            static_cast<int64_t>(chunk), r.file_len - offset));
        size_t got = 0;
        while (got < want) {
            ssize_t n = ::pread(r.fd, buf.data() + got, want - got, offset + static_cast<int64_t>(got));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                out.err = errno;
                return out;
            }
            if (n == 0) break;  // the file shrank: the rest reads as zeros, as rsync's map_ptr does
            got += static_cast<size_t>(n);
        }
        for (size_t i = got; i < want; ++i) buf[i] = std::byte{0};
        for (size_t pos = 0; pos < want; pos += block) {
            const size_t len = std::min(block, want - pos);
            protocol::Bytes data(buf.data() + pos, len);
            const uint32_t weak = protocol::weak_sum(data);
            const auto strong = protocol::block_sum(r.algo, r.seed, data, r.seed_order);
            protocol::put_block_sum(w, weak, strong.view().first(static_cast<size_t>(s2length)));
        }
        offset += static_cast<int64_t>(want);
    }
    sums.wire = w.take();
    out.sums = std::move(sums);
    return out;
}

}  // namespace

engine::Task<std::optional<BasisSums>> generate_basis_sums(engine::Engine& engine,
                                                           BasisSumRequest request, int& err) {
    SumOutcome out = co_await engine.offload([request] { return compute(request); });
    err = out.err;
    co_return std::move(out.sums);
}

std::vector<std::byte> empty_sum_head() {
    protocol::ByteWriter w;
    protocol::put_sum_head(w, protocol::SumHead{});
    return w.take();
}

}  // namespace ursync::roles
