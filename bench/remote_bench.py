#!/usr/bin/env python3
"""ursync vs rsync over a remote shell, in all four seats, through the pipe shell and ssh (issue 16).

One invocation measures, alternated run by run, every selected case in every selected seat and
transport, each run on a fresh destination (old destinations are deleted only at the end):

  cases       pull-new    N x 4 KiB tree pulled into an empty destination
              push-new    the same tree pushed into an empty destination
              noop-pull   no-op pull re-sync onto an identical copy
              delta-pull  a big file with 256 scattered 4 KiB blocks changed, pulled with --no-W
  seats       rr  rsync client <-> rsync --server          (the baseline of every ratio)
              ur  ursync client <-> stock rsync --server
              ru  stock rsync client <-> ursync --server   (--rsync-path=URSYNC)
              uu  ursync client <-> ursync --server
  transports  pipe  interop/pipe-rsh: a -e script that runs the server command on this machine
              ssh   real ssh to the loopback sshd of tests/fixtures/sshd_fixture.py

Reports per cell the median wall time, the ratio to rsync<->rsync of the same run (> 1: faster
than rsync), CPU (user+sys) and context switches of the whole process tree, peak RSS (the max
over the processes, not a sum) and, for delta-pull, literal/matched bytes. See bench/README.md.

Usage: bench/remote_bench.py [--quick] [--runs 3] [--files 20000] [--big-mib 1024]
         [--ursync PATH] [--transports pipe,ssh] [--cases ...] [--seats rr,ur,ru,uu]
         [--workdir /work/bd-remote] [--loop] [--markdown FILE] [--png FILE]
Must run as root (the sshd fixture; the loop-mounted ext4 image).
"""
import argparse
import datetime
import hashlib
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import local_bench as lb  # noqa: E402  (workloads, tree comparison, parallel delete, ext4 window)
import png_chart  # noqa: E402
import sshd_fixture  # noqa: E402

CASES = ["pull-new", "push-new", "noop-pull", "delta-pull"]
CASE_TITLES = {"pull-new": "pull, empty dst", "push-new": "push, empty dst",
               "noop-pull": "no-op pull", "delta-pull": "delta pull"}
SEATS = ["rr", "ur", "ru", "uu"]
SEAT_TITLES = {"rr": "rsync <-> rsync", "ur": "ursync client, rsync server",
               "ru": "rsync client, ursync server", "uu": "ursync <-> ursync"}
TRANSPORTS = ["pipe", "ssh"]
TRANSPORT_TITLES = {"pipe": "pipe remote shell (interop/pipe-rsh)", "ssh": "ssh to the loopback sshd"}
HOSTS = {"pipe": "root@localhost", "ssh": "root@127.0.0.1"}
CHECKSUM_SEED = 20261207  # fixed: the delta's block sums (and so literal/matched) are reproducible
RUN_TIMEOUT_S = 900
TREE_DIR_MTIME_NS = 1_600_000_000_123_456_789  # 2020-09-13, with nanoseconds

# The runner: fork, exec, wait; then reap every descendant that was orphaned onto it (it is a
# child subreaper) and report getrusage(RUSAGE_CHILDREN): CPU, context switches summed over the
# whole tree, ru_maxrss the max over it. Exits with the command's status, so it can also wrap
# the server command (--rsync-path="RUNNER FILE rsync") without changing what the client sees.
# Why C and not os.wait4 on a Python child: exec records the peak RSS of the address space it
# replaces in the new program's maxrss, and a child of Python starts with Python's (~80 MiB);
# a child of this runner starts at ~1 MiB (bench/README.md, "Measuring").
RUNNER_C = r"""
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
    if (argc < 3) return 125;
    struct timespec t0, t1;
    struct rusage ru;
    int st = 0, other;
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 125; }
    if (pid == 0) { execvp(argv[2], argv + 2); perror(argv[2]); _exit(127); }
    while (waitpid(pid, &st, 0) < 0) if (errno != EINTR) { perror("waitpid"); return 125; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    while (wait(&other) > 0 || errno == EINTR) {}
    getrusage(RUSAGE_CHILDREN, &ru);
    FILE *f = fopen(argv[1], "w");
    if (!f) { perror(argv[1]); return 125; }
    fprintf(f, "%d %.9f %.6f %ld %ld %ld\n", st,
            (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
            ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
            ru.ru_nvcsw, ru.ru_nivcsw, ru.ru_maxrss);
    if (fclose(f)) return 125;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
"""


