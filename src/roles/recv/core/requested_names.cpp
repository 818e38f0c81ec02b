// A pulling client's checks of received names against its args and its sent filter rules.
#include "roles/recv/core/requested_names.h"

#include "roles/filter/filter_wire.h"

namespace ursync::roles {

RequestedNames requested_names_for(const cli::Options& o,
                                   const std::vector<std::string>& source_args, int protocol) {
    RequestedNames checks;
    // rsync's trust_sender_args: --trust-sender, --old-args (or RSYNC_OLD_ARGS), a remote
    // --files-from.
    const bool trust_args = o.trust_sender || o.old_args > 0 || o.files_from_host.has_value();
    if (!trust_args) {
        ImpliedRules implied({o.relative, o.recursive, o.dirs});
        for (const auto& arg : source_args) implied.add_arg(arg);
        checks.implied = std::move(implied);
    }
    // rsync's trust_sender_filter: --trust-sender, or a per-directory merge rule (-F, -C's
    // ":C" among them) whose files only the sender reads. Rules with the '/' modifier are
    // matched against the sender's absolute path, which the client does not know (rsync puts
    // its own directory there): with one of them the excludes are not checked either.
    if (!o.trust_sender && !o.cvs_exclude) {
        FilterParseOptions parse_options;
        parse_options.delete_excluded = o.delete_excluded;
        auto sent = FilterList::parse(filter_rules_for_peer(o, false, protocol), parse_options);
        bool abs_rule = false;
        if (sent)
            for (const auto& r : sent->rules()) abs_rule = abs_rule || r.abs_path;
        if (sent && !sent->has_dir_merges() && !abs_rule) checks.sent_rules = std::move(*sent);
    }
    return checks;
}

session::SessionResult<void> check_requested_name(const RequestedNames& checks,
                                                  std::string_view name, bool is_dir) {
    if (name == "." || name == "/.") return {};
    // The rules the sender was given, as it applies them (its side of each rule).
    if (checks.sent_rules && !checks.sent_rules->empty() &&
        checks.sent_rules->check(name, is_dir, FilterSide::sender) < 0) {
        return session::fail("ERROR: rejecting excluded file-list name: " + std::string(name),
                             ExitCode::unsupported);
    }
    // With no rule at all (a "dir/" arg without -r or -d) rsync checks nothing.
    if (checks.implied && !checks.implied->empty() && !checks.implied->requested(name, is_dir)) {
        return session::fail("ERROR: rejecting unrequested file-list name: " + std::string(name),
                             ExitCode::unsupported);
    }
    return {};
}

}  // namespace ursync::roles
