// Renders every option row (client/server table, then daemon table) with its status.
#include "cli/compat_doc.h"

#include "cli/option_table.h"

namespace ursync::cli {
namespace {

std::string row(const OptionSpec& spec, std::string_view table) {
    std::string name =
        spec.long_name.empty() ? std::string("—") : "`--" + std::string(spec.long_name) + "`";
    std::string letter =
        spec.short_name == '\0' ? std::string() : std::string("`-") + spec.short_name + "`";
    std::string arg = spec.arg == ArgKind::none      ? std::string()
                      : spec.arg == ArgKind::integer ? std::string("number")
                                                     : std::string("text");
    return "| " + name + " | " + letter + " | " + arg + " | " + std::string(table) + " | " +
           std::string(support_text(static_cast<int>(spec.support))) + " |\n";
}

}  // namespace

std::string_view support_text(int support) {
    switch (static_cast<Support>(support)) {
        case Support::implemented:
            return "implemented";
        case Support::refused:
            return "parsed; refused with exit 4 (not implemented yet)";
        case Support::noop:
            return "accepted, no effect (rsync ignores it here too)";
        case Support::own_way:
            return "accepted; done ursync's own way (see Deliberate differences)";
        case Support::server_only:
            return "accepted from a client by `--server`; refused with exit 4 on the command line";
        case Support::platform_refused:
            return "refused while parsing, exit 1 (as rsync built for Linux)";
    }
    return "?";
}

std::string options_compat_table() {
    std::string text(k_compat_table_begin);
    text += "\n\n| long option | short | argument | table | status |\n";
    text += "|---|---|---|---|---|\n";
    for (const auto& spec : option_table(OptionTableKind::main)) text += row(spec, "main");
    for (const auto& spec : option_table(OptionTableKind::daemon)) text += row(spec, "daemon");
    text += "\n";
    text += k_compat_table_end;
    text += "\n";
    return text;
}

}  // namespace ursync::cli
