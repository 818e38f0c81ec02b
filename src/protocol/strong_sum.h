// Strong checksums: algorithm names, seeded block sums and whole-file hashes (rsync-protocol.md
// §8.4).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

#include "protocol/byte_cursor.h"

namespace ursync::protocol {

// In rsync's canonical strength order (the order a peer should advertise them).
enum class ChecksumAlgo : uint8_t { xxh128, xxh3, xxh64, md5, md4, sha1, none };

inline constexpr std::array<ChecksumAlgo, 7> k_checksum_algos = {
    ChecksumAlgo::xxh128, ChecksumAlgo::xxh3, ChecksumAlgo::xxh64, ChecksumAlgo::md5,
    ChecksumAlgo::md4,    ChecksumAlgo::sha1, ChecksumAlgo::none};

// The longest digest of any algorithm above (sha1).
inline constexpr size_t k_digest_len_max = 20;

// Case-insensitive; "xxhash" is an alias of xxh64. Unknown names give nullopt.
std::optional<ChecksumAlgo> checksum_algo_from_name(std::string_view name);
// The name as rsync writes it in the negotiation list.
std::string_view checksum_algo_name(ChecksumAlgo algo);
// Bytes of the full digest: xxh128/md5/md4 16, xxh3/xxh64 8, sha1 20, none 1.
size_t digest_len(ChecksumAlgo algo);

// A digest, zero-filled past its length (never compare more than len bytes).
struct Digest {
    std::array<std::byte, k_digest_len_max> bytes{};
    size_t len = 0;

    Bytes view() const { return {bytes.data(), len}; }
    friend bool operator==(const Digest& a, const Digest& b) = default;
};

// Where MD5 puts the 4 seed bytes: first when CF_CHKSUM_SEED_FIX was negotiated, else last.
enum class Md5SeedOrder : uint8_t { seed_first, seed_last };

// The strong sum of one block, seeded as rsync does (checksum.c:get_checksum2):
// xxh*: the int seed sign-extended to 64 bits; md5: seed bytes (LE) first or last per `order`;
// md4: seed last; sha1: seed first; seed 0 adds no seed bytes. xxh digests are stored
// little-endian (xxh128: low 64 bits, then high 64). `none` gives the 1-byte digest 00.
Digest block_sum(ChecksumAlgo algo, int32_t seed, Bytes block,
                 Md5SeedOrder order = Md5SeedOrder::seed_first);

// An incremental, unseeded whole-file hash (the digest after the token stream, and -c sums).
// Mirrors rsync checksum.c:sum_init/sum_update/sum_end.
class FileHasher {
  public:
    explicit FileHasher(ChecksumAlgo algo);
    ~FileHasher();
    FileHasher(FileHasher&&) noexcept;
    FileHasher& operator=(FileHasher&&) noexcept;
    FileHasher(const FileHasher&) = delete;
    FileHasher& operator=(const FileHasher&) = delete;

    ChecksumAlgo algo() const { return algo_; }
    void update(Bytes data);
    // The digest of everything passed to update() since construction or reset(); call reset()
    // before hashing anything else.
    Digest finish();
    // Starts over (same algorithm), keeping allocated state.
    void reset();

  private:
    struct State;
    ChecksumAlgo algo_;
    std::unique_ptr<State> state_;
};

// One-shot whole-file hash of a buffer.
Digest file_sum(ChecksumAlgo algo, Bytes data);

}  // namespace ursync::protocol
