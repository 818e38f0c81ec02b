"""The scenario trees are deterministic and contain what the matrix relies on."""

import os
import shutil
import stat
import tempfile
import unittest

from harness import compare, trees

BIG = 256 * 1024


class TreesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="interop-trees-")
        cls.src = os.path.join(cls.tmp, "src")
        cls.info = trees.make_source(cls.src, BIG)
        cls.snap = compare.snapshot(cls.src)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def test_source_is_deterministic(self):
        again = os.path.join(self.tmp, "again")
        trees.make_source(again, BIG)
        self.assertEqual(compare.compare(self.snap, compare.snapshot(again), compare.Policy()),
                         [])
        shutil.rmtree(again)

    def test_dest_states_are_deterministic_and_differ_from_the_source(self):
        for state in ("stale", "extras", "old-versions", "stale-xattrs"):
            one, two = os.path.join(self.tmp, state + "1"), os.path.join(self.tmp, state + "2")
            trees.make_dest_state(self.src, one, state)
            trees.make_dest_state(self.src, two, state)
            a, b = compare.snapshot(one), compare.snapshot(two)
            self.assertEqual(compare.compare(a, b, compare.Policy()), [], state)
            self.assertTrue(compare.compare(self.snap, a, compare.Policy()), state)

    def test_empty_state_is_absent(self):
        dst = os.path.join(self.tmp, "empty")
        trees.make_dest_state(self.src, dst, "empty")
        self.assertFalse(os.path.lexists(dst))

    def test_features(self):
        entries = self.snap.entries
        kinds = {e.kind for e in entries.values()}
        self.assertTrue({"file", "dir", "symlink", "fifo", "socket"} <= kinds, kinds)
        if not self.info.missing:
            self.assertTrue({"char-device", "block-device"} <= kinds)
        for name in trees.odd_names():
            self.assertIn(f"names/{name}", entries)
        self.assertTrue(any(len(os.fsencode(os.path.basename(p))) == 255 for p in entries))
        self.assertTrue(any(len(os.fsencode(p)) > 1024 for p in entries))
        self.assertIn(3, {len(g) for g in self.snap.links})
        self.assertEqual(entries["links/dangling"].target, b"does/not/exist")
        self.assertTrue(entries["links/abs"].target.startswith(b"/"))
        self.assertEqual(entries["big.bin"].size, BIG)
        self.assertTrue(any(e.mode & stat.S_ISUID for e in entries.values()))
        self.assertTrue(any(e.mode & stat.S_ISVTX for e in entries.values()))
        self.assertTrue(any(e.uid == trees.OTHER_UID for e in entries.values()))
        self.assertTrue(any(e.gid == trees.OTHER_GID and e.uid == 0 for e in entries.values()))
        self.assertTrue(all(e.mtime_ns % 1_000_000_000 for e in entries.values()),
                        "every mtime has nanoseconds")

    def test_xattr_features(self):
        entries = self.snap.entries
        self.assertEqual(self.info.missing, [], "as root on ext4/tmpfs every xattr can be set")
        values = {(rel, name): value for rel, e in entries.items() for name, value in e.xattrs}
        self.assertTrue(all(rel.startswith("xattrs") for rel, _ in values), "only in xattrs/")
        lengths = {len(v) for v in values.values()}
        self.assertTrue({0, 32, 33} <= lengths and max(lengths) > 1000, lengths)
        self.assertTrue(any(b"\x00" in v[1:-1] for v in values.values()), "a NUL inside")
        self.assertGreaterEqual(len(entries["xattrs/many"].xattrs), 40)
        self.assertTrue(any(e.kind == "dir" and e.xattrs for e in entries.values()))
        self.assertTrue(any(e.kind == "symlink" and e.xattrs for e in entries.values()))
        self.assertTrue(any(name.startswith("trusted.") for _, name in values))
        self.assertIn(("xattrs/rsync-stat", "user.rsync.%stat"), values)
        # one identical set on files in two directories (rsync sends it once, then an index)
        shared = entries["xattrs/shared/s0"].xattrs
        holders = {rel for rel, e in entries.items() if e.xattrs == shared}
        self.assertGreaterEqual(len(holders), 6)
        self.assertGreater(len({os.path.dirname(rel) for rel in holders}), 1)
        self.assertTrue(any(e.xattrs for g in self.snap.links for e in
                            (entries[p] for p in g)), "a hard-link group with xattrs")

    def test_stale_xattrs(self):
        dst = os.path.join(self.tmp, "stale-xattrs")
        trees.make_dest_state(self.src, dst, "stale-xattrs")
        theirs = compare.snapshot(dst).entries
        ours = self.snap.entries
        changed = {rel for rel in ours if rel in theirs and ours[rel].xattrs != theirs[rel].xattrs}
        # the rest of the tree is an exact copy, xattrs included
        outside = compare.compare(
            compare.Snapshot(True, {k: v for k, v in ours.items() if not k.startswith("xattrs")},
                             frozenset()),
            compare.Snapshot(True, {k: v for k, v in theirs.items()
                                    if not k.startswith("xattrs")}, frozenset()),
            compare.Policy())
        self.assertEqual(outside, [])
        only_xattrs = {rel for rel in changed if ours[rel].kind == "file"
                       and (ours[rel].sha256, ours[rel].mtime_ns)
                       == (theirs[rel].sha256, theirs[rel].mtime_ns)}
        self.assertGreaterEqual(len(only_xattrs), 5, only_xattrs)  # ".f........x" items
        self.assertTrue(any(ours[rel].kind == "dir" for rel in changed))
        self.assertTrue(any(ours[rel].kind == "symlink" for rel in changed))
        extra = {rel for rel in changed if set(dict(theirs[rel].xattrs)) - set(dict(ours[rel].xattrs))}
        self.assertTrue(extra, "names the receiver must remove")
        # a file whose data changes keeps an identical large value (matched from the basis)
        large = ours["xattrs/large"]
        self.assertNotEqual(large.sha256, theirs["xattrs/large"].sha256)
        self.assertEqual(large.xattrs, theirs["xattrs/large"].xattrs)
        self.assertGreater(max(len(v) for _, v in large.xattrs), 32)
        self.assertIn("xattrs/extra-file", theirs)
        self.assertNotIn("xattrs/new-dir", theirs)

    def test_old_versions_change_only_big_files(self):
        dst = os.path.join(self.tmp, "old")
        trees.make_dest_state(self.src, dst, "old-versions")
        changed = {d.split(":")[0] for d in compare.compare(self.snap, compare.snapshot(dst),
                                                             compare.Policy(), limit=1000)}
        self.assertIn("big.bin", changed)
        for rel in changed:
            self.assertGreaterEqual(self.snap.entries[rel].size, trees.DELTA_MIN_SIZE, rel)


if __name__ == "__main__":
    unittest.main()
