// fork/exec of stock rsync with captured output, for tests that compare ursync with it.
#include "rsync_runner.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ursync::cli::test {
namespace {

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::optional<std::string> find_rsync() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const std::string candidate = dir + "/rsync";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return std::nullopt;
}

std::string make_temp_dir() {
    std::string pattern = "/tmp/ursync-cli-test-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return {};
    return pattern;
}

void remove_tree(const std::string& dir) {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

RsyncRun run_rsync(const std::vector<std::string>& args, const std::string& dir,
                   const std::map<std::string, std::string>& env) {
    RsyncRun run;
    const auto rsync = find_rsync();
    if (!rsync) return run;
    const std::string out_path = dir + "/.rsync-stdout";
    const std::string err_path = dir + "/.rsync-stderr";
    const pid_t pid = ::fork();
    if (pid == 0) {
        if (::chdir(dir.c_str()) != 0) ::_exit(126);
        for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(in, 0);
        ::dup2(out, 1);
        ::dup2(err, 2);
        std::vector<char*> argv;
        std::string name = "rsync";
        argv.push_back(name.data());
        std::vector<std::string> copies = args;
        for (auto& arg : copies) argv.push_back(arg.data());
        argv.push_back(nullptr);
        ::execv(rsync->c_str(), argv.data());
        ::_exit(127);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.stdout_text = read_all(out_path);
    run.stderr_text = read_all(err_path);
    ::unlink(out_path.c_str());
    ::unlink(err_path.c_str());
    return run;
}

std::optional<RecordedCommand> record_remote_command(const std::vector<std::string>& args,
                                                     const std::string& dir,
                                                     const std::string& log_script,
                                                     bool capture_stdin) {
    const std::string log_path = dir + "/.rsh-log";
    ::unlink(log_path.c_str());
    std::map<std::string, std::string> env{{"RSYNC_RSH", log_script},
                                           {"URSYNC_LOG_RSH_FILE", log_path}};
    if (capture_stdin) env["URSYNC_LOG_RSH_STDIN"] = "1";
    (void)run_rsync(args, dir, env);
    if (::access(log_path.c_str(), R_OK) != 0) return std::nullopt;
    RecordedCommand recorded;
    const std::string text = read_all(log_path);
    std::size_t start = 0;
    for (std::size_t nul = text.find('\0'); nul != std::string::npos;
         nul = text.find('\0', start)) {
        recorded.args.push_back(text.substr(start, nul - start));
        start = nul + 1;
    }
    if (capture_stdin) recorded.stdin_bytes = read_all(log_path + ".stdin");
    ::unlink(log_path.c_str());
    ::unlink((log_path + ".stdin").c_str());
    return recorded;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

}  // namespace ursync::cli::test
