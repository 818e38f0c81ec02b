// What the two sessions of one local copy share: both run on one engine, so the receiving side
// can copy a file's data straight from the sender's source (kernel-side) instead of over the
// socketpair, while the sender still counts and reports it as a sent file.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "fs/beneath.h"

namespace ursync::roles {

// A source file of the sender: the confined root it lives under and its name there.
struct LocalSourceRef {
    fs::DirRoot* root = nullptr;
    std::string name;       // beneath root
    std::string full_name;  // as the sender names it in messages
    int64_t size = 0;       // the file-list size
};

// Where a copy stands in the order rsync's sender would report it: its place among the
// generator's records and copies (LocalLink::next_seq).
struct LocalOrder {
    uint64_t seq = 0;
};

// The sender's half: what it answers for files the receiving side copies itself.
class LocalSenderSide {
public:
    virtual ~LocalSenderSide() = default;
    // The source of ndx; nullopt when ndx is not a regular file of the sender's list.
    virtual std::optional<LocalSourceRef> local_source(int32_t ndx) = 0;
    // ndx was copied (`bytes` of data) as if sent with item flags `iflags`: counted and logged
    // as rsync's sender does for a sent file, its line in `order` among the sender's lines.
    virtual void local_sent(int32_t ndx, uint16_t iflags, int64_t bytes, LocalOrder order) = 0;
    // ndx was copied as if sent, but its source shrank while it was read (errno `err`): as
    // local_sent, then the read error rsync's sender reports for it ("read errors mapping").
    virtual void local_read_error(int32_t ndx, uint16_t iflags, int64_t bytes, int err,
                                  LocalOrder order) = 0;
    // The source of ndx could not be opened (errno `err`): "file has vanished" or an error.
    virtual void local_open_failed(int32_t ndx, uint16_t iflags, int err, LocalOrder order) = 0;
    // A line about item `seq` that came as a message (a deletion), printed in order.
    virtual void ordered_line(uint64_t seq, std::string line) = 0;
};

struct LocalLink {
    LocalSenderSide* sender = nullptr;  // set while the sender answers requests
    // The receiving side stopped on an error it reported (the sender's lost connection that
    // follows is not worth a message of its own).
    bool receiver_failed = false;
    // The generator's order, for the sender's lines: each record written for the sender and
    // each copy queued takes the next number; the records' numbers wait here, in stream order,
    // for the sender to read the records.
    uint64_t next_seq = 0;
    std::deque<uint64_t> record_seqs;
    std::deque<uint64_t> deleted_seqs;  // the same for MSG_DELETED messages
};

}  // namespace ursync::roles
