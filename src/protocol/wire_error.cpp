// One-line descriptions of wire errors for users.
#include "protocol/wire_error.h"

namespace ursync::protocol {

std::string describe(const WireError& error) {
    switch (error.kind) {
        case WireError::Kind::incomplete: return "unexpected end of data: " + error.what;
        case WireError::Kind::malformed: return "invalid data in the protocol stream: " + error.what;
        case WireError::Kind::unsupported: return error.what;
        case WireError::Kind::version: return error.what;
    }
    return error.what;
}

}  // namespace ursync::protocol
