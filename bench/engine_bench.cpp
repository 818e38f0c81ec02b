// Engine benchmark: stream throughput (pipe, socketpair) and batched file-op rates, each against
// plain blocking syscalls in the same run. Usage: engine_bench [MiB] [files]
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "engine/event.h"
#include "engine/io_helpers.h"

using namespace ursync::engine;
using Clock = std::chrono::steady_clock;

namespace {

constexpr size_t k_chunk_bytes = 256 * 1024;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Blocking baseline: a writer thread and a reading loop.
double blocking_stream(int rfd, int wfd, size_t total) {
    auto t0 = Clock::now();
    std::thread writer([&] {
        std::vector<char> buf(k_chunk_bytes, 'x');
        for (size_t done = 0; done < total;) {
            ssize_t n = ::write(wfd, buf.data(), std::min(buf.size(), total - done));
            if (n <= 0) break;
            done += static_cast<size_t>(n);
        }
    });
    std::vector<char> buf(k_chunk_bytes);
    for (size_t got = 0; got < total;) {
        ssize_t n = ::read(rfd, buf.data(), buf.size());
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    writer.join();
    return seconds_since(t0);
}

Task<void> ring_writer(Engine& e, int wfd, size_t total, Event& done) {
    std::vector<std::byte> buf(k_chunk_bytes, std::byte{'x'});
    for (size_t sent = 0; sent < total;) {
        auto n = std::min(buf.size(), total - sent);
        auto r = co_await write_all(e, wfd, std::span(buf).first(n));
        if (!r) break;
        sent += n;
    }
    done.set();
}

Task<void> ring_reader(Engine& e, int rfd, size_t total) {
    std::vector<std::byte> buf(k_chunk_bytes);
    for (size_t got = 0; got < total;) {
        auto r = co_await e.read(rfd, buf);
        if (!r || r.value() == 0) break;
        got += static_cast<size_t>(r.value());
    }
}

Task<void> ring_stream(Engine& e, int rfd, int wfd, size_t total) {
    Event done(e);
    e.spawn(ring_writer(e, wfd, total, done));
    co_await ring_reader(e, rfd, total);
    co_await done;
}

double engine_stream(Engine& e, int rfd, int wfd, size_t total) {
    auto t0 = Clock::now();
    e.run(ring_stream(e, rfd, wfd, total));
    return seconds_since(t0);
}

// statx + openat + close of every file: blocking loop vs many in flight through the engine.
double blocking_files(const std::string& dir, int files) {
    auto t0 = Clock::now();
    for (int i = 0; i < files; ++i) {
        std::string p = dir + "/f" + std::to_string(i);
        struct statx stx {};
        ::statx(AT_FDCWD, p.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx);
        int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW);
        if (fd >= 0) ::close(fd);
    }
    return seconds_since(t0);
}

Task<void> one_file(Engine& e, std::string path, int& left, Event& done) {
    struct statx stx {};
    co_await e.statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx);
    auto fd = co_await e.openat(AT_FDCWD, path.c_str(), O_RDONLY | O_NOFOLLOW);
    if (fd) co_await e.close(static_cast<int>(fd.value()));
    if (--left == 0) done.set();
}

Task<void> engine_files_task(Engine& e, std::string dir, int files) {
    Event done(e);
    int left = files;
    constexpr int k_window = 128;  // files in flight
    for (int i = 0; i < files; ++i) {
        e.spawn(one_file(e, dir + "/f" + std::to_string(i), left, done));
        if (i % k_window == k_window - 1) co_await e.sleep_ms(0);
    }
    co_await done;
}

double engine_files(Engine& e, const std::string& dir, int files) {
    auto t0 = Clock::now();
    e.run(engine_files_task(e, dir, files));
    return seconds_since(t0);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
    size_t mib = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 512;
    int files = argc > 2 ? std::atoi(argv[2]) : 20000;
    const size_t total = mib << 20;
    const int runs = 5;
    EngineConfig ring_config;
    EngineConfig thread_config;
    thread_config.force_threads = true;
    Engine ring(ring_config);
    Engine threads(thread_config);
    std::printf("engine backend: %s\n\n", ring.backend_description().c_str());
    std::printf("| stream | blocking GB/s | io_uring GB/s | ratio | threads-fallback GB/s |\n");
    std::printf("|---|---|---|---|---|\n");
    for (const char* kind : {"pipe", "socketpair"}) {
        std::vector<double> b, r, t;
        for (int i = 0; i < runs; ++i) {  // alternate contenders
            int fds[2];
            auto make = [&] {
                if (std::string(kind) == "pipe") {
                    if (pipe(fds) != 0) std::abort();
                    fcntl(fds[0], F_SETPIPE_SZ, 1 << 20);
                } else if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) {
                    std::abort();
                }
            };
            make();
            b.push_back(blocking_stream(fds[0], fds[1], total));
            close(fds[0]);
            close(fds[1]);
            make();
            r.push_back(engine_stream(ring, fds[0], fds[1], total));
            close(fds[0]);
            close(fds[1]);
            make();
            t.push_back(engine_stream(threads, fds[0], fds[1], total));
            close(fds[0]);
            close(fds[1]);
        }
        double gb = static_cast<double>(total) / 1e9;
        std::printf("| %s | %.2f | %.2f | %.2f | %.2f |\n", kind, gb / median(b), gb / median(r),
                    median(b) / median(r), gb / median(t));
    }
    std::string dir = "/tmp/ursync-engine-bench";
    std::filesystem::create_directories(dir);
    for (int i = 0; i < files; ++i) {
        std::string p = dir + "/f" + std::to_string(i);
        int fd = ::open(p.c_str(), O_CREAT | O_WRONLY, 0644);
        if (fd >= 0) ::close(fd);
    }
    std::vector<double> b, r;
    for (int i = 0; i < runs; ++i) {
        b.push_back(blocking_files(dir, files));
        r.push_back(engine_files(ring, dir, files));
    }
    std::printf("\n| %d × (statx + openat + close) | blocking kops/s | io_uring kops/s | ratio |\n",
                files);
    std::printf("|---|---|---|---|\n");
    double ops = 3.0 * files / 1000.0;
    std::printf("| warm cache | %.0f | %.0f | %.2f |\n", ops / median(b), ops / median(r),
                median(b) / median(r));
    std::filesystem::remove_all(dir);
    return 0;
}
