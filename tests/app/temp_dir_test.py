#!/usr/bin/env python3
"""-T on another file system (/dev/shm, a tmpfs, while the destination is elsewhere): the temp
file cannot be renamed into place, so its data and attributes are copied beside the
destination first (rsync's robust_rename). The result must equal stock rsync's, and nothing
may be left in the temp dir. Skipped where /dev/shm is missing or on the same file system.
The same-file-system case is the interop option set "T".
Usage: temp_dir_test.py URSYNC_BINARY
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
PIPE_RSH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "interop",
                        "pipe-rsh")


def tree(root):
    out = {}
    for dirpath, _, files in os.walk(root):
        for name in files:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = (f.read(), st.st_mode, st.st_mtime_ns)
    return out


class TempDirElsewhere(unittest.TestCase):
    def setUp(self):
        if not stock_rsync.have_rsync():
            self.skipTest("stock rsync is not installed")
        self.work = tempfile.mkdtemp(prefix="ursync-tempdir-")
        if not os.path.isdir("/dev/shm") or \
                os.stat("/dev/shm").st_dev == os.stat(self.work).st_dev:
            shutil.rmtree(self.work)
            self.skipTest("no /dev/shm on another file system")
        self.tmp = tempfile.mkdtemp(prefix="ursync-T-", dir="/dev/shm")
        self.src = os.path.join(self.work, "src")
        os.makedirs(os.path.join(self.src, "d"))
        for i, size in enumerate((0, 100, 300_000, 2_000_000)):
            path = os.path.join(self.src, "d" if i % 2 else "", f"f{i}")
            with open(path, "wb") as f:
                f.write(os.urandom(size))
            os.chmod(path, 0o640 if i % 2 else 0o755)
            os.utime(path, ns=(1_600_000_000_000_000_000 + i, 1_600_000_000_123_456_789 + i))

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_copied_into_place_like_rsync(self):
        seats = {
            "local": lambda tool, dest: [tool, "-a", "-T", self.tmp, self.src + "/", dest + "/"],
            "pull": lambda tool, dest: [tool, "-a", "-T", self.tmp, "-e", PIPE_RSH,
                                        "--rsync-path=rsync", "lh:" + self.src + "/", dest + "/"],
            "stock-push": lambda tool, dest: ["rsync", "-a", "-T", self.tmp, "-e", PIPE_RSH,
                                              "--rsync-path=" + tool, self.src + "/",
                                              "lh:" + dest + "/"],
        }
        for seat, argv in seats.items():
            results = []
            for tool in ("rsync", URSYNC):
                dest = os.path.join(self.work, f"{seat}-{os.path.basename(tool)}")
                p = subprocess.run(argv(tool, dest), capture_output=True, text=True, timeout=120)
                self.assertEqual(p.returncode, 0, f"{seat} {tool}: {p.stderr}")
                self.assertEqual(os.listdir(self.tmp), [], f"{seat} {tool}: temp files left")
                results.append(tree(dest))
            self.assertEqual(results[1], results[0], seat)
            self.assertEqual(results[1], tree(self.src), seat)


if __name__ == "__main__":
    ctest_main.main()
