// Engine implementation: ring setup and probing, the completion loop, retries, the fallback backend.
#include "engine/engine.h"

#include "engine/futex.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace ursync::engine {

namespace {

// user_data tags that are not Op addresses (Op objects are at least 8-byte aligned).
constexpr uint64_t k_tag_ignore = 1;    // linked-timeout and shutdown-cancel completions
constexpr uint64_t k_tag_eventfd = 2;   // the engine's own read of its eventfd
constexpr uint64_t k_tag_wake = 3;      // an IORING_OP_FUTEX_WAKE of the worker pool
constexpr uint64_t k_tag_detached = 4;  // a close_detached()
constexpr uint16_t k_retries_max = 1000;
constexpr unsigned k_reap_batch = 64;
// Unreaped FUTEX_WAKE completions at most; past it the engine reaps before adding one, so
// wakes can never crowd the completion queue (it has room for 2 × ring_entries).
constexpr unsigned k_wakes_in_ring_max = 16;
constexpr unsigned k_detached_in_ring_max = 64;  // the same for fire-and-forget closes
// Fallback backend: how often a cancelled op's worker is signalled again until the op comes
// back (the first signal can land just before the worker enters the blocking syscall).
constexpr uint64_t k_interrupt_retry_ms = 5;

// The engine each thread runs, for destructors that close fds (close_detached()). Which engine
// runs on a thread is a fact about the thread, not state of the program: the engine driving
// now, else the first engine made on the thread (until it goes).
thread_local Engine* t_engine = nullptr;

uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

// A fire-and-forget coroutine that owns a spawned Task and unregisters itself when done.
struct SpawnedTask {
    struct promise_type {
        Engine* engine = nullptr;
        SpawnedTask get_return_object() {
            return {std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_never final_suspend() noexcept { return {}; }
        void return_void() {}
        void unhandled_exception() { std::terminate(); }  // roles report errors as values
    };
    std::coroutine_handle<promise_type> handle;
};

namespace {

// Yields the address of the awaiting coroutine's own frame.
struct OwnFrame {
    void* frame = nullptr;
    bool await_ready() const noexcept { return false; }
    bool await_suspend(std::coroutine_handle<> h) noexcept {
        frame = h.address();
        return false;  // continue at once
    }
    void* await_resume() const noexcept { return frame; }
};

SpawnedTask run_spawned(std::unordered_set<void*>& live, Task<void> task) {
    co_await task;
    live.erase(co_await OwnFrame{});
}

}  // namespace

EngineConfig config_from_environment() {
    EngineConfig config;
    if (const char* b = std::getenv("URSYNC_BACKEND"); b && std::strcmp(b, "threads") == 0)
        config.force_threads = true;
    return config;
}

void Op::await_suspend(std::coroutine_handle<> h) noexcept {
    waiter = h;
    engine_.submit(*this);
}

Engine::Engine(EngineConfig config) : config_(config) {
    if (config.force_threads) {
        backend_text_ = "worker threads (forced by URSYNC_BACKEND=threads)";
    } else {
        setup_ring(config);
    }
    PoolConfig pool{config.workers ? config.workers : default_worker_count(), !ring_ok_, -1};
    if (ring_ok_) {
        backend_ = Backend::io_uring;
        event_fd_ = eventfd(0, EFD_CLOEXEC);
        if (event_fd_ < 0) {
            std::fprintf(stderr, "ursync: eventfd: %s\n", std::strerror(errno));
            std::abort();
        }
        pool.done_eventfd = event_fd_;
        arm_eventfd();
        ring_futex_wake_ = probe_ && io_uring_opcode_supported(probe_, k_op_futex_wake);
    }
    // Every worker starts here, before the engine runs anything: the engine thread of the
    // io_uring backend never creates a thread afterwards.
    pool_ = std::make_unique<WorkerPool>(pool);
    if (!t_engine) t_engine = this;
}

Engine::~Engine() {
    shutdown();
    if (t_engine == this) t_engine = nullptr;
}

Engine* Engine::on_this_thread() { return t_engine; }

void Engine::close_detached(int fd) {
    if (!ring_ok_ || event_fd_ < 0) {  // no ring, or it is being torn down
        ::close(fd);
        return;
    }
    if (detached_in_ring_ >= k_detached_in_ring_max) reap_ring(false);
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_close(sqe, fd);
    io_uring_sqe_set_data64(sqe, k_tag_detached);
    ++detached_in_ring_;
}

void close_detached(int fd) {
    if (fd < 0) return;
    if (Engine* e = Engine::on_this_thread()) {
        e->close_detached(fd);
    } else {
        ::close(fd);
    }
}

void Engine::setup_ring(const EngineConfig& config) {
    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    params.cq_entries = config.ring_entries * 2;
    int r = io_uring_queue_init_params(config.ring_entries, &ring_, &params);
    if (r == -EINVAL) {  // older kernel: no SINGLE_ISSUER / DEFER_TASKRUN
        params = {};
        params.flags = IORING_SETUP_CQSIZE;
        params.cq_entries = config.ring_entries * 2;
        r = io_uring_queue_init_params(config.ring_entries, &ring_, &params);
    } else if (r == 0) {
        single_issuer_ = true;
    }
    if (r < 0) {
        backend_text_ = std::string("worker threads (io_uring unavailable: ") + std::strerror(-r) + ")";
        return;
    }
    ring_ok_ = true;
    probe_ = io_uring_get_probe_ring(&ring_);
    backend_text_ = single_issuer_ ? "io_uring (single issuer, deferred task run)" : "io_uring";
}

void Engine::run(Task<void> task) {
    post(task.handle());
    drive([&] { return task.done(); });
    task.take_result();
}

void Engine::spawn(Task<void> task) {
    SpawnedTask s = run_spawned(spawned_, std::move(task));
    spawned_.insert(s.handle.address());
    post(s.handle);
}

void Engine::submit(Op& op) {
    if (op.kind() == OpKind::cancel) {
        auto& cancel = static_cast<CancelOp&>(op);
        cancel.target().cancel_requested = true;
        if (!ring_ok_ || cancel.target().pool_only() || !cancel.target().waiter) {
            cancel_locally(cancel);
            return;
        }
        // The target may still sit in our own waiting queue: cancel it there.
        for (Op* w = waiting_head_; w; w = w->next_waiting)
            if (w == &cancel.target()) {
                cancel_locally(cancel);
                return;
            }
    }
    bool to_pool = !ring_ok_ || op.pool_only() ||
                   (probe_ && !io_uring_opcode_supported(probe_, op.uring_opcode()));
    if (to_pool) {
        if (op.kind() == OpKind::timeout) {
            auto ms = static_cast<TimeoutOp&>(op).duration_ms();
            timers_.push_back({now_ns() + ms * 1000000ull, &op, TimerKind::sleep});
            return;
        }
        if (op.timeout_ms() && !op.polling_for_retry)
            timers_.push_back({now_ns() + op.timeout_ms() * 1000000ull, &op, TimerKind::link});
        ++pool_outstanding_;
        pool_->post(op);
        return;
    }
    if (inflight_ >= config_.inflight_max) {
        op.next_waiting = nullptr;
        if (waiting_tail_) waiting_tail_->next_waiting = &op;
        else waiting_head_ = &op;
        waiting_tail_ = &op;
        return;
    }
    submit_to_ring(op);
}

io_uring_sqe* Engine::get_sqe() {
    for (;;) {
        if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) return sqe;
        int r = io_uring_submit(&ring_);  // full submission queue: hand it to the kernel
        if (r == -EBUSY || r == -EAGAIN) reap_ring(false);
    }
}

void Engine::submit_to_ring(Op& op) {
    bool linked = op.timeout_ms() != 0 && !op.polling_for_retry;
    if (linked && io_uring_sq_space_left(&ring_) < 2) io_uring_submit(&ring_);
    io_uring_sqe* sqe = get_sqe();
    if (op.polling_for_retry) {
        io_uring_prep_poll_add(sqe, op.retry_fd(), static_cast<unsigned>(op.retry_events()));
    } else {
        op.prep(sqe);
    }
    io_uring_sqe_set_data(sqe, &op);
    if (linked) {
        sqe->flags |= IOSQE_IO_LINK;
        op.link_ts.tv_sec = static_cast<long long>(op.timeout_ms() / 1000);
        op.link_ts.tv_nsec = static_cast<long long>((op.timeout_ms() % 1000) * 1000000);
        io_uring_sqe* t = get_sqe();
        io_uring_prep_link_timeout(t, &op.link_ts, 0);
        io_uring_sqe_set_data64(t, k_tag_ignore);
    }
    ++inflight_;
}

void Engine::flush_waiting() {
    while (waiting_head_ && inflight_ < config_.inflight_max) {
        Op* op = waiting_head_;
        waiting_head_ = op->next_waiting;
        if (!waiting_head_) waiting_tail_ = nullptr;
        op->next_waiting = nullptr;
        submit_to_ring(*op);
    }
}

void Engine::arm_eventfd() {
    io_uring_sqe* sqe = get_sqe();
    io_uring_prep_read(sqe, event_fd_, &event_value_, sizeof event_value_, 0);
    io_uring_sqe_set_data64(sqe, k_tag_eventfd);
    eventfd_armed_ = true;
}

void Engine::reap_ring(bool wait) {
    int r = wait ? io_uring_submit_and_wait(&ring_, 1) : io_uring_submit_and_get_events(&ring_);
    if (r < 0 && r != -EINTR && r != -EBUSY && r != -EAGAIN && r != -ETIME) {
        std::fprintf(stderr, "ursync: io_uring_enter: %s\n", std::strerror(-r));
        std::abort();
    }
    io_uring_cqe* cqes[k_reap_batch];
    for (;;) {
        unsigned n = io_uring_peek_batch_cqe(&ring_, cqes, k_reap_batch);
        if (n == 0) break;
        std::pair<uint64_t, int32_t> done[k_reap_batch];
        for (unsigned i = 0; i < n; ++i) done[i] = {cqes[i]->user_data, cqes[i]->res};
        io_uring_cq_advance(&ring_, n);  // seen before anything resumes
        for (unsigned i = 0; i < n; ++i) {
            auto [tag, res] = done[i];
            if (tag == k_tag_ignore) continue;
            if (tag == k_tag_wake) {
                --wakes_in_ring_;
                continue;
            }
            if (tag == k_tag_detached) {
                --detached_in_ring_;
                continue;
            }
            if (tag == k_tag_eventfd) {
                eventfd_armed_ = false;
                pool_->rearm_done_signal();
                take_pool_results(false);
                if (event_fd_ >= 0) arm_eventfd();
                continue;
            }
            --inflight_;
            complete(*reinterpret_cast<Op*>(tag), res);
        }
    }
    flush_waiting();
}

// Wakes workers for the jobs posted since the last call. io_uring backend: through the ring
// (the SQE goes to the kernel with the next io_uring_enter); returns whether one was queued.
bool Engine::wake_workers() {
    unsigned count = pool_->take_wake_count();
    if (count == 0) return false;
    if (!ring_futex_wake_) {  // fallback backend, or a kernel before 6.7: a plain futex wake
        futex_wake(pool_->wake_word(), count);
        return false;
    }
    if (wakes_in_ring_ >= k_wakes_in_ring_max) reap_ring(false);
    io_uring_sqe* sqe = get_sqe();
    prep_futex_wake(sqe, pool_->wake_word(), count);
    io_uring_sqe_set_data64(sqe, k_tag_wake);
    ++wakes_in_ring_;
    return true;
}

void Engine::take_pool_results(bool wait) {
    if (wait) pool_->wait_done(timers_.empty() ? -1 : static_cast<int>(next_timer_wait_ms()));
    Op* op = pool_->take_done();
    while (op) {
        Op* next = op->pool_next;  // finishing may post the op again
        finish_pool_op(*op, op->pool_result);
        op = next;
    }
}

void Engine::finish_pool_op(Op& op, int64_t raw) {
    --pool_outstanding_;
    drop_timer(op);
    // A worker interrupted by a cancellation's signal sees EINTR; the op was cancelled.
    if ((op.cancel_requested || op.timed_out) && raw == -EINTR) raw = -ECANCELED;
    complete(op, raw);
}

// Cancels an op the pool has: at once if it was still queued, else by interrupting its worker
// (fallback backend), again every k_interrupt_retry_ms until it comes back.
int Engine::cancel_in_pool(Op& op) {
    int r = pool_->cancel(op);
    if (r == 0) {
        finish_pool_op(op, -ECANCELED);
    } else if (r == -EALREADY && !ring_ok_) {
        timers_.push_back({now_ns() + k_interrupt_retry_ms * 1000000ull, &op,
                           TimerKind::interrupt});
    }
    return r;
}

void Engine::complete(Op& op, int64_t raw) {
    if (fault_hook_ && !op.polling_for_retry) raw = fault_hook_(op, raw);
    if (op.polling_for_retry) {  // the fd is ready (or the poll failed): retry the real op
        op.polling_for_retry = false;
        if (raw >= 0 || raw == -EINTR) {
            submit(op);
            return;
        }
    } else if (!op.cancel_requested && !op.timed_out && op.retries < k_retries_max) {
        if (raw == -EINTR) {
            ++op.retries;
            submit(op);
            return;
        }
        if (raw == -EAGAIN && op.retry_fd() >= 0) {
            ++op.retries;
            op.polling_for_retry = true;
            submit(op);
            return;
        }
    }
    if (op.timeout_ms() && raw == -ECANCELED && (op.timed_out || !op.cancel_requested))
        raw = -ETIMEDOUT;
    op.timed_out = false;
    op.result_ = raw;
    op.retries = 0;
    post(op.waiter);
}

void Engine::cancel_locally(CancelOp& cancel) {
    Op& target = cancel.target();
    int64_t res = -ENOENT;
    // In our ring-capacity queue?
    for (Op** link = &waiting_head_; *link; link = &(*link)->next_waiting) {
        if (*link == &target) {
            *link = target.next_waiting;
            if (waiting_tail_ == &target) {
                waiting_tail_ = nullptr;
                for (Op* w = waiting_head_; w; w = w->next_waiting) waiting_tail_ = w;
            }
            target.cancel_requested = true;
            complete(target, -ECANCELED);
            res = 0;
            break;
        }
    }
    if (res == -ENOENT) {
        // A sleep in the fallback timer list?
        auto it = std::find_if(timers_.begin(), timers_.end(), [&](const Timer& t) {
            return t.op == &target && t.kind == TimerKind::sleep;
        });
        if (it != timers_.end()) {
            timers_.erase(it);
            target.cancel_requested = true;
            complete(target, -ECANCELED);
            res = 0;
        } else if (target.in_pool) {
            target.cancel_requested = true;
            res = cancel_in_pool(target);
        }
    }
    cancel.result_ = res;
    post(cancel.waiter);
}

void Engine::drop_timer(Op& op) {
    std::erase_if(timers_,
                  [&](const Timer& t) { return t.op == &op && t.kind != TimerKind::sleep; });
}

uint64_t Engine::next_timer_wait_ms() const {
    uint64_t now = now_ns(), best = UINT64_MAX;
    for (const auto& t : timers_) best = std::min(best, t.deadline_ns);
    return best <= now ? 0 : (best - now) / 1000000 + 1;
}

void Engine::fire_timers() {
    uint64_t now = now_ns();
    std::vector<Timer> due;
    std::erase_if(timers_, [&](const Timer& t) {
        if (t.deadline_ns > now) return false;
        due.push_back(t);
        return true;
    });
    for (const auto& t : due) {
        switch (t.kind) {
            case TimerKind::link:  // cancel the guarded op; it completes as -ECANCELED
                t.op->timed_out = true;
                cancel_in_pool(*t.op);
                break;
            case TimerKind::interrupt:
                if (t.op->in_pool) cancel_in_pool(*t.op);
                break;
            case TimerKind::sleep: complete(*t.op, -ETIME); break;
        }
    }
}

bool Engine::run_ready() {
    bool any = false;
    while (!ready_.empty()) {
        auto h = ready_.front();
        ready_.pop_front();
        h.resume();
        any = true;
    }
    return any;
}

void Engine::drive(const std::function<bool()>& finished) {
    // While it drives, this engine is the thread's (close_detached() uses its ring), even if
    // another engine made on this thread first owns it otherwise.
    struct Current {
        Engine* saved;
        explicit Current(Engine* e) : saved(std::exchange(t_engine, e)) {}
        ~Current() { t_engine = saved; }
    } current(this);
    for (;;) {
        run_ready();
        if (finished()) return;
        if (ring_ok_) {
            flush_waiting();
            take_pool_results(false);
            // After everything that can post a job (a retry posts from a completion), before
            // anything that can sleep.
            bool wake_queued = wake_workers();
            if (!ready_.empty()) {
                if (wake_queued) io_uring_submit(&ring_);  // workers need not wait for our idle
                continue;
            }
            if (inflight_ == 0 && pool_outstanding_ == 0 && !waiting_head_) throw Stalled();
            reap_ring(true);  // submits the wake, if any, with everything else
        } else {
            fire_timers();
            take_pool_results(false);
            wake_workers();
            if (!ready_.empty()) continue;
            if (pool_outstanding_ == 0 && timers_.empty()) throw Stalled();
            take_pool_results(true);
        }
    }
}

void Engine::shutdown() {
    // The ring goes first, the pool after: the pool's stop (a futex wake, joins, signals) is
    // teardown, after the engine's last io_uring_enter. Workers that finish meanwhile write to
    // event_fd_, which stays open until they are all gone.
    if (ring_ok_) {
        // Cancel whatever is still in the ring (and our eventfd read) and wait for every CQE, so
        // no completion can ever name freed memory.
        io_uring_sqe* sqe = get_sqe();
        io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
        io_uring_sqe_set_data64(sqe, k_tag_ignore);
        int fd = event_fd_;
        event_fd_ = -1;
        while (inflight_ > 0 || eventfd_armed_) {
            io_uring_submit_and_wait(&ring_, 1);
            io_uring_cqe* cqe = nullptr;
            while (io_uring_peek_cqe(&ring_, &cqe) == 0) {
                uint64_t tag = cqe->user_data;
                io_uring_cqe_seen(&ring_, cqe);
                if (tag == k_tag_eventfd) eventfd_armed_ = false;
                else if (tag != k_tag_ignore && tag != k_tag_wake && tag != k_tag_detached)
                    --inflight_;
            }
        }
        if (probe_) io_uring_free_probe(probe_);
        io_uring_queue_exit(&ring_);
        pool_.reset();
        if (fd >= 0) ::close(fd);
    }
    pool_.reset();
    for (void* frame : spawned_) std::coroutine_handle<>::from_address(frame).destroy();
    spawned_.clear();
}

int64_t TimeoutOp::run_blocking() { return -ENOSYS; }  // never called: timers live in the engine
int64_t CancelOp::run_blocking() { return -ENOSYS; }   // never called: handled by the engine

const char* op_kind_name(OpKind kind) {
    switch (kind) {
        case OpKind::read: return "read";
        case OpKind::write: return "write";
        case OpKind::readv: return "readv";
        case OpKind::writev: return "writev";
        case OpKind::openat: return "openat";
        case OpKind::openat2: return "openat2";
        case OpKind::close: return "close";
        case OpKind::statx: return "statx";
        case OpKind::fsync: return "fsync";
        case OpKind::fallocate: return "fallocate";
        case OpKind::fadvise: return "fadvise";
        case OpKind::renameat: return "renameat";
        case OpKind::unlinkat: return "unlinkat";
        case OpKind::mkdirat: return "mkdirat";
        case OpKind::symlinkat: return "symlinkat";
        case OpKind::linkat: return "linkat";
        case OpKind::fsetxattr: return "fsetxattr";
        case OpKind::fgetxattr: return "fgetxattr";
        case OpKind::splice: return "splice";
        case OpKind::poll: return "poll";
        case OpKind::timeout: return "timeout";
        case OpKind::cancel: return "cancel";
        case OpKind::pool_call: return "pool_call";
        case OpKind::offload: return "offload";
        case OpKind::shutdown: return "shutdown";
    }
    return "?";
}

}  // namespace ursync::engine
