#!/usr/bin/env python3
"""A hostile client against `ursync --server` (the client pushes) and `ursync --server --sender`
(the client pulls), compared with stock `rsync --server` driven by the same script (issue 15).

Every case spawns the server on pipes in a fresh work tree holding the served or destination
dir and, beside it, a sentinel tree; the scripted client (server_peer.py over rsync_wire.py)
speaks the client's half of the protocol and then misbehaves. Each case checks:
  - the exit code is stock rsync's (run with the same script, when rsync is installed; the
    code rsync gave when the case was written is recorded too, and checked against it);
  - nothing outside the transfer was touched: the work tree outside the destination is the
    same before and after (names, modes, sizes, content digests, mtimes); a --sender sent no
    sentinel name, content, digest or block sum;
  - no temp file (.name.XXXXXX) left, no death by a signal, no hang (every case is bounded).
Cases where ursync is known to differ are expectedFailure, with the defect named.
Usage: hostile_client_test.py URSYNC_BINARY
"""
import hashlib
import os
import random
import re
import shutil
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "util"))
sys.path.insert(0, HERE)
import ctest_main  # noqa: E402
import rsync_wire as w  # noqa: E402
import stock_rsync  # noqa: E402
from tree_listing import tree_listing  # noqa: E402
from server_peer import Hang, ScriptedClient, ServerPeer  # noqa: E402

URSYNC = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "build/ursync"
RSYNC = shutil.which("rsync")

# rsync's exit codes (shared/docs/rsync-protocol.md §13)
RERR_OK, RERR_SYNTAX, RERR_PROTOCOL, RERR_FILESELECT = 0, 1, 2, 3
RERR_UNSUPPORTED, RERR_FILEIO, RERR_STREAMIO, RERR_PARTIAL = 4, 11, 12, 23

SENTINEL_MARK = b"SENTINEL"
SENTINEL_FILES = {
    "secret.txt": b"SENTINEL secret: the server must never show this\n" * 3,
    "rules": b"- a.txt\n- *.txt\nSENTINEL-not-a-rule\n",
    "deep/inner.txt": b"SENTINEL inner file\n",
}
SERVED_FILES = {"a.txt": b"hello world\n", "b.txt": b"second file contents\n",
                "sub/c.txt": b"nested\n"}
TEMP_NAME = re.compile(rb"^\..+\.[A-Za-z0-9]{6}$")
FLAGS = "-ltpr"  # -rlpt: no ids, devices or sums in the file list (what rsync_wire encodes)


def write_tree(root, files):
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (w.MTIME, w.MTIME))


listing = tree_listing


def temp_files(root):
    found = []
    for dirpath, dirs, files in os.walk(root):
        found += [os.path.join(dirpath, n) for n in files if TEMP_NAME.match(n.encode())]
    return found


def secret_fingerprints():
    """Byte strings that would show a sentinel file's content in a stream: a slice of its
    text, its md5 (the whole-file sum), its weak block sum (a one-block sum list)."""
    prints = [SENTINEL_MARK, b"sentinel"]
    for data in SENTINEL_FILES.values():
        prints += [hashlib.md5(data).digest(), w.uint32(w.weak_sum(data[:700]))]
    return prints


class Outcome:
    def __init__(self, impl, code, out, err, hung, error):
        self.impl, self.code, self.out, self.err = impl, code, out, err
        self.hung, self.error = hung, error

    def __repr__(self):
        return (f"{self.impl}: exit {self.code}{' (hung)' if self.hung else ''}, "
                f"script ended with {self.error!r}, stderr {self.err[-600:]!r}")


# --- honest halves of a session, which the cases bend ---

def entries_with_ndx(segments, inc):
    """{ndx: Entry} for file-list segments (lists of Entry) as the server numbers them
    (§7.9): sorted per segment; with incremental recursion from 1, one index per segment
    reserved for its directory."""
    out = {}
    start = 1 if inc else 0
    for seg in segments:
        for i, e in enumerate(w.sorted_entries(seg)):
            out[start + i] = e
        start += len(seg) + 1
    return out


def push_tree():
    """The pushed tree: top segment, then the one for "sub" (dir_ndx 1)."""
    top = [w.dir_entry("."), w.file_entry("b.txt", SERVED_FILES["b.txt"]),
           w.dir_entry("sub"), w.file_entry("a.txt", SERVED_FILES["a.txt"])]
    sub = [w.file_entry("sub/c.txt", SERVED_FILES["sub/c.txt"])]
    return top, sub


def send_flist(c, segments, enc=None):
    """The sender's file list: one list, or (incremental) the top segment, the others for
    dir_ndx 1, 2, ... and NDX_FLIST_EOF."""
    enc = enc or w.FlistEncoder()
    if not c.inc_recurse:
        c.send(enc.entries([e for seg in segments for e in seg]) + w.end_of_list())
        return enc
    c.send(enc.entries(segments[0]) + w.end_of_list())
    for k, seg in enumerate(segments[1:], start=1):
        c.send(c.ndx(w.NDX_FLIST_OFFSET - k) + enc.entries(seg) + w.end_of_list())
    c.send(c.ndx(w.NDX_FLIST_EOF))
    return enc


