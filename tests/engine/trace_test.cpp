// Proves the engine thread makes no syscall but io_uring_enter once it runs: strace the probe.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace {

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[256];
    while (fgets(buf, sizeof buf, p)) out += buf;
    pclose(p);
    return out;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool k_sanitized = true;  // ASan's runtime makes syscalls of its own on every thread
#else
constexpr bool k_sanitized = false;
#endif

TEST(EngineTrace, EngineThreadOnlyEntersTheRingOnceRunning) {
    if (k_sanitized) GTEST_SKIP() << "ASan's runtime writes on the engine thread itself; the "
                                     "release build runs this proof";
    if (run("command -v strace").empty()) GTEST_SKIP() << "strace is not installed";
    char tmpl[] = "/tmp/ursync-trace-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::string dir = tmpl, prefix = dir + "/trace";
    std::string work = dir + "/work";
    std::filesystem::create_directory(work);
    std::string probe = std::string(URSYNC_BINARY_DIR) + "/tests/engine/engine_trace_probe";
    // LeakSanitizer cannot run under ptrace; the sanitizer build's probe skips it.
    std::string out = run("ASAN_OPTIONS=detect_leaks=0 strace -f -ff -qq -o " + prefix + " " +
                          probe + " " + work);
    std::istringstream fields(out);
    long tid = 0;
    int uring = 0, failures = -1;
    fields >> tid >> uring >> failures;
    ASSERT_GT(tid, 0) << "probe output: " << out;
    EXPECT_EQ(failures, 0);
    if (!uring) {
        std::filesystem::remove_all(dir);
        GTEST_SKIP() << "io_uring unavailable: the engine runs on the worker-thread fallback";
    }
    std::ifstream trace(prefix + "." + std::to_string(tid));
    ASSERT_TRUE(trace) << "no trace for the engine thread";
    // Between the engine's first io_uring_enter and the end marker, nothing but io_uring_enter
    // and glibc's heap growth (brk, anonymous mmap/munmap, mprotect of a thread's arena): no
    // file syscall, no futex (the pool is woken through the ring), no clone (workers start with
    // the engine), no fcntl, no close.
    const std::set<std::string> memory = {"brk", "munmap", "mprotect"};
    std::string line;
    int io_uring_enters = 0, offending = 0;
    bool marked = false;  // the probe marks the end of thread set-up with prctl(PR_SET_NAME)
    while (std::getline(trace, line)) {
        if (line.find("PR_SET_NAME, \"ursync-done\"") != std::string::npos) break;
        if (line.rfind("prctl(PR_SET_NAME", 0) == 0) marked = true;
        if (!marked) continue;
        std::string name = line.substr(0, line.find('('));
        if (name == "io_uring_enter") {
            ++io_uring_enters;
            continue;
        }
        if (io_uring_enters == 0 || line.rfind("---", 0) == 0) continue;  // set-up; signals
        bool anonymous_map = name == "mmap" && line.find("MAP_ANONYMOUS") != std::string::npos;
        if (memory.count(name) != 0 || anonymous_map) continue;
        ++offending;
        ADD_FAILURE() << "engine thread made a syscall of its own: " << line;
    }
    EXPECT_TRUE(marked) << "the probe's start marker is missing from the trace";
    EXPECT_GT(io_uring_enters, 10) << "the probe did not drive the ring";
    EXPECT_EQ(offending, 0);
    std::filesystem::remove_all(dir);
}

}  // namespace
