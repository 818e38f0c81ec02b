"""rsync_wire: the rsync wire protocol 30-32, just what a scripted test client needs.

Written from shared/docs/rsync-protocol.md (section numbers below refer to it). Encoders return
bytes; decoders take a `read(n) -> bytes` callable (which raises EOFError when the peer has
closed) so they work on a live pipe or on a captured stream alike. Nothing here spawns a
process or knows about tests: see hostile_client_test.py for that.

Covered: int32/shortint (§4.1), varint (§4.2), varlong (§4.3), vstring (§4.6), ndx (§4.7),
multiplex frames (§5), the client's half of the handshake (§2), filter lists (§6), file-list
entries in varint-flags mode (§7.2-7.5, without -o/-g/-D/-H/-c/-A/-X), sum heads (§8.3),
plain token streams (§9.2) and rsync's weak block sum (§8.4).
"""
import hashlib
import io
import struct

# --- §4.1 fixed-size integers ---


def int32(value):
    return struct.pack("<i", value)


def uint32(value):
    return struct.pack("<I", value & 0xFFFFFFFF)


def shortint(value):
    return struct.pack("<H", value & 0xFFFF)


def read_int32(read):
    return struct.unpack("<i", read(4))[0]


def read_shortint(read):
    return struct.unpack("<H", read(2))[0]


# --- §4.2 varint, §4.3 varlong ---


def _leading_ones(byte):
    count = 0
    while count < 8 and byte & (0x80 >> count):
        count += 1
    return count


