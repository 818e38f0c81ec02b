#!/usr/bin/env python3
"""Checks a result file of a run with --ursync interop/standins/rsync-drop-t.

The stand-in is rsync that loses time preservation. A cell must FAIL exactly when its option
set compares mtimes (-t in effect) and the stand-in decides the mtimes: it is the client (it
sends --no-times to the server too), or it is the server of a push (the receiving side). As the
server of a pull it only sends, and the file list carries the mtimes anyway, so those cells
must PASS. Every other cell must PASS; none may be skipped.

Usage: check_standin.py RESULTS.json   (exit 0: as expected; 1: mismatches listed)
"""

import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from harness import optsets  # noqa: E402


def expected_failure(cell):
    times = optsets.BY_NAME[cell["optset"]].times
    return times and (cell["client"] == "ursync"
                      or (cell["server"] == "ursync" and cell["direction"] == "push"))


def main(path):
    with open(path) as f:
        cells = json.load(f)["cells"]
    mismatches = []
    for cell in cells:
        want = "FAIL" if expected_failure(cell) else "PASS"
        if cell["outcome"] != want:
            mismatches.append(f"{cell['key']}: {cell['outcome']} (expected {want}) "
                              f"{cell['reason']} {cell['differences'][:2]}")
    fails = sum(c["outcome"] == "FAIL" for c in cells)
    passes = sum(c["outcome"] == "PASS" for c in cells)
    for line in mismatches:
        print(f"check_standin: {line}")
    print(f"check_standin: {len(cells)} cells, {fails} failed and {passes} passed as expected"
          if not mismatches else f"check_standin: {len(mismatches)} cells not as expected")
    # The subset must exercise both outcomes with the stand-in in a seat.
    standin = {c["outcome"] for c in cells if "ursync" in (c["client"], c["server"])}
    if not mismatches and standin != {"PASS", "FAIL"}:
        print("check_standin: the subset does not exercise both outcomes of the stand-in")
        return 1
    return 0 if not mismatches else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__.strip().rsplit("\n", 1)[-1], file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
