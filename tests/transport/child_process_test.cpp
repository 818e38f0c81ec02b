// Tests for ChildProcess: echo through a child, exit codes, signals, reaping, and real ssh.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "transport/buffered.h"
#include "transport/child_process.h"

namespace ursync::transport {
namespace {

using engine::Engine;
using engine::Task;

std::span<const std::byte> bytes_of(const std::string& s) {
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

Task<std::string> echo_through(Engine& e, std::vector<std::string> argv, std::string payload,
                               ChildStatus& status) {
    auto child = ChildProcess::spawn(e, argv);
    EXPECT_TRUE(child) << (child ? "" : child.error());
    if (!child) co_return "";
    auto& proc = **child;
    BufferedWriter w(proc.stream());
    co_await w.write(bytes_of(payload));
    co_await w.flush();
    co_await proc.stream().close_write();
    BufferedReader r(proc.stream());
    std::string out(payload.size(), '\0');
    auto got = co_await r.read_exact(std::as_writable_bytes(std::span(out)), "the echo");
    EXPECT_TRUE(got) << (got ? "" : got.error().what);
    status = co_await proc.wait();
    co_return out;
}

TEST(ChildProcess, EchoesThroughCatAndReportsExit) {
    Engine e;
    ChildStatus status;
    std::string payload(200000, 'q');
    EXPECT_EQ(e.run(echo_through(e, {"cat"}, payload, status)), payload);
    EXPECT_TRUE(status.exited);
    EXPECT_EQ(status.code, 0);
}

Task<ChildStatus> run_and_wait(Engine& e, std::vector<std::string> argv) {
    auto child = ChildProcess::spawn(e, argv);
    EXPECT_TRUE(child);
    co_return co_await (*child)->wait();
}

TEST(ChildProcess, ExitCodeAndSignalArePassedBack) {
    Engine e;
    auto s = e.run(run_and_wait(e, {"sh", "-c", "exit 3"}));
    EXPECT_TRUE(s.exited);
    EXPECT_EQ(s.code, 3);
    auto k = e.run(run_and_wait(e, {"sh", "-c", "kill -9 $$"}));
    EXPECT_FALSE(k.exited);
    EXPECT_EQ(k.signal, SIGKILL);
}

TEST(ChildProcess, MissingProgramIsAnError) {
    Engine e;
    auto child = ChildProcess::spawn(e, {"/nonexistent/ursync-remote-shell"});
    ASSERT_FALSE(child);
    EXPECT_NE(child.error().find("/nonexistent/ursync-remote-shell"), std::string::npos);
}

TEST(ChildProcess, DestroyingWithoutWaitLeavesNoZombie) {
    Engine e;
    pid_t pid;
    {
        auto child = ChildProcess::spawn(e, {"sleep", "100"});
        ASSERT_TRUE(child);
        pid = (*child)->pid();
    }
    errno = 0;
    EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), -1);  // already reaped by the destructor
    EXPECT_EQ(errno, ECHILD);
    EXPECT_NE(kill(pid, 0), 0);
}

Task<void> peer_dies(Engine& e) {
    auto child = ChildProcess::spawn(e, {"sleep", "100"});
    EXPECT_TRUE(child);
    (*child)->kill(SIGKILL);
    BufferedReader r((*child)->stream());
    auto got = co_await r.fill(4, "the server's protocol version");
    EXPECT_FALSE(got);
    EXPECT_EQ(got.error().kind, StreamError::Kind::closed);
    auto s = co_await (*child)->wait();
    EXPECT_EQ(s.signal, SIGKILL);
}

TEST(ChildProcess, PeerDeathIsEndOfStreamAndIsReaped) {
    Engine e;
    e.run(peer_dies(e));
}

TEST(ChildProcess, StderrPassesThroughToOurs) {
    char path[] = "/tmp/ursync-stderr-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_GE(fd, 0);
    int saved = dup(2);
    dup2(fd, 2);
    {
        Engine e;
        e.run(run_and_wait(e, {"sh", "-c", "echo remote-complaint >&2"}));
    }
    dup2(saved, 2);
    close(saved);
    close(fd);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    unlink(path);
    EXPECT_EQ(text.str(), "remote-complaint\n");
}

// A real sshd on loopback, from the repository's fixture.
class RealSsh : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (access("/usr/sbin/sshd", X_OK) != 0) return;
        char tmpl[] = "/tmp/ursync-sshd-XXXXXX";
        state_ = mkdtemp(tmpl);
        std::string cmd = std::string("python3 ") + URSYNC_SOURCE_DIR +
                          "/tests/fixtures/sshd_fixture.py start " + state_ + " >/dev/null";
        if (std::system(cmd.c_str()) != 0) return;
        std::ifstream in(state_ + "/ssh_command");
        std::string line;
        std::getline(in, line);
        std::istringstream words(line);
        for (std::string w; words >> w;) ssh_.push_back(w);
    }
    static void TearDownTestSuite() {
        if (state_.empty()) return;
        std::string cmd = std::string("python3 ") + URSYNC_SOURCE_DIR +
                          "/tests/fixtures/sshd_fixture.py stop " + state_ + " >/dev/null";
        int rc = std::system(cmd.c_str());
        (void)rc;
        std::filesystem::remove_all(state_);
    }
    void SetUp() override {
        if (access("/usr/sbin/sshd", X_OK) != 0) GTEST_SKIP() << "sshd is not installed";
        ASSERT_FALSE(ssh_.empty()) << "the sshd fixture did not start";
    }
    static std::vector<std::string> remote(std::vector<std::string> cmd) {
        auto argv = ssh_;
        argv.push_back("root@127.0.0.1");
        argv.insert(argv.end(), cmd.begin(), cmd.end());
        return argv;
    }
    static inline std::string state_;
    static inline std::vector<std::string> ssh_;
};

TEST_F(RealSsh, EchoesThroughRemoteCat) {
    Engine e;
    ChildStatus status;
    std::string payload(1 << 20, 'z');
    EXPECT_EQ(e.run(echo_through(e, remote({"cat"}), payload, status)), payload);
    EXPECT_TRUE(status.exited);
    EXPECT_EQ(status.code, 0);
}

TEST_F(RealSsh, RemoteExitStatusComesBack) {
    Engine e;
    auto s = e.run(run_and_wait(e, remote({"exit", "7"})));
    EXPECT_TRUE(s.exited);
    EXPECT_EQ(s.code, 7);
}

TEST_F(RealSsh, KilledSshIsEndOfStream) {
    Engine e;
    e.run([](Engine& eng, std::vector<std::string> argv) -> Task<void> {
        auto child = ChildProcess::spawn(eng, argv);
        EXPECT_TRUE(child);
        co_await eng.sleep_ms(200);
        (*child)->kill(SIGKILL);
        BufferedReader r((*child)->stream());
        auto got = co_await r.fill(4, "data");
        EXPECT_FALSE(got);
        auto s = co_await (*child)->wait();
        EXPECT_EQ(s.signal, SIGKILL);
    }(e, remote({"sleep", "30"})));
}

}  // namespace
}  // namespace ursync::transport
