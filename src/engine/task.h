// Task<T>: a lazily started coroutine that resumes its awaiter when done (symmetric transfer).
#pragma once

#include <cassert>
#include <cstddef>
#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "engine/frame_pool.h"

namespace ursync::engine {

template <class T>
class Task;

namespace detail {

// When a task finishes while its awaiter is still inside Task::await_suspend (it never
// suspended), the awaiter simply continues (await_suspend returns false) instead of being
// resumed from here. Without this, a loop of co_awaits that complete synchronously nests one
// resume per iteration unless the compiler turns symmetric transfer into a tail call, which
// GCC does not do at -O0 or under ASan (seen as stack overflows on long file lists).
struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> done) noexcept {
        auto& promise = done.promise();
        if (promise.starting) {
            promise.finished_while_starting = true;
            return std::noop_coroutine();
        }
        auto next = promise.continuation;
        return next ? next : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
};

struct PromiseBase {
    std::coroutine_handle<> continuation;
    std::exception_ptr exception;
    bool starting = false;                 // inside the awaiter's await_suspend
    bool finished_while_starting = false;  // reached final_suspend without suspending

    static void* operator new(size_t n) { return frame_pool::allocate(n); }
    static void operator delete(void* p, size_t n) noexcept { frame_pool::release(p, n); }

    std::suspend_always initial_suspend() const noexcept { return {}; }
    FinalAwaiter final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { exception = std::current_exception(); }
};

}  // namespace detail

template <class T>
class [[nodiscard]] Task {
public:
    struct promise_type : detail::PromiseBase {
        std::optional<T> value;
        Task get_return_object() {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        template <class U>
        void return_value(U&& v) {
            value.emplace(std::forward<U>(v));
        }
    };

    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            destroy();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { destroy(); }

    bool await_ready() const noexcept { return false; }
    // Runs the task now; true = the awaiter stays suspended until the task finishes later.
    bool await_suspend(std::coroutine_handle<> awaiter) noexcept {
        auto& promise = handle_.promise();
        promise.continuation = awaiter;
        promise.starting = true;
        handle_.resume();
        promise.starting = false;
        return !promise.finished_while_starting;
    }
    T await_resume() {
        auto& promise = handle_.promise();
        if (promise.exception) std::rethrow_exception(promise.exception);
        return std::move(*promise.value);
    }

    // For drivers (Engine::run): start without an awaiter, then inspect.
    std::coroutine_handle<promise_type> handle() const { return handle_; }
    bool done() const { return handle_ && handle_.done(); }
    T take_result() { return await_resume(); }

private:
    explicit Task(std::coroutine_handle<promise_type> h) : handle_(h) {}
    void destroy() {
        if (handle_) handle_.destroy();
        handle_ = {};
    }
    std::coroutine_handle<promise_type> handle_;
};

template <>
class [[nodiscard]] Task<void> {
public:
    struct promise_type : detail::PromiseBase {
        Task get_return_object() {
            return Task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        void return_void() {}
    };

    Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            destroy();
            handle_ = std::exchange(other.handle_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { destroy(); }

    bool await_ready() const noexcept { return false; }
    // Runs the task now; true = the awaiter stays suspended until the task finishes later.
    bool await_suspend(std::coroutine_handle<> awaiter) noexcept {
        auto& promise = handle_.promise();
        promise.continuation = awaiter;
        promise.starting = true;
        handle_.resume();
        promise.starting = false;
        return !promise.finished_while_starting;
    }
    void await_resume() {
        if (handle_.promise().exception) std::rethrow_exception(handle_.promise().exception);
    }

    std::coroutine_handle<promise_type> handle() const { return handle_; }
    bool done() const { return handle_ && handle_.done(); }
    void take_result() { await_resume(); }

private:
    explicit Task(std::coroutine_handle<promise_type> h) : handle_(h) {}
    void destroy() {
        if (handle_) handle_.destroy();
        handle_ = {};
    }
    std::coroutine_handle<promise_type> handle_;
};

}  // namespace ursync::engine
