"""The terminal table and the machine-readable (JSON) result file."""

import collections
import json
import os
import sys

from .evaluate import FAIL, PASS, SKIP

COLUMNS = [("RESULT", 6), ("DIR", 5), ("TRANSPORT", 9), ("PROTO", 5), ("INC", 3),
           ("CLIENT>SERVER", 13), ("OPTSET", 8), ("STATE", 12), ("SECONDS", 7)]


class Table:
    def __init__(self, out=sys.stdout, quiet=False, diff_lines=5):
        self.out = out
        self.quiet = quiet
        self.diff_lines = diff_lines
        self._header_done = False

    def _line(self, values, reason):
        cells = [f"{str(v):<{w}}" for v, (_, w) in zip(values, COLUMNS)]
        self.out.write("  ".join(cells) + ("  " + reason if reason else "") + "\n")

    def header(self):
        self._line([name for name, _ in COLUMNS], "REASON")
        self._header_done = True

    def row(self, res):
        if self.quiet and res.outcome != FAIL:
            return
        if not self._header_done:
            self.header()
        c = res.cell
        seconds = sum(res.seconds.values())
        self._line([res.outcome, c.direction, c.transport, c.protocol, c.inc,
                    f"{c.client}>{c.server}", c.optset, c.state,
                    f"{seconds:.2f}" if res.seconds else "-"], res.reason)
        if res.outcome == FAIL:
            for diff in res.diffs[:self.diff_lines]:
                self.out.write(f"        {diff}\n")
            if len(res.diffs) > self.diff_lines:
                self.out.write(f"        ... ({len(res.diffs) - self.diff_lines} more in the "
                               "result file)\n")
        self.out.flush()


def summary(results):
    counts = collections.Counter(r.outcome for r in results)
    text = (f"{len(results)} cells: {counts[PASS]} passed, {counts[FAIL]} failed, "
            f"{counts[SKIP]} skipped")
    skips = collections.Counter(r.reason for r in results if r.outcome == SKIP)
    lines = [text]
    for reason, n in skips.most_common(5):
        lines.append(f"  skipped {n}: {reason}")
    return "\n".join(lines)


def cell_json(res):
    c = res.cell
    return {
        "key": c.key, "direction": c.direction, "transport": c.transport,
        "protocol": c.protocol, "inc_recursive": c.inc, "client": c.client, "server": c.server,
        "optset": c.optset, "state": c.state, "outcome": res.outcome, "reason": res.reason,
        "differences": res.diffs, "seconds": res.seconds, "exit_codes": res.exit_codes,
        "argv": res.argv, "stderr_tail": res.stderr_tail,
    }


def write_json(path, meta, results):
    counts = collections.Counter(r.outcome for r in results)
    data = dict(meta)
    data["counts"] = {"pass": counts[PASS], "fail": counts[FAIL], "skip": counts[SKIP],
                      "total": len(results)}
    data["cells"] = [cell_json(r) for r in results]
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        json.dump(data, out, indent=1, ensure_ascii=True)
        out.write("\n")
    os.replace(tmp, path)
