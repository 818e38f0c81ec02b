"""A cell's outcome: pass only on full agreement; skips and failures for the right reasons."""

import unittest

from harness import cells, compare, evaluate, outputs, runner

ENTRY = compare.Entry("file", 0o644, 3, "ab", 10**18, 0, 0, None, None)
ROOT = compare.Entry("dir", 0o755, None, None, 10**18, 0, 0, None, None)


def snap(**changes):
    entry = ENTRY.__class__(**{**ENTRY.__dict__, **changes})
    return compare.Snapshot(True, {".": ROOT, "f": entry}, frozenset())


def result(exit_code=0, stdout=b"", stderr=b"", snapshot=None):
    return runner.RunResult(["x"], exit_code, stdout, stderr, 0.1, snapshot or snap(),
                            outputs.Output(stdout))


class FakeWorkspace:
    source_snapshot = snap()
    generated = True

    def template_snapshot(self, state):
        return snap(mtime_ns=5)


class FakeRunner:
    """Returns canned results: `cell` for cells with ursync, `ref` for rsync->rsync."""

    def __init__(self, cell, ref, missing=None):
        self.results = {"cell": cell, "ref": ref}
        self.runs = []
        self.ws = FakeWorkspace()
        self.timeout_s = 9
        self.programs = runner.Programs("/bin/rsync", "/b/ursync", missing)

    def run(self, cell):
        self.runs.append(cell.key)
        return self.results["cell" if cell.involves_ursync() else "ref"]


class FakeTransports:
    ssh_skip = None
    ssh_error = None


def outcome(cell_result, ref_result, optset="a", state="empty", missing=None, strict=False,
            client="ursync", transports=FakeTransports()):
    cell = cells.Cell("push", "pipe", 32, "on", client, "rsync", optset, state)
    fake = FakeRunner(cell_result, ref_result, missing)
    res = evaluate.evaluate(cell, fake, evaluate.ReferenceCache(fake), transports, strict)
    return res, fake


STATS = (b"Number of files: 1\nTotal file size: 3 bytes\nLiteral data: 3 bytes\n"
         b"Matched data: 0 bytes\nTotal bytes sent: 100\nTotal bytes received: 20\n")


