// Receiving-side test helpers: scratch trees, listings, and pulls against stock rsync.
#include "receiving_test_util.h"

#include <fcntl.h>
#include <ftw.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include "cli/parse.h"
#include "cli/server_argv.h"
#include "engine/engine.h"
#include "roles/common/output.h"
#include "roles/common/session_context.h"
#include "roles/filter/filter_wire.h"
#include "roles/recv/receive_files.h"
#include "session/handshake.h"
#include "transport/buffered.h"
#include "transport/child_process.h"
#include "tests/util/stock_rsync.h"

namespace ursync::roles::testing {

ScratchDir::ScratchDir() {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp ? tmp : "/tmp") + "/ursync-recv-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) std::abort();
    path_ = buf.data();
}

ScratchDir::~ScratchDir() { sh("chmod -R u+rwx '" + path_ + "' 2>/dev/null; rm -rf '" + path_ + "'"); }

int sh(const std::string& command) {
    int st = std::system(command.c_str());
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void write_file(const std::string& path, const std::string& content, long mtime_sec, long nsec) {
    {
        std::ofstream f(path, std::ios::binary | std::ios::trunc);
        f << content;
    }
    timespec ts[2] = {{mtime_sec, nsec}, {mtime_sec, nsec}};
    ::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW);
}

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

namespace {

std::vector<std::string>* g_lines = nullptr;  // nftw has no user pointer (test-only global)
size_t g_root_len = 0;
bool g_dir_times = true;

int list_one(const char* path, const struct stat* st, int, struct FTW*) {
    std::string rel = std::string(path).substr(std::min(g_root_len, std::strlen(path)));
    if (rel.empty()) rel = ".";
    char line[512];
    std::string extra;
    if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t n = ::readlink(path, target, sizeof target);
        extra = " -> " + std::string(target, n > 0 ? static_cast<size_t>(n) : 0);
    } else if (S_ISREG(st->st_mode)) {
        std::hash<std::string> h;
        extra = " #" + std::to_string(h(read_file(path)));
    } else if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode)) {
        extra = " rdev=" + std::to_string(st->st_rdev);
    }
    const bool show_time = g_dir_times || !S_ISDIR(st->st_mode);
    std::snprintf(line, sizeof line, "%07o %u:%u links=%lu size=%lld mtime=%s",
                  st->st_mode & 0177777, st->st_uid, st->st_gid,
                  S_ISDIR(st->st_mode) ? 0UL : static_cast<unsigned long>(st->st_nlink),
                  S_ISDIR(st->st_mode) ? 0LL : static_cast<long long>(st->st_size),
                  show_time ? (std::to_string(st->st_mtim.tv_sec) + "." +
                               std::to_string(st->st_mtim.tv_nsec)).c_str()
                            : "-");
    g_lines->push_back(rel + " " + line + extra);
    return 0;
}

}  // namespace

std::string tree_listing(const std::string& root, bool dir_times) {
    std::vector<std::string> lines;
    g_lines = &lines;
    g_root_len = root.size() + 1;
    g_dir_times = dir_times;
    ::nftw(root.c_str(), list_one, 16, FTW_PHYS);
    g_lines = nullptr;
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (auto& l : lines) out += l + "\n";
    return out;
}

std::vector<std::string> temp_leftovers(const std::string& root) {
    std::vector<std::string> found;
    std::string listing = tree_listing(root, false);
    std::istringstream in(listing);
    std::string line;
    while (std::getline(in, line)) {
        std::string name = line.substr(0, line.find(' '));
        std::string base = name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1);
        if (base.size() > 8 && base[0] == '.' && base[base.size() - 7] == '.') found.push_back(name);
    }
    return found;
}

std::string pipe_rsh() { return std::string(URSYNC_SOURCE_DIR) + "/interop/pipe-rsh"; }

