"""Deterministic scenario trees: the source tree and the starting states of the destination.

Everything is derived from a seeded PRNG and fixed timestamps, so two runs (and two machines)
build byte-identical trees with identical metadata. Must run as root (owners, devices).
"""

import os
import random
import shutil
import socket
import stat
import subprocess

SEED = 0x75727379  # "ursy"
BASE_MTIME_S = 1_600_000_000          # 2020-09-13
DAY_S = 86_400
DELTA_MIN_SIZE = 64 * 1024            # files at least this big get "older versions"
DEST_STATES = ("empty", "stale", "extras", "old-versions")

# Owner/group other than root for -o/-g cells: Debian's "daemon" user and group.
OTHER_UID = 1
OTHER_GID = 1

LOREM = (b"lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor "
         b"incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud ")


class TreeInfo:
    """What was built: notes on features that could not be created (e.g. devices)."""

    def __init__(self):
        self.missing = []


def _set_mtime(path, rng, base_s=BASE_MTIME_S):
    mtime_ns = (base_s + rng.randrange(0, 200 * DAY_S)) * 1_000_000_000 \
        + rng.randrange(1, 1_000_000_000)
    os.utime(path, ns=(mtime_ns, mtime_ns), follow_symlinks=False)


def _write(path, data, mode=0o644):
    with open(path, "wb") as out:
        out.write(data)
    os.chmod(path, mode)


def _mkdirs(root, rel, mode=0o755):
    path = os.path.join(root, rel)
    os.makedirs(path, exist_ok=True)
    os.chmod(path, mode)
    return path


def _deep_path():
    # 20 components of 60 bytes: the file path is well over 1024 bytes (PATH_MAX is 4096).
    return "/".join(f"level{i:02d}-" + "d" * 53 for i in range(20))


def odd_names():
    """Names that need quoting, escaping or byte-exact handling somewhere."""
    return [
        "with space", "  two leading spaces", "trailing space ", "-leading-dash", "--double-dash",
        "unicodé ✓ 日本語", "new\nline", "carriage\rreturn", "tab\there", "glob*?[ab]", "[x]",
        "back\\slash", "quote'single", 'quote"double', "$dollar&amp;semi;", "~tilde", "#hash",
        "n" * 251 + ".txt",                   # 255 bytes: the longest legal name
        "é" * 127 + "x",                      # 255 bytes of UTF-8
        "bad-utf8-\udcff\udcfe",              # not valid UTF-8 (raw bytes 0xff 0xfe)
    ]


