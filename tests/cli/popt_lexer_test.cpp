// popt's reading of argv: clusters, attached values, `--`, and popt's error texts.
#include "cli/popt_lexer.h"

#include <gtest/gtest.h>

#include "cli/cli11_parse.h"

namespace ursync::cli {
namespace {

using Tokens = std::vector<std::string>;

LexedArgs lex(Tokens args) {
    return lex_arguments(args, OptionTableKind::main);
}

TEST(PoptLexer, KeepsPositionalsAndFlags) {
    auto out = lex({"-avz", "src/", "--delete", "dst"});
    EXPECT_FALSE(out.error);
    EXPECT_EQ(out.tokens, (Tokens{"-avz", "src/", "--delete", "dst"}));
}

TEST(PoptLexer, SplitsAttachedValuesIntoTokens) {
    EXPECT_EQ(lex({"--timeout=30"}).tokens, (Tokens{"--timeout", "30"}));
    EXPECT_EQ(lex({"--timeout", "30"}).tokens, (Tokens{"--timeout", "30"}));
    EXPECT_EQ(lex({"-B2048"}).tokens, (Tokens{"-B", "2048"}));
    EXPECT_EQ(lex({"-vB", "2048"}).tokens, (Tokens{"-vB", "2048"}));
    EXPECT_EQ(lex({"-e.iLsfxCIvu"}).tokens, (Tokens{"-e", ".iLsfxCIvu"}));
    EXPECT_EQ(lex({"-logDtpre.iLsfxCIvu"}).tokens, (Tokens{"-logDtpre", ".iLsfxCIvu"}));
}

TEST(PoptLexer, PoptSpellingsCli11ReadsDifferently) {
    // popt drops one '=' after a short option, and `--x=` is an empty value.
    EXPECT_EQ(lex({"-B=2048"}).tokens, (Tokens{"-B", "2048"}));
    EXPECT_EQ(lex({"-B==2048"}).tokens, (Tokens{"-B", "=2048"}));
    EXPECT_EQ(lex({"-B=", "x"}).tokens, (Tokens{"-B", "", "x"}));
    EXPECT_EQ(lex({"--suffix=", "x"}).tokens, (Tokens{"--suffix", "", "x"}));
    // a value that looks like an option is still the value
    EXPECT_EQ(lex({"--exclude", "--delete"}).tokens, (Tokens{"--exclude", "--delete"}));
    EXPECT_EQ(lex({"--exclude", "--"}).tokens, (Tokens{"--exclude", "--"}));
}

TEST(PoptLexer, DoubleDashEndsOptions) {
    auto out = lex({"-v", "--", "--bogus", "-x"});
    EXPECT_FALSE(out.error);
    EXPECT_EQ(out.tokens, (Tokens{"-v", "--", "--bogus", "-x"}));
    EXPECT_FALSE(lex({"-"}).error);  // a lone dash is an argument
}

TEST(PoptLexer, ErrorsAreWordedLikePopt) {
    EXPECT_EQ(lex({"--bogus"}).error, "--bogus: unknown option");
    EXPECT_EQ(lex({"--bogus=x"}).error, "--bogus=x: unknown option");
    EXPECT_EQ(lex({"--verb"}).error, "--verb: unknown option");  // no abbreviations
    EXPECT_EQ(lex({"-Q"}).error, "-Q: unknown option");
    EXPECT_EQ(lex({"-aQ"}).error, "-aQ: unknown option");
    EXPECT_EQ(lex({"-1"}).error, "-1: unknown option");
    EXPECT_EQ(lex({"--verbose=3"}).error, "--verbose=3: option does not take an argument");
    EXPECT_EQ(lex({"--verbose="}).error, "--verbose=: option does not take an argument");
    EXPECT_EQ(lex({"-v="}).error, "-v=: option does not take an argument");
    EXPECT_EQ(lex({"--exclude"}).error, "--exclude: missing argument");
    EXPECT_EQ(lex({"-avB"}).error, "-avB: missing argument");
    EXPECT_EQ(lex({"--timeout=abc"}).error, "--timeout=abc: invalid numeric value");
    EXPECT_EQ(lex({"--timeout", "abc"}).error, "abc: invalid numeric value");
    EXPECT_EQ(lex({"-v@x"}).error, "-v@x: invalid numeric value");
    EXPECT_EQ(lex({"--port=99999999999"}).error,
              "--port=99999999999: number too large or too small");
}

TEST(PoptLexer, StopsAtTheFirstErrorKeepingWhatCameBefore) {
    auto out = lex({"-v", "--bogus", "--delete"});
    EXPECT_EQ(out.error, "--bogus: unknown option");
    EXPECT_EQ(out.tokens, (Tokens{"-v"}));
}

TEST(PoptLexer, NoticesServerBeforeTheError) {
    EXPECT_TRUE(lex({"--server", "--bogus"}).saw_server);
    EXPECT_FALSE(lex({"--bogus", "--server"}).saw_server);
    EXPECT_FALSE(lex({"--exclude", "--server"}).saw_server);  // a value, not the option
}

TEST(PoptLexer, IntegersAsPoptReadsThem) {
    int value = 0;
    EXPECT_EQ(parse_popt_integer("0x10", value), IntegerError::none);
    EXPECT_EQ(value, 16);
    EXPECT_EQ(parse_popt_integer(" 5", value), IntegerError::none);
    EXPECT_EQ(value, 5);
    EXPECT_EQ(parse_popt_integer("", value), IntegerError::none);
    EXPECT_EQ(value, 0);
    EXPECT_EQ(parse_popt_integer("-5", value), IntegerError::none);
    EXPECT_EQ(value, -5);
    EXPECT_EQ(parse_popt_integer("1.5", value), IntegerError::bad_number);
    EXPECT_EQ(parse_popt_integer("5x", value), IntegerError::bad_number);
    EXPECT_EQ(parse_popt_integer("2147483648", value), IntegerError::overflow);
}

Expected<ParsedArgs, std::string> lex_then_cli11(const Tokens& args, OptionTableKind kind) {
    auto lexed = lex_arguments(args, kind);
    EXPECT_FALSE(lexed.error);
    return parse_with_cli11(lexed.tokens, lexed.rows);
}

TEST(Cli11Parse, OccurrencesComeBackInCommandLineOrder) {
    auto parsed = lex_then_cli11({"-av", "--exclude", "x", "src", "--no-v", "-B", "10", "dst"},
                                 OptionTableKind::main);
    ASSERT_TRUE(parsed) << parsed.error();
    std::vector<std::string> seen;
    for (const auto& occ : parsed->occurrences) {
        seen.push_back(std::string(occ.spec->long_name) + "=" + occ.value);
    }
    EXPECT_EQ(seen, (Tokens{"archive=", "verbose=", "exclude=x", "no-v=", "block-size=10"}));
    EXPECT_EQ(parsed->positionals, (Tokens{"src", "dst"}));
}

TEST(Cli11Parse, KeepsEmptyValuesAndArguments) {
    auto parsed = lex_then_cli11({"--suffix=", "", "--", "-x"}, OptionTableKind::main);
    ASSERT_TRUE(parsed) << parsed.error();
    ASSERT_EQ(parsed->occurrences.size(), 1U);
    EXPECT_EQ(parsed->occurrences[0].value, "");
    EXPECT_EQ(parsed->positionals, (Tokens{"", "-x"}));
}

TEST(Cli11Parse, AgreesWithTheLexerOnEveryRow) {
    // Each option of both tables, in every spelling, gives exactly one occurrence of its row.
    for (const auto kind : {OptionTableKind::main, OptionTableKind::daemon}) {
        for (const auto& spec : option_table(kind)) {
            std::vector<Tokens> spellings;
            const std::string value = spec.arg == ArgKind::integer ? "7" : "v";
            if (!spec.long_name.empty()) {
                const std::string name = "--" + std::string(spec.long_name);
                spellings.push_back(spec.arg == ArgKind::none ? Tokens{name}
                                                              : Tokens{name + "=" + value});
                if (spec.arg != ArgKind::none) spellings.push_back(Tokens{name, value});
            }
            if (spec.short_name != '\0') {
                const std::string letter{'-', spec.short_name};
                spellings.push_back(spec.arg == ArgKind::none ? Tokens{letter}
                                                              : Tokens{letter + value});
            }
            for (const auto& args : spellings) {
                auto lexed = lex_arguments(args, kind);
                ASSERT_FALSE(lexed.error) << args[0] << ": " << *lexed.error;
                ASSERT_EQ(lexed.rows.size(), 1U) << args[0];
                auto parsed = parse_with_cli11(lexed.tokens, lexed.rows);
                ASSERT_TRUE(parsed) << args[0] << ": " << parsed.error();
                ASSERT_EQ(parsed->occurrences.size(), 1U) << args[0];
                EXPECT_EQ(parsed->occurrences[0].spec, &spec) << args[0];
                if (spec.arg != ArgKind::none) {
                    EXPECT_EQ(parsed->occurrences[0].value, value);
                }
            }
        }
    }
}

}  // namespace
}  // namespace ursync::cli
