// A probe for engine_trace_test: real file work on a dedicated engine thread; prints that thread's tid.
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "engine/io_helpers.h"

using namespace ursync::engine;

namespace {

Task<int> copy_one(Engine& e, int dir, std::string name) {
    std::string src = name + ".src", dst = name + ".dst", tmp = name + ".tmp";
    SysResult fd = co_await e.openat(dir, src.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (!fd) co_return 1;
    std::vector<std::byte> data(64 * 1024, std::byte{'u'});
    co_await write_all(e, static_cast<int>(fd.value()), data, 0);
    co_await e.close(static_cast<int>(fd.value()));
    struct statx stx {};
    co_await e.statx(dir, src.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx);
    SysResult in = co_await e.openat(dir, src.c_str(), O_RDONLY | O_NOFOLLOW);
    SysResult out = co_await e.openat(dir, tmp.c_str(), O_CREAT | O_WRONLY | O_EXCL, 0600);
    if (!in || !out) co_return 1;
    std::vector<std::byte> buf(stx.stx_size);
    co_await read_full(e, static_cast<int>(in.value()), buf, 0);
    co_await write_all(e, static_cast<int>(out.value()), buf, 0);
    co_await e.fsync(static_cast<int>(out.value()));
    timespec times[2] = {{0, UTIME_OMIT}, {1704164645, 5}};
    co_await e.utimensat(static_cast<int>(out.value()), "", times, AT_EMPTY_PATH);
    co_await e.close(static_cast<int>(in.value()));
    co_await e.close(static_cast<int>(out.value()));
    co_await e.renameat(dir, tmp.c_str(), dir, dst.c_str());
    co_return 0;
}

Task<int> work(Engine& e, std::string root) {
    SysResult d = co_await e.openat(AT_FDCWD, root.c_str(), O_DIRECTORY | O_RDONLY);
    if (!d) co_return 1;
    int dir = static_cast<int>(d.value());
    int failures = 0;
    for (int i = 0; i < 50; ++i) failures += co_await copy_one(e, dir, "f" + std::to_string(i));
    std::vector<std::byte> dents(32768);
    co_await e.getdents(dir, dents);
    long sum = co_await e.offload([] { return 42L; });
    if (sum != 42) ++failures;
    co_await e.close(dir);
    co_return failures;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: trace_probe DIR\n");
        return 2;
    }
    long tid = 0;
    int failures = -1;
    bool uring = false;
    std::thread engine_thread([&] {
        tid = syscall(SYS_gettid);
        // glibc sets up this thread's malloc arena on first use (it reads
        // /proc/sys/vm/overcommit_memory); the marker below starts what the test inspects.
        std::vector<int> warm(1000);
        prctl(PR_SET_NAME, "ursync-engine");
        Engine e;
        uring = e.backend() == Backend::io_uring;
        failures = e.run(work(e, argv[1]));
        prctl(PR_SET_NAME, "ursync-done");  // end of what the test inspects (teardown follows)
    });
    engine_thread.join();
    std::printf("%ld %d %d\n", tid, uring ? 1 : 0, failures);
    return failures == 0 ? 0 : 1;
}
