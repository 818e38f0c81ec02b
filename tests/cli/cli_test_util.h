// Helpers shared by the src/cli tests: parse a command line given as a list of arguments.
#pragma once

#include <string>
#include <vector>

#include "cli/parse.h"

namespace ursync::cli::test {

using Args = std::vector<std::string>;

// parse_command_line({"rsync", args...}) with no environment variables and no files.
inline Expected<Invocation, CliError> parse_args(const Args& args,
                                                 const Environment& env = Environment::empty()) {
    Args argv{"rsync"};
    argv.insert(argv.end(), args.begin(), args.end());
    return parse_command_line(argv, env);
}

// An environment with the given variables and files ("-" is stdin).
inline Environment env_with(std::vector<std::pair<std::string, std::string>> vars,
                            std::vector<std::pair<std::string, std::string>> files = {}) {
    Environment env;
    env.get_var = [vars](const std::string& name) -> std::optional<std::string> {
        for (const auto& [key, value] : vars) {
            if (key == name) return value;
        }
        return std::nullopt;
    };
    env.read_file = [files](const std::string& path) -> Expected<std::string, int> {
        for (const auto& [key, value] : files) {
            if (key == path) return value;
        }
        return Unexpected{2};
    };
    return env;
}

}  // namespace ursync::cli::test
