// Prefetch extras: packing, the per-entry hook, taking them part by part.
#include "roles/recv/core/prefetch_extra.h"

#include <cstring>
#include <utility>

#include "roles/common/file_hash.h"
#include "roles/common/xattr_names.h"
#include "util/scratch.h"

namespace ursync::roles {

namespace {

constexpr uint8_t k_has_sum = 1;
constexpr uint8_t k_has_xattrs = 2;

// Appends raw bytes (memcpy into the grown vector; GCC 12 misjudges range inserts here).
void put_raw(std::vector<std::byte>& out, const void* p, size_t n) {
    const size_t at = out.size();
    out.resize(at + n);
    if (n) std::memcpy(out.data() + at, p, n);
}

void put_u32(std::vector<std::byte>& out, size_t v) {
    const auto x = static_cast<uint32_t>(v);
    put_raw(out, &x, sizeof x);
}

void put_text(std::vector<std::byte>& out, const std::string& s) {
    put_u32(out, s.size());
    put_raw(out, s.data(), s.size());
}

// Reads what pack_extra wrote (the blob never leaves the process).
struct Reader {
    std::span<const std::byte> in;
    size_t pos = 0;
    uint32_t u32() {
        uint32_t x = 0;
        std::memcpy(&x, in.data() + pos, sizeof x);
        pos += sizeof x;
        return x;
    }
    std::string text() {
        const uint32_t n = u32();
        std::string s(reinterpret_cast<const char*>(in.data() + pos), n);
        pos += n;
        return s;
    }
};

}  // namespace

std::vector<std::byte> pack_extra(const PrefetchedExtra& x) {
    size_t size = 1 + (x.sum ? 1 + x.sum->len : 0);
    if (x.xattrs) {
        size += 4;
        for (const auto& [name, value] : *x.xattrs) size += 8 + name.size() + value.size();
    }
    std::vector<std::byte> out;
    out.reserve(size);
    const auto flags = static_cast<uint8_t>((x.sum ? k_has_sum : 0) | (x.xattrs ? k_has_xattrs : 0));
    put_raw(out, &flags, 1);
    if (x.sum) {
        const auto len = static_cast<uint8_t>(x.sum->len);
        put_raw(out, &len, 1);
        put_raw(out, x.sum->bytes.data(), x.sum->len);
    }
    if (x.xattrs) {
        put_u32(out, x.xattrs->size());
        for (const auto& [name, value] : *x.xattrs) {
            put_text(out, name);
            put_text(out, value);
        }
    }
    return out;
}

PrefetchedExtra unpack_extra(std::span<const std::byte> blob) {
    PrefetchedExtra x;
    if (blob.empty()) return x;
    const auto flags = static_cast<uint8_t>(blob[0]);
    Reader r{blob, 1};
    if (flags & k_has_sum) {
        protocol::Digest d;
        d.len = static_cast<size_t>(blob[r.pos++]);
        std::memcpy(d.bytes.data(), blob.data() + r.pos, d.len);
        r.pos += d.len;
        x.sum = d;
    }
    if (flags & k_has_xattrs) {
        const uint32_t n = r.u32();
        fs::XattrPairs pairs;
        pairs.reserve(n);
        for (uint32_t i = 0; i < n; ++i) {
            std::string name = r.text();
            std::string value = r.text();
            pairs.emplace_back(std::move(name), std::move(value));
        }
        x.xattrs = std::move(pairs);
    }
    return x;
}

fs::DirRoot::PrefetchExtra prefetch_extra(std::vector<int64_t> sizes,
                                          std::optional<protocol::ChecksumAlgo> sum_algo,
                                          std::optional<XattrNames> xattrs) {
    return [sizes = std::move(sizes), sum_algo, xattrs](
               size_t pos, int dir_fd, const char* name,
               const fs::FileAttrs& a) -> std::optional<std::vector<std::byte>> {
        PrefetchedExtra x;
        if (sum_algo && sizes[pos] >= 0 && a.is_regular() &&
            a.size == static_cast<uint64_t>(sizes[pos])) {
            x.sum = hash_file_blocking(dir_fd, name, *sum_algo,
                                       util::thread_scratch(k_hash_read_bytes));
        }
        if (xattrs) {
            const char* what = "";
            auto got = fs::read_xattrs(
                fs::XattrTarget::at(dir_fd, name),
                [&xattrs](std::string_view n) { return xattrs->receiver_manages(n); },
                &what);
            if (got) x.xattrs = std::move(*got);
        }
        if (!x.sum && !x.xattrs) return std::nullopt;
        return pack_extra(x);
    };
}

namespace {

// rel's extra, with the part `take` moves out; what is left is kept for its own caller.
template <class Take>
auto take_part(const RecvContext& ctx, const std::string& rel, Take take) {
    if (!ctx.extras.empty()) {
        auto it = ctx.extras.find(rel);
        if (it != ctx.extras.end()) {
            auto part = take(it->second);
            if (!it->second.sum && !it->second.xattrs) ctx.extras.erase(it);
            return part;
        }
    }
    using Part = decltype(take(std::declval<PrefetchedExtra&>()));
    if (!ctx.root) return Part{};
    auto blob = ctx.root->take_prefetched_extra(rel);
    if (!blob) return Part{};
    PrefetchedExtra x = unpack_extra(*blob);
    auto part = take(x);
    if (x.sum || x.xattrs) ctx.extras.emplace(rel, std::move(x));
    return part;
}

}  // namespace

std::optional<protocol::Digest> take_prefetched_sum(const RecvContext& ctx, const std::string& rel) {
    return take_part(ctx, rel, [](PrefetchedExtra& x) { return std::exchange(x.sum, std::nullopt); });
}

std::optional<fs::XattrPairs> take_prefetched_xattrs(const RecvContext& ctx,
                                                     const std::string& rel) {
    return take_part(ctx, rel,
                     [](PrefetchedExtra& x) { return std::exchange(x.xattrs, std::nullopt); });
}

}  // namespace ursync::roles
