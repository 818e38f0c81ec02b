// ChildProcess implementation: posix_spawnp + socketpair, pidfd-based waiting, reaping on every path.
#include "transport/child_process.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

extern char** environ;

namespace ursync::transport {

namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

}  // namespace

ChildProcess::ChildProcess(engine::Engine& engine, pid_t pid, int pidfd, int sock)
    : engine_(engine), pid_(pid), pidfd_(pidfd), stream_(engine, sock, sock, true) {}

Expected<std::unique_ptr<ChildProcess>, std::string> ChildProcess::spawn(
    engine::Engine& engine, const std::vector<std::string>& argv) {
    if (argv.empty()) return Unexpected{std::string("empty remote shell command")};
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return Unexpected{std::string("socketpair: ") + std::strerror(errno)};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, sv[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, sv[1], STDOUT_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGTERM);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &actions, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(sv[1]);
    if (rc != 0) {
        ::close(sv[0]);
        return Unexpected{std::string("Failed to exec ") + argv[0] + ": " + std::strerror(rc) +
                          " (" + std::to_string(rc) + ")"};
    }
    int pidfd = pidfd_open(pid);
    return std::unique_ptr<ChildProcess>(new ChildProcess(engine, pid, pidfd, sv[0]));
}

bool ChildProcess::try_reap(ChildStatus& status) {
    siginfo_t info{};
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG) != 0) return false;
    return take_status(info, status);
}

// The engine thread's way: the same waitid on a worker (io_uring's own waitid is Linux 6.7+).
engine::Task<bool> ChildProcess::try_reap_on_worker(ChildStatus& status) {
    siginfo_t info{};
    engine::SysResult r =
        co_await engine_.waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG);
    co_return r && take_status(info, status);
}

bool ChildProcess::take_status(const siginfo_t& info, ChildStatus& status) {
    if (info.si_pid == 0) return false;  // still running
    reaped_ = true;
    if (info.si_code == CLD_EXITED) {
        status = {true, info.si_status, 0};
    } else {
        status = {false, 0, info.si_status};
    }
    status_ = status;
    return true;
}

engine::Task<ChildStatus> ChildProcess::wait() {
    if (reaped_) co_return status_;
    ChildStatus status;
    while (!co_await try_reap_on_worker(status)) {
        if (pidfd_ >= 0) {
            co_await engine_.poll(pidfd_, POLLIN);  // readable once the child has exited
        } else {
            co_await engine_.sleep_ms(10);  // no pidfd (very old kernel): poll the status
        }
    }
    co_return status;
}

engine::Task<std::optional<ChildStatus>> ChildProcess::wait_for(uint64_t ms) {
    if (reaped_) co_return status_;
    ChildStatus status;
    uint64_t waited = 0;
    while (!co_await try_reap_on_worker(status)) {
        if (waited >= ms) co_return std::nullopt;
        const uint64_t slice = pidfd_ >= 0 ? ms - waited : std::min<uint64_t>(10, ms - waited);
        if (pidfd_ >= 0) {
            (void)co_await engine_.poll(pidfd_, POLLIN).timeout(slice);
        } else {
            co_await engine_.sleep_ms(slice);
        }
        waited += slice;
    }
    co_return status;
}

void ChildProcess::kill(int signal) const {
    if (!reaped_) ::kill(pid_, signal);
}

ChildProcess::~ChildProcess() {
    if (!reaped_) {
        ChildStatus ignored;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 200 && !try_reap(ignored); ++i) {
            timespec ts{0, 10 * 1000 * 1000};
            ::nanosleep(&ts, nullptr);
        }
        if (!reaped_) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            reaped_ = true;
        }
    }
    engine::close_detached(pidfd_);
}

}  // namespace ursync::transport
