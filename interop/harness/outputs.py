"""What is compared from a client's stdout: the file lines (-v/-i) and the --stats counters.

Measured on rsync 3.5.0 (two identical rsync->rsync runs):
- the order of the lines is not stable: on the receiving side the generator and the receiver
  are two processes that print independently (pull with --delete reorders "*deleting" lines),
  so lines are compared as multisets;
- "Total bytes sent/received" vary by a few bytes from run to run (multiplex framing depends
  on timing), so they are compared with a tolerance; with -z they depend on where the deflate
  stream is flushed and are not compared at all;
- times and rates are never compared.
"""

import collections
import re

STATS_KEYS = (
    "Number of files", "Number of created files", "Number of deleted files",
    "Number of regular files transferred", "Total file size", "Total transferred file size",
    "Literal data", "Matched data", "File list size", "File list generation time",
    "File list transfer time", "Total bytes sent", "Total bytes received",
)
# Printed at every protocol (3.5.0 leaves out "Number of deleted files" before protocol 31).
REQUIRED_KEYS = ("Number of files", "Total file size", "Literal data", "Matched data",
                 "Total bytes sent", "Total bytes received")
TIME_KEYS = ("File list generation time", "File list transfer time")
BYTES_KEYS = ("Total bytes sent", "Total bytes received")
BYTES_TOLERANCE_FRACTION = 0.02
BYTES_TOLERANCE_MIN = 512

_STATS_RE = re.compile(rb"^(" + rb"|".join(k.encode() for k in STATS_KEYS) + rb"): (.*)$")
# -h prints numbers as 1.23K / 4.56M (-hh in powers of 1024).
_NUM = rb"[\d,.]+[KMGTPE]?"
_SENT_RE = re.compile(rb"^sent " + _NUM + rb" bytes\s+received " + _NUM + rb" bytes\s+" + _NUM +
                      rb" bytes/sec$")
_TOTAL_RE = re.compile(rb"^total size is (" + _NUM + rb")\s+speedup is [\d,.]+( \(DRY RUN\))?$")


class Output:
    """A client's stdout split into file lines and --stats counters."""

    def __init__(self, stdout):
        self.lines = []   # everything but the stats block and the timing lines
        self.stats = {}   # counter name -> value text (as printed)
        for line in stdout.split(b"\n"):
            match = _STATS_RE.match(line)
            if match:
                self.stats[match.group(1).decode()] = match.group(2).decode(errors="replace")
                continue
            if _SENT_RE.match(line):
                continue
            total = _TOTAL_RE.match(line)
            if total:
                self.stats["total size is"] = total.group(1).decode()
                continue
            self.lines.append(line)
        while self.lines and self.lines[-1] == b"":
            self.lines.pop()


# Progress lines (--progress, --info=progress2): rates and times vary from run to run.
_RATE_RE = re.compile(rb" *[0-9]+\.[0-9]{2}[kMG]B/s")
_TIME_RE = re.compile(rb" *(?:[0-9]+:[0-9]{2}:[0-9]{2}|\?\?:\?\?:\?\?)")
_OPEN_RE = re.compile(rb" *[0-9,]+ +[0-9]+% RATE TIME  ")
_XFR_RE = re.compile(rb"\(xfr#([0-9]+), (?:to|ir)-chk=[0-9]+/[0-9]+\)")


def progress_records(lines, level, loose_list_ends):
    """File lines with progress records split out ("\r" starts one) and made comparable.

    Rates and times become RATE and TIME. A line left open ("  " at its end, no counts) is
    printed at most once a second, so only the deterministic ones stay: per file (level 1)
    the first of a run of them, with --info=progress2 (level 2) the first of all.
    `loose_list_ends` (progress2 with incremental recursion): the overall line rsync repeats
    at each NDX_DONE comes when the generator finishes a segment, which depends on timing in
    rsync too; such repeats (the same xfr# as the record before) become one count record, and
    the padding of a shorter suffix is not compared.
    """
    out = []
    previous_open = any_open = False
    previous_xfr = None
    repeats = 0
    for line in lines:
        pieces = line.split(b"\r")
        if pieces[0]:
            out.append(pieces[0])
        for record in pieces[1:]:
            record = _TIME_RE.sub(b" TIME", _RATE_RE.sub(b" RATE", record))
            is_open = bool(_OPEN_RE.fullmatch(record))
            keep = not is_open or (not any_open if level >= 2 else not previous_open)
            xfr = _XFR_RE.search(record)
            if loose_list_ends and xfr:
                if xfr.group(1) == previous_xfr:
                    keep = False
                    repeats += 1
                previous_xfr = xfr.group(1)
                record = record.rstrip(b" ")
            if keep:
                out.append(record)
            previous_open = is_open
            any_open = any_open or is_open
    if loose_list_ends:
        out.append(b"[%d repeated overall lines]" % repeats)
    return out


_SUFFIX = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}


def _number(text):
    """The leading number of a counter; -h's "1.23K" is about 1230 (close enough for the
    tolerance of the byte totals)."""
    match = re.match(r"([\d,]+(?:\.\d+)?)([KMGTPE]?)", text)
    if not match:
        return None
    digits = match.group(1).replace(",", "")
    if not match.group(2) and "." not in digits:
        return int(digits)
    return int(float(digits) * _SUFFIX[match.group(2)])


def show_line(line):
    return line.decode("utf-8", errors="backslashreplace")


def compare_lines(expected, actual, limit=10, labels=("expected", "actual")):
    """Differences between two line lists, compared as multisets."""
    exp_count = collections.Counter(expected)
    act_count = collections.Counter(actual)
    diffs = []
    for line in sorted((exp_count - act_count).elements()):
        diffs.append(f"line only in {labels[0]}: {show_line(line)!r}")
    for line in sorted((act_count - exp_count).elements()):
        diffs.append(f"line only in {labels[1]}: {show_line(line)!r}")
    if len(diffs) > limit:
        diffs = diffs[:limit] + [f"... and {len(diffs) - limit} more differing lines"]
    return diffs


def compare_stats(expected, actual, compress, labels=("expected", "actual")):
    """Differences between two stats dicts (see the module comment for what is skipped)."""
    diffs = []
    for key in sorted(set(expected) | set(actual)):
        if key in TIME_KEYS:
            continue
        exp, act = expected.get(key), actual.get(key)
        if exp is None or act is None:
            where = labels[0] if exp is not None else labels[1]
            diffs.append(f"stats: {key!r} printed only by {where}")
            continue
        if key in BYTES_KEYS:
            if compress:
                continue  # with -z the compressed byte counts are not comparable
            a, b = _number(exp), _number(act)
            if a is None or b is None or \
                    abs(a - b) > max(BYTES_TOLERANCE_MIN, a * BYTES_TOLERANCE_FRACTION):
                diffs.append(f"stats: {key}: {labels[0]}={exp} {labels[1]}={act} "
                             f"(beyond the tolerance)")
            continue
        if exp != act:
            diffs.append(f"stats: {key}: {labels[0]}={exp} {labels[1]}={act}")
    return diffs


def stat_number(stats, key):
    """The leading number of a counter, or None when it was not printed."""
    return _number(stats[key]) if key in stats else None
