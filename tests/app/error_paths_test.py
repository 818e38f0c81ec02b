#!/usr/bin/env python3
"""Run-time error paths against stock rsync: the exit code, whether the destination was made,
and rsync's message lines (with "rsync" read as "ursync", source locations and version tags
left out) for a missing source, an unreadable file (as a user that cannot read it), a
destination that is a file, a missing parent, a remote shell that fails or cannot be run, a
missing remote source, and --max-delete reached.
Usage: error_paths_test.py URSYNC_BINARY
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "util"))
import ctest_main  # noqa: E402
import stock_rsync  # noqa: E402

URSYNC = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/ursync"
PIPE_RSH = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                        "interop", "pipe-rsh"))
_AT = re.compile(r" at [\w./]+\(\d+\)")
_TAG = re.compile(r" \[(\w+)=[\d.]+\]$")


def message_lines(stderr):
    """The lines that carry a message, comparable between the tools."""
    out = []
    for line in stderr.splitlines():
        line = re.sub(r"^rsync", "ursync", line)  # a stock server's lines reach both clients
        line = _TAG.sub(r" [\1]", _AT.sub("", line))
        # The exit line's role is compared through the exit code; its text is rsync's.
        line = re.sub(r" \[(sender|receiver|Receiver|generator|client|server)\]$", "", line)
        out.append(line)
    return out


class ErrorPaths(unittest.TestCase):
    def setUp(self):
        if not stock_rsync.have_rsync():
            self.skipTest("stock rsync is not installed")
        self.work = tempfile.mkdtemp(prefix="ursync-errors-")
        self.src = os.path.join(self.work, "src")
        os.makedirs(os.path.join(self.src, "d"))
        for name in ("a", "d/b"):
            with open(os.path.join(self.src, name), "w") as f:
                f.write(name + "\n")

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def compare(self, args, dest_rel, prepare=None, lines=True):
        """Runs args (with SRC, DEST, RSH) under each tool from a fresh destination."""
        results = {}
        for tool in ("rsync", URSYNC):
            dest = os.path.join(self.work, "dest-" + os.path.basename(tool))
            shutil.rmtree(dest, ignore_errors=True)
            if os.path.lexists(dest):
                os.unlink(dest)
            if prepare:
                prepare(dest)
            argv = [tool] + [a.replace("SRC", self.src).replace("DEST", dest)
                             .replace("RSH", PIPE_RSH) for a in args]
            p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
            made = os.path.lexists(os.path.join(dest, dest_rel)) if dest_rel else None
            results[tool] = (p.returncode, made, message_lines(p.stderr.replace(dest, "DEST")))
        want, got = results["rsync"], results[URSYNC]
        self.assertEqual(got[0], want[0], f"exit code; rsync said {want[2]}, ursync {got[2]}")
        self.assertEqual(got[1], want[1], "destination made")
        if lines:
            # Every line rsync prints is printed (rsync may add a second exit line).
            for line in want[2]:
                if line.startswith("ursync error:") and line in got[2]:
                    continue
                if line.startswith("ursync error:"):
                    self.assertTrue(any(l.startswith("ursync error:") for l in got[2]), line)
                    continue
                if "connection unexpectedly closed" in line or "write error: Broken pipe" in line:
                    continue  # a second process's view of the same failure
                self.assertIn(line, got[2])
        return results

    def test_missing_source(self):
        self.compare(["-a", "SRC/nope", "DEST/"], ".")

    def test_missing_parent_of_the_destination(self):
        self.compare(["-a", "SRC/", "DEST/x/y/"], "")

    def test_destination_is_a_file(self):
        def make_file(dest):
            with open(dest, "w") as f:
                f.write("file\n")
        self.compare(["-a", "SRC/", "DEST/"], "", prepare=make_file, lines=False)

    def test_remote_shell_that_fails(self):
        self.compare(["-a", "-e", "/bin/false", "SRC/", "lh:DEST/"], ".", lines=False)
        self.compare(["-a", "-e", "/bin/false", "lh:SRC/", "DEST/"], ".", lines=False)

    def test_remote_shell_that_cannot_run(self):
        # rsync's forked child reports the exec failure (14) while the parent sees the end of
        # its input (12): which code wins depends on timing there (both were measured). ursync
        # knows at once and ends with the child's 14.
        argv = [URSYNC, "-a", "-e", "/nonexistent-shell", self.src + "/", "lh:/nowhere/"]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 14, p.stderr)
        self.assertIn("[sender] Failed to exec /nonexistent-shell: No such file or directory (2)",
                      p.stderr)
        for _ in range(3):
            r = subprocess.run(["rsync"] + argv[1:], capture_output=True, text=True, timeout=60)
            self.assertIn(r.returncode, (12, 14), r.stderr)

    def test_missing_remote_source_makes_no_destination(self):
        self.compare(["-a", "-e", "RSH", "lh:SRC/nope/", "DEST/"], ".")

    def test_max_delete_reached(self):
        def extras(dest):
            shutil.copytree(self.src, dest)
            for i in range(4):
                with open(os.path.join(dest, f"extra{i}"), "w") as f:
                    f.write("x\n")
        self.compare(["-a", "--delete", "--max-delete=2", "SRC/", "DEST/"], "a", prepare=extras)
        self.compare(["-a", "--delete", "--max-delete=2", "-e", "RSH", "SRC/", "lh:DEST/"], "a",
                     prepare=extras)


if __name__ == "__main__":
    ctest_main.main()
