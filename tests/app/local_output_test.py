#!/usr/bin/env python3
"""The order of a local copy's -v / -i lines against stock rsync's: the same lines in the same
order (directories before their files), over a tree big enough for many copy batches; and that
a local copy uses the --checksum-seed it is given.
Usage: local_output_test.py URSYNC_BINARY
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "util"))
import ctest_main  # noqa: E402
import stock_rsync  # noqa: E402

URSYNC = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/ursync"


def item_lines(out, dest):
    """The per-item lines (and the file-list line), without the summary, with the destination
    path in "created directory" made neutral."""
    lines = []
    for line in out.splitlines():
        if line.startswith(("sent ", "total size ")) or not line:
            continue
        lines.append(line.replace(dest, "DEST"))
    return lines


class LocalOutputOrder(unittest.TestCase):
    def setUp(self):
        if not stock_rsync.have_rsync():
            self.skipTest("stock rsync is not installed")
        self.work = tempfile.mkdtemp(prefix="ursync-local-output-")
        self.src = os.path.join(self.work, "src")
        for d in range(12):
            sub = os.path.join(self.src, f"d{d:02}", "inner" if d % 3 == 0 else "")
            os.makedirs(sub, exist_ok=True)
            for i in range(45):
                with open(os.path.join(self.src, f"d{d:02}", f"f{i:02}"), "wb") as f:
                    f.write(bytes([d, i]) * (100 + i))
            if d % 3 == 0:
                with open(os.path.join(sub, "deep"), "w") as f:
                    f.write("deep\n")
        with open(os.path.join(self.src, "top"), "w") as f:
            f.write("top\n")
        os.symlink("top", os.path.join(self.src, "link"))

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def run_both(self, args, prepare=None):
        outs = []
        for tool in ("rsync", URSYNC):
            dest = os.path.join(self.work, os.path.basename(tool) + "-dst")
            if prepare:
                prepare(dest)
            p = subprocess.run([tool, *args, self.src + "/", dest + "/"], capture_output=True,
                               text=True, timeout=120)
            self.assertEqual(p.returncode, 0, f"{tool}: {p.stderr}")
            outs.append(item_lines(p.stdout, dest))
        return outs

    def assert_same_order(self, args, prepare=None, at_least=500):
        expected, actual = self.run_both(args, prepare)
        # rsync's receiving side sends deletions as messages that overtake the requests still in
        # its output buffer: where they fall among the other lines depends on that buffering.
        # They are compared as a set; every other line in order.
        def deleting(line):
            return line.startswith("*deleting")
        self.assertEqual(sorted(filter(deleting, expected)), sorted(filter(deleting, actual)))
        expected = [line for line in expected if not deleting(line)]
        actual = [line for line in actual if not deleting(line)]
        self.assertGreater(len(expected), at_least)
        for k, (e, a) in enumerate(zip(expected, actual)):
            self.assertEqual(e, a, f"line {k} of {' '.join(args)} differs")
        self.assertEqual(len(expected), len(actual))

    def test_itemized_new_tree(self):
        self.assert_same_order(["-ai"])

    def test_verbose_new_tree(self):
        self.assert_same_order(["-av"])

    def test_itemized_update_with_deletions(self):
        def stale(dest):
            shutil.copytree(self.src, dest, symlinks=True)
            for d in range(0, 12, 2):  # changed files in every other directory
                with open(os.path.join(dest, f"d{d:02}", "f03"), "w") as f:
                    f.write("old\n")
            os.makedirs(os.path.join(dest, "extra-dir"))
            with open(os.path.join(dest, "d05", "extra"), "w") as f:
                f.write("extra\n")
            shutil.rmtree(os.path.join(dest, "d07"))
            # What was changed gets one fixed old time, so both tools see the same differences
            # whenever each runs.
            for rel in [".", "d05", "extra-dir", "d05/extra"] + \
                       [f"d{d:02}/f03" for d in range(0, 12, 2)]:
                os.utime(os.path.join(dest, rel), (1_000_000_000, 1_000_000_000))
        self.assert_same_order(["-ai", "--delete"], stale, at_least=50)

    def test_the_checksum_seed_reaches_the_local_sender(self):
        """--no-W with a seed known to let a false block match through (FALSE_MATCH_SEED): the
        file is sent again in phase 1, with the same lines as rsync's local copy."""
        src = os.path.join(self.work, "fm-src")
        os.makedirs(src)
        data = stock_rsync.false_match_file()
        with open(os.path.join(src, "d.bin"), "wb") as f:
            f.write(data)
        os.utime(os.path.join(src, "d.bin"), (1_700_000_000, 1_700_000_000))
        os.utime(src, (1_700_000_000, 1_700_000_000))
        outs = []
        for tool in ("rsync", URSYNC):
            dest = os.path.join(self.work, os.path.basename(tool) + "-fm")
            os.makedirs(dest)
            with open(os.path.join(dest, "d.bin"), "wb") as f:
                f.write(data[:stock_rsync.FALSE_MATCH_BASIS_LEN])
            for path in (os.path.join(dest, "d.bin"), dest):
                os.utime(path, (1_600_000_000, 1_600_000_000))
            p = subprocess.run([tool, "-ai", "--no-W",
                                f"--checksum-seed={stock_rsync.FALSE_MATCH_SEED}",
                                src + "/", dest + "/"], capture_output=True, text=True, timeout=120)
            self.assertEqual(p.returncode, 0, f"{tool}: {p.stderr}")
            self.assertIn("d.bin failed verification", p.stderr, tool)
            with open(os.path.join(dest, "d.bin"), "rb") as f:
                self.assertEqual(f.read(), data, tool)
            outs.append(item_lines(p.stdout, dest))
        self.assertEqual(outs[0].count(">f.st...... d.bin"), 2, outs[0])
        self.assertEqual(outs[1], outs[0])


if __name__ == "__main__":
    ctest_main.main()
