#!/usr/bin/env python3
"""Writes the seed corpora of filter_rules, flist_dirs and mux_switch from the rsync 3.5.0
captures in ../shared/protocol/captures (run from the project root). Each target's input format
is described at the top of its fuzz/<name>_fuzz.cpp."""
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT.parent / "shared" / "protocol" / "captures"
CORPUS = ROOT / "fuzz" / "corpus"


def write(target, name, data):
    path = CORPUS / target / name
    path.write_bytes(data)
    print(f"{path.relative_to(ROOT)}: {len(data)} bytes")


def int32(v):
    return struct.pack("<i", v)


# --- the stream after the handshake, demultiplexed ---

def client_mux_start(c2s):
    """A client's handshake: int version, vstring of checksum names; frames follow."""
    n = c2s[4]
    assert n < 0x80
    return 4 + 1 + n


def server_mux_start(s2c):
    """A server's handshake: int version, varint compat flags, vstring checksum names, int seed."""
    pos = 4
    lead = s2c[pos]
    extra = 0
    while lead & (0x80 >> extra):
        extra += 1
    pos += 1 + extra
    n = s2c[pos]
    assert n < 0x80
    return pos + 1 + n + 4


def demux(stream):
    data = bytearray()
    pos = 0
    while pos + 4 <= len(stream):
        (head,) = struct.unpack_from("<I", stream, pos)
        tag, length = head >> 24, head & 0xFFFFFF
        pos += 4
        if tag == 7:
            data += stream[pos:pos + length]
        pos += length
    return bytes(data)


def filter_list_prefix(data):
    """The int-length-prefixed filter list at the start of a client's data stream."""
    pos = 0
    while True:
        (n,) = struct.unpack_from("<i", data, pos)
        pos += 4 + n
        if n == 0:
            return data[:pos]


# --- filter_rules: flags byte, the list, '\n'-separated names ---

NAMES = b"a.o\nkeep/x.o\nsub/hidden\nabs\ndir\ndir/f\n.rules\nsub/notthis\nthis\nx/y/z.c"
MERGE_TEXT = b"- *.tmp\n+ keep\n# a comment\n; another\n-! /only\nfoo.o\n\r\nsub/x.tmp"


def encode_list(rules):
    out = b""
    for r in rules:
        out += int32(len(r)) + r
    return out + int32(0)


def filter_seeds():
    for cap in ("filters", "filters_push", "pull1"):  # pull1: an empty list
        c2s = (CAPTURES / cap / "c2s.bin").read_bytes()
        rules = filter_list_prefix(demux(c2s[client_mux_start(c2s):]))
        for flags in (0, 3):
            write("filter_rules", f"{cap}_{flags}", bytes([flags]) + rules + NAMES)
    # Rules the captures lack, encoded as send_filter_list does.
    write("filter_rules", "merge_rules", b"\x00" + encode_list(
        [b"dir-merge,n .rules", b": /.rsync-filter", b":C", b"-C", b"+ **/", b"- *"])
        + MERGE_TEXT)
    write("filter_rules", "wild", b"\x02" + encode_list(
        [b"- [[:alpha:]]*[!0-9]", b"+ a\\*b", b"- /abs/***", b"exclude,x user.*",
         b"P protected/", b"hide secret", b"include **/sub/*.c", b"- ?[a-c]/**/z",
         b"!", b"- [^x]-[:digit:]]"]) + NAMES + b"\nabc1\na*b\nabs/q\nuser.a")
    write("filter_rules", "bad_length", b"\x00" + int32(5) + b"- *.o" + int32(-3))
    write("filter_rules", "too_long", b"\x00" + int32(8193) + b"-" * 16)


# --- mux_switch: header (flags, cut seed, 8 bytes of read kinds) and a whole stream ---

def kinds(values):
    values = (values + [0] * 16)[:16]
    return bytes(values[i] | (values[i + 1] << 4) for i in range(0, 16, 2))


def mux_switch_seeds():
    after = [2, 0, 4, 6, 10, 2, 12, 1, 7, 9, 11, 13]
    for cap in ("filters", "pull1", "push1", "delta1", "z1", "hl1", "pushdel"):
        c2s = (CAPTURES / cap / "c2s.bin").read_bytes()[:4096]
        s2c = (CAPTURES / cap / "s2c.bin").read_bytes()[:4096]
        # client -> server: int, vstring; server -> client: int, varint, vstring, int
        write("mux_switch", f"{cap}_c2s", bytes([2 << 1, len(cap)]) +
              kinds([2, 13] + after) + c2s)
        write("mux_switch", f"{cap}_s2c", bytes([4 << 1, 7 * len(cap)]) +
              kinds([2, 4, 13, 2] + after) + s2c)
    # switched one read early: the last handshake field is read from the frames
    s2c = (CAPTURES / "pull1" / "s2c.bin").read_bytes()
    write("mux_switch", "pull1_s2c_early", bytes([3 << 1, 1]) + kinds([2, 4, 13] + after) + s2c)


# --- flist_dirs: operations over the names of rsync's own sort-order capture ---

def name_bytes(name):
    b = name.encode()
    assert len(b) <= 24
    return bytes([len(b)]) + b


def flist_dirs_seeds():
    names = [n for n in (CAPTURES / "sort_rsync_full.txt").read_text().split("\n") if n]
    dirs = {n.rsplit("/", 1)[0] for n in names if "/" in n} | {"."}

    def children(parent):
        return [n for n in names if n != "." and (n.rsplit("/", 1)[0] if "/" in n else "") ==
                parent]

    def add(entries, dropped=()):
        out = bytes([0, len(entries), len(entries)])
        for e in entries:
            flags = (1 if e in dirs else 0) | (2 if e in dropped else 0)
            out += bytes([flags]) + name_bytes(e)
        return out

    top = ["."] + children("")
    ops = add(top)
    table = sorted([e for e in top if e in dirs])  # close enough for seeds: names are ASCII
    k = 0
    while k < len(table) and k < 40:
        d = table[k]
        ops += bytes([2, 2 * k])                                   # open its segment
        kids = children("" if d == "." else d)
        for kid in kids[:2]:
            ops += bytes([4, k]) + name_bytes(kid.rsplit("/", 1)[-1]) + b"\x01"
        ops += add(kids)
        table += sorted([e for e in kids if e in dirs])
        k += 1
    ops += bytes([2, 0])                 # a segment opened twice
    ops += bytes([6, 2, 2])              # the end, then a segment after it
    ops += bytes([7]) + int32(1) + int32(5) + int32(3) + int32(-102)
    write("flist_dirs", "sort_rsync_full", ops)
    write("flist_dirs", "dropped_dir", add([".", "a", "a"], dropped=("a",)) + bytes([2, 2, 2, 4]))
    write("flist_dirs", "arithmetic", bytes([7]) + int32(0x7FFFFFFC) + int32(5) +
          int32(0x7FFFFF9A) + int32(-0x80000000))


if __name__ == "__main__":
    which = sys.argv[1:] or ["filter_rules", "mux_switch", "flist_dirs"]
    for target in which:
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
        {"filter_rules": filter_seeds, "mux_switch": mux_switch_seeds,
         "flist_dirs": flist_dirs_seeds}[target]()
