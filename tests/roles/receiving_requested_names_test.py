#!/usr/bin/env python3
"""A pulling client checks every name the remote sender lists against its source args (and its
own exclude rules), as rsync 3.5.0 does (CVE-2022-29154). Run against a stock `rsync --server
--sender`, ursync and stock rsync as the client must agree: the same exit code and message when
the server sends more than was asked for (a remote shell that adds args to the server's command
line), and the same tree when it does not (-R, trailing slashes, several sources, wildcards,
"." args, -d, brackets).
Usage: receiving_requested_names_test.py URSYNC_BINARY
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "util"))
import ctest_main  # noqa: E402
import stock_rsync  # noqa: E402
from tree_listing import tree_listing  # noqa: E402

URSYNC = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/ursync"
PIPE_RSH = os.path.join(HERE, "..", "..", "interop", "pipe-rsh")

# A remote shell that edits the server's command line with $EVIL_SED before running it (the
# host is its first word; neither client passes ssh options here).
EVIL_RSH = """#!/bin/sh
shift
cmd=$(printf '%s' "$*" | sed "$EVIL_SED")
exec sh -c "$cmd"
"""


listing = tree_listing


def error_lines(text):
    return [line for line in text.splitlines() if line.startswith("ERROR: rejecting")]


class RequestedNames(unittest.TestCase):
    def setUp(self):
        if not stock_rsync.have_rsync():
            self.skipTest("stock rsync is not installed")
        self.work = tempfile.mkdtemp(prefix="ursync-requested-")
        self.src = os.path.join(self.work, "src")
        files = {
            "sub/a": "a\n", "sub/b": "bb\n", "sub/e.txt": "e\n", "sub/d/deep": "deep\n",
            "sub/d/d2/deeper": "deeper\n", ".ssh/authorized_keys": "ssh-ed25519 AAAA evil\n",
            "x.txt": "x\n", "y.txt": "yy\n", "br[a]ck": "literal brackets\n",
            "we ird": "space\n", "back\\slash": "backslash\n", "other/o": "o\n",
        }
        for rel, text in files.items():
            path = os.path.join(self.src, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            os.utime(path, (1_700_000_000, 1_700_000_000))
        self.evil = os.path.join(self.work, "evil-rsh")
        with open(self.evil, "w") as f:
            f.write(EVIL_RSH)
        os.chmod(self.evil, 0o755)

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def args_for(self, args, dest):
        return [a.replace("SRC", self.src).replace("DEST", dest) for a in args]

    def run_tool(self, tool, args, rsh, env=None, cwd=None, prepare=None, server="rsync"):
        dest = os.path.join(self.work, os.path.basename(tool) + "-dst")
        shutil.rmtree(dest, ignore_errors=True)
        if prepare:
            prepare(dest)
        argv = [tool, "-e", rsh, "--rsync-path=" + server, stock_rsync.CHECKSUM_SEED_ARG,
                *self.args_for(args, dest)]
        full_env = dict(os.environ, **(env or {}))
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=full_env,
                           cwd=cwd or self.work)
        return p, dest

    def both(self, args, rsh=PIPE_RSH, env=None, cwd=None, prepare=None):
        results = []
        for tool in ("rsync", URSYNC):
            p, dest = self.run_tool(tool, args, rsh, env, cwd, prepare)
            results.append((p, listing(dest)))
        return results

    # --- the server lists more than was asked for ---

    def assert_refused(self, args, sed, message, absent):
        """Both clients exit 4 with one "ERROR: rejecting" line, the same; `message` is that
        line, or its start when it ends in "*" (the name that comes first depends on the
        order the server reads its directory in)."""
        (theirs, their_tree), (ours, our_tree) = self.both(args, self.evil, {"EVIL_SED": sed})
        self.assertEqual(theirs.returncode, 4, theirs.stderr)
        if message.endswith("*"):
            lines = error_lines(theirs.stderr)
            self.assertEqual(len(lines), 1, theirs.stderr)
            self.assertTrue(lines[0].startswith(message[:-1]), theirs.stderr)
        else:
            self.assertEqual(error_lines(theirs.stderr), [message], theirs.stderr)
        self.assertEqual(ours.returncode, theirs.returncode, ours.stderr)
        self.assertEqual(error_lines(ours.stderr), error_lines(theirs.stderr), ours.stderr)
        for tree in (their_tree, our_tree):
            self.assertFalse(any(line.startswith(absent) for line in tree or []), tree)

    def test_unrequested_name_beside_the_requested_one(self):
        self.assert_refused(["-a", "localhost:SRC/sub", "DEST/"], f"s|$| {self.src}/.ssh|",
                            "ERROR: rejecting unrequested file-list name: .ssh", ".ssh")

    def test_unrequested_name_without_incremental_recursion(self):
        self.assert_refused(["-a", "--no-inc-recursive", "localhost:SRC/sub", "DEST/"],
                            f"s|$| {self.src}/.ssh|",
                            "ERROR: rejecting unrequested file-list name: .ssh", ".ssh")

    def test_unrequested_name_with_relative_paths(self):
        self.assert_refused(["-aR", "localhost:SRC/./sub", "DEST/"], f"s|$| {self.src}/./.ssh|",
                            "ERROR: rejecting unrequested file-list name: .ssh", ".ssh")

    def test_unrequested_sibling_in_an_implied_directory(self):
        # -R asked for sub/d only: "sub" is its implied parent, and sub's own files (listed in
        # its incremental segment once the server is given sub as well) were not asked for.
        self.assert_refused(["-aR", "localhost:SRC/./sub/d", "DEST/"], f"s|$| {self.src}/./sub|",
                            "ERROR: rejecting unrequested file-list name: sub/*", "sub/a")

    def test_name_the_client_excluded(self):
        self.assert_refused(["-a", "--exclude=.ssh", "localhost:SRC/", "DEST/"],
                            "s|--server|--server --include=.ssh|",
                            "ERROR: rejecting excluded file-list name: .ssh", ".ssh")

    def test_trust_sender_takes_what_is_sent(self):
        (theirs, their_tree), (ours, our_tree) = self.both(
            ["-a", "--trust-sender", "localhost:SRC/sub", "DEST/"], self.evil,
            {"EVIL_SED": f"s|$| {self.src}/.ssh|"})
        self.assertEqual(theirs.returncode, 0, theirs.stderr)
        self.assertEqual(ours.returncode, 0, ours.stderr)
        self.assertTrue(any(line.startswith(".ssh/authorized_keys ") for line in their_tree),
                        their_tree)
        self.assertEqual(our_tree, their_tree)

    # --- honest servers: both clients take the same names ---

    def assert_same(self, args, cwd=None, prepare=None):
        (theirs, their_tree), (ours, our_tree) = self.both(args, cwd=cwd, prepare=prepare)
        self.assertEqual(theirs.returncode, 0, f"{args}: {theirs.stderr}")
        self.assertEqual(ours.returncode, 0, f"{args}: {ours.stderr}")
        self.assertEqual(our_tree, their_tree, args)
        # ursync's own sender lists names its client takes, too.
        both_ours, dest = self.run_tool(URSYNC, args, PIPE_RSH, cwd=cwd, prepare=prepare,
                                        server=URSYNC)
        self.assertEqual(both_ours.returncode, 0, f"{args} (ursync server): {both_ours.stderr}")
        self.assertEqual(listing(dest), their_tree, f"{args} (ursync server)")
        return their_tree

    def test_accepted_args(self):
        cases = [
            ["-a", "localhost:SRC/sub", "DEST/"],
            ["-a", "localhost:SRC/sub/", "DEST/"],
            ["-a", "localhost:SRC//sub//", "DEST/"],
            ["-a", "localhost:SRC/sub", ":SRC/x.txt", "DEST/"],
            ["-a", "localhost:SRC/sub/", ":SRC/other", "localhost:SRC/x.txt", "DEST/"],
            ["-a", "localhost:SRC/*.txt", "DEST/"],
            ["-a", "localhost:SRC/s?b/d*", "DEST/"],
            ["-a", "localhost:SRC/br[a]ck", "DEST/"],
            ["-a", "localhost:SRC/we ird", "DEST/"],
            ["-a", "localhost:SRC/back\\slash", "DEST/"],
            ["-a", "localhost:SRC/.", "DEST/"],
            ["-a", "localhost:SRC", "DEST/"],
            ["-a", "localhost:SRC/sub/.", "DEST/"],
            ["-a", "--no-inc-recursive", "localhost:SRC/sub", "DEST/"],
            ["-aR", "localhost:SRC/sub/d", "DEST/"],
            ["-aR", "localhost:SRC/./sub/d", ":SRC/./sub/e.txt", "DEST/"],
            ["-aR", "localhost:SRC/./sub/d/", "DEST/"],
            ["-aR", "localhost:SRC/./s*/d", "DEST/"],
            ["-aR", "localhost:SRC/./sub/d", ":SRC/./sub", "DEST/"],
            ["-aR", "--no-inc-recursive", "localhost:SRC/./sub/d", "DEST/"],
            ["-lptd", "localhost:SRC/sub", "DEST/"],
            ["-lptd", "localhost:SRC/sub/", "DEST/"],
            ["-lpt", "localhost:SRC/x.txt", "DEST/"],
            ["-lptR", "localhost:SRC/./sub/a", "DEST/"],
            ["-a", "--exclude=e.txt", "localhost:SRC/sub", "DEST/"],
            ["-a", "--exclude=/sub/d", "--include=*/", "localhost:SRC/", "DEST/"],
            ["-a", "--filter=:- .gitignore", "localhost:SRC/sub", "DEST/"],
            ["-a", "--delete-excluded", "--exclude=b", "localhost:SRC/sub", "DEST/"],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_same(args)

    def test_dot_and_empty_remote_paths(self):
        for args in (["-a", "localhost:.", "DEST/"], ["-a", "localhost:", "DEST/"],
                     ["-a", "localhost:sub", ":x.txt", "DEST/"]):
            with self.subTest(args=args):
                self.assert_same(args, cwd=self.src)

    def test_delete_spares_the_siblings_of_an_implied_directory(self):
        def prepare(dest):
            os.makedirs(os.path.join(dest, "sub"))
            with open(os.path.join(dest, "sub", "keep"), "w") as f:
                f.write("keep\n")
            os.utime(os.path.join(dest, "sub", "keep"), (1_600_000_000, 1_600_000_000))
        tree = self.assert_same(["-aR", "--delete", "localhost:SRC/./sub/d", "DEST/"],
                                prepare=prepare)
        self.assertTrue(any(line.startswith("sub/keep ") for line in tree), tree)

    def test_same_outcome_as_stock(self):
        # Edge cases where the answer is whatever rsync's is: an excluded implied directory of
        # -R (the sender lists implied directories unfiltered, the client refuses them).
        # (An excluded requested name leaves the sender an empty list, which ursync does not
        # take from a stock sender yet: exit 12 where rsync exits 0, with or without this check.)
        for args in (["-aR", "--exclude=sub", "localhost:SRC/./sub/d", "DEST/"],
                     ["-aR", "--exclude=d", "localhost:SRC/./sub/d/d2", "DEST/"]):
            with self.subTest(args=args):
                (theirs, their_tree), (ours, our_tree) = self.both(args)
                self.assertEqual(ours.returncode, theirs.returncode, ours.stderr + theirs.stderr)
                self.assertEqual(error_lines(ours.stderr), error_lines(theirs.stderr))
                self.assertEqual(our_tree, their_tree)



if __name__ == "__main__":
    ctest_main.main()
