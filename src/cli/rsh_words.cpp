// rsync's remote-shell word splitting: spaces separate, quotes group, doubled quotes escape.
#include "cli/rsh_words.h"

namespace ursync::cli {

Expected<std::vector<std::string>, CliError> split_rsh_words(std::string_view command) {
    std::vector<std::string> words;
    std::size_t f = 0;
    char in_quote = '\0';
    while (f < command.size()) {
        if (command[f] == ' ') {
            ++f;
            continue;
        }
        std::string word;
        while (f < command.size() && (command[f] != ' ' || in_quote != '\0')) {
            const char c = command[f];
            if (c == '\'' || c == '"') {
                if (in_quote == '\0') {
                    in_quote = c;
                    ++f;
                    continue;
                }
                if (c == in_quote) {
                    ++f;
                    if (f >= command.size() || command[f] != in_quote) {
                        in_quote = '\0';
                        continue;
                    }
                }
            }
            word += command[f++];
        }
        if (in_quote != '\0') {
            return Unexpected{
                CliError{std::string("Missing trailing-") + in_quote + " in remote-shell command.",
                         ExitCode::syntax}};
        }
        words.push_back(std::move(word));
    }
    return words;
}

}  // namespace ursync::cli