class EvaluateTest(unittest.TestCase):
    def test_agreement_passes(self):
        res, fake = outcome(result(), result())
        self.assertEqual(res.outcome, evaluate.PASS, res.diffs)
        self.assertEqual(len(fake.runs), 2)

    def test_calibration_cell_runs_separately_from_its_reference(self):
        res, fake = outcome(result(), result(), client="rsync")
        self.assertEqual(res.outcome, evaluate.PASS)
        self.assertEqual(len(fake.runs), 2)

    def test_exit_code_difference_fails(self):
        res, _ = outcome(result(exit_code=23), result())
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertIn("exit code 23, rsync 0", res.reason)

    def test_tree_difference_fails(self):
        res, _ = outcome(result(snapshot=snap(mode=0o600)), result())
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertIn("f: mode rsync=0644 cell=0600", res.diffs)

    def test_mtime_ignored_without_t(self):
        res, _ = outcome(result(snapshot=snap(mtime_ns=1)), result(), optset="r")
        self.assertEqual(res.outcome, evaluate.PASS, res.diffs)
        res, _ = outcome(result(snapshot=snap(mtime_ns=1)), result(), optset="a")
        self.assertEqual(res.outcome, evaluate.FAIL)

    def test_lines_compared_where_asked(self):
        res, _ = outcome(result(stdout=b">f..T.... f\n"), result(stdout=b">f..t.... f\n"),
                         optset="ai")
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertIn("stdout lines differ", res.reason)
        res, _ = outcome(result(stdout=b"anything\n"), result(), optset="a")
        self.assertEqual(res.outcome, evaluate.PASS)

    def test_stats_compared_where_asked(self):
        other = STATS.replace(b"Literal data: 3", b"Literal data: 2")
        res, _ = outcome(result(stdout=other), result(stdout=STATS), optset="stats")
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertIn("--stats counters differ", res.reason)
        res, _ = outcome(result(stdout=STATS), result(stdout=STATS), optset="stats")
        self.assertEqual(res.outcome, evaluate.PASS, res.diffs)

    def test_not_yet_supported_skips_unless_strict(self):
        cell = result(exit_code=4, stderr=b"ursync: --delete is not yet supported\n")
        res, fake = outcome(cell, result())
        self.assertEqual(res.outcome, evaluate.SKIP)
        self.assertIn("--delete is not yet supported", res.reason)
        self.assertEqual(len(fake.runs), 1, "no reference is needed for a skipped cell")
        res, _ = outcome(cell, result(), strict=True)
        self.assertEqual(res.outcome, evaluate.FAIL)

    def test_missing_binary_skips_without_running(self):
        res, fake = outcome(result(), result(), missing="ursync binary not built (x)")
        self.assertEqual((res.outcome, res.reason), (evaluate.SKIP, "ursync binary not built (x)"))
        self.assertEqual(fake.runs, [])

    def test_timeout_fails(self):
        res, _ = outcome(result(exit_code=None), result())
        self.assertEqual(res.outcome, evaluate.FAIL)

    def test_insane_reference_fails_the_cell(self):
        # the reference must mirror the source for -a into an empty destination
        res, _ = outcome(result(snapshot=snap(size=9)), result(snapshot=snap(size=9)))
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertIn("reference is not sane", res.reason)
        # and must exit 0
        res, _ = outcome(result(exit_code=12), result(exit_code=12))
        self.assertEqual(res.outcome, evaluate.FAIL)
        # delta must have matched data
        res, _ = outcome(result(stdout=STATS), result(stdout=STATS), optset="delta",
                         state="old-versions")
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertTrue(any("Matched data" in d for d in res.diffs), res.diffs)

    def test_vacuous_reference_on_a_user_tree_skips(self):
        cell = cells.Cell("push", "pipe", 32, "on", "ursync", "rsync", "delta", "old-versions")
        fake = FakeRunner(result(stdout=STATS), result(stdout=STATS))
        fake.ws = FakeWorkspace()
        fake.ws.generated = False
        res = evaluate.evaluate(cell, fake, evaluate.ReferenceCache(fake), FakeTransports(),
                                False)
        self.assertEqual(res.outcome, evaluate.SKIP)
        self.assertIn("tests nothing on this tree", res.reason)

    def xattr_outcome(self, optset, source_xattrs, ref_xattrs, cell_xattrs=None,
                      generated=True):
        cell = cells.Cell("push", "pipe", 32, "on", "ursync", "rsync", optset, "empty")
        stdout = STATS + b">f+++++++++ f\n"
        fake = FakeRunner(result(stdout=stdout, snapshot=snap(xattrs=cell_xattrs
                                                              if cell_xattrs is not None
                                                              else ref_xattrs)),
                          result(stdout=stdout, snapshot=snap(xattrs=ref_xattrs)))
        fake.ws = FakeWorkspace()
        fake.ws.source_snapshot = snap(xattrs=source_xattrs)
        fake.ws.generated = generated
        return evaluate.evaluate(cell, fake, evaluate.ReferenceCache(fake), FakeTransports(),
                                 False)

    def test_xattrs_mirror_check(self):
        both = (("user.a", b"1"), ("user.rsync.%stat", b"100644 0,0 0:0"))
        plain = (("user.a", b"1"),)
        # -X must carry user.a but leaves user.rsync.%stat out; -XX carries both
        self.assertEqual(self.xattr_outcome("X", both, plain).outcome, evaluate.PASS)
        res = self.xattr_outcome("X", both, ())
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertIn("reference is not sane", res.reason)
        self.assertTrue(any("xattr 'user.a' only in source" in d for d in res.diffs), res.diffs)
        self.assertEqual(self.xattr_outcome("XX", both, both).outcome, evaluate.PASS)
        self.assertEqual(self.xattr_outcome("XX", both, plain).outcome, evaluate.FAIL)
        # without -X a copy has no xattrs, and that is sane
        self.assertEqual(self.xattr_outcome("a", both, ()).outcome, evaluate.PASS)

    def test_xattrs_compared_in_every_cell(self):
        res = self.xattr_outcome("a", (), (("user.a", b"1"),), cell_xattrs=())
        self.assertEqual(res.outcome, evaluate.FAIL)
        self.assertIn("f: xattr 'user.a' only in rsync (b'1')", res.diffs)

    def test_xattr_sets_on_a_tree_without_xattrs(self):
        self.assertEqual(self.xattr_outcome("X", (), (), generated=False).outcome,
                         evaluate.SKIP)
        res = self.xattr_outcome("X", (), ())
        self.assertEqual(res.outcome, evaluate.FAIL)  # the scenario tree must have them
        self.assertTrue(any("no xattrs" in d for d in res.diffs), res.diffs)

    def test_ssh_unavailable(self):
        class NoSsh(FakeTransports):
            ssh_skip = "sshd not installed (/usr/sbin/sshd)"

        class BrokenSsh(FakeTransports):
            ssh_error = "the sshd fixture failed: boom"

        cell = cells.Cell("pull", "ssh", 32, "on", "rsync", "rsync", "a", "empty")
        for transports, expected in [(NoSsh(), evaluate.SKIP), (BrokenSsh(), evaluate.FAIL)]:
            fake = FakeRunner(result(), result())
            res = evaluate.evaluate(cell, fake, evaluate.ReferenceCache(fake), transports, False)
            self.assertEqual(res.outcome, expected)
            self.assertEqual(fake.runs, [])


if __name__ == "__main__":
    unittest.main()
