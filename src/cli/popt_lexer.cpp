// Walks argv the way popt does for rsync: clusters, attached values, `--`, and popt's errors.
#include "cli/popt_lexer.h"

#include <cerrno>
#include <climits>
#include <cstdlib>

namespace ursync::cli {
namespace {

constexpr std::string_view k_unknown = ": unknown option";
constexpr std::string_view k_unwanted = ": option does not take an argument";
constexpr std::string_view k_missing = ": missing argument";
constexpr std::string_view k_bad_number = ": invalid numeric value";
constexpr std::string_view k_overflow = ": number too large or too small";

class Lexer {
  public:
    Lexer(std::span<const std::string> args, OptionTableKind table) : args_(args), table_(table) {}

    LexedArgs run() {
        for (next_ = 0; next_ < args_.size() && !out_.error;) {
            const std::string& arg = args_[next_++];
            if (only_positionals_ || arg.size() < 2 || arg[0] != '-') {
                out_.tokens.push_back(arg);
            } else if (arg == "--") {
                only_positionals_ = true;
                out_.tokens.push_back(arg);
            } else if (arg[1] == '-') {
                read_long(arg);
            } else {
                read_cluster(arg);
            }
        }
        return std::move(out_);
    }

  private:
    void fail(const std::string& what, std::string_view why) {
        out_.error = what + std::string(why);
    }

    void note_row(const OptionSpec* spec) {
        for (const OptionSpec* seen : out_.rows) {
            if (seen == spec) return;
        }
        out_.rows.push_back(spec);
    }

    // Takes the value of an option given in the next argument; false (and an error) if none.
    bool take_next(const std::string& option_arg, std::string& value) {
        if (next_ >= args_.size()) {
            fail(option_arg, k_missing);
            return false;
        }
        value = args_[next_++];
        return true;
    }

    bool check_number(const OptionSpec& spec, const std::string& value, const std::string& shown) {
        if (spec.arg != ArgKind::integer) return true;
        int parsed = 0;
        switch (parse_popt_integer(value, parsed)) {
            case IntegerError::none:
                return true;
            case IntegerError::bad_number:
                fail(shown, k_bad_number);
                return false;
            case IntegerError::overflow:
                fail(shown, k_overflow);
                return false;
        }
        return false;
    }

    void read_long(const std::string& arg) {
        const std::size_t eq = arg.find('=');
        const std::string name =
            arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
        const OptionSpec* spec = find_long_option(table_, name);
        if (spec == nullptr) return fail(arg, k_unknown);
        if (spec->arg == ArgKind::none) {
            if (eq != std::string::npos) return fail(arg, k_unwanted);
            if (spec->id == OptionId::server) out_.saw_server = true;
            note_row(spec);
            out_.tokens.push_back("--" + name);
            return;
        }
        std::string value;
        std::string shown = arg;
        if (eq != std::string::npos) {
            value = arg.substr(eq + 1);
        } else {
            if (!take_next(arg, value)) return;
            shown = value;
        }
        if (!check_number(*spec, value, shown)) return;
        note_row(spec);
        out_.tokens.push_back("--" + name);
        out_.tokens.push_back(std::move(value));
    }

    void read_cluster(const std::string& arg) {
        std::string letters = "-";
        std::vector<const OptionSpec*> pending;
        for (std::size_t i = 1; i < arg.size(); ++i) {
            const OptionSpec* spec = find_short_option(table_, arg[i]);
            if (spec == nullptr) return fail(arg, k_unknown);
            letters += arg[i];
            if (spec->arg == ArgKind::none) {
                if (i + 1 < arg.size() && arg[i + 1] == '=') return fail(arg, k_unwanted);
                pending.push_back(spec);
                continue;
            }
            std::string value;
            std::string shown = arg;
            if (i + 1 < arg.size()) {
                value = arg.substr(i + 1 + (arg[i + 1] == '=' ? 1 : 0));
            } else {
                if (!take_next(arg, value)) return;
                shown = value;
            }
            if (!check_number(*spec, value, shown)) return;
            pending.push_back(spec);
            for (const OptionSpec* row : pending) note_row(row);
            out_.tokens.push_back(std::move(letters));
            out_.tokens.push_back(std::move(value));
            return;
        }
        for (const OptionSpec* row : pending) note_row(row);
        out_.tokens.push_back(std::move(letters));
    }

    std::span<const std::string> args_;
    OptionTableKind table_;
    std::size_t next_ = 0;
    bool only_positionals_ = false;
    LexedArgs out_;
};

}  // namespace

LexedArgs lex_arguments(std::span<const std::string> args, OptionTableKind table) {
    return Lexer(args, table).run();
}

IntegerError parse_popt_integer(const std::string& text, int& value) {
    char* end = nullptr;
    errno = 0;
    const long long parsed = std::strtoll(text.c_str(), &end, 0);
    if (end == nullptr || *end != '\0') return IntegerError::bad_number;
    if (errno == ERANGE || parsed > INT_MAX || parsed < INT_MIN) return IntegerError::overflow;
    value = static_cast<int>(parsed);
    return IntegerError::none;
}

}  // namespace ursync::cli
