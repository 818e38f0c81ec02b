// --stop-at times: numbers separated by '-' or '/' (a date: the last three are year, month,
// day), then 'T' and numbers separated by ':' (a time: hour, minute). What is missing is taken
// from today, and moved forward (a day, a month, a year, an hour) until it is in the future.
#include "cli/stop_time.h"

namespace ursync::cli {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::optional<std::time_t> parse_stop_time(std::string_view arg, std::time_t now) {
    std::tm today_tm{};
    const std::tm* today = localtime_r(&now, &today_tm);
    if (!today) return std::nullopt;
    int year = -1, mon = -1, mday = -1, hour = -1, min = -1;
    size_t i = 0;
    int in_date = 1;  // 1: reading the date, 0: the time, -1: just after a 'T'
    if (i < arg.size() && (arg[i] == 'T' || arg[i] == 't' || arg[i] == ':')) {
        in_date = arg[i] == ':' ? 0 : -1;
        ++i;
    }
    for (;; ++i) {
        if (i >= arg.size() || !digit(arg[i])) return std::nullopt;
        int n = 0;
        while (i < arg.size() && digit(arg[i])) {
            n = n * 10 + (arg[i] - '0');
            if (n > 100000) return std::nullopt;
            ++i;
        }
        const char next = i < arg.size() ? arg[i] : '\0';
        if (next == ':') in_date = 0;
        if (in_date > 0) {
            if (year != -1) return std::nullopt;
            year = mon;
            mon = mday;
            mday = n;
            if (next == '\0') break;
            if (next == 'T' || next == 't') {
                if (i + 1 >= arg.size()) break;
                in_date = -1;
            } else if (next != '-' && next != '/') {
                return std::nullopt;
            }
            continue;
        }
        if (hour != -1) return std::nullopt;
        hour = min;
        min = n;
        if (next == '\0') {
            if (in_date < 0) return std::nullopt;
            break;
        }
        if (next != ':') return std::nullopt;
        in_date = 0;
    }

    std::tm t{};
    t.tm_isdst = -1;
    int open_part = 0;  // which part was taken from today: 1 year, 2 month, 3 day
    if (year < 0) {
        t.tm_year = today->tm_year;
        open_part = 1;
    } else if (year < 100) {
        t.tm_year = year;
        while (t.tm_year < today->tm_year) t.tm_year += 100;
    } else {
        t.tm_year = year - 1900;
    }
    if (mon < 0) {
        t.tm_mon = today->tm_mon;
        open_part = 2;
    } else {
        t.tm_mon = mon - 1;
    }
    if (mday < 0) {
        t.tm_mday = today->tm_mday;
        open_part = 3;
    } else {
        t.tm_mday = mday;
    }
    std::time_t step = 0;
    if (min < 0) {
        t.tm_hour = t.tm_min = 0;
    } else if (hour < 0) {
        if (open_part != 3) return std::nullopt;
        open_part = 0;
        t.tm_hour = today->tm_hour;
        t.tm_min = min;
        step = 60 * 60;
    } else {
        t.tm_hour = hour;
        t.tm_min = min;
    }
    int old_mday = t.tm_mday;
    if (t.tm_hour > 23 || t.tm_min > 59 || t.tm_mon < 0 || t.tm_mon >= 12 || t.tm_mday < 1 ||
        t.tm_mday > 31)
        return std::nullopt;
    std::time_t val = mktime(&t);
    if (val == static_cast<std::time_t>(-1)) return std::nullopt;
    while (open_part && (val <= now || t.tm_mday < old_mday)) {
        if (open_part == 3) {
            old_mday = ++t.tm_mday;
        } else if (open_part == 2) {
            if (t.tm_mday < old_mday) {
                t.tm_mday = old_mday;  // mktime already moved into the next month
            } else if (++t.tm_mon == 12) {
                t.tm_mon = 0;
                t.tm_year++;
            }
        } else {
            if (t.tm_mday < old_mday) {
                if (t.tm_mon != 2 || old_mday != 29) return std::nullopt;  // Feb 29th only
                t.tm_mon = 1;
                t.tm_mday = 29;
            }
            t.tm_year++;
        }
        val = mktime(&t);
        if (val == static_cast<std::time_t>(-1)) {
            if (open_part != 3 || t.tm_mday <= 28) return std::nullopt;
            t.tm_mday = old_mday = 1;
            open_part = 2;
        }
    }
    if (step)
        while (val <= now) val += step;
    return val;
}

}  // namespace ursync::cli
