// Escaping of the arguments a client puts on the remote shell's command line (rsync's safe_arg).
#pragma once

#include <string>
#include <string_view>

namespace ursync::cli {

// What an argument is, which decides the characters escaped.
enum class RemoteArgKind {
    path,           // a file name (wildcards stay live; a leading '-' becomes "./-")
    option_value,   // a value of an option ("--suffix=...", "--backup-dir" DIR): wildcards too
    remote_option,  // an -M option (left alone by a single --old-args)
};

struct EscapeContext {
    bool secluded = false;           // -s: args travel on the connection, nothing is escaped
    int old_args = 0;                // --old-args count
    bool client_is_sender = false;   // a push
    bool trust_sender_args = false;  // --trust-sender, --old-args or a remote --files-from
    bool relative = false;           // -R
};

// `option` is "--name" to produce "--name=VALUE", or "" for the bare (escaped) value.
// mirrors rsync options.c:safe_arg
std::string escape_remote_arg(std::string_view option, std::string_view arg, RemoteArgKind kind,
                              const EscapeContext& ctx);

}  // namespace ursync::cli
