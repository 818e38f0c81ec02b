#!/usr/bin/env python3
"""A remote shell for fault tests: runs the command locally like interop/pipe-rsh, and injects
one fault into the byte stream, chosen by environment variables:

  FAULT=flip-s2c | flip-c2s   flip one byte inside a long run of FAULT_BYTE (default 'Q') in the
                              server->client or client->server stream, once, after FAULT_AT
                              bytes of that direction (file data, not a header)
  FAULT=cut-s2c | cut-c2s     after FAULT_AT bytes of that direction, kill the remote command
                              and exit (a dying ssh)
  FAULT=kill-s2c | kill-c2s   the same, but the shell itself dies of SIGKILL
  FAULT=hold-s2c              like stall-s2c, but once the client is gone the server's output
                              stays open and unread while its input ends; how the server ended
                              ("exited N" or "hung" after FAULT_HOLD_S seconds) is written to
                              the file FAULT_REPORT
  FAULT=stall-s2c             after FAULT_AT bytes of server->client data, forward nothing more
                              (a hung link) until the client is gone
  FAULT=pauseat-s2c | pauseat-c2s  like pause-*, but after FAULT_AT bytes of that direction
  FAULT=pause-s2c | pause-c2s once the path FAULT_PAUSE_WHEN exists, forward nothing more in
                              that direction: create the file FAULT_PAUSED, wait until the path
                              FAULT_RESUME exists, then go on (the test acts on a quiet peer)
"""
import os
import select
import signal
import subprocess
import sys
import threading
import time

args = sys.argv[1:]
while args and args[0].startswith("-"):  # ssh-style options (-l user takes a value)
    if args[0] in ("-l", "-p", "-o", "-i"):
        args = args[2:]
    else:
        args = args[1:]
cmd = " ".join(args[1:])  # drop the host, then run the rest as sshd would
fault = os.environ.get("FAULT", "")
fault_at = int(os.environ.get("FAULT_AT", "65536"))
run_byte = ord(os.environ.get("FAULT_BYTE", "Q"))
pause_when = os.environ.get("FAULT_PAUSE_WHEN", "")
paused_marker = os.environ.get("FAULT_PAUSED", "")
resume_when = os.environ.get("FAULT_RESUME", "")
child = subprocess.Popen(["sh", "-c", cmd], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         bufsize=0)
if fault.startswith("hold-"):
    # outlive the client's clean-up signals to its remote shell (set after the spawn: the
    # server keeps its own dispositions)
    for sig in (signal.SIGUSR1, signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)


def write_all(fd, data):
    """Writes everything, also to a non-blocking fd the client handed us."""
    view = memoryview(data)
    while view:
        try:
            n = os.write(fd, view)
        except BlockingIOError:
            select.select([], [fd], [])
            continue
        view = view[n:]


def pause():
    with open(paused_marker, "w"):
        pass
    while not os.path.exists(resume_when):
        time.sleep(0.01)


def pump(src, dst, direction):
    seen = 0
    flipped = False
    paused = False
    run = 0
    while True:
        # Small reads while a pause is due: what the peer has not got yet stays here.
        chunk = os.read(src, 4096 if fault == "pause-" + direction and not paused else 65536)
        if not chunk:
            break
        if fault == "pause-" + direction and not paused and os.path.exists(pause_when):
            pause()
            paused = True
        if fault == "pauseat-" + direction and not paused and seen + len(chunk) >= fault_at:
            write_all(dst, chunk[: max(0, fault_at - seen)])
            chunk = chunk[max(0, fault_at - seen):]
            seen = max(seen, fault_at)
            pause()
            paused = True
        data = bytearray(chunk)
        if fault == "flip-" + direction and not flipped:
            for i, b in enumerate(data):
                run = run + 1 if b == run_byte else 0
                if seen + i >= fault_at and run >= 64:
                    data[i] ^= 0x01
                    flipped = True
                    break
        if fault == "hold-" + direction and seen + len(data) >= fault_at:
            # A remote shell that keeps the server's output open but reads no more of it once
            # the client is gone: the server sees only its input end. Its exit is reported.
            write_all(dst, bytes(data[: max(0, fault_at - seen)]))
            parent = os.getppid()
            while os.getppid() == parent:
                time.sleep(0.05)
            try:
                code = child.wait(timeout=float(os.environ.get("FAULT_HOLD_S", "20")))
                outcome = f"exited {code}"
            except subprocess.TimeoutExpired:
                child.kill()
                outcome = "hung"
            with open(os.environ["FAULT_REPORT"], "w") as f:
                f.write(outcome + "\n")
            os._exit(255)
        if fault == "stall-" + direction and seen + len(data) >= fault_at:
            write_all(dst, bytes(data[: max(0, fault_at - seen)]))
            parent = os.getppid()
            while os.getppid() == parent:  # until the client exits (we are re-parented)
                time.sleep(0.05)
            child.kill()
            os._exit(255)
        if fault == "kill-" + direction and seen + len(data) >= fault_at:
            write_all(dst, bytes(data[: max(0, fault_at - seen)]))
            child.kill()
            os.kill(os.getpid(), signal.SIGKILL)  # the remote shell dies of a signal
        if fault == "cut-" + direction and seen + len(data) >= fault_at:
            write_all(dst, bytes(data[: max(0, fault_at - seen)]))
            child.kill()
            os._exit(255)  # like ssh losing its connection
        seen += len(data)
        write_all(dst, bytes(data))
    if direction == "c2s":
        child.stdin.close()


threading.Thread(target=pump, args=(0, child.stdin.fileno(), "c2s"), daemon=True).start()
pump(child.stdout.fileno(), 1, "s2c")
sys.exit(child.wait())
