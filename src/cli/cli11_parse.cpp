// Builds a CLI::App from the option table and reads CLI11's parse order back as occurrences.
#include "cli/cli11_parse.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>

namespace ursync::cli {
namespace {

std::string cli11_names(const OptionSpec& spec) {
    std::string names;
    if (spec.short_name != '\0') names += std::string{'-', spec.short_name};
    if (!spec.long_name.empty()) {
        if (!names.empty()) names += ',';
        names += "--" + std::string(spec.long_name);
    }
    return names;
}

}  // namespace

Expected<ParsedArgs, std::string> parse_with_cli11(std::span<const std::string> tokens,
                                                   std::span<const OptionSpec* const> rows) {
    CLI::App app{"rsync-compatible options", "rsync"};
    app.set_help_flag();  // --help is one of rsync's options, not CLI11's
    app.allow_extras(false);

    std::map<const CLI::Option*, const OptionSpec*> spec_of;
    for (const OptionSpec* row : rows) {
        const OptionSpec& spec = *row;
        CLI::Option* opt = nullptr;
        if (spec.arg == ArgKind::none) {
            opt = app.add_flag(cli11_names(spec));
            opt->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        } else {
            opt = app.add_option(cli11_names(spec));
            opt->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        }
        spec_of.emplace(opt, &spec);
    }
    CLI::Option* positional = app.add_option("args")->expected(0, -1)->allow_extra_args(true);

    // CLI11 takes its arguments reversed when given a vector.
    std::vector<std::string> reversed(tokens.rbegin(), tokens.rend());
    try {
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        return Unexpected{std::string(e.what())};
    }

    ParsedArgs parsed;
    std::map<const CLI::Option*, std::size_t> used;
    for (const CLI::Option* opt : app.parse_order()) {
        auto it = spec_of.find(opt);
        if (it == spec_of.end()) continue;  // a positional argument
        const std::size_t index = used[opt]++;
        Occurrence occ{it->second, {}};
        if (it->second->arg != ArgKind::none) occ.value = opt->results().at(index);
        parsed.occurrences.push_back(std::move(occ));
    }
    parsed.positionals = positional->results();
    return parsed;
}

}  // namespace ursync::cli
