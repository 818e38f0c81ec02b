// --info/--debug words: parsing, the levels implied by -v, and the text forwarded to a server.
#include "cli/output_levels.h"

#include <algorithm>
#include <cstddef>

namespace ursync::cli {
namespace {

constexpr unsigned k_cli = k_where_client;
constexpr unsigned k_srv = k_where_server;
constexpr unsigned k_snd = k_where_sender;
constexpr unsigned k_rec = k_where_receiver;

// The order matters: it is the order rsync prints and forwards the words in.
constexpr std::array<OutputWord, 13> k_info_words{{
    {"BACKUP", k_rec, "Report files that were backed up"},
    {"COPY", k_rec, "Report files copied locally on the receiving side"},
    {"DEL", k_rec, "Report deletions on the receiving side"},
    {"FLIST", k_cli, "Report building and receiving the file list (levels 1-2)"},
    {"MISC", k_snd | k_rec, "Report other details (levels 1-2)"},
    {"MOUNT", k_snd | k_rec, "Report mount points found or skipped"},
    {"NAME", k_snd | k_rec, "Report 1) changed file and dir names, 2) unchanged ones too"},
    {"NONREG", k_rec, "Report skipped non-regular files (on by default; 0 turns it off)"},
    {"PROGRESS", k_cli, "Report 1) progress per file or 2) progress of the whole transfer"},
    {"REMOVE", k_snd, "Report source files removed on the sending side"},
    {"SKIP", k_rec, "Report files skipped by transfer rules (levels 1-2)"},
    {"STATS", k_cli | k_srv, "Report statistics when the run ends (levels 1-3)"},
    {"SYMSAFE", k_snd | k_rec, "Report unsafe symlinks"},
}};

constexpr std::array<OutputWord, 24> k_debug_words{{
    {"ACL", k_snd | k_rec, "Trace ACL handling"},
    {"BACKUP", k_rec, "Trace backups (levels 1-2)"},
    {"BIND", k_cli, "Trace socket binding"},
    {"CHDIR", k_cli | k_srv, "Trace changes of the current directory"},
    {"CONNECT", k_cli, "Trace connection set-up (levels 1-2)"},
    {"CMD", k_cli, "Trace commands and their arguments (levels 1-2)"},
    {"DEL", k_rec, "Trace deletions (levels 1-3)"},
    {"DELTASUM", k_snd | k_rec, "Trace delta-transfer checksums (levels 1-4)"},
    {"DUP", k_rec, "Trace removal of duplicate names"},
    {"EXIT", k_cli | k_srv, "Trace how the run ends (levels 1-3)"},
    {"FILTER", k_snd | k_rec, "Trace filter rules (levels 1-3)"},
    {"FLIST", k_snd | k_rec, "Trace file-list work (levels 1-4)"},
    {"FUZZY", k_rec, "Trace fuzzy basis scoring (levels 1-2)"},
    {"GENR", k_rec, "Trace the generator"},
    {"HASH", k_snd | k_rec, "Trace hash tables"},
    {"HLINK", k_snd | k_rec, "Trace hard-link handling (levels 1-3)"},
    {"ICONV", k_cli | k_srv, "Trace character-set conversion (levels 1-2)"},
    {"IO", k_cli | k_srv, "Trace low-level I/O (levels 1-4)"},
    {"NSTR", k_cli | k_srv, "Trace negotiation strings"},
    {"OWN", k_rec, "Trace owner and group changes (levels 1-2)"},
    {"PROTO", k_cli | k_srv, "Trace protocol details"},
    {"RECV", k_rec, "Trace the receiver"},
    {"SEND", k_snd, "Trace the sender"},
    {"TIME", k_rec, "Trace setting of modification times (levels 1-2)"},
}};

// Words each -v adds (index = verbosity level), as rsync 3.5.0 defines them.
constexpr std::array<std::string_view, 6> k_info_by_verbosity{
    "NONREG",
    "COPY,DEL,FLIST,MISC,NAME,STATS,SYMSAFE",
    "BACKUP,MISC2,MOUNT,NAME2,REMOVE,SKIP",
    "",
    "",
    ""};
constexpr std::array<std::string_view, 6> k_debug_by_verbosity{
    "",
    "",
    "BIND,CMD,CONNECT,DEL,DELTASUM,DUP,FILTER,FLIST,ICONV",
    "ACL,BACKUP,CONNECT2,DELTASUM2,DEL2,EXIT,FILTER2,FLIST2,FUZZY,GENR,OWN,RECV,SEND,TIME",
    "CMD2,DELTASUM3,DEL3,EXIT2,FLIST3,ICONV2,OWN2,PROTO,TIME2",
    "CHDIR,DELTASUM4,FLIST4,FUZZY2,HASH,HLINK"};
constexpr int k_verbosity_max = 5;

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

char to_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return to_lower(x) == to_lower(y);
           });
}

// A decimal level; anything past the maximum (or overflowing) becomes the maximum.
int parse_level(std::string_view digits) {
    if (digits.empty()) return 1;
    long long value = 0;
    for (char c : digits) {
        value = value * 10 + (c - '0');
        if (value > k_output_level_max) return k_output_level_max;
    }
    return static_cast<int>(value);
}

}  // namespace

std::span<const OutputWord> output_words(OutputKind kind) {
    if (kind == OutputKind::info) return k_info_words;
    return k_debug_words;
}

OutputLevels OutputLevels::for_info() {
    return OutputLevels(OutputKind::info);
}
OutputLevels OutputLevels::for_debug() {
    return OutputLevels(OutputKind::debug);
}

