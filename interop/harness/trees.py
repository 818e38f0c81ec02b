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
DEST_STATES = ("empty", "stale", "extras", "old-versions", "stale-xattrs", "partials")
XATTR_DIR = "xattrs"                  # the subtree whose entries carry extended attributes

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

    # Extended attributes, all in one subtree with its own PRNG, built last: the rest of the
    # tree (bytes, times, and so the random edits of the other states) is what it was before.
    root_mtime_ns = os.lstat(root).st_mtime_ns
    _make_xattr_tree(root, info, random.Random(seed ^ hash_name(XATTR_DIR)))
    os.utime(root, ns=(root_mtime_ns, root_mtime_ns))
    return info


# A set of xattrs that several files share exactly: rsync sends it once and then refers to it
# by index (also across directories, i.e. across the file lists of incremental recursion).
def _shared_set(rng):
    return [("user.tag", b"shared set"), ("user.blob", rng.randbytes(200))]


def _setx(root, rel, pairs, info):
    """Sets xattrs on root/rel itself (a symlink is not followed). Names the kernel refuses
    (say trusted.* when not root, or no xattr support at all) become notes in info.missing."""
    path = os.path.join(root, rel)
    for name, value in pairs:
        try:
            os.setxattr(path, name, value, follow_symlinks=False)
        except OSError as err:
            info.missing.append(f"{rel}: xattr {name}: {err.strerror}")


def _make_xattr_tree(root, info, rng):
    """The xattrs/ subtree: what rsync's -X protocol has to carry, as exactly as possible.

    Values of at most 32 bytes travel literally; longer ones as a digest that the receiver
    either matches against its own value or asks the sender for (rsync's MAX_FULL_DATUM).
    """
    def f(rel, data, pairs=(), mode=0o644):
        _write(os.path.join(top, rel), data, mode)
        _setx(top, rel, pairs, info)

    top = _mkdirs(root, XATTR_DIR)
    _setx(root, XATTR_DIR, [("user.dir-tag", b"the xattrs directory")], info)
    f("none", b"no xattrs here\n")
    f("small", b"small\n", [("user.small", b"a small value")])
    f("len-32", b"32\n", [("user.v", rng.randbytes(32))])      # the longest literal value
    f("len-33", b"33\n", [("user.v", rng.randbytes(33))])      # the shortest digest
    f("large", rng.randbytes(5000), [("user.large", rng.randbytes(1000)),
                                     ("user.also-small", b"s")])
    f("large-2", b"two large values\n", [("user.a", rng.randbytes(300)),
                                         ("user.b", rng.randbytes(2000))])
    f("binary", b"binary values\n", [("user.nul", b"\x00lead\x00mid\x00"),
                                     ("user.high", bytes(range(224, 256))),
                                     ("user.bin-large", bytes(range(256)))])
    f("empty-value", b"an empty value\n", [("user.empty", b""), ("user.after-empty", b"x")])
    f("many", LOREM * 3, [(f"user.attr-{i:02d}", rng.randbytes(60 + i) if i % 5 == 0
                           else f"value {i}".encode()) for i in range(40)])
    f("names", b"odd xattr names\n", [("user.with space", b"1"), ("user.ünïcödé ✓", b"2"),
                                       ("user." + "n" * 250, b"3"), ("user.a.b.c", b"4")])
    f("namespaces", b"namespaces\n", [("trusted.interop", b"root only"),
                                       ("security.interop", b"the security namespace"),
                                       ("user.plain", b"p")])
    # Copied only with -XX (-X leaves rsync.%* names out, and removes them on the receiver).
    f("rsync-stat", b"rsync.%stat\n", [("user.rsync.%stat", b"100644 0,0 0:0"),
                                        ("user.kept", b"kept")])
    shared = _shared_set(rng)
    _mkdirs(top, "shared")
    for i in range(6):
        f(f"shared/s{i}", f"shared {i}\n".encode(), shared)
    _mkdirs(top, "dir with xattrs")
    _setx(top, "dir with xattrs", [("user.dir", rng.randbytes(64)), ("trusted.dir", b"t")], info)
    for i in range(3):
        f(f"dir with xattrs/t{i}", f"also shared {i}\n".encode(), shared)
    f("dir with xattrs/other", b"another set\n", [("user.tag", b"another set")])
    _mkdirs(top, "new-dir")
    _setx(top, "new-dir", [("user.new", b"a new directory")], info)
    f("new-dir/f", b"in a new directory\n", [("user.new", rng.randbytes(40))])
    # A hard-link group with xattrs (one inode: the names share them) for -H.
    f("hl-1", b"hard-linked with xattrs\n", [("user.hl", rng.randbytes(100)),
                                             ("user.hl-small", b"h")])
    os.link(os.path.join(top, "hl-1"), os.path.join(top, "hl-2"))
    os.link(os.path.join(top, "hl-1"), os.path.join(top, "dir with xattrs/hl-3"))
    # Symlinks and fifos take no user.* xattrs; trusted.* ones (root) rsync copies with -l/-D.
    os.symlink("small", os.path.join(top, "link"))
    _setx(top, "link", [("trusted.link", b"on the link itself")], info)
    os.mkfifo(os.path.join(top, "fifo"), 0o644)
    _setx(top, "fifo", [("trusted.fifo", b"on a fifo")], info)
    _stamp_tree(top, rng)


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