def make_source(root, big_size, seed=SEED):
    """Builds the scenario source tree at root (which must not exist). Returns a TreeInfo."""
    info = TreeInfo()
    rng = random.Random(seed)
    os.makedirs(root)
    os.chmod(root, 0o755)

    _write(os.path.join(root, "empty"), b"")
    _write(os.path.join(root, "small.txt"), b"hello, rsync\n")
    _write(os.path.join(root, "medium.bin"), rng.randbytes(300 * 1024))
    _write(os.path.join(root, "big.bin"), rng.randbytes(big_size))
    _mkdirs(root, "empty-dir")
    _mkdirs(root, "text")
    _write(os.path.join(root, "text/lorem.txt"), LOREM * 1500)
    _write(os.path.join(root, "text/blocksize-edge"), rng.randbytes(700 * 3 + 1))

    # Nested data with files of many sizes, including block-size boundaries.
    sizes = [0, 1, 2, 511, 512, 513, 700, 1023, 1024, 4095, 4096, 4097, 65535, 65536, 65537]
    for a in range(3):
        for b in range(3):
            rel = f"data/d{a}/e{b}"
            _mkdirs(root, rel)
            for k in range(4):
                size = sizes[(a * 12 + b * 4 + k) % len(sizes)] + (rng.randrange(0, 3) if k else 0)
                _write(os.path.join(root, rel, f"f{k}.dat"), rng.randbytes(size))

    # Permission variety (setuid/setgid/sticky included).
    _mkdirs(root, "perms")
    for name, mode in [("rw-r--r--", 0o644), ("rw-------", 0o600), ("rwxr-xr-x", 0o755),
                       ("r--r--r--", 0o444), ("setuid", 0o4755), ("setgid", 0o2755),
                       ("rw-r-----", 0o640), ("nothing", 0o000)]:
        _write(os.path.join(root, "perms", name), name.encode() + b"\n", mode)
    _mkdirs(root, "perms/private-dir", 0o700)
    _mkdirs(root, "perms/sticky-dir", 0o1777)
    _mkdirs(root, "perms/setgid-dir", 0o2775)
    _write(os.path.join(root, "perms/sticky-dir/inside"), b"x")

    # Owners other than root.
    _mkdirs(root, "owned")
    _write(os.path.join(root, "owned/daemon-file"), b"owned by daemon\n")
    os.chown(os.path.join(root, "owned/daemon-file"), OTHER_UID, OTHER_GID)
    _write(os.path.join(root, "owned/group-only"), b"group daemon\n", 0o664)
    os.chown(os.path.join(root, "owned/group-only"), 0, OTHER_GID)
    _mkdirs(root, "owned/daemon-dir", 0o750)
    os.chown(os.path.join(root, "owned/daemon-dir"), OTHER_UID, OTHER_GID)

    # Odd names and a deep path.
    _mkdirs(root, "names")
    for i, name in enumerate(odd_names()):
        _write(os.path.join(root, "names", name), f"odd name {i}\n".encode())
    _mkdirs(root, "names/dir with space/-dash dir")
    _write(os.path.join(root, "names/dir with space/-dash dir/f"), b"nested odd\n")
    deep = _mkdirs(root, "deep/" + _deep_path())
    _write(os.path.join(deep, "bottom.txt"), b"deep\n")

    # Files for the exclude/include option set.
    _write(os.path.join(root, "keep.tmp"), b"included explicitly\n")
    _write(os.path.join(root, "junk.tmp"), b"excluded\n")
    _write(os.path.join(root, "data/d1/x.tmp"), b"excluded too\n")
    _mkdirs(root, "skipdir")
    _write(os.path.join(root, "skipdir/f"), b"excluded dir\n")

    # Symlinks: relative, absolute, dangling, to a directory, to itself.
    _mkdirs(root, "links")
    for name, target in [("rel", "../small.txt"), ("abs", "/etc/hostname"),
                         ("dangling", "does/not/exist"), ("dirlink", "../data"),
                         ("dot", "."), ("odd target", "../names/with space")]:
        os.symlink(target, os.path.join(root, "links", name))

    # Hard links: a group of three across directories and a group of two.
    _mkdirs(root, "hard")
    _write(os.path.join(root, "hard/one"), b"three names, one inode\n")
    os.link(os.path.join(root, "hard/one"), os.path.join(root, "hard/two"))
    os.link(os.path.join(root, "hard/one"), os.path.join(root, "data/hard-three"))
    _write(os.path.join(root, "hard/pair-a"), rng.randbytes(9000))
    os.link(os.path.join(root, "hard/pair-a"), os.path.join(root, "hard/pair-b"))

    # Special files.
    _mkdirs(root, "special")
    os.mkfifo(os.path.join(root, "special/fifo"), 0o644)
    for name, kind, dev in [("char-null", stat.S_IFCHR, os.makedev(1, 3)),
                            ("block-loop", stat.S_IFBLK, os.makedev(7, 200))]:
        try:
            os.mknod(os.path.join(root, "special", name), kind | 0o600, dev)
        except OSError as err:
            info.missing.append(f"special/{name}: mknod failed: {err.strerror}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(os.path.join(root, "special/socket"))
    except OSError as err:
        info.missing.append(f"special/socket: bind failed: {err.strerror}")
    finally:
        sock.close()

    # Timestamps: every entry gets a fixed mtime with nanoseconds; a few extreme ones.
    _stamp_tree(root, rng)
    for rel, seconds in [("text/old-1980", 315_532_800), ("text/future-2100", 4_102_444_800)]:
        _write(os.path.join(root, rel), rel.encode())
        os.utime(os.path.join(root, rel), ns=(seconds * 10**9 + 123_456_789,) * 2)
    os.utime(os.path.join(root, "text"), ns=(BASE_MTIME_S * 10**9 + 5,) * 2)
    return info


def _walk_bottom_up(root):
    """(path, is_dir) for everything under root, children before their directory, sorted."""
    out = []

    def visit(path):
        with os.scandir(path) as it:
            entries = sorted(it, key=lambda e: os.fsencode(e.name))
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                visit(entry.path)
            else:
                out.append((entry.path, False))
        out.append((path, True))

    visit(root)
    return out


def _stamp_tree(root, rng):
    for path, _ in _walk_bottom_up(root):
        _set_mtime(path, rng)


def _regular_files(root):
    """Sorted relative paths of single-link regular files."""
    files = []
    for path, is_dir in _walk_bottom_up(root):
        st = os.lstat(path)
        if not is_dir and stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
            files.append(os.path.relpath(path, root))
    return sorted(files, key=os.fsencode)


def _copy_tree(src, dst):
    """A full-fidelity copy (hard links, owners, devices, ns mtimes) with GNU cp."""
    subprocess.run(["cp", "-a", "--", src, dst], check=True)


def _older_version(data, rng):
    """data with scattered edits: overwritten runs, an insertion and a deletion."""
    buf = bytearray(data)
    for _ in range(8):
        at = rng.randrange(0, max(1, len(buf) - 1000))
        buf[at:at + 1000] = rng.randbytes(1000)
    at = rng.randrange(0, len(buf))
    buf[at:at] = rng.randbytes(777)
    at = rng.randrange(0, max(1, len(buf) - 1500))
    del buf[at:at + 1500]
    return bytes(buf)


def _touch_older(path, days, rng, from_ns=None):
    if from_ns is None:
        from_ns = os.lstat(path).st_mtime_ns
    mtime_ns = from_ns - days * DAY_S * 10**9 + rng.randrange(1, 10**9)
    os.utime(path, ns=(mtime_ns, mtime_ns), follow_symlinks=False)


def _make_old_versions(dst, rng):
    for rel in _regular_files(dst):
        path = os.path.join(dst, rel)
        st = os.lstat(path)
        if st.st_size >= DELTA_MIN_SIZE:
            with open(path, "rb") as f:
                data = f.read()
            _write(path, _older_version(data, rng), stat.S_IMODE(st.st_mode))
            os.utime(path, ns=(st.st_mtime_ns - DAY_S * 10**9,) * 2)


def _make_stale(dst, rng):
    """Edits a copy of the source so that a transfer has every kind of work to do."""
    files = [rel for rel in _regular_files(dst) if os.lstat(os.path.join(dst, rel)).st_size
             < DELTA_MIN_SIZE]
    for i, rel in enumerate(files):
        path = os.path.join(dst, rel)
        st = os.lstat(path)
        kind = (i + rng.randrange(0, 2)) % 8
        if kind == 0 and st.st_size > 0:  # same size and mtime, other bytes: only -c/-I see it
            with open(path, "rb") as f:
                flipped = bytes(b ^ 0x5A for b in f.read())
            _write(path, flipped, stat.S_IMODE(st.st_mode))
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        elif kind == 1:  # other content, older mtime
            _write(path, b"stale " + rng.randbytes(st.st_size % 5000), stat.S_IMODE(st.st_mode))
            _touch_older(path, 3, rng, st.st_mtime_ns)
        elif kind == 2:  # same content, older mtime: only the time needs setting
            _touch_older(path, 1, rng)
        elif kind == 3:
            os.unlink(path)
        elif kind == 4:  # other permissions
            os.chmod(path, 0o600 if stat.S_IMODE(st.st_mode) != 0o600 else 0o644)
        elif kind == 5:  # other owner
            os.chown(path, 0 if st.st_uid else OTHER_UID, 0 if st.st_gid else OTHER_GID)
    _make_old_versions(dst, rng)
    # Type changes where the scenario has the paths (a user tree may not).
    _replace(dst, "links/rel", lambda p: _write(p, b"was a symlink\n"))
    _replace(dst, "small.txt", lambda p: os.symlink("elsewhere", p))
    _replace(dst, "empty", lambda p: os.mkdir(p))  # an empty dir where a file belongs
    _replace(dst, "special/fifo", lambda p: _write(p, b"not a fifo\n"))
    subtree = os.path.join(dst, "data/d2")
    if os.path.isdir(subtree):
        shutil.rmtree(subtree)
    for rel, mode in [("perms/private-dir", 0o755), ("data", 0o700), (".", 0o700)]:
        path = os.path.join(dst, rel)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, mode)
            _touch_older(path, 10, rng)


