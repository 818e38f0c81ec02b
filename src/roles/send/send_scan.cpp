// The sender's directory scans: worker jobs started ahead, taken in list order (send_scan.h).
#include "roles/send/send_scan.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "engine/event.h"
#include "roles/common/file_hash.h"
#include "roles/common/xattr_names.h"
#include "util/scratch.h"

namespace ursync::roles {

using engine::Task;

// Shared by the scanner and the job (which may outlive the scanner).
struct DirScanner::Pending {
    explicit Pending(engine::Engine& engine) : ready(engine) {}
    std::optional<fs::FsError> open_error;  // the directory could not be resolved
    fs::ScanResult scan;
    std::vector<std::optional<protocol::Digest>> sums;
    std::vector<fs::XattrPairs> xattrs;
    std::vector<int> xattr_errs;
    engine::Event ready;
};

namespace {

Task<void> run_scan(engine::Engine& engine, std::shared_ptr<DirScanner::Pending> pending,
                    fs::DirHandle dir, std::optional<protocol::ChecksumAlgo> hash,
                    std::optional<XattrNames> xattrs) {
    DirScanner::Pending* p = pending.get();
    const int dir_path_fd = dir->get();
    auto job = [p, dir_path_fd, hash, xattrs] {
        const int fd = ::openat(dir_path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            p->scan.err = errno;
            return 0;
        }
        p->scan = fs::scan_dir_blocking(fd, false);
        if (hash && p->scan.err == 0) {
            p->sums.resize(p->scan.names.size());
            for (size_t i = 0; i < p->scan.names.size(); ++i) {
                if (p->scan.errs[i] != 0 || !S_ISREG(p->scan.stx[i].stx_mode)) continue;
                p->sums[i] = hash_file_blocking(fd, p->scan.names[i].name.c_str(), *hash,
                                                util::thread_scratch(k_hash_read_bytes));
            }
        }
        if (xattrs && p->scan.err == 0) {
            const size_t n = p->scan.names.size();
            p->xattrs.resize(n);
            p->xattr_errs.assign(n, 0);
            auto keep = [&xattrs](std::string_view name) { return xattrs->sender_keeps(name); };
            for (size_t i = 0; i < n; ++i) {
                if (p->scan.errs[i] != 0) continue;
                const char* what = "";
                auto got = fs::read_xattrs(fs::XattrTarget::at(fd, p->scan.names[i].name), keep,
                                           &what);
                if (got) p->xattrs[i] = std::move(*got);
                else p->xattr_errs[i] = got.error();
            }
        }
        ::close(fd);
        return 0;
    };
    co_await engine.offload(job);
    p->ready.set();
}

}  // namespace

std::string DirScanner::key(uint32_t root_index, const std::string& dir_rel) {
    return std::to_string(root_index) + ":" + dir_rel;
}

Task<void> DirScanner::start(fs::DirRoot& root, uint32_t root_index, std::string dir_rel) {
    std::string k = key(root_index, dir_rel);
    if (pending_.contains(k)) co_return;
    auto pending = std::make_shared<Pending>(engine_);
    pending_.emplace(std::move(k), pending);
    auto dir = co_await root.dir(dir_rel, "opendir");
    if (!dir) {
        pending->open_error = std::move(dir).error();
        pending->ready.set();
        co_return;
    }
    engine_.spawn(run_scan(engine_, std::move(pending), std::move(*dir), hash_, xattrs_));
}

Task<ScannedDir> DirScanner::take(fs::DirRoot& root, uint32_t root_index, std::string dir_rel) {
    std::string k = key(root_index, dir_rel);
    if (!pending_.contains(k)) co_await start(root, root_index, dir_rel);
    std::shared_ptr<Pending> pending = pending_.at(k);
    co_await pending->ready;
    pending_.erase(k);
    if (pending->open_error)
        co_return ScannedDir{Unexpected{std::move(*pending->open_error)}, {}};
    co_return ScannedDir{fs::entries_of(std::move(pending->scan), dir_rel), std::move(pending->sums),
                         std::move(pending->xattrs), std::move(pending->xattr_errs)};
}

}  // namespace ursync::roles
