"""Decides a cell's outcome: its result against the rsync->rsync reference of the same key."""

import re
import threading
from dataclasses import dataclass, field

from . import compare, optsets, outputs

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
NOT_SUPPORTED_RE = re.compile(rb"[^\n]*not (yet )?supported[^\n]*")
SECOND_NS = 1_000_000_000


@dataclass
class CellResult:
    cell: object
    outcome: str
    reason: str = ""
    diffs: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)      # {"cell": s, "reference": s}
    exit_codes: dict = field(default_factory=dict)   # {"cell": n, "reference": n}
    argv: list = field(default_factory=list)
    stderr_tail: list = field(default_factory=list)


@dataclass
class Reference:
    result: object           # runner.RunResult
    problems: list           # why the reference itself is not trustworthy (empty: fine)
    vacuous: str = ""        # with a user's --tree: why the cell would test nothing


def tail(data, lines=6):
    text = data.decode("utf-8", errors="backslashreplace").rstrip("\n")
    return text.split("\n")[-lines:] if text else []


# rsync copies xattrs only with -X; system.* (ACLs) never with -X alone (that is -A), and the
# user.rsync.%* names (rsync's own, --fake-super) only with -XX.
XATTR_SKIP = {1: ("system.", "user.rsync.%"), 2: ("system.",)}


def _mirror_policy(cell, opt):
    # Protocol 30 carries no nanoseconds: a mirror equals the source to the second.
    granularity = SECOND_NS if cell.protocol < 31 else 1
    return compare.Policy(mtimes=opt.times, dir_mtimes=opt.dir_times,
                          mtime_granularity_ns=granularity, owners=True,
                          hardlinks=opt.hardlinks, xattrs=opt.xattrs > 0,
                          xattr_skip=XATTR_SKIP.get(opt.xattrs, ()))


def reference_problems(cell, result, ws):
    """Sanity checks that make a broken harness (or a broken rsync) fail loudly."""
    opt = optsets.BY_NAME[cell.optset]
    problems = []
    if result.exit_code != opt.ref_exit:
        problems.append(f"reference exited {result.exit_code}, expected {opt.ref_exit}: "
                        + " | ".join(tail(result.stderr, 3)))
    expect = opt.expect.get(cell.state)
    if expect == "mirror":
        diffs = compare.compare(ws.source_snapshot, result.snapshot, _mirror_policy(cell, opt),
                                limit=5, labels=("source", "reference"))
        problems += [f"reference is not a copy of the source: {d}" for d in diffs]
    elif expect == "unchanged":
        diffs = compare.compare(ws.template_snapshot(cell.state), result.snapshot,
                                compare.Policy(), limit=5, labels=("start", "reference"))
        problems += [f"reference changed the destination: {d}" for d in diffs]
    if opt.stats:
        missing = [k for k in outputs.REQUIRED_KEYS if k not in result.output.stats]
        if missing:
            problems.append(f"reference printed no --stats counter {missing[0]!r}")
    if opt.lines and not result.output.lines:
        problems.append("reference printed no lines to compare")
    return problems


def reference_vacuous(cell, result, source_snapshot=None):
    """Why the reference shows that the option set exercised nothing (e.g. no delta)."""
    opt = optsets.BY_NAME[cell.optset]
    for key in opt.ref_nonzero:
        if not outputs.stat_number(result.output.stats, key):
            return f"reference has zero {key!r}: the option set tests nothing on this tree"
    if opt.xattrs and source_snapshot is not None:
        skip = XATTR_SKIP[opt.xattrs]
        if not any(not name.startswith(skip) for entry in source_snapshot.entries.values()
                   for name, _ in entry.xattrs):
            return "the source has no xattrs that -X copies: the option set tests nothing"
    return ""


