// check_supported(): options and modes marked "refused" in the option table end the run, exit 4.
#include "cli/support.h"

#include "cli/option_table.h"

namespace ursync::cli {
namespace {

bool is_server(Mode mode) {
    return mode == Mode::server_sender || mode == Mode::server_receiver ||
           mode == Mode::server_daemon;
}

std::string describe(const OptionSpec& spec) {
    std::string name = option_display_name(spec);
    if (!spec.long_name.empty() && spec.short_name != '\0') {
        name += std::string(" (-") + spec.short_name + ")";
    }
    return name;
}

CliError refusal(const Invocation& inv, const std::string& what) {
    const char* who = is_server(inv.mode) ? "ursync: the server does not support "
                                          : "ursync: this ursync does not support ";
    return CliError{who + what + " yet (requested action not supported)", ExitCode::unsupported};
}

}  // namespace

Expected<void, CliError> check_supported(const Invocation& inv) {
    if (inv.mode == Mode::help || inv.mode == Mode::version || inv.mode == Mode::output_help ||
        inv.mode == Mode::daemon_help) {
        return {};  // nothing runs
    }
    if ((inv.mode == Mode::daemon || inv.mode == Mode::server_daemon) &&
        !k_daemon_server_supported) {
        return Unexpected{refusal(inv, "running as an rsync daemon (--daemon)")};
    }
    if (inv.daemon && !k_daemon_client_supported) {
        return Unexpected{refusal(inv, "connecting to an rsync daemon (host::module, rsync://)")};
    }
    for (const OptionId id : inv.used) {
        const OptionSpec& spec = option_spec(id);
        switch (spec.support) {
            case Support::implemented:
            case Support::noop:
            case Support::own_way:
            case Support::platform_refused:
                break;
            case Support::server_only:
                if (!is_server(inv.mode)) return Unexpected{refusal(inv, describe(spec))};
                break;
            case Support::refused:
                return Unexpected{refusal(inv, describe(spec))};
        }
    }
    return {};
}

}  // namespace ursync::cli