def varlong(value, min_bytes):
    """A 64-bit value in at least min_bytes octets (min_bytes 1 is the 32-bit varint)."""
    b = bytearray(9)
    b[1:9] = (value & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    top = 8
    while top > min_bytes and b[top] == 0:
        top -= 1
    bit = 1 << (7 - top + min_bytes)
    if b[top] >= bit:
        top += 1
        b[0] = ~(bit - 1) & 0xFF
    elif top > min_bytes:
        b[0] = (b[top] | ~(bit * 2 - 1)) & 0xFF
    else:
        b[0] = b[top]
    return bytes(b[:top])


def varint(value):
    """rsync's 32-bit varint: value is taken as 32-bit two's complement (-1 takes 5 octets)."""
    return varlong(value & 0xFFFFFFFF, 1)


def read_varlong(read, min_bytes):
    head = read(min_bytes)
    extra = _leading_ones(head[0])
    if min_bytes + extra > 9:
        raise ValueError(f"varlong with {extra} extra octets")
    low = head[1:] + read(extra)
    top = head[0] & (0xFF >> extra) if extra else head[0]
    return int.from_bytes(low + bytes([top]), "little", signed=True)


def read_varint(read):
    first = read(1)[0]
    extra = _leading_ones(first)
    if extra > 4:
        raise ValueError(f"varint lead byte {first:#x}")
    low = read(extra)
    top = first & (0xFF >> extra) if extra else first
    raw = (low + bytes([top]) + bytes(4))[:4]
    return struct.unpack("<i", raw)[0]


# --- §4.6 vstring ---


def vstring(data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > 0x7FFF:
        raise ValueError("vstring longer than 0x7fff")
    if len(data) > 0x7F:
        return bytes([0x80 | len(data) >> 8, len(data) & 0xFF]) + data
    return bytes([len(data)]) + data


def read_vstring(read):
    first = read(1)[0]
    length = first
    if first & 0x80:
        length = (first & 0x7F) << 8 | read(1)[0]
    return read(length)


# --- §4.7 file indexes ---

NDX_DONE = -1
NDX_FLIST_EOF = -2
NDX_DEL_STATS = -3
NDX_FLIST_OFFSET = -101


class Ndx:
    """One direction's ndx state: encode() on the writing side, decode() on the reading side
    (each direction of a session has its own)."""

    def __init__(self):
        self.prev_pos = -1
        self.prev_neg = 1

    def encode(self, ndx):
        if ndx == NDX_DONE:
            return b"\x00"
        out = bytearray()
        if ndx >= 0:
            diff = ndx - self.prev_pos
            self.prev_pos = ndx
        else:
            out.append(0xFF)
            ndx = -ndx
            diff = ndx - self.prev_neg
            self.prev_neg = ndx
        if 0 < diff < 0xFE:
            out.append(diff)
        elif diff < 0 or diff > 0x7FFF:
            out += bytes([0xFE, 0x80 | (ndx >> 24) & 0x7F, ndx & 0xFF, (ndx >> 8) & 0xFF,
                          (ndx >> 16) & 0xFF])
        else:
            out += bytes([0xFE, diff >> 8, diff & 0xFF])
        return bytes(out)

    def decode(self, read):
        first = read(1)[0]
        negative = False
        if first == 0:
            return NDX_DONE
        if first == 0xFF:
            negative = True
            first = read(1)[0]
        prev = self.prev_neg if negative else self.prev_pos
        if first == 0xFE:
            b = read(2)
            if b[0] & 0x80:
                rest = read(2)
                num = int.from_bytes(bytes([b[1], rest[0], rest[1], b[0] & 0x7F]), "little")
            else:
                num = (b[0] << 8 | b[1]) + prev
        else:
            num = first + prev
        if negative:
            self.prev_neg = num
            return -num
        self.prev_pos = num
        return num


# --- §5 multiplexed frames ---

MPLEX_BASE = 7
MSG_DATA = 0
MSG_ERROR_XFER = 1
MSG_INFO = 2
MSG_ERROR = 3
MSG_WARNING = 4
MSG_IO_ERROR = 22
MSG_NOOP = 42
MSG_ERROR_EXIT = 86
MSG_SUCCESS = 100
MSG_DELETED = 101
MSG_NO_SEND = 102
FRAME_LEN_MAX = 0xFFFFFF


def frame(payload, tag=MSG_DATA):
    """payload as frames of tag (MSG_DATA payloads longer than a frame are split)."""
    out = bytearray()
    view = memoryview(bytes(payload))
    while True:
        chunk = view[:FRAME_LEN_MAX]
        out += uint32((MPLEX_BASE + tag) << 24 | len(chunk)) + chunk
        view = view[len(chunk):]
        if not view:
            return bytes(out)


def frame_header(tag, length):
    """A bare header (for frames that lie about their length)."""
    return uint32((MPLEX_BASE + tag) << 24 | length)


class Demux:
    """The byte stream inside the peer's MSG_DATA frames; other messages are collected in
    `messages` as (tag, payload). read(n) follows the §4 decoders' convention."""

    def __init__(self, raw_read):
        self.raw_read = raw_read
        self.buffer = bytearray()
        self.messages = []

    def _pull_frame(self):
        header = struct.unpack("<I", self.raw_read(4))[0]
        tag, length = (header >> 24) - MPLEX_BASE, header & FRAME_LEN_MAX
        payload = self.raw_read(length)
        if tag == MSG_DATA:
            self.buffer += payload
        else:
            self.messages.append((tag, payload))
            if tag == MSG_ERROR_EXIT:
                # A stock client stops here (it answers and exits); so does a scripted one.
                raise EOFError("the server sent MSG_ERROR_EXIT")

    def read(self, n):
        while len(self.buffer) < n:
            self._pull_frame()
        out = bytes(self.buffer[:n])
        del self.buffer[:n]
        return out


# --- §2 handshake (the client's half) ---

CF_INC_RECURSE = 0x01
CF_SAFE_FLIST = 0x08
CF_CHKSUM_SEED_FIX = 0x20
CF_VARINT_FLIST_FLAGS = 0x80

# The compact-option capability letters of a stock 3.2.4+ client, with and without 'i'.
CAPS_INC = ".iLsfxCIvu"
CAPS_NO_INC = ".LsfxCIvu"


def client_version(version):
    """§2.1: the first thing a client writes."""
    return int32(version)


def client_checksum_list(names="md5"):
    """§2.3: the client's checksum list (written after reading the compat flags, if 'v')."""
    return vstring(names)


class ServerHello:
    """What the server writes before multiplexing starts (§2.1-2.4)."""

    def __init__(self, version, compat_flags, checksum_list, seed):
        self.version = version
        self.compat_flags = compat_flags
        self.checksum_list = checksum_list
        self.seed = seed

    @property
    def inc_recurse(self):
        return bool(self.compat_flags & CF_INC_RECURSE)


def read_server_hello(read):
    version = read_int32(read)
    flags = read_varint(read)
    names = read_vstring(read) if flags & CF_VARINT_FLIST_FLAGS else b""
    seed = read_int32(read)
    return ServerHello(version, flags, names, seed)


# --- §6 filter list ---


def filter_list(rules):
    """Rules (str or bytes) as the client sends them, with the int 0 terminator."""
    out = bytearray()
    for rule in rules:
        rule = rule.encode() if isinstance(rule, str) else rule
        out += int32(len(rule)) + rule
    return bytes(out + int32(0))


# --- §7 file list (varint flags; options -r -l -p -t, no ids, devices, links or sums) ---

XMIT_TOP_DIR = 0x0001
XMIT_SAME_MODE = 0x0002
XMIT_EXTENDED_FLAGS = 0x0004
XMIT_SAME_UID = 0x0008
XMIT_SAME_GID = 0x0010
XMIT_SAME_NAME = 0x0020
XMIT_LONG_NAME = 0x0040
XMIT_SAME_TIME = 0x0080
XMIT_NO_CONTENT_DIR = 0x0100
XMIT_USER_NAME_FOLLOWS = 0x0400
XMIT_GROUP_NAME_FOLLOWS = 0x0800
XMIT_MOD_NSEC = 0x2000

S_IFDIR = 0o040000
S_IFREG = 0o100000
S_IFLNK = 0o120000
MTIME = 1704164645  # 2024-01-02 03:04:05 UTC, the captures' time


class Entry:
    def __init__(self, name, mode, size=0, mtime=MTIME, target=None, flags=0, data=b""):
        self.name = name.encode() if isinstance(name, str) else name
        self.data = data  # a regular file's content (what a scripted sender sends)
        self.mode, self.size, self.mtime, self.flags = mode, size, mtime, flags
        self.target = target.encode() if isinstance(target, str) else target


def file_entry(name, data=b"", perms=0o644, **kw):
    return Entry(name, S_IFREG | perms, len(data), data=data, **kw)


def dir_entry(name, perms=0o755, **kw):
    return Entry(name, S_IFDIR | perms, 4096, **kw)


def link_entry(name, target, **kw):
    target = target.encode() if isinstance(target, str) else target
    return Entry(name, S_IFLNK | 0o777, len(target), target=target, **kw)


class FlistEncoder:
    """The sender's side of §7.2: the "previous entry" state persists across segments, as it
    does in rsync (§7.4). preserve_links: -l is on (a symlink's target follows its mode)."""

    def __init__(self, preserve_links=True):
        self.preserve_links = preserve_links
        self.prev_name = b""
        self.prev_mode = 0
        self.prev_mtime = 0

    def entry(self, e):
        flags = e.flags | XMIT_SAME_UID | XMIT_SAME_GID
        if e.name == b"." and e.mode & S_IFDIR == S_IFDIR:
            flags |= XMIT_TOP_DIR
        if e.mode == self.prev_mode:
            flags |= XMIT_SAME_MODE
        if e.mtime == self.prev_mtime:
            flags |= XMIT_SAME_TIME
        common = 0
        limit = min(len(e.name), len(self.prev_name), 255)
        while common < limit and e.name[common] == self.prev_name[common]:
            common += 1
        suffix = e.name[common:]
        if common:
            flags |= XMIT_SAME_NAME
        if len(suffix) > 255:
            flags |= XMIT_LONG_NAME
        out = bytearray(varint(flags))
        if common:
            out.append(common)
        out += varint(len(suffix)) if flags & XMIT_LONG_NAME else bytes([len(suffix)])
        out += suffix + varlong(e.size, 3)
        if not flags & XMIT_SAME_TIME:
            out += varlong(e.mtime, 4)
        if not flags & XMIT_SAME_MODE:
            out += int32(e.mode)
        if e.mode & 0o170000 == S_IFLNK and self.preserve_links:
            out += varint(len(e.target or b"")) + (e.target or b"")
        self.prev_name, self.prev_mode, self.prev_mtime = e.name, e.mode, e.mtime
        return bytes(out)

    def entries(self, entries):
        return b"".join(self.entry(e) for e in entries)


def end_of_list(io_error=0):
    """§7.5, varint mode: flags 0 then the io_error varint."""
    return varint(0) + varint(io_error)


class FlistDecoder:
    """The receiving side of §7.2 for the options FlistEncoder covers, plus -o/-g ids with
    names (preserve_uid/gid). decode() returns an Entry, or None at the end of a list (the
    io_error is then in `io_error`)."""

    def __init__(self, preserve_links=True, preserve_uid=False, preserve_gid=False):
        self.preserve_links = preserve_links
        self.preserve_uid, self.preserve_gid = preserve_uid, preserve_gid
        self.prev_name, self.prev_mode, self.prev_mtime = b"", 0, 0
        self.io_error = 0

    def decode(self, read):
        flags = read_varint(read)
        if flags == 0:
            self.io_error = read_varint(read)
            return None
        common = read(1)[0] if flags & XMIT_SAME_NAME else 0
        length = read_varint(read) if flags & XMIT_LONG_NAME else read(1)[0]
        name = self.prev_name[:common] + read(length)
        size = read_varlong(read, 3)
        mtime = self.prev_mtime if flags & XMIT_SAME_TIME else read_varlong(read, 4)
        if flags & XMIT_MOD_NSEC:
            read_varint(read)
        mode = self.prev_mode if flags & XMIT_SAME_MODE else read_int32(read) & 0xFFFFFFFF
        if self.preserve_uid and not flags & XMIT_SAME_UID:
            read_varint(read)
            if flags & XMIT_USER_NAME_FOLLOWS:
                read(read(1)[0])
        if self.preserve_gid and not flags & XMIT_SAME_GID:
            read_varint(read)
            if flags & XMIT_GROUP_NAME_FOLLOWS:
                read(read(1)[0])
        target = None
        if mode & 0o170000 == S_IFLNK and self.preserve_links:
            target = read(read_varint(read))
        self.prev_name, self.prev_mode, self.prev_mtime = name, mode, mtime
        return Entry(name, mode, size, mtime, target, flags)


def _is_dir(entry):
    return entry.mode & 0o170000 == S_IFDIR


def flist_sort_key(entry):
    """§7.9's comparator as a key: `.` first, then per component files before directories,
    directories compared with a trailing '/'."""
    if entry.name == b".":
        return ()
    parts = entry.name.split(b"/")
    key = []
    for i, part in enumerate(parts):
        is_dir = i < len(parts) - 1 or _is_dir(entry)
        key.append((1, part + b"/") if is_dir else (0, part))
    return tuple(key)


def sorted_entries(entries):
    return sorted(entries, key=flist_sort_key)


# --- §8 requests, §9 file data ---

ITEM_REPORT_CHANGE = 0x0002
ITEM_BASIS_TYPE_FOLLOWS = 0x0800
ITEM_XNAME_FOLLOWS = 0x1000
ITEM_IS_NEW = 0x2000
ITEM_LOCAL_CHANGE = 0x4000
ITEM_TRANSFER = 0x8000
FNAMECMP_FUZZY = 0x83
BLOCK_LEN_MAX = 131072
DIGEST_LEN = {"md5": 16, "md4": 16, "xxh64": 8, "xxh3": 8, "xxh128": 16, "sha1": 20}


def sum_head(count=0, blength=0, s2length=0, remainder=0):
    return int32(count) + int32(blength) + int32(s2length) + int32(remainder)


class SumHead:
    def __init__(self, count, blength, s2length, remainder):
        self.count, self.blength = count, blength
        self.s2length, self.remainder = s2length, remainder

    def encode(self):
        return sum_head(self.count, self.blength, self.s2length, self.remainder)


def read_sum_head(read):
    return SumHead(*(read_int32(read) for _ in range(4)))


class Request:
    """One generator record (§8.1): ndx, iflags, basis type, xname, sum head, block sums."""

    def __init__(self, ndx, iflags=0, basis=None, xname=None, head=None, sums=b""):
        self.ndx, self.iflags, self.basis, self.xname = ndx, iflags, basis, xname
        self.head, self.sums = head, sums


def encode_item(ndx_state, ndx, iflags, basis=None, xname=None):
    """ndx + iflags [+ basis type byte] [+ xname]: both a request's and an echo's start."""
    if basis is not None:
        iflags |= ITEM_BASIS_TYPE_FOLLOWS
    if xname is not None:
        iflags |= ITEM_XNAME_FOLLOWS
    out = ndx_state.encode(ndx) + shortint(iflags)
    if basis is not None:
        out += bytes([basis])
    if xname is not None:
        out += vstring(xname)
    return out


def read_request(ndx_state, read):
    """A record from the generator; negative ndx values come back as a bare Request(ndx)."""
    ndx = ndx_state.decode(read)
    if ndx < 0:
        if ndx == NDX_DEL_STATS:
            for _ in range(5):
                read_varint(read)
        return Request(ndx)
    iflags = read_shortint(read)
    req = Request(ndx, iflags)
    if iflags & ITEM_BASIS_TYPE_FOLLOWS:
        req.basis = read(1)[0]
    if iflags & ITEM_XNAME_FOLLOWS:
        req.xname = read_vstring(read)
    if iflags & ITEM_TRANSFER:
        req.head = read_sum_head(read)
        req.sums = read(max(req.head.count, 0) * (4 + max(req.head.s2length, 0)))
    return req


def literal_tokens(data, chunk=32768):
    """§9.2: data as literal tokens, then the end token."""
    out = bytearray()
    for start in range(0, len(data), chunk):
        piece = data[start:start + chunk]
        out += int32(len(piece)) + piece
    return bytes(out + int32(0))


def file_digest(data, algo="md5"):
    """The whole-file checksum (unseeded, §9.3) for md5; the other algorithms need libxxhash."""
    if algo != "md5":
        raise ValueError("only md5 is implemented here")
    return hashlib.md5(data).digest()


def weak_sum(block):
    """§8.4: rsync's rolling checksum over signed bytes, as the int a sum list carries."""
    s1 = s2 = 0
    n = len(block)
    for i, byte in enumerate(block):
        signed = byte - 256 if byte > 127 else byte
        s1 += signed
        s2 += (n - i) * signed
    return ((s1 & 0xFFFF) | (s2 << 16)) & 0xFFFFFFFF


def bytes_reader(data):
    """A read(n) over captured bytes (EOFError when short), for decoding captures."""
    stream = io.BytesIO(data)

    def read(n):
        out = stream.read(n)
        if len(out) < n:
            raise EOFError(f"stream ended: wanted {n} bytes, had {len(out)}")
        return out

    return read
