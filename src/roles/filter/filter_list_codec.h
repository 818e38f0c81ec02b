// The filter list's wire form as pure codecs: int-length-prefixed rule texts, ended by int 0.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "protocol/byte_cursor.h"
#include "protocol/wire_error.h"

namespace ursync::roles {

// Longest rule rsync accepts from the wire (it reads into a MAXPATHLEN*2+... buffer).
inline constexpr size_t k_filter_rule_len_max = 8192;

// One item of a received filter list: a rule's text, or nullopt for the terminating 0. Reports
// `incomplete` (and consumes nothing) until the whole rule is in `in`; a negative or too long
// length is an overflow (rsync's "buffer overflow: recv_rules", exit 22). mirrors the loop body
// of rsync exclude.c:recv_filter_list
protocol::WireResult<std::optional<std::string>> get_filter_rule(protocol::ByteCursor& in);

// A whole list, as get_filter_rule reads it item by item; more than k_filter_rule_count_max
// rules is malformed (the list is the peer's: a bound on what it can make us hold).
protocol::WireResult<std::vector<std::string>> get_filter_list(protocol::ByteCursor& in);

// The list as rsync's send_filter_list writes it. mirrors rsync exclude.c:send_filter_list
void put_filter_list(protocol::ByteWriter& out, const std::vector<std::string>& rules);

}  // namespace ursync::roles
