// SessionError: a failure of the rsync session, as one line for the user plus rsync's exit code.
#pragma once

#include <string>

#include "protocol/wire_error.h"
#include "transport/stream_error.h"
#include "util/exit_codes.h"
#include "util/expected.h"

namespace ursync::session {

struct SessionError {
    std::string what;
    ExitCode code = ExitCode::stream_io;
};

template <class T>
using SessionResult = Expected<T, SessionError>;

inline SessionError from_wire(const protocol::WireError& e, std::string_view reading) {
    std::string text = protocol::describe(e);
    if (!reading.empty()) text += " (reading " + std::string(reading) + ")";
    return {std::move(text), e.exit_code()};
}
inline SessionError from_stream(const transport::StreamError& e) { return {e.what, e.exit_code()}; }
inline Unexpected<SessionError> fail(std::string what, ExitCode code) {
    return Unexpected{SessionError{std::move(what), code}};
}

}  // namespace ursync::session