def _regular_files(root, skip_xattr_dir=False):
    """Sorted relative paths of single-link regular files."""
    files = []
    for path, is_dir in _walk_bottom_up(root):
        st = os.lstat(path)
        if not is_dir and stat.S_ISREG(st.st_mode) and st.st_nlink == 1:
            files.append(os.path.relpath(path, root))
    if skip_xattr_dir:
        files = [rel for rel in files if not rel.startswith(XATTR_DIR + "/")]
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


PARTIAL_DIR = ".rsync-partial"


def _make_partials(dst):
    """Every other older version becomes a partial file: moved into its directory's
    PARTIAL_DIR (rsync --partial-dir uses it as the basis, then removes it)."""
    for index, rel in enumerate(sorted(_regular_files(dst))):
        path = os.path.join(dst, rel)
        if index % 2 or os.lstat(path).st_size < DELTA_MIN_SIZE:
            continue
        parent = os.path.join(os.path.dirname(path), PARTIAL_DIR)
        os.makedirs(parent, exist_ok=True)
        os.rename(path, os.path.join(parent, os.path.basename(path)))


def _make_stale(dst, rng):
    """Edits a copy of the source so that a transfer has every kind of work to do."""
    # The xattrs/ subtree is left alone (its own state edits it): the random edits of the other
    # files are the same as before it existed.
    files = [rel for rel in _regular_files(dst, skip_xattr_dir=True)
             if os.lstat(os.path.join(dst, rel)).st_size < DELTA_MIN_SIZE]
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


