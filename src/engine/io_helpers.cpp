// read_full / write_all: loops over short counts so callers see whole buffers or an error.
#include "engine/io_helpers.h"

namespace ursync::engine {

Task<SysResult> read_full(Engine& engine, int fd, std::span<std::byte> buf, uint64_t offset) {
    size_t done = 0;
    while (done < buf.size()) {
        uint64_t at = offset == k_current_pos ? k_current_pos : offset + done;
        SysResult r = co_await engine.read(fd, buf.subspan(done), at);
        if (!r) co_return r;
        if (r.value() == 0) break;  // end of file
        done += static_cast<size_t>(r.value());
    }
    co_return SysResult::from_raw(static_cast<int64_t>(done));
}

Task<SysResult> write_all(Engine& engine, int fd, std::span<const std::byte> buf,
                          uint64_t offset) {
    size_t done = 0;
    while (done < buf.size()) {
        uint64_t at = offset == k_current_pos ? k_current_pos : offset + done;
        SysResult r = co_await engine.write(fd, buf.subspan(done), at);
        if (!r) co_return r;
        if (r.value() == 0) co_return SysResult::from_errno(EIO);  // no progress: give up
        done += static_cast<size_t>(r.value());
    }
    co_return SysResult::from_raw(static_cast<int64_t>(done));
}

}  // namespace ursync::engine
