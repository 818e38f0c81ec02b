"""A difference in each compared attribute of a tree is detected; ignored ones are ignored."""

import errno
import os
import shutil
import stat
import subprocess
import tempfile
import unittest
from unittest import mock

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


def _can_xattr(name, symlink=False):
    """Whether the temp file system takes xattr `name` on a file (or on a symlink itself)."""
    tmp = tempfile.mkdtemp()
    try:
        path = os.path.join(tmp, "probe")
        if symlink:
            os.symlink("target", path)
        else:
            open(path, "w").close()
        os.setxattr(path, name, b"v", follow_symlinks=False)
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(tmp)


CAN_USER_XATTR = _can_xattr("user.probe")
CAN_TRUSTED_SYMLINK_XATTR = _can_xattr("trusted.probe", symlink=True)
LARGE = bytes(range(256)) * 2  # longer than rsync's 32-byte literal limit


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
    if CAN_USER_XATTR:
        os.setxattr(os.path.join(root, "dir/file"), "user.small", b"a\x00b")
        os.setxattr(os.path.join(root, "dir/file"), "user.large", LARGE)
        os.setxattr(os.path.join(root, "dir/file"), "user.empty", b"")
        os.setxattr(os.path.join(root, "dir/sub"), "user.dir", b"on a directory")
    if CAN_TRUSTED_SYMLINK_XATTR:
        os.setxattr(os.path.join(root, "link"), "trusted.link", b"on the link",
                    follow_symlinks=False)
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

    @unittest.skipUnless(CAN_USER_XATTR, "no user xattrs on the temp file system")
    def test_snapshot_records_xattrs(self):
        entries = compare.snapshot(self.a).entries
        self.assertEqual(entries["dir/file"].xattrs,
                         (("user.empty", b""), ("user.large", LARGE), ("user.small", b"a\x00b")))
        self.assertEqual(entries["dir/sub"].xattrs, (("user.dir", b"on a directory"),))
        self.assertEqual(entries["single"].xattrs, ())
        # cp -a copied them: the copies agree (test_identical_copies_agree) with xattrs present
        self.assertEqual(compare.snapshot(self.b).entries["dir/file"].xattrs,
                         entries["dir/file"].xattrs)

    @unittest.skipUnless(CAN_USER_XATTR, "no user xattrs on the temp file system")
    def test_xattr_value_after_a_nul_byte(self):
        os.setxattr(self.path("dir/file"), "user.small", b"a\x00c")
        self.assertDetected("dir/file: xattr 'user.small' expected=b'a\\x00b' actual=b'a\\x00c'")

    @unittest.skipUnless(CAN_USER_XATTR, "no user xattrs on the temp file system")
    def test_xattr_large_value_last_byte(self):
        os.setxattr(self.path("dir/file"), "user.large", LARGE[:-1] + b"!")
        self.assertDetected("dir/file: xattr 'user.large' expected=")
        self.assertDetected("(512 bytes)")

    @unittest.skipUnless(CAN_USER_XATTR, "no user xattrs on the temp file system")
    def test_xattr_empty_value_becomes_non_empty(self):
        os.setxattr(self.path("dir/file"), "user.empty", b"x")
        self.assertDetected("dir/file: xattr 'user.empty' expected=b'' actual=b'x'")

    @unittest.skipUnless(CAN_USER_XATTR, "no user xattrs on the temp file system")
    def test_xattr_missing_and_extra(self):
        os.removexattr(self.path("dir/file"), "user.large")
        self.assertDetected("dir/file: xattr 'user.large' only in expected")
        os.setxattr(self.path("single"), "user.extra", b"1")
        self.assertDetected("single: xattr 'user.extra' only in actual (b'1')")

    @unittest.skipUnless(CAN_USER_XATTR, "no user xattrs on the temp file system")
    def test_xattr_on_directory(self):
        os.setxattr(self.path("dir/sub"), "user.dir", b"changed")
        self.assertDetected("dir/sub: xattr 'user.dir'")

    def test_xattr_trusted_namespace(self):
        try:
            os.setxattr(self.path("single"), "trusted.x", b"root only")
        except OSError as err:
            self.skipTest(f"no trusted xattrs here: {err.strerror}")
        self.assertDetected("single: xattr 'trusted.x' only in actual")

    @unittest.skipUnless(CAN_TRUSTED_SYMLINK_XATTR, "no trusted xattrs on symlinks here")
    def test_xattr_on_symlink_itself(self):
        os.setxattr(self.path("link"), "trusted.link", b"other", follow_symlinks=False)
        self.assertDetected("link: xattr 'trusted.link'")
        # the target (dir/file) is unchanged: nothing was read through the link
        self.assertFalse(any(d.startswith("dir/file") for d in self.diffs()))

    @unittest.skipUnless(CAN_USER_XATTR, "no user xattrs on the temp file system")
    def test_policy_xattrs(self):
        os.setxattr(self.path("single"), "user.rsync.%stat", b"100644 0,0 0:0")
        self.assertTrue(self.diffs())
        self.assertEqual(self.diffs(compare.Policy(xattrs=False)), [])
        self.assertEqual(self.diffs(compare.Policy(xattr_skip=("user.rsync.%",))), [])
        os.setxattr(self.path("single"), "user.other", b"")
        self.assertDetected("single: xattr 'user.other'", compare.Policy(xattr_skip=("user.rsync.%",)))

    def test_no_xattr_support_records_nothing(self):
        def unsupported(*args, **kwargs):
            raise OSError(errno.ENOTSUP, "Operation not supported")
        with mock.patch.object(os, "listxattr", unsupported):
            snap = compare.snapshot(self.a)
        self.assertTrue(snap.entries)
        self.assertTrue(all(e.xattrs == () for e in snap.entries.values()))

    def test_limit(self):
        for i in range(30):
            open(self.path(f"extra{i}"), "w").close()
        diffs = compare.compare(compare.snapshot(self.a), compare.snapshot(self.b),
                                compare.Policy(mtimes=False), limit=5)
        self.assertEqual(len(diffs), 6)
        self.assertIn("and 25 more", diffs[-1])


if __name__ == "__main__":
    unittest.main()
