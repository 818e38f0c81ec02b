// Strong checksums over libxxhash and nettle: names, seeded block sums, whole-file hashers.
#include "protocol/strong_sum.h"

#include <nettle/md4.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <xxhash.h>

#include <cctype>
#include <new>

namespace ursync::protocol {

namespace {

struct AlgoName {
    ChecksumAlgo algo;
    std::string_view name;
};

constexpr std::array<AlgoName, 8> k_algo_names = {{
    {ChecksumAlgo::xxh128, "xxh128"},
    {ChecksumAlgo::xxh3, "xxh3"},
    {ChecksumAlgo::xxh64, "xxh64"},
    {ChecksumAlgo::xxh64, "xxhash"},  // accepted alias, never sent
    {ChecksumAlgo::md5, "md5"},
    {ChecksumAlgo::md4, "md4"},
    {ChecksumAlgo::sha1, "sha1"},
    {ChecksumAlgo::none, "none"},
}};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        const auto ca = static_cast<unsigned char>(a[i]);
        const auto cb = static_cast<unsigned char>(b[i]);
        if (std::tolower(ca) != std::tolower(cb)) return false;
    }
    return true;
}

const uint8_t* raw(Bytes b) {
    return reinterpret_cast<const uint8_t*>(b.data());
}

void store_le64(Digest& d, size_t at, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) d.bytes[at + i] = std::byte{static_cast<uint8_t>(v >> (8 * i))};
}

Digest le64_digest(uint64_t v) {
    Digest d;
    store_le64(d, 0, v);
    d.len = 8;
    return d;
}

Digest le128_digest(XXH128_hash_t h) {
    Digest d;
    store_le64(d, 0, h.low64);
    store_le64(d, 8, h.high64);
    d.len = 16;
    return d;
}

Digest none_digest() {
    Digest d;
    d.len = 1;  // a single 00 byte
    return d;
}

std::array<uint8_t, 4> seed_bytes(int32_t seed) {
    const auto u = static_cast<uint32_t>(seed);
    return {static_cast<uint8_t>(u), static_cast<uint8_t>(u >> 8), static_cast<uint8_t>(u >> 16),
            static_cast<uint8_t>(u >> 24)};
}

// The xxhash seed: the C int converted to a 64-bit unsigned (sign extension).
uint64_t xxh_seed(int32_t seed) {
    return static_cast<uint64_t>(static_cast<int64_t>(seed));
}

}  // namespace

std::optional<ChecksumAlgo> checksum_algo_from_name(std::string_view name) {
    for (const AlgoName& entry : k_algo_names) {
        if (equal_ignoring_case(entry.name, name)) return entry.algo;
    }
    return std::nullopt;
}

std::string_view checksum_algo_name(ChecksumAlgo algo) {
    for (const AlgoName& entry : k_algo_names) {
        if (entry.algo == algo) return entry.name;
    }
    return "none";
}

size_t digest_len(ChecksumAlgo algo) {
    switch (algo) {
        case ChecksumAlgo::xxh128:
            return 16;
        case ChecksumAlgo::xxh3:
            return 8;
        case ChecksumAlgo::xxh64:
            return 8;
        case ChecksumAlgo::md5:
            return MD5_DIGEST_SIZE;
        case ChecksumAlgo::md4:
            return MD4_DIGEST_SIZE;
        case ChecksumAlgo::sha1:
            return SHA1_DIGEST_SIZE;
        case ChecksumAlgo::none:
            return 1;
    }
    return 1;
}

Digest block_sum(ChecksumAlgo algo, int32_t seed, Bytes block, Md5SeedOrder order) {
    const auto s = seed_bytes(seed);
    const bool seeded = seed != 0;
    Digest d;
    switch (algo) {
        case ChecksumAlgo::xxh128:
            return le128_digest(XXH3_128bits_withSeed(block.data(), block.size(), xxh_seed(seed)));
        case ChecksumAlgo::xxh3:
            return le64_digest(XXH3_64bits_withSeed(block.data(), block.size(), xxh_seed(seed)));
        case ChecksumAlgo::xxh64:
            return le64_digest(XXH64(block.data(), block.size(), xxh_seed(seed)));
        case ChecksumAlgo::md5: {
            md5_ctx ctx;
            md5_init(&ctx);
            if (seeded && order == Md5SeedOrder::seed_first) md5_update(&ctx, s.size(), s.data());
            md5_update(&ctx, block.size(), raw(block));
            if (seeded && order == Md5SeedOrder::seed_last) md5_update(&ctx, s.size(), s.data());
            md5_digest(&ctx, MD5_DIGEST_SIZE, reinterpret_cast<uint8_t*>(d.bytes.data()));
            d.len = MD5_DIGEST_SIZE;
            return d;
        }
        case ChecksumAlgo::md4: {
            md4_ctx ctx;
            md4_init(&ctx);
            md4_update(&ctx, block.size(), raw(block));
            if (seeded) md4_update(&ctx, s.size(), s.data());
            md4_digest(&ctx, MD4_DIGEST_SIZE, reinterpret_cast<uint8_t*>(d.bytes.data()));
            d.len = MD4_DIGEST_SIZE;
            return d;
        }
        case ChecksumAlgo::sha1: {
            sha1_ctx ctx;
            sha1_init(&ctx);
            if (seeded) sha1_update(&ctx, s.size(), s.data());
            sha1_update(&ctx, block.size(), raw(block));
            sha1_digest(&ctx, SHA1_DIGEST_SIZE, reinterpret_cast<uint8_t*>(d.bytes.data()));
            d.len = SHA1_DIGEST_SIZE;
            return d;
        }
        case ChecksumAlgo::none:
            return none_digest();
    }
    return none_digest();
}

