#!/bin/sh
# selftest.sh: proves that the interop harness tells right from wrong (run as root).
#  1. unit tests: tree comparison (one test per compared attribute), stdout/--stats parsing,
#     cell outcomes, pipe-rsh, the stand-in, the sshd fixture, the matrix and presets;
#  2. calibration on a subset: rsync in every seat, every cell must pass;
#  3. the broken stand-in (rsync that drops -t) in the ursync seats: exactly the cells that
#     compare mtimes with the stand-in deciding them must fail, every other cell must pass
#     (tests/check_standin.py states the rule).
# Takes about a minute and a half. Exit status 0 only when all three hold.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/interop-selftest-XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM HUP

echo "== selftest 1/3: unit tests"
if ! python3 -m unittest discover -s tests -t . >"$tmp/unit.log" 2>&1; then
    cat "$tmp/unit.log"
    echo "selftest: unit tests failed" >&2
    exit 1
fi
tail -n 3 "$tmp/unit.log"

echo "== selftest 2/3: calibration subset (rsync in every seat)"
./run --preset calibrate --protocol 32,30 --inc on --optset a,ai,stats,delta,delete-i,r,n,X,X-delete \
    --transport pipe,local -q --results "$tmp/calibrate.json"
./run --preset calibrate --protocol 31 --inc off --optset a,delta --transport ssh -q \
    --results "$tmp/calibrate-ssh.json"

echo "== selftest 3/3: the stand-in that drops -t must fail exactly the right cells"
status=0
./run --ursync standins/rsync-drop-t --preset full --protocol 32 --inc on \
    --transport pipe,local --optset a,ai,stats,delta,n,r,sizeonly,H -q \
    --results "$tmp/standin.json" >"$tmp/standin.log" || status=$?
tail -n 3 "$tmp/standin.log"
if [ "$status" -ne 1 ]; then
    echo "selftest: the stand-in run exited $status, expected 1 (some cells must fail)" >&2
    exit 1
fi
status=0
./run --ursync standins/rsync-drop-t --preset full --protocol 30 --inc off --transport ssh \
    --optset a,r -q --results "$tmp/standin-ssh.json" >"$tmp/standin-ssh.log" || status=$?
tail -n 3 "$tmp/standin-ssh.log"
if [ "$status" -ne 1 ]; then
    echo "selftest: the ssh stand-in run exited $status, expected 1" >&2
    exit 1
fi
tests/check_standin.py "$tmp/standin.json"
tests/check_standin.py "$tmp/standin-ssh.json"
echo "selftest: OK"
