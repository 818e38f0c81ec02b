// What the C++ tests that compare ursync with stock rsync share: whether rsync is installed,
// and the checksum seed both sides of every such comparison are given.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <string>
#include <vector>

namespace ursync::tests {

// Whether stock rsync runs here (asked once per test binary). A test that compares with it
// calls GTEST_SKIP() without it, which ctest reports as skipped, never as passed.
inline bool have_rsync() {
    static const bool found = std::system("rsync --version >/dev/null 2>&1") == 0;
    return found;
}

// The checksum seed of every comparison with stock rsync. Left to itself the side that sends
// the seed picks a new one each run (time ^ pid), and phase 0's 2-byte strong sums then let a
// false block match through now and then: that file fails its check and is sent again in
// phase 1 (an extra -i line, a warning, other --stats), so two runs of one transfer differ by
// chance. With the seed fixed a transfer does the same thing every time.
inline constexpr int k_checksum_seed = 1;

inline std::string checksum_seed_arg() {
    return "--checksum-seed=" + std::to_string(k_checksum_seed);
}

// `args` with --checksum-seed=k_checksum_seed added, unless they set a seed themselves.
inline std::vector<std::string> with_checksum_seed(std::vector<std::string> args) {
    const bool has_seed = std::any_of(args.begin(), args.end(), [](const std::string& a) {
        return a.rfind("--checksum-seed", 0) == 0;
    });
    if (!has_seed) args.push_back(checksum_seed_arg());
    return args;
}

// A seed that does let a false block match through, for the tests that check every seat uses
// the seed it is given: with it, phase 0 of a delta transfer of false_match_file() over its
// first k_false_match_basis_len bytes finds a false match (with rsync 3.5.0's default xxh128
// block sums), and the file is sent again in phase 1 ("failed verification"). Found by trying
// seeds with stock rsync; with k_checksum_seed the same transfer goes through in phase 0.
inline constexpr int k_false_match_seed = 3611;
inline constexpr std::size_t k_false_match_basis_len = 300000;

inline std::string false_match_file() {
    std::string text;
    for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + " of a bigger file\n";
    return text;
}

// How often `what` occurs in `text` (a transfer's output).
inline std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

}  // namespace ursync::tests
