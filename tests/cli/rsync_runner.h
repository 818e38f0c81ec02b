// Runs the installed stock rsync for the live comparison tests (no shell in between).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ursync::cli::test {

// The rsync binary on PATH, if any.
std::optional<std::string> find_rsync();

struct RsyncRun {
    int exit_code = -1;
    std::string stdout_text;
    std::string stderr_text;
};

// Runs `rsync args...` in `dir` with `env` added to the environment.
RsyncRun run_rsync(const std::vector<std::string>& args, const std::string& dir,
                   const std::map<std::string, std::string>& env = {});

// What stock rsync asked the logging remote shell (tests/cli/log-rsh.sh) to run.
struct RecordedCommand {
    std::vector<std::string> args;  // the remote shell's arguments ($1...), program excluded
    std::string stdin_bytes;        // with -s: what rsync wrote first on the connection
};

// Runs rsync with `args` in `dir`; the remote shell comes from $RSYNC_RSH (set to the logging
// script) unless `args` give -e themselves.
std::optional<RecordedCommand> record_remote_command(const std::vector<std::string>& args,
                                                     const std::string& dir,
                                                     const std::string& log_script,
                                                     bool capture_stdin);

// The first line of `text` (without its newline).
std::string first_line(const std::string& text);

// A fresh directory under /tmp, removed by the caller.
std::string make_temp_dir();
void remove_tree(const std::string& dir);

}  // namespace ursync::cli::test
