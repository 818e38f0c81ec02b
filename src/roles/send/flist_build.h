// The sender's file list: entries built from the source arguments and directory scans.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/chmod_rules.h"
#include "engine/task.h"
#include "fs/beneath.h"
#include "fs/ids.h"
#include "protocol/file_entry.h"
#include "roles/common/session_context.h"
#include "roles/filter/filter.h"
#include "roles/send/send_scan.h"
#include "session/session_error.h"

namespace ursync::roles {

// rsync's name types for a source argument (flist.c): a "dot dir" sends the directory's
// contents under "." ("src/", "src/.", "."), a normal name sends the item itself.
enum class SourceNameType { normal, dot_dir, slash_ending };

struct SourceArg {
    std::string dir;   // the directory the name is relative to ("" = the current directory)
    std::string name;  // the name sent: "." for "src/", "src" for "src", "c/d" for -R "a/./c/d"
    SourceNameType type = SourceNameType::normal;
};

// Splits one source argument the way rsync's send_file_list does (with -R: "dir/./path" and
// cleaned paths; a ".." component is refused). The error is rsync's message.
Expected<SourceArg, session::SessionError> split_source_arg(std::string_view arg, bool relative);

// -R with incremental recursion: a path still to send inside an implied directory's segment
// (rsync's relnamecache).
struct RelName {
    std::string rest;  // the path below the implied directory
    SourceNameType type = SourceNameType::normal;
};

// What only the sender knows about an entry (kept beside the wire FileEntry).
struct SendInfo {
    uint32_t root = 0;         // index of the source directory the name is relative to
    bool content_dir = false;  // a directory whose contents are sent (rsync FLAG_CONTENT_DIR)
    uint64_t dev = 0;          // for -H and -x
    uint64_t ino = 0;
    uint32_t nlink = 0;
    bool sent = false;              // its data went out once (a second request is a redo)
    std::vector<RelName> relnames;  // implied directories (-R, incremental): see RelName
    // The per-directory filter rules in effect in the directory holding this entry (read when
    // the entry is a directory that gets scanned later).
    std::shared_ptr<const DirMergeRules> parent_merged;
};

struct BuiltEntry {
    protocol::FileEntry entry;
    SendInfo info;
    // -X: the attributes read with the directory scan (a sender's names), or the errno of the
    // failed read; not read yet when neither is set.
    std::unique_ptr<fs::XattrPairs> xattrs;
    int xattr_err = 0;
};

// Builds entries; every filesystem access goes through fs:: (confined, on the ring or the
// pool). Problems with single files are reported through s.output and s.state as rsync does
// ("file has vanished", "link_stat ... failed") and the entry is left out.
class FlistBuilder {
  public:
    FlistBuilder(Session& s, FilterList filters);
    ~FlistBuilder();
    FlistBuilder(const FlistBuilder&) = delete;
    FlistBuilder& operator=(const FlistBuilder&) = delete;

    // The entries of the first file list for `sources` (mirrors rsync flist.c:send_file_list):
    // each argument's item; without incremental recursion everything beneath the directories
    // too, with it the contents of "dot dir" arguments only. Errors are fatal ones.
    engine::Task<session::SessionResult<std::vector<BuiltEntry>>> build_top(
        const std::vector<std::string>& sources);

    // The contents of directory `dir` (one level; its subdirectories are not expanded), for an
    // incremental segment. mirrors rsync flist.c:send1extra + send_directory
    engine::Task<session::SessionResult<void>> list_contents(const BuiltEntry& dir,
                                                             std::vector<BuiltEntry>& out);

    // Starts listing the contents of `dir` (when list_contents would list them) ahead of time.
    engine::Task<void> scan_ahead(const BuiltEntry& dir);

    fs::DirRoot& root(uint32_t index) { return *roots_[index].root; }
    // The names of uid 0 and gid 0 for the id lists ("" when unknown).
    engine::Task<std::string> user0_name();
    engine::Task<std::string> group0_name();
    // rsync's full_fname: the quoted absolute path of `rel` beneath root `root`, for messages.
    std::string full_name(uint32_t root, std::string_view rel) const;
    // The source directory of `root` as the argument gave it ("" = the current directory).
    const std::string& root_dir(uint32_t root) const { return roots_[root].dir; }
    const FilterList& filters() const { return filters_; }

  private:
    struct Root {
        std::string dir;  // as the argument gave it ("" = current directory)
        std::string abs;  // absolute path for messages (rsync's full_fname)
        std::unique_ptr<fs::DirRoot> root;
    };

    engine::Task<session::SessionResult<std::optional<uint32_t>>> open_root(const std::string& dir);
    engine::Task<session::SessionResult<std::vector<std::string>>> read_files_from();
    engine::Task<session::SessionResult<void>> add_arg(const std::string& arg,
                                                       std::vector<BuiltEntry>& out);
    // The implied directories leading to name[0, limit) (-R). Without incremental recursion
    // every level not shared with the previous path; with it only the top level, the rest of
    // the path (`rel`) deferred to that directory's segment. mirrors rsync
    // flist.c:send_implied_dirs
    engine::Task<session::SessionResult<void>> implied_dirs(uint32_t root, const std::string& name,
                                                            size_t start, size_t limit,
                                                            std::optional<RelName> rel,
                                                            std::vector<BuiltEntry>& out);
    // Lists `dir_rel` (an entry of root `root`) into out; with `recursive` its content
    // subdirectories follow depth-first (rsync's send_if_directory).
    engine::Task<session::SessionResult<void>> scan_into(
        uint32_t root, std::string dir_rel, std::shared_ptr<const DirMergeRules> parent,
        bool recursive, uint64_t dev, std::vector<BuiltEntry>& out);
    // The item at rel (attributes already known) as an entry, or nullopt when it is left out.
    engine::Task<session::SessionResult<std::optional<BuiltEntry>>> make_entry(
        uint32_t root, std::string rel, const fs::FileAttrs& attrs, bool content_dir, bool top_dir,
        bool filtered, const DirMergeRules* merged, uint64_t filesystem_dev);
    engine::Task<void> fill_ids(protocol::FileEntry& e);
    engine::Task<void> fill_checksums(uint32_t root, std::vector<BuiltEntry>& out, size_t from);
    engine::Task<session::SessionResult<std::shared_ptr<const DirMergeRules>>> read_merge_layer(
        uint32_t root, const std::string& dir_rel, const DirMergeRules* parent);

    void report(std::string text, int32_t io_error_bits, bool xfer_error);

    Session& s_;
    FilterList filters_;
    std::optional<cli::ChmodRules> chmod_;  // --chmod, applied to the modes listed
    bool has_merges_;
    std::vector<Root> roots_;
    fs::IdCache ids_;
    std::string cwd_;
    // rsync's lastpath / lastpath_struct of send_implied_dirs.
    std::string last_implied_;
    uint32_t last_implied_root_ = 0;
    std::optional<size_t> last_implied_entry_;  // its index in the list being built
    DirScanner scanner_;
};

}  // namespace ursync::roles
