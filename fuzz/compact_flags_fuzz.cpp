// Fuzzes what a server reads from a client: the compact option string, the whole server argv,
// the capability letters and the -s argument bytes. Parsed server options must rebuild an argv
// that parses back to the same options.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cli/compact_flags.h"
#include "cli/parse.h"
#include "cli/remote_spec.h"
#include "cli/rsh_words.h"
#include "cli/server_argv.h"
#include "fuzz_check.h"

using namespace ursync::cli;

namespace {

constexpr std::size_t k_args_max = 64;

// NUL-separated pieces of the input.
std::vector<std::string> split_args(std::string_view data) {
    std::vector<std::string> args;
    while (!data.empty() && args.size() < k_args_max) {
        const std::size_t nul = data.find('\0');
        args.emplace_back(data.substr(0, nul));
        data = nul == std::string_view::npos ? std::string_view{} : data.substr(nul + 1);
    }
    return args;
}

// What a client with these options would send (unescaped, as the remote shell hands it on),
// with the server's own capability letters in place of the client's.
std::vector<std::string> rebuild(const Invocation& inv) {
    Options as_client = inv.options;
    as_client.server = false;
    as_client.sender = false;
    as_client.old_args = 2;  // no shell escaping
    as_client.files_from_host.reset();
    std::vector<std::string> argv{"rsync"};
    for (auto& arg : build_server_args(as_client, inv.mode == Mode::server_sender, {})) {
        argv.push_back(std::move(arg));
    }
    for (std::size_t i = 1; i < argv.size(); ++i) {
        std::string& arg = argv[i];
        if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
            const auto e = arg.find('e');
            if (e == std::string::npos) break;
            if (!inv.options.client_info.empty()) {
                arg = arg.substr(0, e + 1) + inv.options.client_info;
            } else if (e > 1) {
                arg = arg.substr(0, e);  // the server was given no capability letters
            } else {
                argv.erase(argv.begin() + static_cast<std::ptrdiff_t>(i));
            }
            break;  // only the compact argument carries capability letters
        }
    }
    return argv;
}

// A parsed server's options, sent out again by a client, must parse again, and a second round
// must give the same argv (the first may normalise, e.g. "--iconv=a,b" becomes "--iconv=b").
void check_round_trip(const Invocation& inv) {
    if (inv.mode != Mode::server_sender && inv.mode != Mode::server_receiver) return;
    if (inv.awaiting_secluded_args || inv.options.secluded_args) return;
    const std::vector<std::string> first = rebuild(inv);
    auto again = parse_command_line(first, Environment::empty());
    URSYNC_FUZZ_CHECK(again.has_value());
    const std::vector<std::string> second = rebuild(*again);
    auto third = parse_command_line(second, Environment::empty());
    URSYNC_FUZZ_CHECK(third.has_value());
    URSYNC_FUZZ_CHECK(rebuild(*third) == second);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::vector<std::string> pieces = split_args(text);

    if (!pieces.empty()) {
        auto flags = parse_compact_flags(pieces[0]);
        if (flags && flags->client_info) (void)parse_client_info(*flags->client_info);
        (void)classify_arg(pieces[0]);
        (void)split_rsh_words(pieces[0]);
    }

    std::vector<std::string> argv{"rsync", "--server"};
    argv.insert(argv.end(), pieces.begin(), pieces.end());
    auto inv = parse_command_line(argv, Environment::empty());
    if (inv) {
        URSYNC_FUZZ_CHECK(inv->mode == Mode::server_sender || inv->mode == Mode::server_receiver ||
                          inv->mode == Mode::server_daemon || inv->mode == Mode::help ||
                          inv->mode == Mode::version || inv->mode == Mode::output_help ||
                          inv->mode == Mode::daemon_help);
        check_round_trip(*inv);
        if (inv->awaiting_secluded_args) {
            std::size_t used = 0;
            auto received = decode_secluded_args(text, &used);
            if (received) {
                URSYNC_FUZZ_CHECK(used <= text.size());
                (void)parse_secluded_server_args(*inv, *received, Environment::empty());
            }
        }
    } else {
        URSYNC_FUZZ_CHECK(!inv.error().message.empty() || inv.error().show_usage);
    }

    auto secluded = decode_secluded_args(text, nullptr);
    if (secluded) {
        URSYNC_FUZZ_CHECK(secluded->size() <= k_secluded_args_count_max);
        std::vector<std::string> rest(secluded->begin() + (secluded->empty() ? 0 : 1),
                                      secluded->end());
        const std::string bytes = secluded_args_bytes(rest);
        if (!secluded->empty() && (*secluded)[0] == "rsync") {
            URSYNC_FUZZ_CHECK(text.substr(0, bytes.size()) == bytes);
        }
    }
    return 0;
}
