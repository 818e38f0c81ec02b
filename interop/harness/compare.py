"""Snapshots of a directory tree and the comparison of two snapshots.

A snapshot records, per relative path ("." is the root itself): the type, the permission bits
(setuid/setgid/sticky included), size and SHA-256 of regular files, the mtime in nanoseconds,
uid, gid, the symlink target, the device number and the extended attributes (every namespace
the kernel lists: user.*, trusted.*, security.*, system.*; read without following symlinks);
plus the hard-link groups (the partition of non-directory paths by inode). atime, ctime, inode
numbers and directory sizes are ignored.
"""

import errno
import hashlib
import os
import stat
from dataclasses import dataclass, fields

KINDS = {stat.S_IFREG: "file", stat.S_IFDIR: "dir", stat.S_IFLNK: "symlink",
         stat.S_IFIFO: "fifo", stat.S_IFCHR: "char-device", stat.S_IFBLK: "block-device",
         stat.S_IFSOCK: "socket"}


@dataclass(frozen=True)
class Entry:
    kind: str
    mode: int              # permission bits incl. setuid/setgid/sticky
    size: int | None       # regular files only
    sha256: str | None     # regular files only
    mtime_ns: int
    uid: int
    gid: int
    target: bytes | None   # symlinks only
    rdev: tuple | None     # (major, minor) for devices only
    # ((name, value bytes), ...) sorted by name; () without xattrs or without xattr support
    xattrs: tuple = ()


@dataclass(frozen=True)
class Policy:
    """What a comparison looks at, beyond type/mode/contents/targets/devices (always)."""
    mtimes: bool = True            # off when -t is not in effect: times are "now" then
    mtime_granularity_ns: int = 1  # 10**9 to compare whole seconds only
    dir_mtimes: bool = True        # off where directories get "now" (a backup renames in them)
    owners: bool = True
    hardlinks: bool = True
    xattrs: bool = True            # off where a copy is not expected to carry them (no -X)
    xattr_skip: tuple = ()         # xattr name prefixes left out (e.g. "system." without -A)


class Snapshot:
    def __init__(self, exists, entries, links):
        self.exists = exists      # False when the root did not exist
        self.entries = entries    # {relpath (str, surrogateescape): Entry}
        self.links = links        # frozenset of frozensets of relpaths (groups of >= 2)

    def __repr__(self):
        return f"Snapshot({len(self.entries)} entries, {len(self.links)} link groups)"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


_NO_XATTRS = {errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENODATA}


def _xattrs(path):
    """The extended attributes of path itself (not a symlink's target): sorted (name, value)
    pairs; () when there are none or the file system does not support them."""
    try:
        names = os.listxattr(path, follow_symlinks=False)
    except OSError as err:
        if err.errno in _NO_XATTRS:
            return ()
        raise
    pairs = []
    for name in names:
        try:
            pairs.append((name, os.getxattr(path, name, follow_symlinks=False)))
        except OSError as err:
            if err.errno != errno.ENODATA:  # removed since it was listed
                raise
    return tuple(sorted(pairs, key=lambda pair: os.fsencode(pair[0])))


def _entry(path, st):
    fmt = stat.S_IFMT(st.st_mode)
    kind = KINDS.get(fmt, f"unknown-{fmt:o}")
    regular = fmt == stat.S_IFREG
    device = fmt in (stat.S_IFCHR, stat.S_IFBLK)
    return Entry(
        kind=kind, mode=stat.S_IMODE(st.st_mode),
        size=st.st_size if regular else None,
        sha256=_sha256(path) if regular else None,
        mtime_ns=st.st_mtime_ns, uid=st.st_uid, gid=st.st_gid,
        target=os.readlink(os.fsencode(path)) if fmt == stat.S_IFLNK else None,
        rdev=(os.major(st.st_rdev), os.minor(st.st_rdev)) if device else None,
        xattrs=_xattrs(path))


def snapshot(root):
    """Records the tree at root; a missing root gives an empty snapshot with exists=False."""
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        return Snapshot(False, {}, frozenset())
    entries = {".": _entry(root, st)}
    by_inode = {}

    def visit(dir_path, rel_dir):
        with os.scandir(dir_path) as it:
            children = list(it)
        for child in children:
            rel = child.name if rel_dir == "." else f"{rel_dir}/{child.name}"
            cst = child.stat(follow_symlinks=False)
            entries[rel] = _entry(child.path, cst)
            if stat.S_ISDIR(cst.st_mode):
                visit(child.path, rel)
            else:
                by_inode.setdefault((cst.st_dev, cst.st_ino), []).append(rel)

    if stat.S_ISDIR(st.st_mode):
        visit(root, ".")
    links = frozenset(frozenset(paths) for paths in by_inode.values() if len(paths) > 1)
    return Snapshot(True, entries, links)


