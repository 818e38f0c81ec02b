// --files-from: the list's names as rsync reads them (rsync io.c:read_line), the names made
// safe (sanitize_path with SP_KEEP_DOT_DIRS), and the list as a receiving side forwards it to
// the sender over the connection (io.c:forward_filesfrom_data). Text work, and one blocking
// read of a local list for a worker job.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ursync::roles {

// How the names are read: a local list skips empty lines and '#' / ';' comment lines; a list
// read from the connection ends at its first empty name and keeps every other line.
struct FilesFromFormat {
    bool eol_nulls = false;      // -0 (always for a list from the connection)
    bool dump_comments = true;   // a local list
};

// The names of a whole list. `complete` is set when the list ended (an empty name on the
// connection, or the end of the data for a local list).
struct FilesFromNames {
    std::vector<std::string> names;
    bool complete = false;
    size_t consumed = 0;  // bytes of `data` used (a list on the connection may be followed)
};
FilesFromNames split_files_from(std::string_view data, FilesFromFormat format, bool at_eof);

// A listed name made relative and free of ".." components (leading slashes, empty and ".."
// components dropped, "." kept, a trailing slash kept).
std::string sanitize_files_from_name(std::string_view name);

// The bytes a receiving side sends for a local list: names ended by NUL (newlines and CRs
// become NULs unless -0), runs of NULs collapsed, and the empty name that ends the list.
std::string forward_files_from(std::string_view data, bool eol_nulls);

// Reads all of a local list ("-": stdin) into `data`: 0, or the errno. Blocking: call it from a
// worker job (engine offload).
int read_files_from_file(const std::string& path, std::string& data);

}  // namespace ursync::roles
