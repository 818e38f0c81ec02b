// Futex waits and wakes for the worker pool: the plain syscalls, and a wake prepared as an SQE.
#pragma once

#include <liburing.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

namespace ursync::engine {

// IORING_OP_FUTEX_WAKE (Linux 6.7); Debian 12's headers (liburing 2.3, Linux 6.1 uapi) predate
// it, so the opcode and the futex2 flags are spelled out here. The engine probes the opcode.
constexpr uint8_t k_op_futex_wake = 52;
constexpr uint32_t k_futex2_size_u32 = 0x02;
constexpr uint32_t k_futex2_private = 128;
constexpr uint64_t k_futex_bitset_any = 0xffffffffu;

static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));

// Sleeps while `*word == expected`, at most `timeout_ms` when it is not negative. Spurious
// returns (EINTR, EAGAIN, a timeout) are fine: every caller re-checks its condition.
inline void futex_wait(std::atomic<uint32_t>& word, uint32_t expected, int timeout_ms = -1) {
    timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected,
              timeout_ms < 0 ? nullptr : &ts, nullptr, 0);
}

// Wakes up to `count` threads sleeping on `word`.
inline void futex_wake(std::atomic<uint32_t>& word, unsigned count) {
    ::syscall(SYS_futex, reinterpret_cast<uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr,
              nullptr, 0);
}

// The same wake as an io_uring operation (what liburing's io_uring_prep_futex_wake fills in):
// private futex, 32-bit word, any waiter's bitset. It matches FUTEX_WAIT_PRIVATE sleepers.
inline void prep_futex_wake(io_uring_sqe* sqe, std::atomic<uint32_t>& word, unsigned count) {
    io_uring_prep_rw(k_op_futex_wake, sqe, static_cast<int>(k_futex2_size_u32 | k_futex2_private),
                     reinterpret_cast<uint32_t*>(&word), 0, count);
    sqe->addr3 = k_futex_bitset_any;
}

}  // namespace ursync::engine
