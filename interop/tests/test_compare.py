"""A difference in each compared attribute of a tree is detected; ignored ones are ignored."""

import os
import shutil
import stat
import subprocess
import tempfile
import unittest

from harness import compare

NS = 1_000_000_000
T0 = 1_600_000_000 * NS + 123_456_789


def _can_mknod():
    probe = tempfile.mktemp()
    try:
        os.mknod(probe, stat.S_IFCHR | 0o600, os.makedev(1, 3))
        os.unlink(probe)
        return True
    except OSError:
        return False


CAN_MKNOD = _can_mknod()


def build(root):
    os.makedirs(os.path.join(root, "dir/sub"))
    with open(os.path.join(root, "dir/file"), "wb") as f:
        f.write(b"contents\n")
    with open(os.path.join(root, "one"), "wb") as f:
        f.write(b"linked\n")
    os.link(os.path.join(root, "one"), os.path.join(root, "dir/two"))
    with open(os.path.join(root, "single"), "wb") as f:
        f.write(b"single\n")
    os.symlink("dir/file", os.path.join(root, "link"))
    os.mkfifo(os.path.join(root, "fifo"))
    if CAN_MKNOD:
        os.mknod(os.path.join(root, "dev"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
    for dirpath, dirnames, filenames in os.walk(root, topdown=False):
        for name in filenames + dirnames:
            os.utime(os.path.join(dirpath, name), ns=(T0, T0), follow_symlinks=False)
    os.utime(root, ns=(T0, T0))


class CompareTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="interop-test-")
        self.a = os.path.join(self.tmp, "a")
        self.b = os.path.join(self.tmp, "b")
        build(self.a)
        subprocess.run(["cp", "-a", self.a, self.b], check=True)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def path(self, rel):
        return os.path.join(self.b, rel)

    def diffs(self, policy=compare.Policy()):
        return compare.compare(compare.snapshot(self.a), compare.snapshot(self.b), policy)

    def assertDetected(self, needle, policy=compare.Policy()):
        diffs = self.diffs(policy)
        self.assertTrue(diffs, "difference not detected")
        self.assertTrue(any(needle in d for d in diffs), f"{needle!r} not in {diffs}")

    def keep_mtime(self, rel, action):
        """Runs action, then restores rel's mtime and its parent directory's."""
        parent = os.path.dirname(self.path(rel))
        action()
        os.utime(self.path(rel), ns=(T0, T0), follow_symlinks=False)
        os.utime(parent, ns=(T0, T0))

    def test_identical_copies_agree(self):
        self.assertEqual(self.diffs(), [])

    def test_contents_same_size(self):
        def edit():
            with open(self.path("dir/file"), "wb") as f:
                f.write(b"CONTENTS\n")
        self.keep_mtime("dir/file", edit)
        self.assertDetected("dir/file: sha256")

    def test_size(self):
        self.keep_mtime("dir/file", lambda: os.truncate(self.path("dir/file"), 3))
        self.assertDetected("dir/file: size")

    def test_type(self):
        def edit():
            os.unlink(self.path("single"))
            os.mkdir(self.path("single"))
        self.keep_mtime("single", edit)
        self.assertDetected("single: type")

    def test_permission_bits(self):
        os.chmod(self.path("dir/file"), 0o600)
        self.assertDetected("dir/file: mode")

    def test_setuid_bit(self):
        mode = stat.S_IMODE(os.lstat(self.path("single")).st_mode)
        os.chmod(self.path("single"), mode | stat.S_ISUID)
        self.assertDetected("single: mode")

    def test_sticky_bit_on_directory(self):
        os.chmod(self.path("dir/sub"), 0o1755)
        self.assertDetected("dir/sub: mode")

    def test_mtime_one_nanosecond(self):
        os.utime(self.path("single"), ns=(T0, T0 + 1))
        self.assertDetected("single: mtime_ns")

    def test_directory_mtime(self):
        os.utime(self.path("dir/sub"), ns=(T0, T0 + NS))
        self.assertDetected("dir/sub: mtime_ns")

    def test_symlink_mtime(self):
        os.utime(self.path("link"), ns=(T0, T0 + NS), follow_symlinks=False)
        self.assertDetected("link: mtime_ns")

    def test_root_attributes(self):
        os.chmod(self.b, 0o700)
        self.assertDetected(".: mode")
        os.chmod(self.b, stat.S_IMODE(os.lstat(self.a).st_mode))
        os.utime(self.b, ns=(T0, T0 + 5))
        self.assertDetected(".: mtime_ns")

    def test_root_missing(self):
        shutil.rmtree(self.b)
        self.assertDetected("destination root exists")

    def test_uid(self):
        os.chown(self.path("single"), 1, -1, follow_symlinks=False)
        self.assertDetected("single: uid")

    def test_gid(self):
        os.chown(self.path("link"), -1, 1, follow_symlinks=False)
        self.assertDetected("link: gid")

    def test_symlink_target(self):
        def edit():
            os.unlink(self.path("link"))
            os.symlink("dir/FILE", self.path("link"))
        self.keep_mtime("link", edit)
        self.assertDetected("link: target")

    def test_fifo_becomes_file(self):
        def edit():
            os.unlink(self.path("fifo"))
            open(self.path("fifo"), "w").close()
        self.keep_mtime("fifo", edit)
        self.assertDetected("fifo: type")

    @unittest.skipUnless(CAN_MKNOD, "mknod not permitted here")
    def test_device_number(self):
        def edit():
            os.unlink(self.path("dev"))
            os.mknod(self.path("dev"), stat.S_IFCHR | 0o600, os.makedev(1, 5))
        self.keep_mtime("dev", edit)
        self.assertDetected("dev: rdev")

    def test_hard_link_broken(self):
        def edit():
            with open(self.path("dir/two"), "rb") as f:
                data = f.read()
            os.unlink(self.path("dir/two"))
            with open(self.path("dir/two"), "wb") as f:
                f.write(data)
        self.keep_mtime("dir/two", edit)
        self.assertDetected("hard-link group only in expected")

    def test_hard_link_added(self):
        def edit():
            os.unlink(self.path("single"))
            os.link(self.path("dir/file"), self.path("single"))
        self.keep_mtime("single", edit)
        diffs = self.diffs()
        self.assertTrue(any("hard-link group only in actual" in d for d in diffs), diffs)

    def test_missing_and_extra_paths(self):
        os.unlink(self.path("single"))
        os.utime(self.b, ns=(T0, T0))
        self.assertDetected("single: file only in expected")
        open(self.path("new"), "w").close()
        os.utime(self.b, ns=(T0, T0))
        self.assertDetected("new: file only in actual")

    def test_odd_name_is_shown_unambiguously(self):
        open(self.path("new\nline"), "w").close()
        os.utime(self.b, ns=(T0, T0))
        self.assertDetected("'new\\nline': file only in actual")

    def test_policy_ignores_what_it_should(self):
        os.utime(self.path("single"), ns=(T0, T0 + 7))
        os.chown(self.path("dir/file"), 1, 1)
        self.assertTrue(self.diffs())
        self.assertEqual(self.diffs(compare.Policy(mtimes=False, owners=False)), [])
        # whole-second granularity ignores nanoseconds but not seconds
        self.assertEqual(self.diffs(compare.Policy(mtime_granularity_ns=NS, owners=False)), [])
        os.utime(self.path("single"), ns=(T0, T0 + NS))
        self.assertTrue(self.diffs(compare.Policy(mtime_granularity_ns=NS, owners=False)))

    def test_policy_hardlinks_off(self):
        self.test_hard_link_broken()
        self.assertEqual(self.diffs(compare.Policy(hardlinks=False)), [])

    def test_limit(self):
        for i in range(30):
            open(self.path(f"extra{i}"), "w").close()
        diffs = compare.compare(compare.snapshot(self.a), compare.snapshot(self.b),
                                compare.Policy(mtimes=False), limit=5)
        self.assertEqual(len(diffs), 6)
        self.assertIn("and 25 more", diffs[-1])


if __name__ == "__main__":
    unittest.main()
