// ChildProcess: a spawned remote shell (ssh) connected by a socketpair; stderr passes through.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "transport/fd_stream.h"
#include "util/expected.h"

namespace ursync::transport {

// How a child ended, as waitid reported it.
struct ChildStatus {
    bool exited = false;  // false: killed by `signal`
    int code = 0;         // exit code when exited
    int signal = 0;
};

class ChildProcess {
public:
    // Starts argv[0] (searched in PATH) with stdin and stdout on one end of a socketpair, stderr
    // inherited (so the remote side's messages reach the user), as rsync starts its remote shell.
    static Expected<std::unique_ptr<ChildProcess>, std::string> spawn(
        engine::Engine& engine, const std::vector<std::string>& argv);

    ~ChildProcess();  // never leaves a zombie: terminates and reaps if not yet reaped
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    FdStream& stream() { return stream_; }
    pid_t pid() const { return pid_; }
    // Waits (through the ring, on a pidfd) for the child to exit and reaps it.
    engine::Task<ChildStatus> wait();
    // Waits at most `ms`: the status, or nothing while the child still runs.
    engine::Task<std::optional<ChildStatus>> wait_for(uint64_t ms);
    void kill(int signal) const;
    bool reaped() const { return reaped_; }

private:
    ChildProcess(engine::Engine& engine, pid_t pid, int pidfd, int sock);
    // Reap the child if it has ended: waitid(WNOHANG) here (destructor) or on a worker.
    bool try_reap(ChildStatus& status);
    engine::Task<bool> try_reap_on_worker(ChildStatus& status);
    bool take_status(const siginfo_t& info, ChildStatus& status);

    engine::Engine& engine_;
    pid_t pid_;
    int pidfd_;
    FdStream stream_;
    bool reaped_ = false;
    ChildStatus status_{};
};

}  // namespace ursync::transport
