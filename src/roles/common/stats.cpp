// Stats formatting: mirrors rsync main.c:output_summary and lib/compat.c's number helpers.
#include "roles/common/stats.h"

#include <cstdio>
#include <string_view>

#include "protocol/file_entry.h"

namespace ursync::roles {

void TypeCounts::add(uint32_t mode) {
    ++total;
    if (protocol::mode_is_regular(mode)) ++reg;
    else if (protocol::mode_is_dir(mode)) ++dir;
    else if (protocol::mode_is_symlink(mode)) ++link;
    else if (protocol::mode_is_device(mode)) ++dev;
    else if (protocol::mode_is_special(mode)) ++special;
}

namespace {

std::string with_commas(std::string digits) {
    bool negative = !digits.empty() && digits[0] == '-';
    std::string body = negative ? digits.substr(1) : digits;
    std::string out;
    int count = 0;
    for (auto it = body.rbegin(); it != body.rend(); ++it) {
        if (count && count % 3 == 0) out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++count;
    }
    return negative ? "-" + out : out;
}

std::string suffixed(double value, int human_level) {
    const double unit = human_level == 2 ? 1000.0 : 1024.0;
    const char* suffixes = "KMGTPE";
    if (value < unit) return std::to_string(static_cast<int64_t>(value));
    int i = -1;
    while (value >= unit && i < 5) {
        value /= unit;
        ++i;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f%c", value, suffixes[i]);
    return buf;
}

std::string counts_line(std::string_view prefix, const TypeCounts& c, int human_level) {
    std::string out = std::string(prefix) + ": " + human_num(c.total, human_level > 1 ? 1 : human_level);
    if (c.total) {
        const std::pair<const char*, int64_t> parts[] = {
            {"reg", c.total - (c.dir + c.link + c.dev + c.special)},
            {"dir", c.dir}, {"link", c.link}, {"dev", c.dev}, {"special", c.special}};
        const char* pre = " (";
        for (auto [label, n] : parts) {
            if (!n) continue;
            out += std::string(pre) + label + ": " + human_num(n, 1);
            pre = ", ";
        }
        out += ")";
    }
    return out + "\n";
}

}  // namespace

std::string human_num(int64_t value, int human_level) {
    if (human_level >= 2) return suffixed(static_cast<double>(value), human_level);
    std::string digits = std::to_string(value);
    return human_level == 1 ? with_commas(digits) : digits;
}

std::string comma_dnum(double value, int decimals, int human_level) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
    std::string text = buf;
    if (human_level < 1) return text;
    auto dot = text.find('.');
    return with_commas(text.substr(0, dot)) + (dot == std::string::npos ? "" : text.substr(dot));
}

std::string format_summary(const Stats& s, int stats_level, int protocol, int human_level,
                           double elapsed_s, bool dry_run) {
    std::string out;
    if (stats_level >= 2) {
        out += "\n";
        out += counts_line("Number of files", s.num_files, human_level);
        if (protocol >= 29) out += counts_line("Number of created files", s.created_files, human_level);
        if (protocol >= 31) out += counts_line("Number of deleted files", s.deleted_files, human_level);
        out += "Number of regular files transferred: " + human_num(s.xferred_files, 1) + "\n";
        out += "Total file size: " + human_num(s.total_size, human_level) + " bytes\n";
        out += "Total transferred file size: " + human_num(s.total_transferred_size, human_level) +
               " bytes\n";
        out += "Literal data: " + human_num(s.literal_data, human_level) + " bytes\n";
        out += "Matched data: " + human_num(s.matched_data, human_level) + " bytes\n";
        out += "File list size: " + human_num(s.flist_size, human_level) + "\n";
        if (s.flist_buildtime_ms) {
            out += "File list generation time: " +
                   comma_dnum(static_cast<double>(s.flist_buildtime_ms) / 1000, 3, 1) + " seconds\n";
            out += "File list transfer time: " +
                   comma_dnum(static_cast<double>(s.flist_xfertime_ms) / 1000, 3, 1) + " seconds\n";
        }
        out += "Total bytes sent: " + human_num(s.total_written, human_level) + "\n";
        out += "Total bytes received: " + human_num(s.total_read, human_level) + "\n";
    }
    if (stats_level >= 1) {
        double total = static_cast<double>(s.total_written + s.total_read);
        double rate = elapsed_s > 0 ? total / elapsed_s : total;
        std::string rate_text = human_level >= 2 ? suffixed(rate, human_level)
                                                 : comma_dnum(rate, 2, human_level);
        out += "\nsent " + human_num(s.total_written, human_level) + " bytes  received " +
               human_num(s.total_read, human_level) + " bytes  " + rate_text + " bytes/sec\n";
        double speedup = total > 0 ? static_cast<double>(s.total_size) / total : 0;
        out += "total size is " + human_num(s.total_size, human_level) + "  speedup is " +
               comma_dnum(speedup, 2, 1) + (dry_run ? " (DRY RUN)" : "") + "\n";
    }
    return out;
}

}  // namespace ursync::roles