def _make_stale_xattrs(dst, rng):
    """Edits the xattrs of xattrs/ in an exact copy: every way a destination's xattrs can be
    wrong. Most files keep their data and mtime, so only their xattrs change (rsync itemizes
    them as ".f........x"). Nothing happens where a path is absent (a user's --tree)."""
    top = os.path.join(dst, XATTR_DIR)
    if not os.path.isdir(top) or os.path.islink(top):
        return

    def present(rel):
        return os.path.lexists(os.path.join(top, rel))

    def setx(rel, name, value):
        if present(rel):
            os.setxattr(os.path.join(top, rel), name, value, follow_symlinks=False)

    def removex(rel, name):
        try:
            os.removexattr(os.path.join(top, rel), name, follow_symlinks=False)
        except OSError:
            pass  # absent already (or a user's tree without it)

    def getx(rel, name):
        try:
            return os.getxattr(os.path.join(top, rel), name, follow_symlinks=False)
        except OSError:
            return None

    def flip_last(value):
        return value[:-1] + bytes([value[-1] ^ 0x01]) if value else b"x"

    def new_data(rel, data):  # other content and an older mtime: the quick check sees it
        path = os.path.join(top, rel)
        if os.path.isfile(path) and not os.path.islink(path):
            st = os.lstat(path)
            with open(path, "r+b") as out:
                out.truncate(0)
                out.write(data)
            _touch_older(path, 2, rng, st.st_mtime_ns)

    # Attribute-only changes (data and mtime as in the source).
    setx("small", "user.small", b"an older value")                       # literal -> literal
    for rel in ("len-32", "len-33"):                                     # the last byte only
        if (value := getx(rel, "user.v")) is not None:
            setx(rel, "user.v", flip_last(value))
    if (value := getx("large-2", "user.b")) is not None:                 # same length: asked
        setx("large-2", "user.b", flip_last(value))                      # user.a is identical
    setx("binary", "user.nul", b"\x00lead\x00mid\x01")                  # differs after a NUL
    setx("empty-value", "user.empty", b"was not empty")
    setx("none", "user.stale", b"the source has no xattrs here")         # must be removed
    setx("none", "user.rsync.%stat", b"100644 0,0 0:0")                  # removed with -X too
    setx("namespaces", "trusted.interop", b"old root value")
    setx("namespaces", "trusted.stale", b"extra in trusted")
    removex("namespaces", "security.interop")
    setx("shared/s1", "user.tag", b"no longer shared")
    removex("shared/s3", "user.blob")
    setx("dir with xattrs", "user.dir", b"an older directory value")
    removex("dir with xattrs", "trusted.dir")
    setx("dir with xattrs/other", "user.tag", b"the shared set")
    setx("link", "trusted.link", b"old link value")
    removex("fifo", "trusted.fifo")
    # Data and xattrs both change; identical large values are matched from the basis file.
    new_data("large", b"an older large file\n" * 10)                    # xattrs identical
    new_data("many", b"older many\n")
    for i in range(0, 40, 4):
        name = f"user.attr-{i:02d}"
        if i % 8 == 0:
            removex("many", name)
        elif (value := getx("many", name)) is not None:
            setx("many", name, flip_last(value))
    for i in range(3):
        setx("many", f"user.extra-{i}", rng.randbytes(10 + 20 * i))
    # Missing here: new files and a new directory that arrive with their xattrs.
    if present("shared/s4"):
        os.unlink(os.path.join(top, "shared/s4"))
    if present("new-dir"):
        shutil.rmtree(os.path.join(top, "new-dir"))
    # The hard-link group: one name missing, one a separate file with other xattrs.
    if present("dir with xattrs/hl-3"):
        os.unlink(os.path.join(top, "dir with xattrs/hl-3"))
    if present("hl-2"):
        path = os.path.join(top, "hl-2")
        st = os.lstat(path)
        with open(path, "rb") as f:
            data = f.read()
        os.unlink(path)
        _write(path, data, stat.S_IMODE(st.st_mode))
        os.setxattr(path, "user.hl", b"a separate inode now")
        os.utime(path, ns=(st.st_mtime_ns, st.st_mtime_ns))
    # Extras with xattrs that only --delete removes.
    _write(os.path.join(top, "extra-file"), b"only in the destination\n")
    os.setxattr(os.path.join(top, "extra-file"), "user.extra", rng.randbytes(50))
    os.makedirs(os.path.join(top, "extra-dir"))
    os.setxattr(os.path.join(top, "extra-dir"), "user.extra-dir", b"x")
    _write(os.path.join(top, "extra-dir/f"), b"x")
    for rel in ("extra-file", "extra-dir/f", "extra-dir"):
        _set_mtime(os.path.join(top, rel), rng)


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
    elif state == "stale-xattrs":
        _make_stale_xattrs(dst, rng)
    elif state == "partials":
        _make_old_versions(dst, rng)
        _make_partials(dst)
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
