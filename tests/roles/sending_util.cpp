// Test helpers for the sending side (see sending_util.h).
#include "sending_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "cli/parse.h"
#include "cli/server_argv.h"
#include "engine/engine.h"
#include "protocol/mux_frame.h"
#include "roles/common/output.h"
#include "roles/common/session_context.h"
#include "roles/filter/filter_wire.h"
#include "roles/send/send_files.h"
#include "session/handshake.h"
#include "tests/util/stock_rsync.h"
#include "transport/buffered.h"
#include "transport/child_process.h"

namespace ursync::roles::testing {

namespace fsys = std::filesystem;

TempDir::TempDir() {
    char tmpl[] = "/tmp/ursync-send-XXXXXX";
    path = ::mkdtemp(tmpl);
}

TempDir::~TempDir() {
    std::error_code ec;
    fsys::remove_all(path, ec);
}

void write_file(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

void make_dir(const std::string& path, mode_t mode) {
    ::mkdir(path.c_str(), mode);
    ::chmod(path.c_str(), mode);
}

void set_mtime(const std::string& path, int64_t sec, long nsec, bool no_follow) {
    timespec ts[2];
    ts[0].tv_sec = sec;
    ts[0].tv_nsec = nsec;
    ts[1] = ts[0];
    ::utimensat(AT_FDCWD, path.c_str(), ts, no_follow ? AT_SYMLINK_NOFOLLOW : 0);
}

void make_false_match_trees(const std::string& src, const std::vector<std::string>& dests) {
    make_dir(src);
    write_file(src + "/d.bin", tests::false_match_file());
    set_mtime(src + "/d.bin", 1690000000, 5);
    set_mtime(src, 1700000000, 0);
    const std::string basis = tests::false_match_file().substr(0, tests::k_false_match_basis_len);
    for (const auto& d : dests) {
        make_dir(d);
        write_file(d + "/d.bin", basis);
        set_mtime(d + "/d.bin", 1600000000, 0);
    }
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string random_bytes(size_t n, uint32_t seed) {
    std::string out(n, '\0');
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; ++i) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        out[i] = static_cast<char>(x & 0xFF);
    }
    return out;
}

int run_shell(const std::string& cmd, std::string* out) {
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return -1;
    std::string text;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
    int st = ::pclose(p);
    if (out) *out = std::move(text);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

std::string pipe_rsh() {
    return std::string(URSYNC_SOURCE_DIR) + "/interop/pipe-rsh";
}

namespace {

std::string hash_text(const std::string& data) {
    uint64_t h = 1469598103934665603ull;
    for (char c : data) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return std::to_string(h) + ":" + std::to_string(data.size());
}

}  // namespace

std::vector<std::string> snapshot(const std::string& root, bool with_nsec, bool dir_times,
                                  bool file_times) {
    std::vector<std::string> out;
    std::map<std::pair<uint64_t, uint64_t>, std::string> first_name;
    std::vector<std::string> names;
    for (auto it = fsys::recursive_directory_iterator(root); it != fsys::end(it); ++it)
        names.push_back(it->path().lexically_relative(root).string());
    names.push_back(".");
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        const std::string full = root + "/" + name;
        struct stat st {};
        if (::lstat(full.c_str(), &st) != 0) continue;
        std::ostringstream line;
        line << name << " " << std::oct << st.st_mode << std::dec << " "
             << (S_ISDIR(st.st_mode) ? 0 : st.st_size);
        if (S_ISDIR(st.st_mode) ? dir_times : file_times) {
            line << " " << st.st_mtim.tv_sec;
            if (with_nsec) line << "." << st.st_mtim.tv_nsec;
        }
        line << " " << st.st_uid << ":" << st.st_gid;
        if (S_ISLNK(st.st_mode)) {
            char buf[4096];
            ssize_t n = ::readlink(full.c_str(), buf, sizeof buf);
            line << " -> " << std::string(buf, n > 0 ? static_cast<size_t>(n) : 0);
        } else if (S_ISREG(st.st_mode)) {
            line << " " << hash_text(read_text(full));
        } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
            line << " rdev " << st.st_rdev;
        }
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
            auto key = std::make_pair(uint64_t{st.st_dev}, uint64_t{st.st_ino});
            auto [pos, fresh] = first_name.emplace(key, name);
            line << " link-group " << pos->second;
            (void)fresh;
        }
        out.push_back(line.str());
    }
    return out;
}

std::map<std::string, int64_t> parse_stats(const std::string& text) {
    std::map<std::string, int64_t> out;
    std::istringstream in(text);
    std::string line;
    static const std::regex re(R"(^([A-Za-z ]+): ([\d,]+))");
    while (std::getline(in, line)) {
        std::smatch m;
        if (!std::regex_search(line, m, re)) continue;
        std::string digits = m[2].str();
        digits.erase(std::remove(digits.begin(), digits.end(), ','), digits.end());
        out[m[1].str()] = std::stoll(digits);
    }
    return out;
}