class BenchError(Exception):
    pass


log = lb.log


def build_runner(directory):
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        raise BenchError("a C compiler (cc) is needed for the measuring runner")
    tag = hashlib.sha256(RUNNER_C.encode()).hexdigest()[:12]
    exe = os.path.join(directory, f".ursync-remote-runner-{tag}")
    if not os.access(exe, os.X_OK):
        with open(exe + ".c", "w") as f:
            f.write(RUNNER_C)
        subprocess.run([cc, "-O2", "-o", exe + ".tmp", exe + ".c"], check=True)
        os.rename(exe + ".tmp", exe)
    return exe


def read_result(path, wait_s=0.0):
    """(status, wall, cpu, nvcsw, nivcsw, maxrss KiB) from a runner's result file."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with open(path) as f:
                fields = f.read().split()
            if len(fields) == 6:
                return (int(fields[0]), float(fields[1]), float(fields[2]), int(fields[3]),
                        int(fields[4]), int(fields[5]))
        except OSError:
            pass
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.01)


def proc_child_cpu_s(pid):
    """cutime + cstime of pid (its reaped children, recursively), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[13]) + int(rest[14])) / os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------- the filesystem

class Scratch:
    """Where workloads and destinations live: the workdir itself when it is on ext4, otherwise
    (or with --loop) a fresh ext4 image loop-mounted under it, removed at the end."""

    def __init__(self, args, need_bytes, need_inodes):
        self.args = args
        os.makedirs(args.workdir, exist_ok=True)
        fs = lb.fs_of(os.path.realpath(args.workdir))
        self.mnt = self.image = None
        if args.loop or not fs.startswith("ext4 "):
            why = "--loop" if args.loop else f"{args.workdir} is on {fs.split()[0]}, not ext4"
            self.image = os.path.join(args.workdir, f"ext4-{os.getpid()}.img")
            self.mnt = os.path.join(args.workdir, f"ext4-{os.getpid()}.mnt")
            size = int(need_bytes * 1.3) + (512 << 20)
            inodes = int(need_inodes * 1.2) + 10000
            log(f"{why}: making a {size / 2**30:.1f} GiB ext4 image with {inodes:,} inodes, "
                f"loop-mounted on {self.mnt}")
            with open(self.image, "wb") as f:
                f.truncate(size)
            subprocess.run(["mkfs.ext4", "-q", "-F", "-O", "^has_journal", "-N", str(inodes),
                            "-E", "nodiscard,lazy_itable_init=0,lazy_journal_init=0", self.image],
                           check=True)
            os.makedirs(self.mnt)
            subprocess.run(["mount", "-o", "loop", self.image, self.mnt], check=True)
            self.dir = self.mnt
        else:
            self.dir = args.workdir
        self.fs = lb.fs_of(os.path.realpath(self.dir))
        vfs = os.statvfs(self.dir)
        free = vfs.f_bavail * vfs.f_frsize
        if need_bytes * 1.1 > free:
            raise BenchError(f"not enough space in {self.dir}: need about "
                             f"{need_bytes * 1.1 / 2**30:.1f} GiB, {free / 2**30:.1f} GiB free")

    def cleanup(self, trash_paths):
        if self.mnt:
            subprocess.run(["umount", self.mnt], check=False)
            os.rmdir(self.mnt)
            os.unlink(self.image)
            log("unmounted and removed the ext4 image")
        else:
            lb.delete_trees(trash_paths, self.args.workdir, "old destinations (trash)")