class ReferenceCache:
    """One reference run per reference key, shared by all cells (and threads) that need it."""

    def __init__(self, runner):
        self._runner = runner
        self._lock = threading.Lock()
        self._entries = {}   # key -> (lock, Reference or None)

    def get(self, ref_cell):
        with self._lock:
            entry = self._entries.setdefault(ref_cell.key, [threading.Lock(), None])
        with entry[0]:
            if entry[1] is None:
                ws = self._runner.ws
                result = self._runner.run(ref_cell)
                problems = reference_problems(ref_cell, result, ws)
                vacuous = reference_vacuous(ref_cell, result, ws.source_snapshot)
                if vacuous and ws.generated:
                    problems.append(vacuous)  # the scenario tree is built to exercise it
                    vacuous = ""
                entry[1] = Reference(result, problems, vacuous)
            return entry[1]


def evaluate(cell, runner, references, transports, strict, diff_limit=10):
    """Runs one cell (and its reference when needed) and returns its CellResult."""
    opt = optsets.BY_NAME[cell.optset]
    if cell.involves_ursync() and runner.programs.ursync_missing:
        return CellResult(cell, SKIP, runner.programs.ursync_missing)
    if cell.transport == "ssh":
        if transports.ssh_skip:
            return CellResult(cell, SKIP, transports.ssh_skip)
        if transports.ssh_error:
            return CellResult(cell, FAIL, transports.ssh_error)

    run = runner.run(cell)
    res = CellResult(cell, FAIL, seconds={"cell": round(run.seconds, 3)},
                     exit_codes={"cell": run.exit_code}, argv=run.argv,
                     stderr_tail=tail(run.stderr))
    if run.exit_code is None:
        res.reason = f"timed out after {runner.timeout_s}s"
        return res
    unsupported = NOT_SUPPORTED_RE.search(run.stderr)
    if cell.involves_ursync() and run.exit_code != 0 and unsupported:
        message = unsupported.group(0).decode("utf-8", errors="replace").strip()
        res.outcome = FAIL if strict else SKIP
        res.reason = f"not yet supported: {message}" + (" (--strict)" if strict else "")
        return res

    ref = references.get(cell.reference())
    res.seconds["reference"] = round(ref.result.seconds, 3)
    res.exit_codes["reference"] = ref.result.exit_code
    if ref.problems:
        res.reason = "the rsync->rsync reference is not sane"
        res.diffs = ref.problems[:diff_limit]
        return res
    if ref.vacuous:
        res.outcome, res.reason = SKIP, ref.vacuous
        return res

    reasons, diffs = [], []
    if run.exit_code != ref.result.exit_code:
        reasons.append(f"exit code {run.exit_code}, rsync {ref.result.exit_code}")
    labels = ("rsync", "cell")
    policy = compare.Policy(mtimes=opt.times, dir_mtimes=opt.dir_times, owners=True,
                            hardlinks=True)
    tree_diffs = compare.compare(ref.result.snapshot, run.snapshot, policy, diff_limit, labels)
    if tree_diffs:
        reasons.append("destination tree differs")
        diffs += tree_diffs
    elif ref.result.around is not None and run.around is not None:
        around_diffs = compare.compare(ref.result.around, run.around, policy, diff_limit,
                                       labels)
        if around_diffs:
            reasons.append("the run directory (siblings, source, links into them) differs")
            diffs += around_diffs
    if opt.lines or opt.stats:
        expected, actual = ref.result.output.lines, run.output.lines
        if opt.progress:
            loose = opt.progress >= 2 and cell.inc == "on"
            expected = outputs.progress_records(expected, opt.progress, loose)
            actual = outputs.progress_records(actual, opt.progress, loose)
        line_diffs = outputs.compare_lines(expected, actual, diff_limit, labels)
        if line_diffs:
            reasons.append("stdout lines differ")
            diffs += line_diffs
    if opt.stats:
        stat_diffs = outputs.compare_stats(ref.result.output.stats, run.output.stats,
                                           opt.compress, labels)
        if stat_diffs:
            reasons.append("--stats counters differ")
            diffs += stat_diffs
    if reasons:
        res.reason = "; ".join(reasons)
        res.diffs = diffs
    else:
        res.outcome = PASS
    return res
