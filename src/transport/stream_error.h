// StreamError: why a byte stream failed (peer closed early, or an I/O error), as the user sees it.
#pragma once

#include <string>

#include "util/exit_codes.h"
#include "util/expected.h"

namespace ursync::transport {

struct StreamError {
    enum class Kind { closed, io, timeout };
    Kind kind = Kind::io;
    std::string what;  // one line naming what failed and what was expected

    // rsync: unexpected EOF is a protocol-stream error (12), a failed read/write a socket
    // error (10), a timeout 30.
    ExitCode exit_code() const {
        switch (kind) {
            case Kind::closed: return ExitCode::stream_io;
            case Kind::io: return ExitCode::socket_io;
            case Kind::timeout: return ExitCode::timeout;
        }
        return ExitCode::socket_io;
    }
};

template <class T>
using StreamResult = Expected<T, StreamError>;

}  // namespace ursync::transport
