// Output implementation: an ordered queue drained through the engine (never blocking).
#include "roles/common/output.h"

#include "engine/io_helpers.h"
#include "roles/common/log_format.h"

namespace ursync::roles {

namespace {

// rsync escapes names on the terminal, never the line's own trailing newline.
std::string for_terminal(std::string_view line, bool allow_8bit, TerminalCharset charset) {
    bool nl = !line.empty() && line.back() == '\n';
    std::string out =
        escape_for_terminal(nl ? line.substr(0, line.size() - 1) : line, allow_8bit, charset);
    if (nl) out += '\n';
    return out;
}

}  // namespace

void Output::push(int fd, std::string text) {
    queue_.push_back({fd, std::move(text)});
    if (!draining_) {
        draining_ = true;
        engine_.spawn(drain());
    }
}

// mirrors the output_needs_newline check of rsync log.c:rwrite
void Output::close_open_line(int fd) {
    if (open_line_ == 0) return;
    open_line_ = 0;
    push(fd, "\n");
}

void Output::raw_info(std::string text) {
    if (quiet_ || to_client_) return;
    close_open_line(1);
    push(1, std::move(text));
}

void Output::set_open_line(int state) {
    if (quiet_ || to_client_) return;
    open_line_ = state;
}

void Output::progress(std::string text, bool line_open) {
    if (quiet_ || to_client_) return;
    open_line_ = 0;  // the "\r" overwrites an open progress line
    push(1, std::move(text));
    if (line_open) open_line_ = 1;
}

void Output::end_line() { close_open_line(1); }

void Output::info(std::string line) {
    if (quiet_) return;
    if (to_client_ && to_client_->multiplexed()) {
        push(0, std::move(line));
    } else if (to_client_) {
        // a server before multiplexing: nowhere else to say it
        push(2, for_terminal(line, allow_8bit_, charset_));
    } else {
        close_open_line(1);
        push(1, for_terminal(line, allow_8bit_, charset_));
    }
}

void Output::error(std::string line) {
    if (to_client_) {
        // A server's errors go to its stderr (the remote shell carries them to the user),
        // escaped as rsync's rwrite escapes every line it prints (\#001 for a control byte).
        push(2, for_terminal(line, allow_8bit_, charset_));
        return;
    }
    close_open_line(2);
    push(2, for_terminal(line, allow_8bit_, charset_));
}

void Output::relay_info(std::string_view text) {
    if (quiet_) return;
    close_open_line(1);
    push(1, for_terminal(text, allow_8bit_, charset_));
}

void Output::relay_error(std::string_view text) {
    close_open_line(2);
    push(2, for_terminal(text, allow_8bit_, charset_));
}

engine::Task<void> Output::drain() {
    while (!queue_.empty()) {
        Line line = std::move(queue_.front());
        queue_.pop_front();
        if (line.fd == 0) {
            co_await to_client_->send_message(protocol::MsgCode::info,
                                              std::as_bytes(std::span(line.text)));
        } else {
            // A closed terminal is not our error; rsync carries on too.
            co_await engine::write_all(engine_, line.fd, std::as_bytes(std::span(line.text)));
        }
    }
    draining_ = false;
    for (auto h : flush_waiters_) engine_.post(h);
    flush_waiters_.clear();
}

engine::Task<void> Output::flush() {
    struct Wait {
        Output& out;
        bool await_ready() const noexcept { return !out.draining_; }
        void await_suspend(std::coroutine_handle<> h) { out.flush_waiters_.push_back(h); }
        void await_resume() const noexcept {}
    };
    co_await Wait{*this};
}

}  // namespace ursync::roles
