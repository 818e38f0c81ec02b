// The help and version texts, laid out like rsync's, with ursync's own wording.
#include "cli/help.h"

#include "cli/option_table.h"

namespace ursync::cli {
namespace {

constexpr std::size_t k_line_width = 80;
constexpr std::size_t k_help_column = 25;
constexpr const char* k_indent = "    ";

// "Title:\n    a, b, c,\n    d\n" wrapped like rsync's capability lists.
std::string wrapped_list(const std::string& title, const std::vector<std::string>& items,
                         const std::string& separator) {
    std::string text = title + ":\n";
    std::string line = k_indent;
    for (std::size_t i = 0; i < items.size(); ++i) {
        std::string item = items[i];
        if (i + 1 < items.size()) item += separator;
        const std::string trimmed = item.substr(0, item.find_last_not_of(' ') + 1);
        if (line.size() > 4 && line.size() + trimmed.size() > k_line_width) {
            text += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
            line = k_indent;
        }
        line += item;
    }
    if (line.size() > 4) text += line.substr(0, line.find_last_not_of(' ') + 1) + "\n";
    return text;
}

std::string json_string(const std::string& value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string json_array(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ", ";
        out += json_string(items[i]);
    }
    return out + "]";
}

std::string option_line(const OptionSpec& spec) {
    std::string left;
    if (spec.long_name.empty()) {
        left = std::string{'-', spec.short_name};
    } else {
        left = "--" + std::string(spec.long_name);
        if (!spec.arg_name.empty()) left += "=" + std::string(spec.arg_name);
        if (spec.short_name != '\0') left += std::string(", -") + spec.short_name;
    }
    // An option ursync parses but refuses says so (--help says nothing false).
    std::string help(spec.help);
    if (spec.support == Support::refused) help += " [not in ursync yet]";
    if (left.size() + 1 > k_help_column)
        return left + "\n" + std::string(k_help_column, ' ') + help + "\n";
    left.resize(k_help_column, ' ');
    return left + help + "\n";
}

std::string option_lines(OptionTableKind kind) {
    std::string text;
    for (const auto& spec : option_table(kind)) {
        if (!spec.help.empty()) text += option_line(spec);
    }
    return text;
}

}  // namespace

std::string version_text(const VersionFacts& facts) {
    std::string text = std::string("ursync  version ") + k_ursync_version + "  protocol version " +
                       std::to_string(facts.protocol) + "\n";
    text += "An rsync-compatible file-transfer tool on io_uring.\n";
    text += wrapped_list("Capabilities", facts.capabilities, ", ");
    if (!facts.optimizations.empty()) {
        text += wrapped_list("Optimizations", facts.optimizations, ", ");
    }
    text += wrapped_list("Checksum list", facts.checksums, " ");
    text += wrapped_list("Compress list", facts.compressions, " ");
    if (!facts.daemon_auths.empty()) {
        text += wrapped_list("Daemon auth list", facts.daemon_auths, " ");
    }
    text += "I/O backend:\n" + std::string(k_indent) + facts.io_backend + "\n";
    text += "\nursync comes with ABSOLUTELY NO WARRANTY.\n";
    return text;
}

std::string version_json(const VersionFacts& facts) {
    std::string text = "{\n";
    text += "  \"program\": \"ursync\",\n";
    text += std::string("  \"version\": \"") + k_ursync_version + "\",\n";
    text += "  \"protocol\": \"" + std::to_string(facts.protocol) + ".0\",\n";
    text += "  \"capabilities\": " + json_array(facts.capabilities) + ",\n";
    text += "  \"optimizations\": " + json_array(facts.optimizations) + ",\n";
    text += "  \"checksum_list\": " + json_array(facts.checksums) + ",\n";
    text += "  \"compress_list\": " + json_array(facts.compressions) + ",\n";
    text += "  \"daemon_auth_list\": " + json_array(facts.daemon_auths) + ",\n";
    text += "  \"io_backend\": " + json_string(facts.io_backend) + "\n";
    text += "}\n";
    return text;
}

std::string help_text(const VersionFacts& facts) {
    std::string text = version_text(facts);
    text += "\nursync copies files locally or to and from another host, sending only the\n";
    text += "differences, and speaks rsync's protocol so either end may be stock rsync.\n\n";
    text += "Usage: ursync [OPTION]... SRC [SRC]... DEST\n";
    text += "  or   ursync [OPTION]... SRC [SRC]... [USER@]HOST:DEST\n";
    text += "  or   ursync [OPTION]... SRC [SRC]... [USER@]HOST::DEST\n";
    text += "  or   ursync [OPTION]... SRC [SRC]... rsync://[USER@]HOST[:PORT]/DEST\n";
    text += "  or   ursync [OPTION]... [USER@]HOST:SRC [DEST]\n";
    text += "  or   ursync [OPTION]... [USER@]HOST::SRC [DEST]\n";
    text += "  or   ursync [OPTION]... rsync://[USER@]HOST[:PORT]/SRC [DEST]\n";
    text += "A single ':' reaches the other host through a remote shell; '::' and rsync://\n";
    text += "reach an rsync daemon, and SRC or DEST then starts with a module name.\n\n";
    text += "Options\n";
    text += option_lines(OptionTableKind::main);
    text += "\nUse \"ursync --daemon --help\" for the daemon-mode options.\n";
    text += "ursync(1) describes every option; docs/compat.md says which are implemented.\n";
    return text;
}

std::string daemon_help_text(const VersionFacts& facts) {
    std::string text = version_text(facts);
    text += "\nUsage: ursync --daemon [OPTION]...\n";
    text += option_lines(OptionTableKind::daemon);
    text += "\nThese options only make sense with --daemon.\n";
    return text;
}

}  // namespace ursync::cli