def answer(c, req, data, head=None, basis=None, xname=None, tokens=None, digest=None):
    """The sender's reply to a transfer request: echo, sum head, tokens, whole-file sum."""
    head = head if head is not None else req.head.encode()
    c.send(w.encode_item(c.out_ndx, req.ndx, req.iflags & ~0x1800, basis, xname) + head
           + (tokens if tokens is not None else w.literal_tokens(data))
           + (digest if digest is not None else w.file_digest(data)))


def serve_requests(c, files, segment_count, on_transfer=None):
    """rsync sender.c:send_files over the generator's requests, then read_final_goodbye:
    `files` maps ndx -> Entry (content from SERVED_FILES); on_transfer(c, req, data) may
    answer a transfer request itself (a hostile reply) and return True."""
    remaining = segment_count if c.inc_recurse else 0
    phase = 0
    while True:
        req = c.read_request()
        if req.ndx == w.NDX_DONE:
            if remaining:
                remaining -= 1
                if remaining:
                    c.send(c.ndx(w.NDX_DONE))
                    continue
            phase += 1
            if phase > 2:
                break
            c.send(c.ndx(w.NDX_DONE))
            continue
        if req.ndx < 0:
            continue
        if not req.iflags & w.ITEM_TRANSFER:
            c.send(w.encode_item(c.out_ndx, req.ndx, req.iflags & ~0x1800, req.basis,
                                 req.xname))
            continue
        data = files[req.ndx].data
        if on_transfer and on_transfer(c, req, data):
            continue
        answer(c, req, data, basis=req.basis, xname=req.xname)
    c.send(c.ndx(w.NDX_DONE))
    last = c.read_request().ndx
    if c.version >= 31 and last == w.NDX_DONE:
        c.send(c.ndx(w.NDX_DONE))
        last = c.read_request().ndx
    return last


def honest_push(c, on_transfer=None):
    return honest_push_of(c, push_tree(), on_transfer)


def honest_push_of(c, segments, on_transfer=None):
    c.hello()
    send_flist(c, segments)
    files = entries_with_ndx(segments if c.inc_recurse else [sum(segments, [])], c.inc_recurse)
    return serve_requests(c, files, len(segments), on_transfer)


def pull_ndx(inc):
    """The served tree's indexes as the --sender numbers them (served/ has a.txt, b.txt,
    sub/c.txt): {name: ndx}."""
    if inc:  # segment 1: . a.txt b.txt sub (1..4); segment 2 (dir 5): sub/c.txt = 6
        return {".": 1, "a.txt": 2, "b.txt": 3, "sub": 4, "sub/c.txt": 6}
    return {".": 0, "a.txt": 1, "b.txt": 2, "sub": 3, "sub/c.txt": 4}


def read_server_flist(c):
    """The --sender's whole file list (all segments when incremental): [Entry]. A segment is
    read where the server sends it, which with this small tree is before any data."""
    dec = w.FlistDecoder()
    entries = []
    while (e := dec.decode(c.read)) is not None:
        entries.append(e)
    if c.inc_recurse:
        while True:
            ndx = c.read_ndx()
            if ndx == w.NDX_FLIST_EOF:
                break
            while (e := dec.decode(c.read)) is not None:
                entries.append(e)
    return entries


def pull_requests(c, names):
    """Transfer requests for new files: ndx, IS_NEW|TRANSFER, an empty sum head."""
    ndx = pull_ndx(c.inc_recurse)
    return b"".join(w.encode_item(c.out_ndx, ndx[n], w.ITEM_IS_NEW | w.ITEM_TRANSFER)
                    + w.sum_head() for n in names)


def pull_dones(c):
    """The generator's NDX_DONEs up to (not including) the goodbye: S + 3 (§10.2)."""
    segments = 2 if c.inc_recurse else 1
    return c.ndx(w.NDX_DONE) * (segments + 3)


