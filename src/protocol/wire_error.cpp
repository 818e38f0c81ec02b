// One-line descriptions of wire errors for users.
#include "protocol/wire_error.h"

namespace ursync::protocol {

std::string describe(const WireError& error) {
    switch (error.kind) {
        case WireError::Kind::incomplete: return "unexpected end of data: " + error.what;
        case WireError::Kind::malformed: return "invalid data in the protocol stream: " + error.what;
        case WireError::Kind::invalid: {  // as rsync words them: "Invalid block length 0"
            std::string text = error.what;
            if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
            return text;
        }
        case WireError::Kind::overflow: return "buffer overflow: " + error.what;
        case WireError::Kind::unsupported: return error.what;
        case WireError::Kind::version: return error.what;
    }
    return error.what;
}

}  // namespace ursync::protocol