def show_path(rel):
    """A printable, unambiguous form of a relative path (newlines, bad UTF-8...)."""
    text = ascii(rel) if any(not c.isprintable() for c in rel) else rel
    return text if len(text) <= 120 else text[:60] + "..." + text[-50:]


def _show_value(name, value):
    if name == "mode":
        return f"{value:04o}"
    if name == "target":
        return repr(value)
    return str(value)


def show_bytes(value, limit=40):
    """A short repr of a byte string; long ones are cut in the middle and give their length."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit // 2]!r}...{value[-limit // 4:]!r} ({len(value)} bytes)"


def _xattr_diffs(rel, exp, act, policy, labels):
    """One line per xattr name that differs between two entries."""
    def kept(pairs):
        return {name: value for name, value in pairs
                if not any(name.startswith(prefix) for prefix in policy.xattr_skip)}
    exp_label, act_label = labels
    a, b = kept(exp.xattrs), kept(act.xattrs)
    out = []
    for name in sorted(set(a) | set(b), key=os.fsencode):
        if name not in b:
            out.append(f"{show_path(rel)}: xattr {ascii(name)} only in {exp_label} "
                       f"({show_bytes(a[name])})")
        elif name not in a:
            out.append(f"{show_path(rel)}: xattr {ascii(name)} only in {act_label} "
                       f"({show_bytes(b[name])})")
        elif a[name] != b[name]:
            out.append(f"{show_path(rel)}: xattr {ascii(name)} {exp_label}={show_bytes(a[name])}"
                       f" {act_label}={show_bytes(b[name])}")
    return out


def compare(expected, actual, policy, limit=10, labels=("expected", "actual")):
    """Differences between two snapshots as readable lines (empty list when they agree).

    At most `limit` lines are returned; the last line says how many more there were.
    """
    diffs = []
    exp_label, act_label = labels
    if expected.exists != actual.exists:
        diffs.append(f"destination root exists: {exp_label}={expected.exists} "
                     f"{act_label}={actual.exists}")
    skip = set()
    if not policy.mtimes:
        skip.add("mtime_ns")
    if not policy.owners:
        skip.update(("uid", "gid"))
    skip.add("xattrs")  # compared name by name below
    for rel in sorted(set(expected.entries) | set(actual.entries), key=os.fsencode):
        exp = expected.entries.get(rel)
        act = actual.entries.get(rel)
        if exp is None or act is None:
            where = exp_label if exp is not None else act_label
            kind = (exp or act).kind
            diffs.append(f"{show_path(rel)}: {kind} only in {where}")
            continue
        if exp.kind != act.kind:
            diffs.append(f"{show_path(rel)}: type {exp_label}={exp.kind} {act_label}={act.kind}")
            continue
        for field in fields(Entry):
            name = field.name
            if name in skip or name == "kind":
                continue
            a, b = getattr(exp, name), getattr(act, name)
            if name == "mtime_ns":
                if not policy.dir_mtimes and exp.kind == "dir":
                    continue
                a, b = a // policy.mtime_granularity_ns, b // policy.mtime_granularity_ns
            if a != b:
                diffs.append(f"{show_path(rel)}: {name} {exp_label}={_show_value(name, a)} "
                             f"{act_label}={_show_value(name, b)}")
        if policy.xattrs and exp.xattrs != act.xattrs:
            diffs += _xattr_diffs(rel, exp, act, policy, labels)
    if policy.hardlinks and expected.links != actual.links:
        for group in sorted(expected.links - actual.links, key=sorted):
            diffs.append(f"hard-link group only in {exp_label}: "
                         + ", ".join(show_path(p) for p in sorted(group)))
        for group in sorted(actual.links - expected.links, key=sorted):
            diffs.append(f"hard-link group only in {act_label}: "
                         + ", ".join(show_path(p) for p in sorted(group)))
    if len(diffs) > limit:
        diffs = diffs[:limit] + [f"... and {len(diffs) - limit} more differences"]
    return diffs
