"""Runs one transfer (a cell or its rsync->rsync reference) into a fresh destination."""

import itertools
import os
import queue
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass

from . import compare, optsets, outputs, trees

# Every transfer, cell and reference alike, gets this --checksum-seed. With rsync's random seed
# (time ^ pid), phase 0's 2-byte strong sums let a false block match through now and then, and
# that file is sent again in phase 1 (other --stats, an extra itemize line): a cell would then
# differ from its reference by chance.
CHECKSUM_SEED = 1
FILES_MTIME_NS = 1_600_000_000 * 10**9  # the fixed mtime of an option set's files


@dataclass
class Programs:
    rsync: str             # absolute path of stock rsync
    ursync: str            # absolute path of the ursync binary (or a stand-in)
    ursync_missing: str    # reason ursync cells are skipped, or None

    def path(self, name):
        return self.rsync if name == "rsync" else self.ursync


@dataclass
class RunResult:
    argv: list
    exit_code: int | None   # None: killed after the timeout
    stdout: bytes
    stderr: bytes
    seconds: float
    snapshot: compare.Snapshot
    output: outputs.Output
    around: compare.Snapshot | None = None   # the run directory (optsets with siblings)


class Workspace:
    """The scratch directory of one harness run: source, destination states, run dirs."""

    def __init__(self, root, source=None, big_size=4 << 20, keep=False):
        self.root = root
        self.keep = keep
        self.generated = source is None
        self.source = os.path.join(root, "src") if source is None else os.path.abspath(source)
        self.big_size = big_size
        self.notes = []
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._template_snapshots = {}
        self.source_snapshot = None
        # Removing a tree costs ~0.15 s here (mostly waiting on the file system): run dirs are
        # renamed into trash/ and removed by a background thread while the next cells run.
        self._trash = queue.Queue()
        self._deleter = threading.Thread(target=self._delete_loop, daemon=True)
        self._deleter.start()

    def _delete_loop(self):
        while (path := self._trash.get()) is not None:
            shutil.rmtree(path, ignore_errors=True)

    def close(self):
        """Waits for the background deletions (the caller removes the root)."""
        self._trash.put(None)
        self._deleter.join()

    def prepare(self, states):
        """Builds the source (unless given) and every needed destination state."""
        if self.generated:
            self.notes = trees.make_source(self.source, self.big_size).missing
        self.source_snapshot = compare.snapshot(self.source)
        os.makedirs(os.path.join(self.root, "states"), exist_ok=True)
        for state in sorted(states):
            template = self.template(state)
            trees.make_dest_state(self.source, template, state)
            self._template_snapshots[state] = compare.snapshot(template)

    def template(self, state):
        return os.path.join(self.root, "states", state)

    def template_snapshot(self, state):
        return self._template_snapshots[state]

    def new_run_dir(self):
        with self._lock:
            number = next(self._counter)
        path = os.path.join(self.root, "runs", f"{number:05d}")
        os.makedirs(path)
        return path

    def finish_run_dir(self, path):
        if not self.keep:
            trash = os.path.join(self.root, "trash", os.path.basename(path))
            os.makedirs(os.path.dirname(trash), exist_ok=True)
            os.rename(path, trash)
            self._trash.put(trash)


class ProcessTracker:
    """The process groups of running transfers, so an interrupt can end them."""

    def __init__(self):
        self._lock = threading.Lock()
        self._procs = set()
        self.stopping = False

    def add(self, proc):
        with self._lock:
            self._procs.add(proc)

    def remove(self, proc):
        with self._lock:
            self._procs.discard(proc)

    def kill_all(self):
        self.stopping = True
        with self._lock:
            procs = list(self._procs)
        for proc in procs:
            _kill_group(proc)


def _kill_group(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the group we created for this transfer
    except ProcessLookupError:
        pass


class Runner:
    def __init__(self, workspace, transports, programs, env, timeout_s, tracker):
        self.ws = workspace
        self.transports = transports
        self.programs = programs
        self.env = env
        self.timeout_s = timeout_s
        self.tracker = tracker

    def command(self, cell, dst, run_dir=None, source=None):
        opt = optsets.BY_NAME[cell.optset]
        source = (source or self.ws.source).rstrip("/")

        def fill(arg):
            return arg.replace("{run}", run_dir or "").replace("{src}", source)

        args = [fill(a) for a in opt.args]
        argv = [self.programs.path(cell.client), *args, f"--checksum-seed={CHECKSUM_SEED}"]
        if cell.protocol != 32:
            argv.append(f"--protocol={cell.protocol}")
        if cell.inc == "off":
            argv.append("--no-inc-recursive")
        srcs = [fill(a) for a in opt.src_args] or [source + "/"]
        dst = dst + opt.dest_sub + "/"
        if cell.direction == "local":
            return argv + srcs + ([] if opt.no_dest else [dst])
        rsh, host = self.transports.rsh_and_host(cell.transport)
        argv += ["-e", rsh, f"--rsync-path={self.programs.path(cell.server)}"]
        if cell.direction == "push":
            return argv + srcs + [f"{host}:{dst}"]
        # rsync takes the later remote args of a pull without the host ("host:a :b" or "b").
        return (argv + [f"{host}:{srcs[0]}", *(":" + s for s in srcs[1:])] +
                ([] if opt.no_dest else [dst]))

    def _set_up(self, opt, run_dir):
        """The run's siblings, files and own source; returns the source path to use."""
        for name, state in opt.siblings:
            trees.copy_state(self.ws.template(state), os.path.join(run_dir, name))
        for name, data in opt.files:
            path = os.path.join(run_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            os.utime(path, ns=(FILES_MTIME_NS, FILES_MTIME_NS))  # compared with the run dir
        if not opt.own_source:
            return None
        source = os.path.join(run_dir, "src")
        trees.copy_state(self.ws.source, source)
        return source

    def run(self, cell):
        """Runs the cell's transfer into a fresh copy of its starting state."""
        if self.tracker.stopping:
            raise KeyboardInterrupt
        run_dir = self.ws.new_run_dir()
        try:
            dst = os.path.join(run_dir, "dst")
            trees.copy_state(self.ws.template(cell.state), dst)
            opt = optsets.BY_NAME[cell.optset]
            source = self._set_up(opt, run_dir)
            argv = self.command(cell, dst, run_dir, source)
            started = time.monotonic()
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=self.env, cwd=run_dir,
                                    start_new_session=True)
            self.tracker.add(proc)
            try:
                stdout, stderr = proc.communicate(timeout=self.timeout_s)
                exit_code = proc.returncode
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                stdout, stderr = proc.communicate()
                exit_code = None
            finally:
                self.tracker.remove(proc)
            seconds = time.monotonic() - started
            if self.tracker.stopping:
                raise KeyboardInterrupt
            # Messages name the destination ("created directory ..."); every run has its own.
            placeholder = b"<RUN>"
            stdout = stdout.replace(os.fsencode(run_dir), placeholder)
            stderr = stderr.replace(os.fsencode(run_dir), placeholder)
            around = None
            if opt.siblings or opt.files or opt.own_source or opt.around:
                around = compare.snapshot(run_dir)
                around.entries.pop(".", None)  # the run directory itself is new every time
            return RunResult(argv, exit_code, stdout, stderr, seconds, compare.snapshot(dst),
                             outputs.Output(stdout), around)
        finally:
            self.ws.finish_run_dir(run_dir)
