// Output: where a role's messages go — the terminal (client) or the client over the wire (server).
#pragma once

#include <coroutine>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "engine/task.h"
#include "roles/common/log_format.h"
#include "session/mux_out.h"

namespace ursync::roles {

// Lines are queued (so synchronous message handlers can print) and written in order by one
// drain coroutine; call flush() before the process exits.
class Output {
public:
    // A client prints to fds 1 and 2. A server sends informational lines to the client as
    // MSG_INFO (once `to_client` is multiplexed) and writes errors to its stderr, as rsync
    // 3.2.3+ does by default over a remote shell.
    Output(engine::Engine& engine, session::MuxOut* to_client)
        : engine_(engine), to_client_(to_client) {}

    // `line` should end with '\n' (as rsync's messages do). Names in it are escaped on a
    // terminal the way rsync does (see escape_for_terminal).
    void info(std::string line);
    void error(std::string line);
    // Messages the peer sent in frames (MSG_INFO → stdout, MSG_ERROR* / MSG_WARNING → stderr).
    void relay_info(std::string_view text);
    void relay_error(std::string_view text);
    engine::Task<void> flush();

    // Text that may leave the terminal line open (progress lines, "building file list ... "),
    // written to stdout as is (a client only; not escaped, not on a server). Every other
    // message first ends an open line with "\n", as rsync's rwrite does for
    // output_needs_newline: 0 (nothing open), 1 (a line is open), 2 (a file-list count ending in
    // "\r" is open; the next count overwrites it). Quiet suppresses both.
    void raw_info(std::string text);
    int open_line() const { return open_line_; }
    void set_open_line(int state);
    // Progress: the line replaces any open one; `line_open` leaves it open.
    void progress(std::string text, bool line_open);
    // The client's last words: ends an open line.
    void end_line();

    bool is_server() const { return to_client_ != nullptr; }
    void set_allow_8bit(bool allow) { allow_8bit_ = allow; }
    void set_charset(TerminalCharset charset) { charset_ = charset; }
    void set_quiet(bool quiet) { quiet_ = quiet; }

private:
    struct Line {
        int fd;  // 1, 2, or 0 = MSG_INFO to the client
        std::string text;
    };
    void push(int fd, std::string text);
    void close_open_line(int fd);
    engine::Task<void> drain();

    engine::Engine& engine_;
    session::MuxOut* to_client_;
    bool allow_8bit_ = false;
    TerminalCharset charset_ = TerminalCharset::ascii;
    bool quiet_ = false;
    int open_line_ = 0;  // rsync's output_needs_newline (a client's terminal only)
    std::deque<Line> queue_;
    bool draining_ = false;
    std::vector<std::coroutine_handle<>> flush_waiters_;
};

}  // namespace ursync::roles
