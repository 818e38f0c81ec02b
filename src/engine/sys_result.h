// SysResult: the value of one system call or io_uring completion (count, or an errno).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <system_error>

namespace ursync::engine {

// The single place where a raw "-errno or count" result becomes a typed value.
class SysResult {
public:
    SysResult() = default;
    static SysResult from_raw(int64_t raw) { return SysResult(raw); }
    static SysResult from_errno(int err) { return SysResult(-static_cast<int64_t>(err)); }

    bool ok() const { return raw_ >= 0; }
    explicit operator bool() const { return ok(); }
    int64_t value() const { return raw_; }
    int err() const { return raw_ < 0 ? static_cast<int>(-raw_) : 0; }
    std::error_code error() const { return {err(), std::generic_category()}; }
    std::string message() const { return ok() ? std::string("success") : std::strerror(err()); }
    int64_t raw() const { return raw_; }

private:
    explicit SysResult(int64_t raw) : raw_(raw) {}
    int64_t raw_ = 0;
};

// Runs a blocking syscall wrapper returning -1/errno style and converts it.
inline SysResult sys_result_of(int64_t ret) {
    return ret < 0 ? SysResult::from_errno(errno) : SysResult::from_raw(ret);
}

}  // namespace ursync::engine
