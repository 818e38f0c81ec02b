#!/usr/bin/env python3
"""--bwlimit against stock rsync: the same file arrives, and a transfer of 1.5 MiB at
--bwlimit=500 (KiB/s) takes at least 2 seconds, as it does with rsync, in each of the four
seats (local, push and pull against stock rsync over the pipe shell, stock rsync pulling from
`ursync --server --sender`). Only a lower bound is checked: a slow machine passes.
--stop-after (whole minutes only): a transfer held to 64 KiB/s stops after a minute with exit 30
and "stopping at requested limit", as rsync's does (both run at once), leaving no temp file.
Usage: bwlimit_test.py URSYNC_BINARY
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "util"))
import ctest_main  # noqa: E402
import stock_rsync  # noqa: E402

URSYNC = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/ursync"
PIPE_RSH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop",
                        "pipe-rsh")
SIZE = 3 << 19          # 1.5 MiB
LIMIT = "--bwlimit=500"  # KiB/s: about 3 s, rsync sleeps once it is 0.1 s ahead
MIN_SECONDS = 2.0


class BwLimit(unittest.TestCase):
    def setUp(self):
        if not stock_rsync.have_rsync():
            self.skipTest("stock rsync is not installed")
        self.work = tempfile.mkdtemp(prefix="ursync-bwlimit-")
        self.src = os.path.join(self.work, "data.bin")
        with open(self.src, "wb") as f:
            f.write(os.urandom(SIZE))

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def timed(self, name, argv):
        dest = os.path.join(self.work, name)
        os.mkdir(dest)
        argv = [a.replace("DEST", dest) for a in argv]
        started = time.monotonic()
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        seconds = time.monotonic() - started
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(os.path.join(dest, "data.bin"), "rb") as got, open(self.src, "rb") as want:
            self.assertEqual(got.read(), want.read(), name)
        self.assertGreaterEqual(seconds, MIN_SECONDS, f"{name}: {seconds:.2f} s")

    def test_every_seat_is_held_to_the_limit(self):
        rsh = ["-e", PIPE_RSH]
        self.timed("local", [URSYNC, "-a", LIMIT, self.src, "DEST/"])
        self.timed("push", [URSYNC, "-a", LIMIT, *rsh, "--rsync-path=rsync", self.src,
                            "lh:DEST/"])
        self.timed("pull", [URSYNC, "-a", LIMIT, *rsh, "--rsync-path=rsync", "lh:" + self.src,
                            "DEST/"])
        self.timed("stock-pull", ["rsync", "-a", LIMIT, *rsh, "--rsync-path=" + URSYNC,
                                  "lh:" + self.src, "DEST/"])


class StopAfter(unittest.TestCase):
    def setUp(self):
        if not stock_rsync.have_rsync():
            self.skipTest("stock rsync is not installed")
        self.work = tempfile.mkdtemp(prefix="ursync-stop-")
        self.src = os.path.join(self.work, "big.bin")
        with open(self.src, "wb") as f:
            f.write(os.urandom(8 << 20))  # 2 minutes at 64 KiB/s

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def test_a_transfer_stops_after_a_minute(self):
        procs = {}
        for tool in ("rsync", URSYNC):
            dest = os.path.join(self.work, os.path.basename(tool))
            os.mkdir(dest)
            argv = [tool, "-a", "--bwlimit=64", "--stop-after=1", "-e", PIPE_RSH,
                    "--rsync-path=rsync", self.src, "lh:" + dest + "/"]
            procs[tool] = (dest, time.monotonic(),
                           subprocess.Popen(argv, stdout=subprocess.PIPE,
                                            stderr=subprocess.PIPE, text=True))
        for tool, (dest, started, proc) in procs.items():
            _, err = proc.communicate(timeout=240)
            seconds = time.monotonic() - started
            self.assertEqual(proc.returncode, 30, f"{tool}: {err}")
            self.assertIn("stopping at requested limit", err, tool)
            self.assertGreaterEqual(seconds, 55, tool)  # whole seconds: 59.x is a minute
            self.assertLess(seconds, 110, tool)
            self.assertFalse(os.path.exists(os.path.join(dest, "big.bin")), tool)
            deadline = time.monotonic() + 10  # the remote end's temp file goes with it
            while os.listdir(dest) and time.monotonic() < deadline:
                time.sleep(0.2)
            self.assertEqual(os.listdir(dest), [], tool)


if __name__ == "__main__":
    ctest_main.main()
