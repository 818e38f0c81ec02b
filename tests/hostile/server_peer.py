"""A server process (`ursync --server ...` or `rsync --server ...`) on pipes, driven by a scripted
client: ServerPeer owns the process, bounded in time (a hang is reported, never waited out);
ScriptedClient speaks the client's half of the protocol over it with rsync_wire's codecs.
"""
import os
import select
import subprocess
import threading
import time

import rsync_wire as w

CASE_TIMEOUT_S = 10  # a server that has not exited by then is hung


class Hang(Exception):
    """The server neither answered nor exited within the case's time."""


class Truncated(EOFError):
    """The scripted client reached its byte limit and closed its end."""


class ServerPeer:
    """The process and everything it sent; read() blocks until enough stdout bytes came (or
    EOFError once it closed), write() never blocks past the deadline."""

    def __init__(self, argv, cwd, timeout_s=CASE_TIMEOUT_S):
        self.argv = argv
        self.deadline = time.monotonic() + timeout_s
        self.proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.set_blocking(self.proc.stdin.fileno(), False)
        self.out = bytearray()
        self.err = bytearray()
        self.pos = 0
        self.eof = False
        self.input_closed = False
        self.hung = False
        self.written = 0
        self.limit = None  # write at most this many bytes, then close (a truncated client)
        self.cond = threading.Condition()
        self.threads = [threading.Thread(target=self._pump, args=(self.proc.stdout, True)),
                        threading.Thread(target=self._pump, args=(self.proc.stderr, False))]
        for t in self.threads:
            t.daemon = True
            t.start()

    def _pump(self, stream, is_stdout):
        while True:
            chunk = os.read(stream.fileno(), 65536)
            with self.cond:
                if is_stdout:
                    if not chunk:
                        self.eof = True
                    self.out += chunk
                else:
                    self.err += chunk
                self.cond.notify_all()
            if not chunk:
                return

    def _left(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.hung = True
            raise Hang(f"no progress within the case's {CASE_TIMEOUT_S} s")
        return left

    def read(self, n):
        with self.cond:
            while len(self.out) - self.pos < n and not self.eof:
                self.cond.wait(self._left())
            if len(self.out) - self.pos < n:
                raise EOFError(f"server closed its output (wanted {n} more bytes)")
            data = bytes(self.out[self.pos:self.pos + n])
            self.pos += n
            return data

    def write(self, data):
        """Writes all of data unless the server has stopped reading (then drops it: a hostile
        client does not care)."""
        if self.input_closed:
            return
        fd = self.proc.stdin.fileno()
        view = memoryview(data)
        cut = self.limit is not None and self.written + len(view) >= self.limit
        if cut:
            view = view[:self.limit - self.written]
        while view:
            select.select([], [fd], [], self._left())
            try:
                n = os.write(fd, view)
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                self.close_input()
                return
            self.written += n
            view = view[n:]
        if cut:
            self.close_input()
            raise Truncated(f"the client stopped after {self.written} bytes")

    def close_input(self):
        if not self.input_closed:
            self.input_closed = True
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def finish(self):
        """Closes our end, waits for the exit; the return code (a hang kills the server and
        is remembered in `hung`)."""
        self.close_input()
        try:
            code = self.proc.wait(max(self.deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            self.hung = True
            self.proc.kill()
            code = self.proc.wait()
        for t in self.threads:
            t.join(5)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return code


class ScriptedClient:
    """The client's half of a session: hello() does the handshake the way a stock client does
    (version, then its checksum list once the compat flags arrived), after which send() frames
    data and read() returns the server's MSG_DATA stream."""

    def __init__(self, peer, version=32, checksums="md5"):
        self.peer = peer
        self.version = version
        self.checksums = checksums
        self.hello_reply = None
        self.demux = w.Demux(peer.read)
        self.out_ndx = w.Ndx()  # our ndx state (client -> server)
        self.in_ndx = w.Ndx()  # the server's

    def hello(self, pipelined=None):
        """pipelined: bytes to write together with the version and the checksum list, in one
        write, before reading anything (a client that does not wait for the compat flags)."""
        if pipelined is not None:
            self.peer.write(w.client_version(self.version)
                            + w.client_checksum_list(self.checksums) + pipelined)
        else:
            self.peer.write(w.client_version(self.version))
        version = w.read_int32(self.peer.read)
        flags = w.read_varint(self.peer.read)
        names = b""
        if flags & w.CF_VARINT_FLIST_FLAGS:
            if pipelined is None:
                self.peer.write(w.client_checksum_list(self.checksums))
            names = w.read_vstring(self.peer.read)
        seed = w.read_int32(self.peer.read)
        self.hello_reply = w.ServerHello(version, flags, names, seed)
        return self.hello_reply

    @property
    def inc_recurse(self):
        return self.hello_reply.inc_recurse

    def raw(self, data):
        self.peer.write(data)

    def send(self, data):
        self.peer.write(w.frame(data))

    def send_msg(self, tag, payload):
        self.peer.write(w.frame(payload, tag))

    def ndx(self, value):
        return self.out_ndx.encode(value)

    def read(self, n):
        return self.demux.read(n)

    def read_request(self):
        return w.read_request(self.in_ndx, self.read)

    def drain(self):
        """Reads until the server closes its output (a client that keeps its end open until
        the server is done, as stock clients do; closing early is a different case)."""
        try:
            while True:
                self.peer.read(1)
        except EOFError:
            pass

    def read_ndx(self):
        return self.in_ndx.decode(self.read)
