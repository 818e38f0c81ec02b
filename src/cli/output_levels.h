// Levels of the --info and --debug output words (NAME2, DEL, ALL4...), with what -v implies.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "util/expected.h"

namespace ursync::cli {

enum class OutputKind : std::uint8_t { info, debug };

// Which side uses a word: the bits match rsync's W_CLI/W_SRV/W_SND/W_REC.
inline constexpr unsigned k_where_client = 1U << 0U;
inline constexpr unsigned k_where_server = 1U << 1U;
inline constexpr unsigned k_where_sender = 1U << 2U;
inline constexpr unsigned k_where_receiver = 1U << 3U;

inline constexpr int k_output_level_max = 4;  // the largest N accepted in WORDN
inline constexpr std::size_t k_output_words_max = 24;

struct OutputWord {
    std::string_view name;  // upper case, as rsync prints it
    unsigned where;
    std::string_view help;  // our own one-line description (for --info=help)
};

std::span<const OutputWord> output_words(OutputKind kind);

// Who set a level: implied ones (by -v, --stats, --progress) are not forwarded to the server.
enum class OutputPriority : std::uint8_t { implied = 0, help = 1, user = 2 };

enum class InfoWord : std::uint8_t {
    backup,
    copy,
    del,
    flist,
    misc,
    mount,
    name,
    nonreg,
    progress,
    remove,
    skip,
    stats,
    symsafe
};
enum class DebugWord : std::uint8_t {
    acl,
    backup,
    bind,
    chdir,
    connect,
    cmd,
    del,
    deltasum,
    dup,
    exit,
    filter,
    flist,
    fuzzy,
    genr,
    hash,
    hlink,
    iconv,
    io,
    nstr,
    own,
    proto,
    recv,
    send,
    time
};

// What a list of words asked for besides setting levels.
enum class OutputWordsResult : std::uint8_t { ok, help };

class OutputLevels {
  public:
    static OutputLevels for_info();
    static OutputLevels for_debug();

    OutputKind kind() const { return kind_; }
    int level(InfoWord word) const;
    int level(DebugWord word) const;
    int level_at(std::size_t index) const { return levels_.at(index); }
    OutputPriority priority_at(std::size_t index) const { return priorities_.at(index); }

    // Applies "WORD[N],ALL[N],NONE,..." (case-insensitive). An unknown word is an error (the
    // word, digits stripped) unless `ignore_unknown` (a server ignores them, as rsync does).
    Expected<OutputWordsResult, std::string> apply_words(std::string_view words,
                                                         OutputPriority priority,
                                                         bool ignore_unknown);
    // The levels -v, -vv... imply (rsync's per-verbosity word lists), at implied priority.
    void apply_verbosity(int verbose);
    // "--info=..." / "--debug=..." naming every user-set word used `where`, as rsync forwards
    // them to the other side; nullopt when there is nothing to say.
    std::optional<std::string> forward_option(unsigned where) const;

    bool operator==(const OutputLevels&) const = default;

  private:
    explicit OutputLevels(OutputKind kind) : kind_(kind) {}
    void set(std::size_t index, int level, OutputPriority priority);

    OutputKind kind_;
    std::array<std::int8_t, k_output_words_max> levels_{};
    std::array<OutputPriority, k_output_words_max> priorities_{};
};

// The text of `--info=help` / `--debug=help`.
std::string output_words_help(OutputKind kind);

}  // namespace ursync::cli