namespace {

// Captures what the process writes on fds 1 and 2 while alive.
class CaptureStdio {
public:
    CaptureStdio() {
        std::fflush(stdout);
        std::fflush(stderr);
        for (int fd : {1, 2}) {
            char name[] = "/tmp/ursync-cap-XXXXXX";
            int tmp = ::mkstemp(name);
            ::unlink(name);
            saved_[fd] = ::dup(fd);
            files_[fd] = tmp;
            ::dup2(tmp, fd);
        }
    }
    std::string take(int fd) {
        std::string text;
        ::lseek(files_[fd], 0, SEEK_SET);
        char buf[4096];
        for (ssize_t n; (n = ::read(files_[fd], buf, sizeof buf)) > 0;)
            text.append(buf, static_cast<size_t>(n));
        return text;
    }
    ~CaptureStdio() {
        for (int fd : {1, 2}) {
            ::dup2(saved_[fd], fd);
            ::close(saved_[fd]);
            ::close(files_[fd]);
        }
    }

private:
    int saved_[3] = {-1, -1, -1};
    int files_[3] = {-1, -1, -1};
};

session::MuxIn::MessageHandler handler_for(Session& s) {
    return [&s](const protocol::MuxEvent& ev) -> session::SessionResult<void> {
        using protocol::MsgCode;
        switch (ev.code) {
            case MsgCode::info: s.output.relay_info(protocol::message_text(ev)); break;
            case MsgCode::error_xfer: s.state.partial = true; [[fallthrough]];
            case MsgCode::error:
            case MsgCode::warning: s.output.relay_error(protocol::message_text(ev)); break;
            case MsgCode::io_error: {
                auto bits = protocol::message_int(ev);
                if (bits) s.state.io_error |= *bits & 0x7;
                break;
            }
            case MsgCode::no_send: {
                auto ndx = protocol::message_int(ev);
                if (ndx && s.hooks.no_send) return s.hooks.no_send(*ndx);
                break;
            }
            case MsgCode::error_exit:
                return session::fail("peer exited", ExitCode::partial);
            default: break;
        }
        return {};
    };
}

engine::Task<void> pull_task(engine::Engine& e, const cli::Invocation& inv,
                             std::vector<std::string> cmd, PullResult& res) {
    const cli::Options& o = inv.options;
    auto child = transport::ChildProcess::spawn(e, cmd);
    if (!child) {
        ADD_FAILURE() << "spawn: " << child.error();
        co_return;
    }
    auto& proc = **child;
    transport::BufferedReader reader(proc.stream());
    transport::BufferedWriter writer(proc.stream());
    session::MuxOut out(writer);
    session::MuxIn in(reader, &out);
    Output output(e, nullptr);
    Session s{e, o, {}, in, out, output};
    s.source_args = &inv.sources;  // a pulling client checks the names it is sent
    session::HandshakeRequest req;
    req.role = protocol::Role::client;
    if (o.protocol) req.our_protocol = *o.protocol;
    req.checksum_choice = o.checksum_choice;
    req.compress = o.compression != cli::Compression::off;
    if (o.compression == cli::Compression::zstd) req.compress_choice = "zstd";
    auto hs = co_await session::run_handshake(in, out, req, handler_for(s));
    if (!hs) {
        ADD_FAILURE() << "handshake: " << hs.error().what;
        co_return;
    }
    s.params = *hs;
    auto sent = co_await send_filter_list(out, filter_rules_for_peer(o, false, s.params.protocol));
    if (!sent) ADD_FAILURE() << "filter list: " << sent.error().what;
    co_await receive_files(s, inv.destination.value_or("."), o.filter_rules);
    co_await out.flush();
    co_await output.flush();
    co_await proc.stream().close_write();
    auto status = co_await proc.wait();
    res.remote_code = status.exited ? status.code : 128 + status.signal;
    res.local_code = s.state.final_code();
    res.stats = s.stats;
}

std::vector<std::string> client_argv(const std::vector<std::string>& client_args,
                                     const std::string& src, const std::string& dest) {
    std::vector<std::string> argv = {"rsync"};
    argv.insert(argv.end(), client_args.begin(), client_args.end());
    argv.insert(argv.end(), {"-e", pipe_rsh(), "localhost:" + src});
    if (!dest.empty()) argv.push_back(dest);  // none: a listing
    return argv;
}

}  // namespace

PullResult ursync_pull(const std::vector<std::string>& client_args, const std::string& src,
                       const std::string& dest) {
    PullResult res;
    auto argv = client_argv(tests::with_checksum_seed(client_args), src, dest);
    auto inv = cli::parse_command_line(argv, cli::Environment::empty());
    const bool listing = dest.empty();
    if (!inv || inv->mode != (listing ? cli::Mode::list_only : cli::Mode::pull) || !inv->shell) {
        ADD_FAILURE() << "cannot parse the client command line";
        return res;
    }
    auto cmd = cli::build_remote_command(inv->options, *inv->shell, true, inv->sources);
    if (!cmd) {
        ADD_FAILURE() << "cannot build the server command";
        return res;
    }
    {
        CaptureStdio cap;
        engine::Engine e;
        e.run(pull_task(e, *inv, *cmd, res));
        res.out = cap.take(1);
        res.err = cap.take(2);
    }
    return res;
}

PullResult stock_pull(const std::vector<std::string>& client_args, const std::string& src,
                      const std::string& dest) {
    PullResult res;
    std::string cmd = "rsync";
    for (const auto& a : tests::with_checksum_seed(client_args)) cmd += " '" + a + "'";
    cmd += " -e '" + pipe_rsh() + "' 'localhost:" + src + "'";
    if (!dest.empty()) cmd += " '" + dest + "'";
    ScratchDir capture;
    res.local_code = sh(cmd + " >'" + capture / "out" + "' 2>'" + capture / "err" + "'");
    res.remote_code = 0;
    res.out = read_file(capture / "out");
    res.err = read_file(capture / "err");
    return res;
}

}  // namespace ursync::roles::testing
