// --chmod: rsync's rule syntax (comma lists; D/F prefixes; octal or ugoa[+-=]rwxXst / ugo),
// parsed once and applied to the modes of listed entries (rsync chmod.c semantics).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace ursync::cli {

struct ChmodRule {
    enum class Op : std::uint8_t { add, sub, eq, set };
    Op op = Op::add;
    bool dirs_only = false;
    bool files_only = false;
    bool x_keep = false;         // X: x only where some x is already set (or a directory)
    std::uint32_t and_mask = 0;  // the bits kept
    std::uint32_t or_bits = 0;   // the bits set
    std::uint32_t copy_src = 0;  // "=u" / "+g" ...: the who whose bits are copied (0100/010/01)
    std::uint32_t copy_dst = 0;  // ... into these whos
    std::uint32_t copy_and = 0;
};

class ChmodRules {
  public:
    // Appends the rules of one --chmod argument; false (nothing appended) when it is not valid.
    // `umask` limits the bits of a rule without u/g/o/a ("+x" is "a+x" less the umask).
    bool add(std::string_view text, std::uint32_t umask);
    bool empty() const { return rules_.empty(); }
    // The mode with the rules applied (type bits kept).
    std::uint32_t apply(std::uint32_t mode) const;

  private:
    std::vector<ChmodRule> rules_;
};

// The process umask (read once, without changing it for good).
std::uint32_t process_umask();

// The rules of all --chmod arguments, or nullopt if there are none (each was validated while
// parsing, so none fails here).
std::optional<ChmodRules> chmod_rules(const std::vector<std::string>& args);

}  // namespace ursync::cli
