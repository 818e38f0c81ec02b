// The error value every wire decoder returns: "need more bytes", or what was wrong and its exit code.
#pragma once

#include <string>
#include <utility>

#include "util/exit_codes.h"
#include "util/expected.h"

namespace ursync::protocol {

struct WireError {
    enum class Kind {
        incomplete,   // the input ended before the value did; not an error if more can arrive
        malformed,    // the bytes cannot be what the protocol allows (exit 12)
        invalid,      // a value the protocol forbids: an index, count or length out of range,
                      // a duplicate segment (rsync's RERR_PROTOCOL, exit 2)
        overflow,     // a length beyond the buffer rsync reads it into (its overflow_exit,
                      // RERR_MALLOC, exit 22)
        unsupported,  // a valid request we refuse (no common checksum, ...) (exit 4)
        version,      // incompatible protocol version (exit 2)
    };
    Kind kind = Kind::malformed;
    std::string what;

    bool incomplete() const { return kind == Kind::incomplete; }
    ExitCode exit_code() const {
        switch (kind) {
            case Kind::incomplete:
            case Kind::malformed: return ExitCode::stream_io;
            case Kind::invalid: return ExitCode::protocol;
            case Kind::overflow: return ExitCode::malloc;
            case Kind::unsupported: return ExitCode::unsupported;
            case Kind::version: return ExitCode::protocol;
        }
        return ExitCode::stream_io;
    }
};

// A one-line text for the user (without the exit-code suffix).
std::string describe(const WireError& error);

template <class T>
using WireResult = Expected<T, WireError>;

inline Unexpected<WireError> need_more(std::string what = {}) {
    return Unexpected{WireError{WireError::Kind::incomplete, std::move(what)}};
}
inline Unexpected<WireError> malformed(std::string what) {
    return Unexpected{WireError{WireError::Kind::malformed, std::move(what)}};
}
inline Unexpected<WireError> invalid(std::string what) {
    return Unexpected{WireError{WireError::Kind::invalid, std::move(what)}};
}
inline Unexpected<WireError> overflow(std::string what) {
    return Unexpected{WireError{WireError::Kind::overflow, std::move(what)}};
}
inline Unexpected<WireError> unsupported(std::string what) {
    return Unexpected{WireError{WireError::Kind::unsupported, std::move(what)}};
}
inline Unexpected<WireError> version_mismatch(std::string what) {
    return Unexpected{WireError{WireError::Kind::version, std::move(what)}};
}

}  // namespace ursync::protocol
