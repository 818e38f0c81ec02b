// Transfer statistics and rsync's end-of-run summary (--stats and the two -v summary lines).
#pragma once

#include <cstdint>
#include <string>

namespace ursync::roles {

// Counts by file type, in rsync's order: total, then reg, dir, link, dev, special.
struct TypeCounts {
    int64_t total = 0, reg = 0, dir = 0, link = 0, dev = 0, special = 0;
    void add(uint32_t mode);
};

struct Stats {
    TypeCounts num_files;
    TypeCounts created_files;
    TypeCounts deleted_files;
    int64_t xferred_files = 0;
    int64_t total_size = 0;
    int64_t total_transferred_size = 0;
    int64_t literal_data = 0;
    int64_t matched_data = 0;
    int64_t flist_size = 0;
    int64_t flist_buildtime_ms = 0;
    int64_t flist_xfertime_ms = 0;
    int64_t total_written = 0;  // bytes we sent
    int64_t total_read = 0;     // bytes we received
    // A local copy moving data kernel-side: what those transfers would have sent and received
    // over the socketpair (added to the two totals above).
    int64_t local_written = 0;
    int64_t local_read = 0;
};

// rsync's number formats: with -h level 1 (the default) thousands are separated by commas;
// level 0 prints plain digits; level 2+ uses K/M/G suffixes (1000 or 1024 based).
std::string human_num(int64_t value, int human_level);
std::string comma_dnum(double value, int decimals, int human_level);

// The text rsync prints at the end: with stats_level >= 2 the --stats block, with >= 1 the
// "sent ... received ..." and "total size is ..." lines. elapsed_s is the run time.
std::string format_summary(const Stats& stats, int stats_level, int protocol, int human_level,
                           double elapsed_s, bool dry_run);

}  // namespace ursync::roles