int OutputLevels::level(InfoWord word) const {
    return levels_.at(static_cast<std::size_t>(word));
}
int OutputLevels::level(DebugWord word) const {
    return levels_.at(static_cast<std::size_t>(word));
}

void OutputLevels::set(std::size_t index, int level, OutputPriority priority) {
    if (priority >= priorities_.at(index)) {
        priorities_.at(index) = priority;
        levels_.at(index) = static_cast<std::int8_t>(level);
    }
}

// mirrors rsync options.c:parse_output_words
Expected<OutputWordsResult, std::string> OutputLevels::apply_words(std::string_view words,
                                                                   OutputPriority priority,
                                                                   bool ignore_unknown) {
    const auto table = output_words(kind_);
    while (!words.empty()) {
        const std::size_t comma = words.find(',');
        std::string_view word = words.substr(0, comma);
        words = comma == std::string_view::npos ? std::string_view{} : words.substr(comma + 1);
        if (word.empty()) continue;
        std::size_t name_len = word.size();
        if (!is_digit(word.front())) {
            while (name_len > 0 && is_digit(word[name_len - 1])) --name_len;
        }
        std::string_view name = word.substr(0, name_len);
        int level = parse_level(word.substr(name_len));
        if (iequals(name, "help")) return OutputWordsResult::help;
        bool all = false;
        if (iequals(name, "none")) {
            all = true;
            level = 0;
        } else if (iequals(name, "all")) {
            all = true;
        }
        bool found = all;
        for (std::size_t i = 0; i < table.size(); ++i) {
            if (all || iequals(name, table[i].name)) {
                set(i, level, priority);
                found = true;
                if (!all) break;
            }
        }
        if (!found && !ignore_unknown) return Unexpected{std::string(name)};
    }
    return OutputWordsResult::ok;
}

// mirrors rsync options.c:set_output_verbosity
void OutputLevels::apply_verbosity(int verbose) {
    const auto& lists = kind_ == OutputKind::info ? k_info_by_verbosity : k_debug_by_verbosity;
    const int top = std::min(verbose, k_verbosity_max);
    for (int v = 0; v <= top; ++v) {
        // The lists only hold known words, so this cannot fail.
        (void)apply_words(lists.at(static_cast<std::size_t>(v)), OutputPriority::implied, false);
    }
}

// mirrors rsync options.c:make_output_option
std::optional<std::string> OutputLevels::forward_option(unsigned where) const {
    const auto table = output_words(kind_);
    std::array<int, k_output_level_max + 1> counts{};
    int skipped = 0;
    int most = 0;
    int common_level = -1;
    bool any = false;
    for (std::size_t i = 0; i < table.size(); ++i) {
        if ((table[i].where & where) == 0) continue;
        if (priorities_.at(i) == OutputPriority::implied) {
            ++skipped;
            continue;
        }
        any = true;
        if (priorities_.at(i) == OutputPriority::help) continue;
        const auto lvl = static_cast<std::size_t>(levels_.at(i));
        if (++counts.at(lvl) > most) {
            common_level = levels_.at(i);
            most = counts.at(lvl);
        }
    }
    if (!any) return std::nullopt;

    std::string text = kind_ == OutputKind::info ? "--info=" : "--debug=";
    const std::size_t prefix_len = text.size();
    constexpr int k_all_threshold = 5;
    if (skipped > 0 || most < k_all_threshold) {
        common_level = -1;
    } else if (common_level == 0) {
        text += "NONE";
    } else if (common_level == 1) {
        text += "ALL";
    } else {
        text += "ALL" + std::to_string(common_level);
    }
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (priorities_.at(i) == OutputPriority::implied || levels_.at(i) == common_level ||
            (table[i].where & where) == 0) {
            continue;
        }
        if (text.size() > prefix_len) text += ',';
        text += table[i].name;
        if (levels_.at(i) != 1) text += std::to_string(levels_.at(i));
    }
    return text;
}

std::string output_words_help(OutputKind kind) {
    const auto table = output_words(kind);
    const std::string_view option = kind == OutputKind::info ? "--info" : "--debug";
    auto line = [](std::string_view name, std::string_view help) {
        std::string out(name);
        out.resize(std::max<std::size_t>(out.size() + 1, 11), ' ');
        out += help;
        out += '\n';
        return out;
    };
    std::string text =
        "Give a word alone or with 1 for level 1, WORD2 for level 2, and so on; WORD0 turns it "
        "off.\n\n";
    for (const auto& word : table) text += line(word.name, word.help);
    text += '\n';
    text += line("ALL", "Set every " + std::string(option) + " word (e.g. all4)");
    text += line("NONE", "Turn off every " + std::string(option) + " word (same as all0)");
    text += line("HELP", "Print this help");
    text += "\nWords each level of verbosity adds:\n";
    for (int v = 0; v <= k_verbosity_max; ++v) {
        OutputLevels levels =
            kind == OutputKind::info ? OutputLevels::for_info() : OutputLevels::for_debug();
        const auto& lists = kind == OutputKind::info ? k_info_by_verbosity : k_debug_by_verbosity;
        (void)levels.apply_words(lists.at(static_cast<std::size_t>(v)), OutputPriority::help,
                                 false);
        auto forwarded = levels.forward_option(k_where_client | k_where_server | k_where_sender |
                                               k_where_receiver);
        if (forwarded) {
            text += std::to_string(v) + ") " + forwarded->substr(forwarded->find('=') + 1) + "\n";
        }
    }
    return text;
}

}  // namespace ursync::cli
