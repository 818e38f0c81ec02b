// Merge-file reads (engine reads) for the file-list builder.
#include "roles/send/flist_build_io.h"

#include <fcntl.h>

#include <vector>

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

}  // namespace ursync::roles