# --------------------------------------------------------------------------- the bench

class Bench:
    def __init__(self, args, scratch, wl, runner, sshd_state):
        self.args, self.scratch, self.wl, self.runner = args, scratch, wl, runner
        self.sshd_state = sshd_state
        self.ssh_command = None
        if sshd_state:
            with open(os.path.join(sshd_state, "ssh_command")) as f:
                self.ssh_command = f.read().strip()
        self.runs = os.path.join(scratch.dir, f"runs-{os.getpid()}")
        self.trash = os.path.join(scratch.dir, f"trash-{os.getpid()}")
        self.logs = os.path.join(args.workdir, "logs")
        for d in (self.runs, self.trash, self.logs):
            os.makedirs(d, exist_ok=True)
        self.n = 0
        self.noop_dst = None

    def fresh(self, label):
        self.n += 1
        return os.path.join(self.runs, f"{label}-{self.n}")

    def command(self, transport, case, seat, src, dst, server_result):
        a = self.args
        client = a.ursync if seat[0] == "u" else a.rsync
        server = a.ursync if seat[1] == "u" else a.rsync
        rsh = shlex.quote(os.path.join(ROOT, "interop", "pipe-rsh")) if transport == "pipe" \
            else self.ssh_command
        argv = [client, "-a", f"--checksum-seed={CHECKSUM_SEED}", "-e", rsh,
                f"--rsync-path={self.runner} {server_result} {server}"]
        if case == "delta-pull":
            argv += ["--no-W", "--stats"]
        host = HOSTS[transport]
        desc = shlex.join([os.path.basename(client)] + argv[1:3] + [
            "-e", transport, f"--rsync-path={os.path.basename(server)}"] + argv[6:])
        if case == "push-new":
            return argv + [src + "/", f"{host}:{dst}/"], desc
        return argv + [f"{host}:{src}/", dst + "/"], desc

    def sshd_pid(self):
        with open(os.path.join(self.sshd_state, "sshd.pid")) as f:
            return int(f.read())

    def timed(self, transport, argv, out, err, server_res):
        """Runs argv through the runner; returns a dict of the whole tree's figures."""
        client_res = os.path.join(self.logs, "client.result")
        for p in (client_res, server_res):
            if os.path.exists(p):
                os.unlink(p)
        sshd_cpu0 = proc_child_cpu_s(self.sshd_pid()) if transport == "ssh" else 0.0
        busy0 = lb.machine_busy_s()
        actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
                   (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
                   (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
        pid = os.posix_spawn(self.runner, [self.runner, client_res] + argv, os.environ,
                             file_actions=actions, setsid=True)
        timer = threading.Timer(RUN_TIMEOUT_S, lambda: os.killpg(pid, signal.SIGKILL))
        timer.start()
        try:
            os.wait4(pid, 0)
        finally:
            timer.cancel()
        busy = lb.machine_busy_s() - busy0
        c = read_result(client_res)
        s = read_result(server_res, wait_s=5.0)

        def tail():
            with open(err, errors="replace") as e:
                return e.read()[-3000:]
        if c is None:
            raise BenchError(f"the runner failed for {' '.join(argv)}:\n{tail()}")
        if os.waitstatus_to_exitcode(c[0]) != 0:
            raise BenchError(f"{' '.join(argv)} exited with {os.waitstatus_to_exitcode(c[0])}:\n{tail()}")
        if s is None:
            raise BenchError(f"no server figures ({server_res}) for {' '.join(argv)}")
        r = {"wall": c[1], "cpu": c[2], "csw": c[3] + c[4], "rss": c[5],
             "server_cpu": s[2], "server_rss": s[5], "sshd_cpu": 0.0}
        if transport == "ssh":
            # The server ran under sshd, outside the client's tree: add its tree, and what sshd's
            # session processes used (sshd's children's CPU, which includes the server's tree,
            # once sshd has reaped the session). Their context switches and RSS are not counted.
            pid = self.sshd_pid()
            deadline = time.monotonic() + 5
            while sshd_fixture._descendants(pid) and time.monotonic() < deadline:
                time.sleep(0.01)
            sshd_children = proc_child_cpu_s(pid) - sshd_cpu0
            r["sshd_cpu"] = max(0.0, sshd_children - s[2])
            r["cpu"] += max(sshd_children, s[2])
            r["csw"] += s[3] + s[4]
            r["rss"] = max(r["rss"], s[5])
        r["others"] = max(0.0, busy - r["cpu"])
        return r

    def prepare_case(self, case):
        wl = self.wl
        if case in ("pull-new", "push-new", "noop-pull"):
            lb.warm(wl.tree)
        else:
            lb.warm(wl.big_src)
            lb.warm(wl.big_old)
        if case == "noop-pull" and self.noop_dst is None:
            self.noop_dst = self.fresh("noop-dst")
            subprocess.run(["cp", "-a", wl.tree, self.noop_dst], check=True)
            lb.compare_trees(wl.tree, self.noop_dst)
            lb.warm(self.noop_dst)

    def run_one(self, transport, case, seat, i):
        wl, a = self.wl, self.args
        src = wl.big_src if case == "delta-pull" else wl.tree
        if case == "noop-pull":
            dst = self.noop_dst
        elif case == "delta-pull":
            dst = self.fresh(f"{transport}-{case}-{seat}")
            os.mkdir(dst)
            subprocess.run(["cp", "--reflink=auto", "--preserve=timestamps,mode", wl.big_old,
                            os.path.join(dst, "big")], check=True)
        else:
            dst = self.fresh(f"{transport}-{case}-{seat}")  # absent: the client creates it
        tag = f"{transport}-{case}-{seat}"
        server_res = os.path.join(self.logs, "server.result")
        argv, desc = self.command(transport, case, seat, src, dst, server_res)
        out, err = os.path.join(self.logs, tag + ".out"), os.path.join(self.logs, tag + ".err")
        if not a.no_sync:
            os.sync()  # earlier runs' dirty pages are not written back during this one
        r = self.timed(transport, argv, out, err, server_res)
        try:
            lb.compare_trees(src, dst)
        except lb.BenchError as e:
            kept = os.path.join(self.scratch.dir, f"failed-{tag}-{i + 1}")
            os.rename(dst, kept)
            raise BenchError(f"{tag} run {i + 1} produced a wrong destination (kept at {kept}): "
                             f"{e}\ncommand: {shlex.join(argv)}")
        r["lm"] = lb.literal_matched(out) if case == "delta-pull" else None
        if case == "delta-pull":  # one inode: unlink now, keeps disk use bounded
            os.unlink(os.path.join(dst, "big"))
            os.rmdir(dst)
        elif dst != self.noop_dst:
            os.rename(dst, os.path.join(self.trash, os.path.basename(dst)))  # deleted at the end
        r["cmd"] = desc
        log(f"   {transport:4} {case:10} {seat} run {i + 1}/{a.runs}  {r['wall']:8.3f} s  "
            f"cpu {r['cpu']:6.3f} s  csw {r['csw']:7}  rss {r['rss'] / 1024:6.1f} MiB  "
            f"others {r['others']:5.2f} s" + (f"  literal {r['lm'][0]:,} matched {r['lm'][1]:,}"
                                                if r["lm"] else ""))
        return r

    def run(self):
        a = self.args
        res = {}  # (transport, case, seat) -> list of run dicts
        for case in a.cases:
            log(f"== {case}: warming the source ...")
            self.prepare_case(case)
            for transport in a.transports:
                for i in range(a.runs):
                    k = i % len(a.seats)
                    for seat in a.seats[k:] + a.seats[:k]:  # rotate who goes first
                        res.setdefault((transport, case, seat), []).append(
                            self.run_one(transport, case, seat, i))
        if self.noop_dst:
            os.rename(self.noop_dst, os.path.join(self.trash, os.path.basename(self.noop_dst)))
        return res


# --------------------------------------------------------------------------- report

def summarize(args, res):
    cells = {}
    for (transport, case, seat), runs in res.items():
        walls = [r["wall"] for r in runs]
        lms = sorted(set(r["lm"] for r in runs if r["lm"]))
        cells[(transport, case, seat)] = {
            "wall": statistics.median(walls), "min": min(walls), "max": max(walls),
            "cpu": statistics.median(r["cpu"] for r in runs),
            "server_cpu": statistics.median(r["server_cpu"] for r in runs),
            "sshd_cpu": statistics.median(r["sshd_cpu"] for r in runs),
            "csw": int(statistics.median(r["csw"] for r in runs)),
            "rss": max(r["rss"] for r in runs), "lm": lms, "cmd": runs[0]["cmd"],
            "others": sum(r["others"] for r in runs) / max(sum(walls), 1e-9),
        }
    for (transport, case, seat), c in cells.items():
        base = cells.get((transport, case, "rr"))
        c["ratio"] = base["wall"] / c["wall"] if base else None
    return cells


def fmt_s(x):
    return f"{x:.3f}" if x < 10 else f"{x:.2f}"


def environment_lines(args, scratch, runner_note):
    h = hashlib.sha256()
    with open(args.ursync, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip() or "?"
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}, kernel "
        f"{platform.release()}, {os.cpu_count()} CPUs; load average at the start: {args.loadavg}",
        f"- filesystem: {scratch.fs}" + (" (a fresh ext4 image without a journal, loop-mounted "
                                          "for this run)" if scratch.mnt else ""),
        f"- ursync: `{args.ursync}` ({lb.tool_version([args.ursync, '--version'])}, sha256 "
        f"{h.hexdigest()[:12]}; repo at report time: {rev}); rsync: "
        f"{lb.tool_version([args.rsync, '--version'])}",
        f"- workloads: {args.files:,} x 4 KiB files in {args.dirs} dirs; a {args.big_mib} MiB "
        "file whose old version differs in 256 scattered 4 KiB blocks (1 MiB)",
        f"- {args.runs} run(s) per cell; the seats alternate run by run (the order rotates each "
        "round); medians; every destination fresh (trees kept until the end, then deleted; a "
        "delta destination is a copy of the old file made before the timed run and unlinked "
        "after its check); sources warm; "
        + ("no sync" if args.no_sync else "`sync` before every timed run (outside the timing)")
        + (f"; waited {args.waited:.0f} s for ext4's recently-deleted-inode window" if args.waited > 0 else ""),
        f"- every command: `-a --checksum-seed={CHECKSUM_SEED} -e RSH --rsync-path=\"RUNNER FILE "
        "SERVER\"` (delta: `--no-W --stats`); every destination is checked after its run (names, "
        "types, sizes, mtimes, modes, bytes)",
        f"- {runner_note}",
        "- ratio = wall of rsync<->rsync / wall of the seat, same transport and case "
        "(> 1: faster than rsync); others' CPU: what the rest of the machine used during the "
        "timed runs, in cores (/proc/stat; above ~0.2 the run was disturbed)",
        f"- command: `{shlex.join(sys.argv)}`",
    ]


def markdown(args, scratch, cells, png_rel=None):
    runner_note = (
        "wall, CPU, context switches and peak RSS come from a small C runner (fork, exec, wait, "
        "then reap orphans as a child subreaper; getrusage(RUSAGE_CHILDREN)) around the client, "
        "and the same runner around the server command (`--rsync-path`). pipe: the server is "
        "inside the client's tree, so the client's figures cover both ends. ssh: the server's "
        "tree is added, and CPU also includes sshd's session processes (sshd's children's "
        "cutime+cstime delta, 10 ms ticks); their context switches and RSS are not counted. "
        "CPU = user+sys; ctx sw = voluntary + involuntary; **peak RSS is the max of ru_maxrss "
        "over the processes of the tree (the largest single process), not their sum**, max "
        "over the runs")
    lines = [f"### Remote transfers, four seats ({'quick smoke run' if args.quick else 'full'})", ""]
    lines += environment_lines(args, scratch, runner_note) + [""]
    for transport in args.transports:
        lines += [f"**{TRANSPORT_TITLES[transport]}**: median wall s (ratio to rsync<->rsync)", "",
                  "| case | " + " | ".join(SEAT_TITLES[s] for s in args.seats) + " |",
                  "|---|" + "---|" * len(args.seats)]
        for case in args.cases:
            row = [case_title(args, case)]
            for seat in args.seats:
                c = cells[(transport, case, seat)]
                ratio = f" ({c['ratio']:.2f}×)" if c["ratio"] is not None else ""
                row.append(f"{fmt_s(c['wall'])}{ratio}")
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    lines += ["Details:", "",
              "| transport | case | seat | wall s | spread s | ratio | CPU s (server / sshd) | "
              "ctx sw | peak RSS MiB | others' CPU (cores) | literal | matched |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for transport in args.transports:
        for case in args.cases:
            for seat in args.seats:
                c = cells[(transport, case, seat)]
                lit = ", ".join(f"{x:,}" for x, _ in c["lm"])
                mat = ", ".join(f"{y:,}" for _, y in c["lm"])
                sshd = f" / {c['sshd_cpu']:.3f}" if transport == "ssh" else ""
                ratio = f"{c['ratio']:.2f}" if c["ratio"] is not None else "–"
                lines.append(
                    f"| {transport} | {case} | {SEAT_TITLES[seat]} | {fmt_s(c['wall'])} | "
                    f"{fmt_s(c['min'])}–{fmt_s(c['max'])} | {ratio} | {c['cpu']:.3f} "
                    f"({c['server_cpu']:.3f}{sshd}) | {c['csw']:,} | {c['rss'] / 1024:.1f} | "
                    f"{c['others']:.2f} | {lit} | {mat} |")
    lines.append("")
    if "delta-pull" in args.cases:
        for transport in args.transports:
            seen = {seat: cells[(transport, "delta-pull", seat)]["lm"] for seat in args.seats}
            distinct = set(tuple(v) for v in seen.values())
            lines.append(f"- delta-pull literal/matched bytes, {transport}: "
                         + ("equal in every seat and run" if len(distinct) == 1 and
                            len(next(iter(distinct))) == 1 else "**differ between seats or runs**")
                         + ": " + "; ".join(f"{SEAT_TITLES[s]} " + ", ".join(
                             f"{x:,} / {y:,}" for x, y in v) for s, v in seen.items()))
        lines.append("")
    lines.append("Targets (issue 16, ratios to rsync<->rsync in the same run):")
    lines.append("")
    lines += [f"- {text}: {verdict}" for text, verdict in targets(args, cells)] or \
        ["- none of them apply to the selected seats and cases"]
    lines.append("")
    if png_rel:
        lines += [f"![ratio to rsync<->rsync per case and seat]({png_rel})", ""]
    return "\n".join(lines)


def targets(args, cells):
    out = []

    def check(text, pairs, need):
        got = [(t, c, s, cells[(t, c, s)]["ratio"]) for t, c, s in pairs if (t, c, s) in cells]
        if not got:
            return
        bad = [f"{t} {c} {s} {r:.2f}" for t, c, s, r in got if r < need]
        out.append((text, "met" if not bad else "**not met** (" + ", ".join(bad) + ")"))
    tr = args.transports
    check("ursync<->ursync ≥ 2× on small-file pull and push",
          [(t, c, "uu") for t in tr for c in ("pull-new", "push-new")], 2.0)
    check("ursync<->ursync ≥ 1.5× on the no-op", [(t, "noop-pull", "uu") for t in tr], 1.5)
    check("no seat with ursync at either end slower than rsync<->rsync",
          [(t, c, s) for t in tr for c in args.cases for s in ("ur", "ru", "uu")], 1.0)
    check("delta: ursync<->ursync ≥ rsync<->rsync", [(t, "delta-pull", "uu") for t in tr], 1.0)
    return out


def case_title(args, case):
    big = f"{args.big_mib} MiB" if args.big_mib < 1024 else f"{args.big_mib / 1024:g} GiB"
    return {"pull-new": f"pull {args.files:,} × 4 KiB into an empty dst",
            "push-new": f"push {args.files:,} × 4 KiB into an empty dst",
            "noop-pull": f"no-op pull re-sync of {args.files:,} files",
            "delta-pull": f"delta pull, {big} with 1 MiB changed"}[case]


def chart(path, args, cells):
    panels = []
    for transport in args.transports:
        groups = [(CASE_TITLES[case], {SEAT_TITLES[s]: cells[(transport, case, s)]["ratio"]
                                       for s in args.seats}) for case in args.cases]
        panels.append((TRANSPORT_TITLES[transport], groups))
    png_chart.grouped_bars(
        path, f"ursync vs rsync over a remote shell, median of {args.runs}"
        + (" (quick smoke run)" if args.quick else ""),
        panels, [SEAT_TITLES[s] for s in args.seats],
        note="bars: wall of rsync<->rsync / wall of the seat (>1 = faster than rsync)")


# --------------------------------------------------------------------------- main

def split_list(ap, value, allowed, what):
    items = [x.strip() for x in value.split(",") if x.strip()]
    bad = [x for x in items if x not in allowed]
    if bad or not items:
        ap.error(f"unknown {what} {bad}; choose from {', '.join(allowed)}")
    return [x for x in allowed if x in items]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--files", type=int, help="files in the tree (default 20000, --quick 600)")
    ap.add_argument("--dirs", type=int, help="directories in the tree (default 200, --quick 6)")
    ap.add_argument("--big-mib", type=int, help="big file in MiB (default 1024, --quick 16)")
    ap.add_argument("--runs", type=int, help="runs per cell (default 3, --quick 1)")
    ap.add_argument("--quick", action="store_true", help="tiny sizes and 1 run: a smoke check")
    ap.add_argument("--ursync", default=os.environ.get("URSYNC_BIN", os.path.join(ROOT, "build", "ursync")))
    ap.add_argument("--rsync", default=shutil.which("rsync") or "/usr/bin/rsync")
    ap.add_argument("--transports", default="pipe,ssh", help="default %(default)s")
    ap.add_argument("--cases", default=",".join(CASES), help="default %(default)s")
    ap.add_argument("--seats", default=",".join(SEATS), help="default %(default)s (rr is the baseline)")
    ap.add_argument("--workdir", default="/work/bd-remote",
                    help="workloads, destinations, logs (default %(default)s)")
    ap.add_argument("--loop", action="store_true",
                    help="always use a fresh loop-mounted ext4 image (default: only when the "
                         "workdir is not on ext4)")
    ap.add_argument("--markdown", help="write the table section to this file")
    ap.add_argument("--png", help="write the chart (ratio per case and seat) to this file")
    ap.add_argument("--no-sync", action="store_true", help="no sync before each timed run")
    ap.add_argument("--no-wait", action="store_true",
                    help="do not wait out ext4's recently-deleted-inode window (workdir mode; "
                         "implied by --quick)")
    args = ap.parse_args()
    args.runs = args.runs or (1 if args.quick else 3)
    args.files = args.files or (600 if args.quick else 20000)
    args.dirs = args.dirs or (6 if args.quick else 200)
    args.big_mib = args.big_mib or (16 if args.quick else 1024)
    args.cases = split_list(ap, args.cases, CASES, "case(s)")
    args.seats = split_list(ap, args.seats, SEATS, "seat(s)")
    args.transports = split_list(ap, args.transports, TRANSPORTS, "transport(s)")
    if "rr" not in args.seats:
        args.seats = ["rr"] + args.seats  # the baseline of every ratio
    if min(args.runs, args.files, args.dirs, args.big_mib) < 1:
        ap.error("--runs, --files, --dirs and --big-mib must be positive")
    args.ursync = os.path.abspath(args.ursync)
    if not os.access(args.ursync, os.X_OK):
        ap.error(f"no ursync binary at {args.ursync} (build it, or pass --ursync PATH)")
    if os.geteuid() != 0:
        ap.error("must run as root (the sshd fixture, the loop mount)")
    args.workdir = os.path.abspath(args.workdir)
    with open("/proc/loadavg") as f:
        args.loadavg = " ".join(f.read().split()[:3])
    started = time.monotonic()

    tree_b = lb.tree_bytes(args.files, args.dirs, 4096)
    big_b = args.big_mib << 20
    tree_runs = sum(c in args.cases for c in ("pull-new", "push-new")) * len(args.seats) \
        * len(args.transports) * args.runs
    want_tree = any(c != "delta-pull" for c in args.cases)
    want_big = "delta-pull" in args.cases
    need = (tree_b * (tree_runs + 2) if want_tree else 0) + (4 * big_b if want_big else 0)
    inodes = (args.files + args.dirs + 1) * (tree_runs + 2) + 1000

    os.makedirs(args.workdir, exist_ok=True)
    scratch = Scratch(args, need, inodes)
    runner = build_runner(args.workdir)
    sshd_state = None
    bench = None
    ok = False
    try:
        wl = lb.Workloads(scratch.dir, args.files, args.dirs, 4096, args.big_mib)
        if want_tree:
            wl.ensure_tree()
            # Directory mtimes from the generation are "now": rsync does not set a directory's
            # time when it falls in the same second as the source's, and the check would fail.
            for d, _, _ in os.walk(wl.tree):
                os.utime(d, ns=(TREE_DIR_MTIME_NS, TREE_DIR_MTIME_NS))
        if want_big:
            wl.ensure_big()
        args.waited = 0
        if not scratch.mnt and any(c in args.cases for c in ("pull-new", "push-new")):
            args.waited = lb.wait_after_deletes(args.workdir, args.no_wait or args.quick)
        if "ssh" in args.transports:
            sshd_state = tempfile.mkdtemp(prefix="sshd-", dir=args.workdir)
            sshd_fixture.start(sshd_state)
        bench = Bench(args, scratch, wl, runner, sshd_state)
        cells = summarize(args, bench.run())
        noisy = sorted({f"{k[0]} {k[1]} {k[2]} {c['others']:.2f}" for k, c in cells.items()
                        if c["others"] > 0.2})
        if noisy:
            worst = max(c["others"] for c in cells.values())
            log(f"WARNING: the rest of the machine was busy during the timed runs of {len(noisy)} "
                f"of {len(cells)} cells (up to {worst:.2f} cores; see the others' CPU column); "
                "run again on a quiet machine")
        png_rel = None
        if args.png:
            os.makedirs(os.path.dirname(os.path.abspath(args.png)), exist_ok=True)
            chart(args.png, args, cells)
            base = os.path.dirname(os.path.abspath(args.markdown)) if args.markdown else os.getcwd()
            png_rel = os.path.relpath(os.path.abspath(args.png), base)
        text = markdown(args, scratch, cells, png_rel)
        print(text, flush=True)
        if args.markdown:
            os.makedirs(os.path.dirname(os.path.abspath(args.markdown)), exist_ok=True)
            with open(args.markdown, "w") as f:
                f.write(text)
        ok = True
        log(f"done in {time.monotonic() - started:.0f} s"
            + (f"; wrote {args.markdown}" if args.markdown else "")
            + (f" and {args.png}" if args.png else ""))
    except (BenchError, lb.BenchError, sshd_fixture.FixtureError) as e:
        log(f"\nFAILED: {e}")
    finally:
        if sshd_state:
            sshd_fixture.stop(sshd_state)
            shutil.rmtree(sshd_state, ignore_errors=True)
        scratch.cleanup([bench.trash, bench.runs] if bench else [])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
