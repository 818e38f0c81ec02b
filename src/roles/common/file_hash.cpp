// -c hashing: one file with plain syscalls (for worker jobs), a list shared by worker jobs.
#include "roles/common/file_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>

#include "engine/event.h"
#include "util/scratch.h"

namespace ursync::roles {

using engine::Task;

std::optional<protocol::Digest> hash_file_blocking(int dir_fd, const char* name,
                                                   protocol::ChecksumAlgo algo,
                                                   std::span<std::byte> buf) {
    const int fd = ::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return std::nullopt;
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    protocol::FileHasher hasher(algo);
    // The size it had when opened is what is hashed (rsync maps st_size bytes), so a small file
    // takes one read.
    const auto size = static_cast<uint64_t>(st.st_size);
    for (uint64_t done = 0; ok && done < size;) {
        const size_t want = static_cast<size_t>(std::min<uint64_t>(size - done, buf.size()));
        const ssize_t n = ::read(fd, buf.data(), want);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ok = n == 0;
            break;
        }
        hasher.update(protocol::Bytes(buf.data(), static_cast<size_t>(n)));
        done += static_cast<uint64_t>(n);
    }
    ::close(fd);
    if (!ok) return std::nullopt;
    return hasher.finish();
}

namespace {

struct HashItem {
    fs::DirHandle dir;
    std::string name;
    protocol::Digest* out;
};

// One worker job's share: a file that cannot be read gets an all-zero sum, as in rsync
// checksum.c:file_checksum.
void hash_items(std::span<HashItem> items, protocol::ChecksumAlgo algo) {
    const std::span<std::byte> buf = util::thread_scratch(k_hash_read_bytes);
    for (HashItem& it : items) {
        auto sum = hash_file_blocking(it.dir->get(), it.name.c_str(), algo, buf);
        if (sum) {
            *it.out = *sum;
        } else {
            *it.out = protocol::Digest{};
            it.out->len = protocol::digest_len(algo);
        }
    }
}

Task<void> hash_part(engine::Engine& engine, std::span<HashItem> items, protocol::ChecksumAlgo algo,
                     size_t& running, engine::Event& done) {
    auto job = [items, algo] {
        hash_items(items, algo);
        return 0;
    };
    co_await engine.offload(job);
    if (--running == 0) done.set();
}

}  // namespace

Task<void> hash_files(engine::Engine& engine, fs::DirRoot& root, protocol::ChecksumAlgo algo,
                      std::vector<FileToHash>& jobs) {
    if (jobs.empty()) co_return;
    std::vector<HashItem> items;
    items.reserve(jobs.size());
    for (FileToHash& job : jobs) {
        auto leaf = co_await root.leaf(job.rel, "open");
        if (!leaf) {
            *job.out = protocol::Digest{};
            job.out->len = protocol::digest_len(algo);
            continue;
        }
        items.push_back(HashItem{std::move(leaf->dir), std::move(leaf->name), job.out});
    }
    // Split between k_hash_jobs_max worker jobs (both cores) when there is enough to share.
    const size_t parts = items.size() >= k_hash_split_min ? k_hash_jobs_max : 1;
    const size_t per = (items.size() + parts - 1) / std::max<size_t>(parts, 1);
    std::span<HashItem> all(items);
    size_t running = 0;
    engine::Event done(engine);
    for (size_t at = 0; at < all.size(); at += per) {
        ++running;
        engine.spawn(hash_part(engine, all.subspan(at, std::min(per, all.size() - at)), algo,
                               running, done));
    }
    if (running > 0) co_await done;
}

}  // namespace ursync::roles