namespace {

// Captures fd 1 and fd 2 into files for the lifetime of the object.
struct CaptureStdio {
    int saved_out = -1, saved_err = -1;
    std::string out_path, err_path;
    explicit CaptureStdio(const std::string& dir) {
        out_path = dir + "/.stdout";
        err_path = dir + "/.stderr";
        std::fflush(stdout);
        std::fflush(stderr);
        saved_out = ::dup(1);
        saved_err = ::dup(2);
        int fo = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int fe = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fo, 1);
        ::dup2(fe, 2);
        ::close(fo);
        ::close(fe);
    }
    ~CaptureStdio() { restore(); }
    void restore() {
        if (saved_out < 0) return;
        ::dup2(saved_out, 1);
        ::dup2(saved_err, 2);
        ::close(saved_out);
        ::close(saved_err);
        saved_out = saved_err = -1;
    }
};

engine::Task<void> run_push(engine::Engine& e, const cli::Invocation& inv,
                            std::vector<std::string> child_argv, PushOutcome& result) {
    auto child = transport::ChildProcess::spawn(e, child_argv);
    if (!child) {
        result.state.note_exit(ExitCode::cmd_run);
        co_return;
    }
    const cli::Options& o = inv.options;
    {
        transport::BufferedReader reader((*child)->stream());
        transport::BufferedWriter writer((*child)->stream());
        session::MuxOut out(writer);
        session::MuxIn in(reader, &out);
        Output output(e, nullptr);
        Session s{e, o, {}, in, out, output};
        s.am_sender = true;
        auto handler = [&s](const protocol::MuxEvent& ev) -> session::SessionResult<void> {
            switch (ev.code) {
                case protocol::MsgCode::info:
                    s.output.relay_info(protocol::message_text(ev));
                    break;
                case protocol::MsgCode::error_xfer:
                    s.state.partial = true;
                    s.output.relay_error(protocol::message_text(ev));
                    break;
                case protocol::MsgCode::error:
                case protocol::MsgCode::warning:
                    s.output.relay_error(protocol::message_text(ev));
                    break;
                case protocol::MsgCode::io_error: {
                    auto bits = protocol::message_int(ev);
                    if (bits) s.state.io_error |= *bits & 0x7;
                    break;
                }
                case protocol::MsgCode::error_exit:
                    return session::fail("", ExitCode::partial);
                case protocol::MsgCode::deleted:
                    if (s.hooks.deleted) s.hooks.deleted(protocol::message_text(ev));
                    break;
                default:
                    break;
            }
            return {};
        };
        session::HandshakeRequest req;
        req.role = protocol::Role::client;
        if (o.protocol) req.our_protocol = *o.protocol;
        req.checksum_choice = o.checksum_choice;
        req.compress = o.compression != cli::Compression::off;
        if (o.compression == cli::Compression::zstd) req.compress_choice = "zstd";
        req.checksum_seed = o.checksum_seed;
        auto hs = co_await session::run_handshake(in, out, req, handler);
        if (!hs) {
            output.error("handshake: " + hs.error().what + "\n");
            s.state.note_exit(hs.error().code);
        } else {
            s.params = *hs;
            bool ok = true;
            if (receiver_wants_filter_list(o, s.params.protocol)) {
                auto sent = co_await send_filter_list(
                    out, filter_rules_for_peer(o, true, s.params.protocol));
                ok = static_cast<bool>(sent);
            }
            if (ok) co_await send_files(s, inv.sources, o.filter_rules);
            (void)co_await out.flush();
        }
        co_await output.flush();
        result.state = s.state;
        result.stats = s.stats;
    }
    auto st = co_await (*child)->wait();
    result.server_status = st.exited ? st.code : -1;
}

}  // namespace

PushOutcome push_to_stock(const std::vector<std::string>& args,
                          const std::vector<std::string>& sources, const std::string& dest) {
    std::vector<std::string> argv{"ursync"};
    const auto seeded = tests::with_checksum_seed(args);
    argv.insert(argv.end(), seeded.begin(), seeded.end());
    argv.insert(argv.end(), sources.begin(), sources.end());
    argv.push_back("localhost:" + dest + "/");
    PushOutcome result;
    auto inv = cli::parse_command_line(argv, cli::Environment::from_process());
    if (!inv) {
        result.stderr_text = "parse: " + inv.error().message;
        result.state.note_exit(ExitCode::syntax);
        return result;
    }
    std::vector<std::string> remote{dest + "/"};
    std::vector<std::string> child_argv{"rsync"};
    auto server = cli::build_server_args(inv->options, false, remote);
    child_argv.insert(child_argv.end(), server.begin(), server.end());
    {
        TempDir capture_dir;
        CaptureStdio capture(capture_dir.path);
        engine::Engine e;
        e.run(run_push(e, *inv, child_argv, result));
        capture.restore();
        result.stdout_text = read_text(capture.out_path);
        result.stderr_text = read_text(capture.err_path);
    }
    return result;
}

}  // namespace ursync::roles::testing
