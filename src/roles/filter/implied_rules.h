// The "implied include" rules a pulling client derives from its source args; every name the
// remote sender lists must match one of them (rsync's implied_filter_list).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "roles/filter/filter.h"

namespace ursync::roles {

// The options that shape the rules (rsync's relative_paths, recurse, xfer_dirs).
struct ImpliedRuleOptions {
    bool relative = false;  // -R: the names keep the args' path (from a "/./" on)
    bool recurse = false;   // -r: everything beneath a requested directory
    bool dirs = false;      // -d, -r or a listing: a requested directory's own entries
};

class ImpliedRules {
  public:
    explicit ImpliedRules(ImpliedRuleOptions options) : options_(options) {}

    // Adds the rules one source arg implies: the path part of host:path, an empty path already
    // made ".". mirrors rsync exclude.c:add_implied_include (without a daemon module to skip)
    void add_arg(std::string_view arg);

    // Whether a received name (relative to the transfer root) was asked for. The transfer
    // root "." is the caller's to exempt. mirrors rsync flist.c:recv_file_entry's
    // check_filter(&implied_filter_list, ...) > 0
    bool requested(std::string_view name, bool is_dir) const;

    // A directory allowed only as a parent of something asked for (an implied directory of
    // -R), never as a requested directory itself. mirrors rsync exclude.c:is_implied_parent_dir
    bool parent_only(std::string_view name) const;

    // No rules at all (then rsync checks nothing).
    bool empty() const { return made_.empty(); }
    // The rules in the order they were made, as rsync's --debug=filter3 prints them
    // ("/sub", "/sub/**", "/src/" for a directory-only rule).
    std::vector<std::string> describe() const;

  private:
    void push(FilterRule rule, bool live_bracket);

    ImpliedRuleOptions options_;
    FilterList leaves_;   // what was asked for, and beneath it
    FilterList parents_;  // -R's implied parent directories (rsync's FILTRULE_DIRECTORY rules)
    std::vector<FilterRule> made_;  // every rule, in order
};

}  // namespace ursync::roles