struct FileHasher::State {
    XXH3_state_t* xxh3 = nullptr;
    XXH64_state_t* xxh64 = nullptr;
    md5_ctx md5{};
    md4_ctx md4{};
    sha1_ctx sha1{};

    ~State() {
        if (xxh3 != nullptr) XXH3_freeState(xxh3);
        if (xxh64 != nullptr) XXH64_freeState(xxh64);
    }
};

FileHasher::FileHasher(ChecksumAlgo algo) : algo_(algo), state_(std::make_unique<State>()) {
    if (algo_ == ChecksumAlgo::xxh128 || algo_ == ChecksumAlgo::xxh3) {
        state_->xxh3 = XXH3_createState();
        if (state_->xxh3 == nullptr) throw std::bad_alloc();
    } else if (algo_ == ChecksumAlgo::xxh64) {
        state_->xxh64 = XXH64_createState();
        if (state_->xxh64 == nullptr) throw std::bad_alloc();
    }
    reset();
}

FileHasher::~FileHasher() = default;
FileHasher::FileHasher(FileHasher&&) noexcept = default;
FileHasher& FileHasher::operator=(FileHasher&&) noexcept = default;

void FileHasher::reset() {
    switch (algo_) {
        case ChecksumAlgo::xxh128:
            XXH3_128bits_reset(state_->xxh3);
            break;
        case ChecksumAlgo::xxh3:
            XXH3_64bits_reset(state_->xxh3);
            break;
        case ChecksumAlgo::xxh64:
            XXH64_reset(state_->xxh64, 0);
            break;
        case ChecksumAlgo::md5:
            md5_init(&state_->md5);
            break;
        case ChecksumAlgo::md4:
            md4_init(&state_->md4);
            break;
        case ChecksumAlgo::sha1:
            sha1_init(&state_->sha1);
            break;
        case ChecksumAlgo::none:
            break;
    }
}

void FileHasher::update(Bytes data) {
    switch (algo_) {
        case ChecksumAlgo::xxh128:
            XXH3_128bits_update(state_->xxh3, data.data(), data.size());
            break;
        case ChecksumAlgo::xxh3:
            XXH3_64bits_update(state_->xxh3, data.data(), data.size());
            break;
        case ChecksumAlgo::xxh64:
            XXH64_update(state_->xxh64, data.data(), data.size());
            break;
        case ChecksumAlgo::md5:
            md5_update(&state_->md5, data.size(), raw(data));
            break;
        case ChecksumAlgo::md4:
            md4_update(&state_->md4, data.size(), raw(data));
            break;
        case ChecksumAlgo::sha1:
            sha1_update(&state_->sha1, data.size(), raw(data));
            break;
        case ChecksumAlgo::none:
            break;
    }
}

Digest FileHasher::finish() {
    Digest d;
    auto* out = reinterpret_cast<uint8_t*>(d.bytes.data());
    switch (algo_) {
        case ChecksumAlgo::xxh128:
            return le128_digest(XXH3_128bits_digest(state_->xxh3));
        case ChecksumAlgo::xxh3:
            return le64_digest(XXH3_64bits_digest(state_->xxh3));
        case ChecksumAlgo::xxh64:
            return le64_digest(XXH64_digest(state_->xxh64));
        case ChecksumAlgo::md5:
            md5_digest(&state_->md5, MD5_DIGEST_SIZE, out);  // nettle also re-initialises
            d.len = MD5_DIGEST_SIZE;
            return d;
        case ChecksumAlgo::md4:
            md4_digest(&state_->md4, MD4_DIGEST_SIZE, out);
            d.len = MD4_DIGEST_SIZE;
            return d;
        case ChecksumAlgo::sha1:
            sha1_digest(&state_->sha1, SHA1_DIGEST_SIZE, out);
            d.len = SHA1_DIGEST_SIZE;
            return d;
        case ChecksumAlgo::none:
            return none_digest();
    }
    return none_digest();
}

Digest file_sum(ChecksumAlgo algo, Bytes data) {
    FileHasher hasher(algo);
    hasher.update(data);
    return hasher.finish();
}

}  // namespace ursync::protocol
