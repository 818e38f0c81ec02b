// Merge-file reads and -c hashing for the file-list builder (engine reads, pool hashing).
#include "roles/flist_build_io.h"

#include <fcntl.h>

#include <algorithm>

#include "engine/event.h"
#include "fs/source_file.h"

namespace ursync::roles {

using engine::SysResult;
using engine::Task;

Task<std::optional<std::string>> read_small_file(fs::DirRoot& root, std::string rel) {
    auto fd = co_await root.open(rel, O_RDONLY | O_NONBLOCK | O_NOCTTY);
    if (!fd) co_return std::nullopt;
    std::string text;
    std::vector<std::byte> buf(64 * 1024);
    bool ok = true;
    for (;;) {
        SysResult r = co_await root.engine().read(*fd, buf, text.size());
        if (!r) {
            ok = false;
            break;
        }
        if (r.value() == 0) break;
        const auto n = static_cast<size_t>(r.value());
        if (text.size() + n > k_merge_file_len_max) {
            ok = false;
            break;
        }
        text.append(reinterpret_cast<const char*>(buf.data()), n);
    }
    co_await root.engine().close(*fd);
    if (!ok) co_return std::nullopt;
    co_return text;
}

namespace {

// mirrors rsync checksum.c:file_checksum (a file that cannot be read gets an all-zero sum)
Task<protocol::Digest> hash_one(engine::Engine& e, fs::DirRoot& root, protocol::ChecksumAlgo algo,
                                const std::string& rel, std::vector<std::byte>& buf) {
    protocol::Digest zero;
    zero.len = protocol::digest_len(algo);
    auto src = co_await fs::open_source_file(root, rel);
    if (!src) co_return zero;
    protocol::FileHasher hasher(algo);
    uint64_t off = 0;
    bool ok = true;
    for (;;) {
        SysResult r = co_await e.read(src->fd, buf, off);
        if (!r) {
            ok = false;
            break;
        }
        if (r.value() == 0) break;
        const auto n = static_cast<size_t>(r.value());
        protocol::Bytes chunk(buf.data(), n);
        co_await e.offload([&hasher, chunk] { hasher.update(chunk); });
        off += n;
    }
    co_await e.close(src->fd);
    if (!ok) co_return zero;
    co_return hasher.finish();
}

struct HashBatch {
    HashBatch(engine::Engine& e, fs::DirRoot& r, protocol::ChecksumAlgo a,
              std::vector<FileToHash>& j)
        : engine(e), root(r), algo(a), jobs(j), done(e) {}
    engine::Engine& engine;
    fs::DirRoot& root;
    protocol::ChecksumAlgo algo;
    std::vector<FileToHash>& jobs;
    size_t next = 0;
    size_t active = 0;
    engine::Event done;
};

Task<void> hash_worker(HashBatch& b) {
    std::vector<std::byte> buf(k_hash_read_bytes);
    while (b.next < b.jobs.size()) {
        FileToHash& job = b.jobs[b.next++];
        *job.out = co_await hash_one(b.engine, b.root, b.algo, job.rel, buf);
    }
    if (--b.active == 0) b.done.set();
}

}  // namespace

Task<void> hash_files(engine::Engine& engine, fs::DirRoot& root, protocol::ChecksumAlgo algo,
                      std::vector<FileToHash>& jobs) {
    if (jobs.empty()) co_return;
    HashBatch batch(engine, root, algo, jobs);
    batch.active = std::min(k_hash_files_inflight_max, jobs.size());
    for (size_t w = batch.active; w > 0; --w) engine.spawn(hash_worker(batch));
    co_await batch.done;
}

}  // namespace ursync::roles