class HostileClient(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="ursync-hostile-")
        self.violations = []

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)
        # Safety is checked here, outside the test method, so that a case marked
        # expectedFailure for its exit code still fails on a hang, a signal, a temp file or a
        # touched sentinel.
        if self.violations:
            self.fail("\n".join(self.violations))

    def check(self, ok, message):
        if not ok:
            self.violations.append(f"{self.id()}: {message}")

    # --- running one script against each server ---

    def impls(self):
        impls = [("ursync", URSYNC)]
        if RSYNC:
            impls.insert(0, ("rsync", RSYNC))
        return impls

    def run_one(self, impl, binary, script, sender, version, inc, args, dest_files, limit):
        root = os.path.join(self.work, impl)
        shutil.rmtree(root, ignore_errors=True)
        write_tree(os.path.join(root, "sentinel"), SENTINEL_FILES)
        target = "served" if sender else "dst"
        write_tree(os.path.join(root, "served"), SERVED_FILES)
        if not sender:
            os.makedirs(os.path.join(root, "dst"))
            write_tree(os.path.join(root, "dst"), dest_files or {})
        before = listing(root, skip=target)
        before_served = listing(os.path.join(root, "served"))
        argv = [binary, "--server", *(["--sender"] if sender else []),
                FLAGS + "e" + (w.CAPS_INC if inc else w.CAPS_NO_INC),
                stock_rsync.CHECKSUM_SEED_ARG, *args, ".", target + "/"]
        peer = ServerPeer(argv, root)
        peer.limit = limit
        client = ScriptedClient(peer, version)
        client.root = root
        error = None
        try:
            script(client)
        except (EOFError, Hang, ValueError, KeyError) as e:
            error = e
        code = peer.finish()
        outcome = Outcome(impl, code, bytes(peer.out), bytes(peer.err), peer.hung, error)
        outcome.root = root
        # The safety checks hold ursync to account; stock rsync is the reference for exit
        # codes only (it hangs now and then when the client stops during the final NDX_DONE
        # exchange, and may leave a temp file when a hostile client makes it stop).
        check = self.check if impl == "ursync" else (lambda ok, message: None)
        check(not peer.hung, f"{outcome}: the server hung")
        check(code >= 0, f"{outcome}: killed by signal {-code}")
        check(listing(root, skip=target) == before,
              f"{outcome}: something outside {target}/ changed")
        if sender:
            check(listing(os.path.join(root, "served")) == before_served,
              f"{outcome}: the --sender changed what it serves")
            for fingerprint in secret_fingerprints():
                check(fingerprint not in outcome.out,
                      f"{outcome}: a sentinel's name or content was sent: {fingerprint}")
        else:
            for dirpath, dirs, files in os.walk(os.path.join(root, "dst")):
                for name in files:
                    with open(os.path.join(dirpath, name), "rb") as f:
                        check(SENTINEL_MARK not in f.read(),
                              f"{outcome}: sentinel content in dst/{name}")
        check(SENTINEL_MARK not in outcome.err, f"{outcome}: sentinel content on stderr")
        check(temp_files(root) == [], f"{outcome}: temp file left: {temp_files(root)}")
        return outcome

    def run_both(self, script, expect, sender=False, version=32, inc=True, args=(),
                 dest_files=None, compare_rsync=True, limit=None, ursync_expect=None):
        """Runs the script against stock rsync (if installed and compare_rsync) and ursync;
        both must exit with `expect` (the code stock rsync gave when the case was written),
        ursync with ursync_expect instead when that is given (a code or a set of them: where
        ursync refuses what rsync does, the case says why). Returns {impl: Outcome}."""
        outcomes = {}
        for impl, binary in self.impls():
            if impl == "rsync" and not compare_rsync:
                continue
            outcomes[impl] = self.run_one(impl, binary, script, sender, version, inc, args,
                                          dest_files, limit)
        if os.environ.get("HOSTILE_EXPLORE"):
            print("\n>>", "\n>> ".join(repr(o) for o in outcomes.values()), file=sys.stderr)
        if expect is None:  # whatever rsync does (a sweep); without rsync: safety only
            if "rsync" in outcomes and outcomes["rsync"].hung:  # then the stream's end: 12
                self.assertEqual(outcomes["ursync"].code, RERR_STREAMIO, f"{outcomes}")
            elif "rsync" in outcomes:
                self.assertEqual(outcomes["ursync"].code, outcomes["rsync"].code, f"{outcomes}")
            return outcomes
        if "rsync" in outcomes and not outcomes["rsync"].hung:  # (see run_one on rsync's hangs)
            self.assertEqual(outcomes["rsync"].code, expect,
                             f"stock rsync no longer behaves as recorded: {outcomes['rsync']}")
        if ursync_expect is None:
            self.assertEqual(outcomes["ursync"].code, expect, f"{outcomes}")
        elif isinstance(ursync_expect, int):
            self.assertEqual(outcomes["ursync"].code, ursync_expect, f"{outcomes}")
        else:
            self.assertIn(outcomes["ursync"].code, ursync_expect, f"{outcomes}")
        return outcomes

    def dest(self, outcome, rel=""):
        return os.path.join(outcome.root, "dst", rel)

    # --- the honest sessions: the scripts' baseline ---

    def test_honest_push(self):
        for version in (30, 31, 32):
            for inc in (True, False):
                with self.subTest(version=version, inc=inc):
                    got = self.run_both(honest_push, RERR_OK, version=version, inc=inc)
                    for o in got.values():
                        self.assertIsNone(o.error, o)
                        self.assertEqual(listing(self.dest(o)),
                                         listing(os.path.join(o.root, "served")), o)

    def test_honest_pull(self):
        def script(c):
            c.hello()
            c.send(w.filter_list([]))
            entries = read_server_flist(c)
            names = sorted(e.name.decode() for e in entries)
            self.assertEqual(names, [".", "a.txt", "b.txt", "sub", "sub/c.txt"])
            c.send(pull_requests(c, ["a.txt", "sub/c.txt"]) + pull_dones(c))
            got = {}
            for _ in range(2):
                ndx = c.read_ndx()
                c.read(2)
                w.read_sum_head(c.read)
                data = b""
                while (n := w.read_int32(c.read)) > 0:
                    data += c.read(n)
                self.assertEqual(c.read(16), w.file_digest(data))
                got[ndx] = data
            self.assertEqual(sorted(got.values()), [b"hello world\n", b"nested\n"])
            c.send(c.ndx(w.NDX_DONE) * 2)

        for version in (30, 31, 32):
            for inc in (True, False):
                with self.subTest(version=version, inc=inc):
                    got = self.run_both(script, RERR_OK, sender=True, version=version, inc=inc)
                    for o in got.values():
                        self.assertIsNone(o.error, o)

    # === the receiving server (`--server`): a hostile sender's file list ===

    def push_list(self, entries_for, expect, versions=(32,), incs=(True, False), **kw):
        """A file list from entries_for(c) (segments: [[Entry]]), answered honestly."""
        def script(c):
            c.hello()
            segments = entries_for(c)
            send_flist(c, segments)
            files = entries_with_ndx(segments if c.inc_recurse else [sum(segments, [])],
                                     c.inc_recurse)
            serve_requests(c, files, len(segments))

        for version in versions:
            for inc in incs:
                with self.subTest(version=version, inc=inc):
                    self.run_both(script, expect, version=version, inc=inc, **kw)

    def test_dotdot_name(self):
        self.push_list(lambda c: [[w.dir_entry("."), w.file_entry("../sentinel/evil", b"x")]],
                       RERR_UNSUPPORTED, versions=(30, 31, 32))

    def test_dotdot_inside_name(self):
        self.push_list(lambda c: [[w.dir_entry("."), w.dir_entry("sub")],
                                  [w.file_entry("sub/../../sentinel/evil", b"x")]],
                       RERR_UNSUPPORTED)

    def test_absolute_name(self):
        self.push_list(lambda c: [[w.dir_entry("."),
                                   w.file_entry(c.root + "/sentinel/evil", b"x")]],
                       RERR_UNSUPPORTED)

    def symlink_then_file(self, c):
        # "link" -> ../sentinel, then "link/evil": the file must not land in sentinel/
        return [[w.dir_entry("."), w.link_entry("link", "../sentinel"),
                 w.file_entry("link/evil", b"x")]]

    def test_symlink_then_file_through_it(self):
        # incremental: "link/evil" is not in the top directory (rsync flist.c: invalid path)
        self.push_list(self.symlink_then_file, RERR_UNSUPPORTED, incs=(True,))

    def test_symlink_then_file_through_it_in_one_list(self):
        # issue 15 defect B (fixed): every entry's directory must be listed as a directory
        # (rsync generator.c: "ABORTING due to invalid path from sender", exit 2); ursync
        # checks the whole list as it arrives, before anything is written
        self.push_list(self.symlink_then_file, RERR_PROTOCOL, incs=(False,))

    def test_symlink_and_dir_of_one_name_then_its_segment(self):
        # a duplicate: "link" as a symlink and as a directory (the directory is kept), then
        # a segment for it: link/evil lands in dst/link/, nothing in sentinel/
        self.same_dest(lambda c: [[w.dir_entry("."), w.link_entry("link", "../sentinel"),
                                   w.dir_entry("link")], [w.file_entry("link/evil", b"x")]],
                       incs=(True,))

    def same_dest(self, entries_for, incs=(True, False)):
        """A list both servers accept: the same tree results."""
        for inc in incs:
            with self.subTest(inc=inc):
                got = self.run_both(lambda c: honest_push_of(c, entries_for(c)), RERR_OK,
                                    inc=inc)
                trees = {impl: listing(self.dest(o)) for impl, o in got.items()}
                if "rsync" in trees:
                    self.assertEqual(trees["ursync"], trees["rsync"])

    def test_duplicate_names(self):
        # rsync keeps the first of two entries of one name (a directory over a file)
        self.same_dest(lambda c: [[w.dir_entry("."), w.file_entry("a.txt", b"first\n"),
                                   w.file_entry("a.txt", b"second one\n"), w.dir_entry("d"),
                                   w.file_entry("d", b"a file named like a dir\n")]])

    def test_out_of_order_names(self):
        # the receiver sorts each segment itself; the send order is the sender's choice
        self.same_dest(lambda c: [[w.file_entry("b.txt", SERVED_FILES["b.txt"]),
                                   w.dir_entry("sub"), w.file_entry("a.txt", b"a\n"),
                                   w.dir_entry(".")],
                                  [w.file_entry("sub/c.txt", SERVED_FILES["sub/c.txt"])]])

    def test_entry_outside_its_segment(self):
        def entries(c):
            return [[w.dir_entry("."), w.dir_entry("sub")],
                    [w.file_entry("a.txt", SERVED_FILES["a.txt"])]]
        self.push_list(entries, RERR_UNSUPPORTED, incs=(True,))

    def flist_then(self, tail, expect, inc=True, version=32, **kw):
        """The top segment (., a.txt, sub) then the raw tail(c) in one frame; no answers."""
        def script(c):
            c.hello()
            enc = w.FlistEncoder()
            c.send(enc.entries([w.dir_entry("."), w.file_entry("a.txt", b"hello world\n"),
                                w.dir_entry("sub")]) + w.end_of_list())
            c.send(tail(c, enc))
        return self.run_both(script, expect, inc=inc, version=version, **kw)

    def test_segment_never_announced(self):
        # defect 7 (fixed): both refuse it with exit 2 ("Invalid dir index")
        # dir_ndx 7 was never listed (the table holds "." and "sub")
        self.flist_then(lambda c, enc: c.ndx(w.NDX_FLIST_OFFSET - 7) + enc.entries(
            [w.file_entry("sub/x", b"x")]) + w.end_of_list(), RERR_PROTOCOL)

    def test_segment_for_a_file(self):
        # defect 7 (fixed): both refuse it with exit 2 ("Invalid dir index")
        # ndx -100 would be dir_ndx -1
        self.flist_then(lambda c, enc: c.ndx(w.NDX_FLIST_OFFSET + 1) + w.end_of_list(),
                        RERR_PROTOCOL)

    def test_segment_without_incremental_recursion(self):
        self.flist_then(lambda c, enc: c.ndx(w.NDX_FLIST_OFFSET - 1) + w.end_of_list(),
                        RERR_PROTOCOL, inc=False)

    def test_duplicate_segment(self):
        # defect 7 (fixed): both refuse it with exit 2 ("refusing malicious
        # duplicate flist")
        seg = lambda c, enc: (c.ndx(w.NDX_FLIST_OFFSET - 1)  # noqa: E731
                              + enc.entries([w.file_entry("sub/x", b"x")]) + w.end_of_list())
        self.flist_then(lambda c, enc: seg(c, enc) + seg(c, enc), RERR_PROTOCOL)

    def test_end_marker_missing(self):
        def script(c):
            c.hello()
            c.send(w.FlistEncoder().entries([w.dir_entry("."), w.file_entry("a.txt", b"x")]))
        for inc in (True, False):
            with self.subTest(inc=inc):
                self.run_both(script, RERR_STREAMIO, inc=inc)

    def test_end_marker_repeated(self):
        # incremental: the extra zeros are read as a segment's end where an ndx is due
        self.flist_then(lambda c, enc: w.end_of_list() * 3, RERR_STREAMIO)

    def test_end_marker_repeated_in_one_list(self):
        # issue 15 defect A (fixed): without incremental recursion the extra zero bytes read
        # as NDX_DONEs would end every phase and the goodbye before the generator ended its
        # own (a.txt never sent); rsync's generator, left waiting, exits 12; ursync refuses
        # an NDX_DONE the generator never sent one for, with 12
        self.flist_then(lambda c, enc: w.end_of_list() * 3, RERR_STREAMIO, inc=False)

    def test_empty_first_segment_then_dones(self):
        # issue 15 defect 2: "." alone, NDX_DONEs and never NDX_FLIST_EOF (a one-entry first
        # segment must be followed by a segment or NDX_FLIST_EOF)
        def script(c):
            c.hello()
            c.send(w.FlistEncoder().entries([w.dir_entry(".")]) + w.end_of_list())
            c.send(c.ndx(w.NDX_DONE) * 4)
        self.run_both(script, RERR_PROTOCOL)

    def test_empty_first_segment_held_open(self):
        # the same with the connection held open a while, then closed: EOF, exit 12
        def script(c):
            c.hello()
            c.send(w.FlistEncoder().entries([w.dir_entry(".")]) + w.end_of_list())
            time.sleep(0.3)
        self.run_both(script, RERR_STREAMIO)

    # --- the receiving server: hostile file data ---

    def push_answering(self, on_transfer, expect, versions=(32,), **kw):
        for version in versions:
            with self.subTest(version=version):
                self.run_both(lambda c: honest_push(c, on_transfer), expect,
                              version=version, **kw)

    def bad_head(self, head, expect=RERR_PROTOCOL, **kw):
        """The sender's echo of a transfer request carries `head` (not the generator's)."""
        def hostile(c, req, data):
            answer(c, req, data, head=head)
            return True
        self.push_answering(hostile, expect, **kw)

    def test_sum_head_s2length_beyond_digest(self):
        # CVE-2024-12084 (md5 gives 16 bytes). defect 7 (fixed): both exit 2
        self.bad_head(w.sum_head(1, 700, 17, 12))
        self.bad_head(w.sum_head(1, 700, 64, 12))

    def test_sum_head_negative_count(self):
        # defect 7 (fixed): both exit 2
        self.bad_head(w.sum_head(-1, 700, 16, 0))

    def test_sum_head_overflowing_count(self):
        # rsync's receiver never sizes anything from the echoed count and exits 0; ursync
        # refuses an echo that differs from its generator's request (a stricter check)
        self.bad_head(w.sum_head(0x7FFFFFFF, 700, 16, 0), RERR_OK,
                      ursync_expect={RERR_PROTOCOL, RERR_STREAMIO})
        self.bad_head(w.sum_head(0x7FFFFFFF, 0x20000, 16, 0), RERR_OK,
                      ursync_expect={RERR_PROTOCOL, RERR_STREAMIO})

    def test_sum_head_block_length_too_big(self):
        # defect 7 (fixed): both refuse these with exit 2
        self.bad_head(w.sum_head(1, w.BLOCK_LEN_MAX + 1, 16, 0))
        self.bad_head(w.sum_head(1, 0, 16, 0))
        self.bad_head(w.sum_head(1, 700, 16, 701))

    def test_token_for_a_block_that_does_not_exist(self):
        # defect 7 (fixed): both refuse it with exit 2 ("Invalid block index")
        def hostile(c, req, data):
            answer(c, req, data, tokens=w.int32(-1) + w.int32(0))
            return True
        self.push_answering(hostile, RERR_PROTOCOL)

    def test_literal_longer_than_announced_then_eof(self):
        def hostile(c, req, data):
            answer(c, req, data, tokens=w.int32(0x7FFFFFFF) + b"x" * 100, digest=b"")
            c.peer.close_input()
            return True
        self.push_answering(hostile, RERR_STREAMIO)

    def test_wrong_digest_twice(self):
        # a failed verification is redone once, then it is exit 23, old file intact
        def hostile(c, req, data):
            answer(c, req, data, digest=bytes(16))
            return True
        self.push_answering(hostile, RERR_PARTIAL, dest_files={"a.txt": b"old\n"})

    def test_fuzzy_basis_outside_the_destination(self):
        # CVE-2024-12086 reversed: the client's echo names a basis the generator never chose
        def hostile(c, req, data):
            secret = SENTINEL_FILES["secret.txt"]
            answer(c, req, data, head=w.sum_head(1, len(secret), 16, 0),
                   basis=w.FNAMECMP_FUZZY, xname="../../sentinel/secret.txt",
                   tokens=w.int32(-1) + w.int32(0), digest=w.file_digest(secret))
            return True
        self.push_answering(hostile, RERR_PROTOCOL)

    def test_alt_basis_index_without_alt_dirs(self):
        def hostile(c, req, data):
            answer(c, req, data, head=w.sum_head(1, 12, 16, 0), basis=0,
                   tokens=w.int32(-1) + w.int32(0))
            return True
        self.push_answering(hostile, RERR_PROTOCOL)

    def test_compare_dest_outside_the_destination(self):
        # The args are the client's: rsync reads a --compare-dest beside dst/ (never writes
        # it), and so does ursync's server. ursync does not implement --fuzzy yet and refuses
        # it (exit 4) before reading anything.
        for arg, expect in (("--compare-dest=../sentinel", RERR_OK),
                            ("--fuzzy", RERR_UNSUPPORTED)):
            with self.subTest(arg=arg):
                self.push_answering(None, RERR_OK, args=(arg,), ursync_expect=expect,
                                    dest_files={"secret.txt": b"mine\n"})

    def test_no_send_index_out_of_range(self):
        # defect 7 (fixed): both exit 2 on MSG_NO_SEND for an index never listed
        def hostile(c, req, data):
            c.send_msg(w.MSG_NO_SEND, w.int32(9999))
            return False
        self.push_answering(hostile, RERR_PROTOCOL)

    def test_filter_merge_rules_outside_the_destination(self):
        # With --delete the receiving server reads the client's rules. rsync opens a merge
        # file the client names (relative to the server's start dir: ../sentinel/rules does
        # not exist, exit 11; /etc/passwd is no rule file, exit 1, its lines not quoted);
        # ursync refuses merge files from the wire other than a per-directory name (exit 4).
        for rule, code in ((". ../sentinel/rules", RERR_FILEIO), ("merge /etc/passwd", 1),
                           (": ../sentinel/rules", RERR_STREAMIO)):
            with self.subTest(rule=rule):
                def script(c, rule=rule):
                    c.hello()
                    c.send(w.filter_list([rule]))
                    send_flist(c, push_tree())
                    segments = push_tree()
                    files = entries_with_ndx(segments if c.inc_recurse else
                                             [sum(segments, [])], c.inc_recurse)
                    serve_requests(c, files, len(segments))
                got = self.run_both(script, code, args=("--delete",),
                                    ursync_expect=RERR_UNSUPPORTED,
                                    dest_files={"stale.txt": b"stale\n"})
                self.assertNotIn(b"root:", got["ursync"].err)

    # === the sending server (`--server --sender`): a hostile receiver ===

    def pull_with(self, after_flist, expect, rules=(), checksums="md5", drain=False, **kw):
        """Filter rules, the server's file list, then after_flist(c); with drain, the client
        then reads until the server is done (rsync's sender exits 12 when the client closes
        while it still writes)."""
        def script(c):
            c.checksums = checksums
            c.hello()
            c.send(w.filter_list(rules))
            read_server_flist(c)
            after_flist(c)
            if drain:
                c.drain()
        return self.run_both(script, expect, sender=True, **kw)

    def test_sender_filter_merge_rules_outside_the_served_dir(self):
        # rsync opens a merge file the client names (relative to its start dir; a line that
        # is no rule is reported without its text); ursync refuses merge files from the wire
        # other than a per-directory name (exit 4). Either way nothing of them is sent.
        def complete(c):
            c.send(pull_dones(c) + c.ndx(w.NDX_DONE) * 2)
        for rule, code in ((". sentinel/rules", 1), ("merge /etc/passwd", 1),
                           (". ../sentinel/rules", RERR_FILEIO), (": ../sentinel/rules", 0)):
            with self.subTest(rule=rule):
                got = self.pull_with(complete, code, rules=[rule], drain=True,
                                     ursync_expect=RERR_UNSUPPORTED)
                self.assertNotIn(b"root:", got["ursync"].err)

    def test_sender_unknown_filter_rule_with_control_bytes(self):
        # defect 7 (fixed): both escape control bytes in the message ("\\#001")
        got = self.pull_with(lambda c: None, RERR_SYNTAX, rules=[b"\x01bad rule"])
        for o in got.values():
            self.assertIn(b"\\#001", o.err, o)
            self.assertNotIn(b"\x01", o.err, o)

    def request(self, c, ndx, iflags=w.ITEM_IS_NEW | w.ITEM_TRANSFER, head=None, tail=b""):
        c.send(w.encode_item(c.out_ndx, ndx, iflags)
               + (w.sum_head() if head is None else head) + tail)

    def test_sender_request_for_an_index_never_listed(self):
        for ndx in (99, 0x7FFFFFF0):
            with self.subTest(ndx=ndx):
                self.pull_with(lambda c, ndx=ndx: self.request(c, ndx), RERR_PROTOCOL)

    def test_sender_request_for_the_reserved_top_index(self):
        # with incremental recursion index 0 stands for the first segment's parent
        self.pull_with(lambda c: self.request(c, 0), RERR_PROTOCOL)

    def test_sender_request_for_a_directory(self):
        self.pull_with(lambda c: self.request(c, pull_ndx(c.inc_recurse)["sub"]),
                       RERR_PROTOCOL)

    def test_sender_markers_from_the_receiver(self):
        for marker in (w.NDX_FLIST_EOF, w.NDX_FLIST_OFFSET - 1):
            with self.subTest(marker=marker):
                self.pull_with(lambda c, m=marker: c.send(c.ndx(m)), RERR_PROTOCOL)

    def test_sender_overlong_xname(self):
        # defect 7 (fixed): both refuse it with exit 2
        self.pull_with(lambda c: c.send(w.encode_item(
            c.out_ndx, pull_ndx(c.inc_recurse)["a.txt"], w.ITEM_IS_NEW | w.ITEM_TRANSFER,
            xname=b"x" * 5000) + w.sum_head()), RERR_PROTOCOL)

    def bad_request_head(self, head, expect=RERR_PROTOCOL, checksums="md5", sums=b""):
        self.pull_with(lambda c: self.request(c, pull_ndx(c.inc_recurse)["a.txt"], head=head,
                                              tail=sums), expect, checksums=checksums)

    def test_sender_sum_head_s2length_beyond_digest(self):
        # CVE-2024-12084/12085: md5 gives 16 bytes, xxh64 8.
        # defect 7 (fixed): both refuse these with exit 2
        self.bad_request_head(w.sum_head(1, 700, 17, 12))
        self.bad_request_head(w.sum_head(1, 700, 9, 12), checksums="xxh64")
        self.bad_request_head(w.sum_head(1, 700, -1, 12))

    def test_sender_sum_head_counts(self):
        # defect 7 (fixed): both refuse a negative count with exit 2
        self.bad_request_head(w.sum_head(-1, 700, 16, 0))
        self.bad_request_head(w.sum_head(0x7FFFFFFF, 700, 16, 0), 22)  # --max-alloc exceeded

    def test_sender_sum_head_block_lengths(self):
        # defect 7 (fixed): both refuse these with exit 2
        self.bad_request_head(w.sum_head(1, w.BLOCK_LEN_MAX + 1, 16, 0))
        self.bad_request_head(w.sum_head(1, 0, 16, 0))
        self.bad_request_head(w.sum_head(1, 700, 16, 701))
        self.bad_request_head(w.sum_head(1, -700, 16, 0))

    def test_sender_end_markers_missing(self):
        # requests, then the connection closes without a single NDX_DONE
        self.pull_with(lambda c: c.send(pull_requests(c, ["a.txt"])), RERR_STREAMIO)

    def test_sender_end_markers_repeated(self):
        def after(c):
            c.send(pull_requests(c, ["a.txt"]) + pull_dones(c) + c.ndx(w.NDX_DONE) * 5)
        self.pull_with(after, RERR_OK, drain=True)

    def test_sender_index_where_the_goodbye_is_due(self):
        def after(c):
            c.send(pull_dones(c) + c.ndx(pull_ndx(c.inc_recurse)["a.txt"]) + w.shortint(0))
        self.pull_with(after, RERR_PROTOCOL, drain=True)

    # === both: pipelined handshakes, truncation, garbage ===

    def test_pipelined_handshake_push(self):
        # defect 6: bytes written with the handshake are parsed as frames (MuxIn's switch)
        def script(c):
            segments = [[w.dir_entry("."), w.file_entry("a.txt", SERVED_FILES["a.txt"])]]
            enc = w.FlistEncoder()
            flist = enc.entries(segments[0]) + w.end_of_list() + c.ndx(w.NDX_FLIST_EOF)
            c.hello(pipelined=w.frame(flist))
            serve_requests(c, entries_with_ndx(segments, True), 1)
        got = self.run_both(script, RERR_OK)
        for o in got.values():
            with open(self.dest(o, "a.txt"), "rb") as f:
                self.assertEqual(f.read(), SERVED_FILES["a.txt"])

    def test_pipelined_handshake_pull(self):
        # defect 6: bytes written with the handshake are parsed as frames (MuxIn's switch)
        def script(c):
            c.hello(pipelined=w.frame(w.filter_list([])))
            read_server_flist(c)
            c.send(pull_requests(c, ["a.txt"]) + pull_dones(c) + c.ndx(w.NDX_DONE) * 2)
            c.drain()
        self.run_both(script, RERR_OK, sender=True)

    def sweep_cuts(self, script, sender, cuts):
        for inc in (True, False):
            for cut in cuts:
                with self.subTest(inc=inc, cut=cut):
                    self.run_both(script, None, sender=sender, inc=inc, limit=cut)

    def test_truncated_push(self):
        # the honest push cut after N bytes (handshake, file list, segments, file data,
        # the NDX_DONE dance); its full length is ~330 bytes
        self.sweep_cuts(honest_push, False, [0, 2, 4, 5, 9, 20, 40, 60, 90, 120, 150, 200,
                                             250, 300, 320])

    def test_truncated_pull(self):
        def script(c):
            c.hello()
            c.send(w.filter_list([]))
            read_server_flist(c)
            c.send(pull_requests(c, ["a.txt", "sub/c.txt"]))
            c.send(pull_dones(c))
            c.send(c.ndx(w.NDX_DONE) * 2)
        self.sweep_cuts(script, True, [0, 3, 4, 5, 9, 12, 16, 20, 26, 30, 36, 45, 50, 60])

    def garbage(self, sender, seeds):
        for seed in seeds:
            rng = random.Random(seed)
            junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
            if seed % 2:  # half of them inside a well-formed MSG_DATA frame
                junk = w.frame(junk)

            def script(c, junk=junk):
                c.hello()
                c.raw(junk)
            with self.subTest(seed=seed):
                self.run_both(script, None, sender=sender)

    # The seeds are split by what stock rsync makes of them: where it exits 12 too, and
    # where it exits 2 (an invalid file mode) or 22 (a name or rule length beyond its buffer).
    def test_garbage_after_handshake_push(self):
        self.garbage(False, [0, 1, 2, 4, 5, 6, 8, 10])

    def test_garbage_after_handshake_pull(self):
        self.garbage(True, [0, 2, 4, 6, 8])

    def test_garbage_after_handshake_push_codes(self):
        # defect 7 (fixed): ursync exited 12 where rsync exits 2 or 22
        self.garbage(False, [3, 7, 9])

    def test_garbage_after_handshake_push_flags(self):
        # issue 15 defect C (fixed): both read flags 0x0e5e61e7 first; rsync ignores the
        # unknown bits, an l1 beyond the previous name, the empty name and the initial mode 0
        # (XMIT_SAME_MODE) of that entry, then refuses the next (xflags=0x7c, name too long:
        # 22); ursync refused the first entry (12)
        self.garbage(False, [11])

    def test_garbage_after_handshake_pull_codes(self):
        # defect 7 (fixed): ursync exited 12 where rsync exits 22 ("buffer overflow: recv_rules")
        self.garbage(True, [1, 3, 5, 7, 9, 10, 11])


if __name__ == "__main__":
    ctest_main.main()
