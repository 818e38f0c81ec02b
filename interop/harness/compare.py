"""Snapshots of a directory tree and the comparison of two snapshots.

A snapshot records, per relative path ("." is the root itself): the type, the permission bits
(setuid/setgid/sticky included), size and SHA-256 of regular files, the mtime in nanoseconds,
uid, gid, the symlink target and the device number; plus the hard-link groups (the partition
of non-directory paths by inode). atime, ctime, inode numbers and directory sizes are ignored.
"""

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


@dataclass(frozen=True)
class Policy:
    """What a comparison looks at, beyond type/mode/contents/targets/devices (always)."""
    mtimes: bool = True            # off when -t is not in effect: times are "now" then
    mtime_granularity_ns: int = 1  # 10**9 to compare whole seconds only
    owners: bool = True
    hardlinks: bool = True


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
        rdev=(os.major(st.st_rdev), os.minor(st.st_rdev)) if device else None)


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
                a, b = a // policy.mtime_granularity_ns, b // policy.mtime_granularity_ns
            if a != b:
                diffs.append(f"{show_path(rel)}: {name} {exp_label}={_show_value(name, a)} "
                             f"{act_label}={_show_value(name, b)}")
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