def _replace(root, rel, make):
    path = os.path.join(root, rel)
    if os.path.lexists(path) and os.path.isdir(os.path.dirname(path)):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)
        make(path)


def _make_extras(dst, rng):
    """Adds entries the source lacks, for --delete (and things excludes must protect)."""
    dirs = [p for p, is_dir in _walk_bottom_up(dst) if is_dir and not os.path.islink(p)]
    dirs = sorted(dirs, key=os.fsencode)[:4]
    for n, path in enumerate(dirs):
        _write(os.path.join(path, f"extra-file-{n}"), rng.randbytes(100 + n))
        _write(os.path.join(path, f"extra-{n}.tmp"), b"protected by the exclude rule\n")
        os.symlink(f"extra-target-{n}", os.path.join(path, f"extra-link-{n}"))
        sub = os.path.join(path, f"extra-dir-{n}", "nested")
        os.makedirs(sub)
        _write(os.path.join(sub, "f"), b"x" * n)
    # A non-empty directory where the source has a file: only --delete may remove it.
    _replace(dst, "medium.bin", lambda p: (os.mkdir(p), _write(os.path.join(p, "in-the-way"), b"")))
    for path, _ in _walk_bottom_up(dst):
        if os.path.basename(path).startswith("extra-"):
            _set_mtime(path, rng)


def make_dest_state(src, dst, state, seed=SEED):
    """Builds the starting destination `state` for the source tree src at dst.

    "empty" means the destination does not exist yet (nothing is created).
    """
    rng = random.Random(seed ^ hash_name(state))
    if state == "empty":
        return
    _copy_tree(src, dst)
    if state == "old-versions":
        _make_old_versions(dst, rng)
    elif state == "stale":
        _make_stale(dst, rng)
    elif state == "extras":
        _make_stale(dst, rng)
        _make_extras(dst, rng)
    else:
        raise ValueError(f"unknown destination state {state!r}")
    # Fix the times that the edits above disturbed, so that the state itself is deterministic.
    _restamp(src, dst)


def _restamp(src, dst):
    """Entries whose mtime the edits set to "now" get a fixed time again: the source's when
    the source has an entry of the same type there, else a constant. Aged ones stay aged."""
    disturbed_after_ns = (BASE_MTIME_S + 1000 * DAY_S) * 10**9
    for path, _ in _walk_bottom_up(dst):
        mine = os.lstat(path)
        if mine.st_mtime_ns < disturbed_after_ns:
            continue
        try:
            twin = os.lstat(os.path.join(src, os.path.relpath(path, dst)))
        except (FileNotFoundError, NotADirectoryError):
            twin = None
        if twin is not None and stat.S_IFMT(twin.st_mode) == stat.S_IFMT(mine.st_mode):
            mtime_ns = twin.st_mtime_ns
        else:
            mtime_ns = BASE_MTIME_S * 10**9 + 42
        os.utime(path, ns=(mtime_ns, mtime_ns), follow_symlinks=False)


def hash_name(name):
    """A stable small hash of a string (Python's hash() is salted per process)."""
    value = 0
    for byte in name.encode():
        value = (value * 131 + byte) & 0xFFFFFFFF
    return value


def copy_state(template, dst):
    """A fresh copy of a prepared destination state (nothing when the template is absent)."""
    if os.path.lexists(template):
        _copy_tree(template, dst)
