#!/usr/bin/python3
"""Local copies: ursync vs rsync -a vs cp -a, alternated in one run (issue 8).

Generates the workloads once (reused while their marker file exists), then for every selected
case runs the contenders alternately (A B C, B C A, C A B, ...), each run on a fresh
destination that is prepared outside the timed section and checked against the source after it.
Reports medians of wall time, user+sys CPU and peak RSS, ratios against ursync and the issue's
targets as a markdown table (stdout and --out-md) and a bar chart (--out-png).

Cases: tree-new, big-new, tree-noop, tree-noop-c, big-delta (default: all five), and only when
asked for: big-delta-inplace, tree-new-X and tree-noop-X (-X against rsync -aX; the files have
no xattrs, so these measure what reading and comparing attribute lists costs).

Usage: bench/local_bench.py [--quick] [--runs 5] [--cases tree-new,big-new] [--ursync PATH]
                            [--workdir /work/bd-local] [--out-md F.md] [--out-png F.png]
Run it with /usr/bin/python3 (the shebang does): matplotlib comes from Debian's
python3-matplotlib, which pyenv's python does not see. See bench/README.md.
"""
import argparse
import concurrent.futures
import datetime
import glob
import hashlib
import os
import platform
import random
import shutil
import stat
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ALL_CASES = ["tree-new", "big-new", "tree-noop", "tree-noop-c", "big-delta", "big-delta-inplace",
             "tree-new-X", "tree-noop-X"]
DEFAULT_CASES = ["tree-new", "big-new", "tree-noop", "tree-noop-c", "big-delta"]
OLD_MTIME = 1577836800  # 2020-01-01: the old version of the big file
NEW_MTIME = 1609459200  # 2021-01-01: the new version (the source)
# ext4 without a journal will not reuse an inode deleted in the last 60 s, or 360 s while its
# inode table block is dirty (fs/ext4/ialloc.c, recently_deleted()); creating many files dirties
# those blocks, so in practice creating many files within ~6 minutes of deleting many crawls
# (cp -a of 2,000 files: 0.04 s normally, 0.2-1 s for 300 s after deleting 22,000, measured here).
# So trees are deleted only at the end of an invocation, the time is recorded in LAST_DELETE, and
# the next invocation waits until this long after it before timing tree-new (run last, so the
# other cases use up the wait). Deletions by other programs on the same filesystem are not seen.
INODE_WINDOW_S = 370
LAST_DELETE = ".last-delete"
RUN_ORDER = ["big-new", "tree-noop", "tree-noop-c", "tree-noop-X", "big-delta", "big-delta-inplace",
             "tree-new-X", "tree-new"]


class BenchError(Exception):
    pass


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- workloads

def tree_bytes(files, dirs, size):
    return files * max(4096, (size + 4095) // 4096 * 4096) + (dirs + 1) * 4096


def make_tree(top, files, dirs, size):
    rnd = random.Random(1)
    tmp = top + ".partial"
    os.makedirs(tmp)
    per_dir, extra = divmod(files, dirs)
    for d in range(dirs):
        path = os.path.join(tmp, f"d{d:03}")
        os.mkdir(path)
        for f in range(per_dir + (1 if d < extra else 0)):
            with open(os.path.join(path, f"f{f:05}"), "wb") as out:
                out.write(rnd.randbytes(size))
    os.rename(tmp, top)


def make_big(new_path, old_path, mib):
    """old: random; new: old with 256 scattered 4 KiB blocks (1 MiB) changed."""
    rnd = random.Random(2)
    with open(old_path + ".partial", "wb") as out:
        for _ in range(mib):
            out.write(rnd.randbytes(1 << 20))
    subprocess.run(["cp", "--reflink=auto", old_path + ".partial", new_path + ".partial"], check=True)
    blocks = rnd.sample(range((mib << 20) // 4096), min(256, (mib << 20) // 4096))
    with open(new_path + ".partial", "r+b") as f:
        for b in blocks:
            f.seek(b * 4096)
            f.write(rnd.randbytes(4096))
    os.utime(old_path + ".partial", (OLD_MTIME, OLD_MTIME))
    os.utime(new_path + ".partial", (NEW_MTIME, NEW_MTIME))
    os.rename(old_path + ".partial", old_path)
    os.rename(new_path + ".partial", new_path)


class Workloads:
    def __init__(self, workdir, files, dirs, size, big_mib):
        self.files, self.dirs, self.size, self.big_mib = files, dirs, size, big_mib
        self.tree_name = f"tree-{files}x{size}-{dirs}d"
        self.tree = os.path.join(workdir, self.tree_name)  # copied as tree/ (contents)
        self.big_name = f"big-{big_mib}M"
        self.big_dir = os.path.join(workdir, self.big_name)
        self.big_src = os.path.join(self.big_dir, "src")  # holds one file, "big" (new version)
        self.big_new = os.path.join(self.big_src, "big")
        self.big_old = os.path.join(self.big_dir, "old.big")  # pristine old version, never touched
        self.workdir = workdir

    def marker(self, name):
        return os.path.join(self.workdir, name + ".complete")

    def ensure_tree(self):
        if os.path.exists(self.marker(self.tree_name)) and os.path.isdir(self.tree):
            log(f"reusing {self.tree}")
            return
        log(f"generating {self.tree} ({self.files} x {self.size} B in {self.dirs} dirs) ...")
        delete_trees([self.tree, self.tree + ".partial"], self.workdir, "an incomplete tree")
        make_tree(self.tree, self.files, self.dirs, self.size)
        with open(self.marker(self.tree_name), "w") as m:
            m.write(f"files={self.files} dirs={self.dirs} size={self.size}\n")
        os.sync()

    def ensure_big(self):
        if os.path.exists(self.marker(self.big_name)) and os.path.isfile(self.big_new) \
                and os.path.isfile(self.big_old):
            log(f"reusing {self.big_dir}")
            return
        log(f"generating {self.big_dir} ({self.big_mib} MiB, old and new version) ...")
        shutil.rmtree(self.big_dir, ignore_errors=True)
        os.makedirs(self.big_src)
        make_big(self.big_new, self.big_old, self.big_mib)
        with open(self.marker(self.big_name), "w") as m:
            m.write(f"mib={self.big_mib} changed=256x4KiB\n")
        os.sync()


def warm(path):
    """Reads every regular file under path once, so it is in the page cache."""
    buf = bytearray(1 << 23)
    paths = [path] if os.path.isfile(path) else (
        os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs)
    for p in paths:
        with open(p, "rb", buffering=0) as f:
            while f.readinto(buf):
                pass


# --------------------------------------------------------------------------- verification

def same_file_content(a, b, chunk=1 << 24):
    with open(a, "rb", buffering=0) as fa, open(b, "rb", buffering=0) as fb:
        while True:
            x, y = fa.read(chunk), fb.read(chunk)
            if x != y:
                return False
            if not x:
                return True


def compare_trees(src, dst):
    """Names, types, sizes, mtimes (ns), permission bits and contents; raises on a difference."""
    def check(s, d, rel):
        ss, ds = os.lstat(s), os.lstat(d)
        if stat.S_IFMT(ss.st_mode) != stat.S_IFMT(ds.st_mode):
            raise BenchError(f"{rel}: type differs")
        if stat.S_IMODE(ss.st_mode) != stat.S_IMODE(ds.st_mode):
            raise BenchError(f"{rel}: mode {oct(ss.st_mode)} vs {oct(ds.st_mode)}")
        if ss.st_mtime_ns != ds.st_mtime_ns:
            raise BenchError(f"{rel}: mtime {ss.st_mtime_ns} vs {ds.st_mtime_ns}")
        if stat.S_ISDIR(ss.st_mode):
            a, b = sorted(os.listdir(s)), sorted(os.listdir(d))
            if a != b:
                raise BenchError(f"{rel}/: entries differ (missing {sorted(set(a) - set(b))[:5]}, "
                                 f"extra {sorted(set(b) - set(a))[:5]})")
            for name in a:
                check(os.path.join(s, name), os.path.join(d, name), f"{rel}/{name}")
        elif stat.S_ISREG(ss.st_mode):
            if ss.st_size != ds.st_size:
                raise BenchError(f"{rel}: size {ss.st_size} vs {ds.st_size}")
            if not same_file_content(s, d):
                raise BenchError(f"{rel}: contents differ")
    check(src, dst, ".")


# --------------------------------------------------------------------------- running

# A tiny C runner: fork, exec, wait4. Peak RSS cannot come from os.wait4 on a child that this
# Python process spawned: exec records the hiwater RSS of the mm it replaces into the new
# program's maxrss, and a child of posix_spawn (vfork) or fork starts out with Python's mm, so
# every contender would report at least Python's own peak (~80 MiB here). A child forked from
# this ~1 MiB runner starts from the runner's mm instead, as with /usr/bin/time.
RUNNER_C = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
    if (argc < 3) return 125;
    struct timespec t0, t1;
    struct rusage ru;
    int st;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 125; }
    if (pid == 0) { execvp(argv[2], argv + 2); perror(argv[2]); _exit(127); }
    if (wait4(pid, &st, 0, &ru) < 0) { perror("wait4"); return 125; }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    FILE *f = fopen(argv[1], "w");
    if (!f) { perror(argv[1]); return 125; }
    fprintf(f, "%d %.9f %.6f %ld\n", st,
            (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
            ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
            ru.ru_maxrss);
    return fclose(f) ? 125 : 0;
}
"""


def build_runner(workdir):
    """Compiles RUNNER_C into workdir (once); returns its path, or None without a C compiler."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if not cc:
        return None
    tag = hashlib.sha256(RUNNER_C.encode()).hexdigest()[:12]
    if os.statvfs(workdir).f_flag & os.ST_NOEXEC:
        workdir = "/var/tmp"
    exe = os.path.join(workdir, f".ursync-bench-runner-{tag}")
    if not os.access(exe, os.X_OK):
        src = exe + ".c"
        with open(src, "w") as f:
            f.write(RUNNER_C)
        subprocess.run([cc, "-O2", "-o", exe + ".tmp", src], check=True)
        os.rename(exe + ".tmp", exe)
    return exe


def machine_busy_s():
    """CPU seconds the whole machine has spent not idle (all CPUs, incl. steal), from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:9]]
    user, nice, system, idle, iowait, irq, softirq, steal = v
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def timed(runner, argv, out_path, err_path, result_path):
    """Runs argv (no shell); returns (wall s, user+sys CPU s, peak RSS KiB, others' CPU s).

    others' CPU: what the rest of the machine used meanwhile (/proc/stat, 10 ms ticks), i.e.
    background noise plus kernel threads working for the contender (writeback, kworkers).

    The figures come from wait4 on the contender's process, which Linux fills with
    getrusage(RUSAGE_BOTH): CPU summed over the process and all descendants it reaped, and
    ru_maxrss the maximum over them. rsync's local copy is three processes (sender, generator,
    receiver) that wait for each other, so its figures cover all three; ursync's threads and its
    io_uring io-wq workers belong to its own process. Without a C compiler /usr/bin/time does
    the same job (CPU then has 10 ms resolution).
    """
    actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    if os.path.exists(result_path):
        os.unlink(result_path)
    if runner:
        full = [runner, result_path] + argv
    else:
        full = ["/usr/bin/time", "-o", result_path, "-f", "%x %e %U %S %M"] + argv
    busy0 = machine_busy_s()
    t0 = time.perf_counter()
    pid = os.posix_spawn(full[0], full, os.environ, file_actions=actions)
    _, status, _ = os.wait4(pid, 0)
    py_wall = time.perf_counter() - t0
    busy = machine_busy_s() - busy0
    try:
        with open(result_path) as f:
            fields = f.read().split()
    except OSError:
        fields = []
    if os.waitstatus_to_exitcode(status) != 0 or len(fields) < 4:
        with open(err_path, errors="replace") as e:
            tail = e.read()[-3000:]
        raise BenchError(f"could not run {' '.join(argv)} (runner status {status}):\n{tail}")
    if runner:
        code = os.waitstatus_to_exitcode(int(fields[0]))
        wall, cpu, rss = float(fields[1]), float(fields[2]), int(fields[3])
    else:
        code = int(fields[-5])
        wall, cpu, rss = py_wall, float(fields[-3]) + float(fields[-2]), int(fields[-1])
    if code != 0:
        with open(err_path, errors="replace") as e:
            tail = e.read()[-3000:]
        raise BenchError(f"{' '.join(argv)} exited with {code}:\n{tail}")
    return wall, cpu, rss, max(0.0, busy - cpu)


def literal_matched(out_path):
    vals = {}
    with open(out_path, errors="replace") as f:
        for line in f:
            for key in ("Literal data", "Matched data"):
                if line.startswith(key + ":"):
                    vals[key] = int(line.split(":", 1)[1].split()[0].replace(",", ""))
    if len(vals) != 2:
        raise BenchError(f"no Literal/Matched data lines in {out_path}")
    return vals["Literal data"], vals["Matched data"]


def remove_parallel(paths, workers=16):
    """rm -rf paths with many threads; returns the number of entries removed.

    With the `discard` mount option (as on this machine's /) every freed inode's blocks are
    discarded synchronously inside unlink: one thread deletes ~450 files/s, 16 about 20,000.
    """
    files, dirs = [], []
    for p in paths:
        if os.path.isdir(p) and not os.path.islink(p):
            for root, ds, fs in os.walk(p):
                dirs.append(root)
                files.extend(os.path.join(root, f) for f in fs)
                files.extend(os.path.join(root, d) for d in ds if os.path.islink(os.path.join(root, d)))
        elif os.path.lexists(p):
            files.append(p)

    def quietly(op):
        def run(path):
            try:
                op(path)
            except FileNotFoundError:
                pass
        return run

    with concurrent.futures.ThreadPoolExecutor(workers) as pool:
        list(pool.map(quietly(os.unlink), files, chunksize=256))
        by_depth = {}
        for d in dirs:
            by_depth.setdefault(d.count("/"), []).append(d)
        for depth in sorted(by_depth, reverse=True):  # children before parents
            list(pool.map(quietly(os.rmdir), by_depth[depth], chunksize=16))
    return len(files) + len(dirs)


def delete_trees(paths, workdir, what):
    """Deletes paths, syncs and records the time for wait_after_deletes()."""
    paths = [p for p in paths if os.path.lexists(p)]
    if not paths:
        return
    log(f"deleting {what} ...")
    t0 = time.monotonic()
    n = remove_parallel(paths)
    os.sync()  # clean inode table blocks: the 60 s window, until something dirties them again
    log(f"deleted {n} entries in {time.monotonic() - t0:.1f} s")
    with open(os.path.join(workdir, LAST_DELETE), "w") as f:
        f.write(f"{time.time()}\n")


def ext4_without_journal(path):
    fs = fs_of(os.path.realpath(path))
    if not fs.startswith("ext4 "):
        return False
    dev = os.path.basename(fs.split()[1].strip("("))
    try:
        return not any(n.startswith(dev + "-") for n in os.listdir("/proc/fs/jbd2"))
    except OSError:
        return True


def wait_after_deletes(workdir, no_wait):
    """Returns the seconds waited (or, with no_wait, not waited) for ext4's
    recently-deleted-inode window to pass; negative when not waited."""
    try:
        last = float(open(os.path.join(workdir, LAST_DELETE)).read())
    except (OSError, ValueError):
        return 0
    left = last + INODE_WINDOW_S - time.time()
    if left <= 0 or not ext4_without_journal(workdir):
        return 0
    if no_wait:
        log(f"NOT waiting {left:.0f} s for ext4's recently-deleted-inode window (--no-wait): "
            "tree-new will be slower than it should")
        return -left
    log(f"waiting {left:.0f} s before tree-new: ext4 without a journal avoids inodes deleted in the "
        "last 60-360 s, and creating many files soon after deleting many crawls (--no-wait skips this)")
    time.sleep(left)
    return left


class Bench:
    def __init__(self, args, wl):
        self.args, self.wl = args, wl
        self.runs_dir = os.path.join(args.workdir, "runs")
        self.trash = os.path.join(args.workdir, f"trash-{os.getpid()}")
        self.logs = os.path.join(args.workdir, "logs")
        self.n = 0
        self.runner = build_runner(args.workdir)
        if not self.runner:
            log("no C compiler: measuring through /usr/bin/time (CPU to 10 ms)")
        for d in (self.runs_dir, self.trash, self.logs):
            os.makedirs(d, exist_ok=True)

    def fresh(self, case, name):
        self.n += 1
        return os.path.join(self.runs_dir, f"{case}-{name}-{os.getpid()}-{self.n}")

    def to_trash(self, path):
        os.rename(path, os.path.join(self.trash, os.path.basename(path)))

    def empty_trash(self):
        delete_trees([self.trash, self.runs_dir], self.args.workdir, "old destinations (trash)")

    def contenders(self, case):
        u, r, c = self.args.ursync, self.args.rsync, self.args.cp
        if case in ("tree-new", "big-new"):
            return [("ursync", [u, "-a"]), ("rsync", [r, "-a"]), ("cp", [c, "-a"])]
        if case == "tree-new-X":  # cp -a keeps xattrs too
            return [("ursync", [u, "-aX"]), ("rsync", [r, "-aX"]), ("cp", [c, "-a"])]
        if case == "tree-noop-X":
            return [("ursync", [u, "-aX"]), ("rsync", [r, "-aX"])]
        if case == "tree-noop":
            return [("ursync", [u, "-a"]), ("rsync", [r, "-a"])]
        if case == "tree-noop-c":
            return [("ursync", [u, "-ac"]), ("rsync", [r, "-ac"])]
        if case == "big-delta":
            return [("ursync", [u, "-a", "--no-W", "--stats"]), ("rsync", [r, "-a", "--no-W", "--stats"])]
        if case == "big-delta-inplace":
            return [("ursync", [u, "-a", "--no-W", "--inplace", "--stats"]),
                    ("rsync", [r, "-a", "--no-W", "--inplace", "--stats"])]
        raise ValueError(case)

    def run_case(self, case):
        wl, args = self.wl, self.args
        tree_case = case.startswith("tree")
        src = wl.tree if tree_case else wl.big_src
        log(f"== {case}: warming the source ...")
        warm(src)
        if case.startswith("big-delta"):
            warm(wl.big_old)
        noop_dst = None
        if case.startswith("tree-noop"):
            noop_dst = self.fresh(case, "dst")
            subprocess.run([args.cp, "-a", src, noop_dst], check=True)  # an identical copy
            compare_trees(src, noop_dst)
            warm(noop_dst)
        contenders = self.contenders(case)
        res = {name: {"wall": [], "cpu": [], "rss": [], "lm": [], "other": []} for name, _ in contenders}
        k = len(contenders)
        for i in range(args.runs):
            order = contenders[i % k:] + contenders[:i % k]  # rotate who goes first
            for name, base in order:
                # ---- prepare (not timed)
                if case in ("tree-new", "big-new", "tree-new-X"):
                    dst = self.fresh(case, name)
                    argv = base + [src, dst] if name == "cp" else base + [src + "/", dst + "/"]
                elif noop_dst:
                    dst = noop_dst
                    argv = base + [src + "/", dst + "/"]
                else:  # big-delta*: a fresh copy of the old version (copy_file_range or a reflink)
                    dst = self.fresh(case, name)
                    os.mkdir(dst)
                    subprocess.run([args.cp, "--reflink=auto", "--preserve=timestamps,mode",
                                    wl.big_old, os.path.join(dst, "big")], check=True)
                    argv = base + [src + "/", dst + "/"]
                if not args.no_sync:
                    os.sync()  # the previous run's dirty pages are not written back during this one
                out = os.path.join(self.logs, f"{case}-{name}.out")
                err = os.path.join(self.logs, f"{case}-{name}.err")
                # ---- timed
                wall, cpu, rss, other = timed(self.runner, argv, out, err, os.path.join(self.logs, "result"))
                # ---- check (not timed)
                try:
                    compare_trees(src, dst)  # for big-*: the one file's size, mtime, mode, bytes
                except BenchError as e:
                    kept = os.path.join(args.workdir, f"failed-{case}-{name}-{i + 1}")
                    os.rename(dst, kept)
                    raise BenchError(f"{case}: {name} run {i + 1} produced a wrong destination "
                                     f"(kept at {kept}): {e}\ncommand: {' '.join(argv)}")
                if case.startswith("big-delta"):
                    res[name]["lm"].append(literal_matched(out))
                res[name]["wall"].append(wall)
                res[name]["cpu"].append(cpu)
                res[name]["rss"].append(rss)
                res[name]["other"].append(other)
                log(f"   {case} run {i + 1}/{args.runs} {name:6} {wall:8.3f} s  cpu {cpu:6.3f} s  "
                    f"rss {rss / 1024:7.1f} MiB  others {other:5.2f} s")
                # ---- dispose (not timed)
                if dst == noop_dst:
                    pass
                elif tree_case:
                    self.to_trash(dst)  # deleted after the series: no rm -rf before a timed run
                else:  # one big file: unlinking one inode right away keeps disk use bounded
                    for f in os.listdir(dst):
                        os.unlink(os.path.join(dst, f))
                    os.rmdir(dst)
        if noop_dst:
            self.to_trash(noop_dst)
        return contenders, res


# --------------------------------------------------------------------------- report

def fmt_s(x):
    return f"{x:.3f}" if x < 10 else f"{x:.2f}"


def summarize(case, contenders, res, wl):
    rows = {}
    for name, argv in contenders:
        r = res[name]
        lm = sorted(set(r["lm"]))
        rows[name] = {
            "cmd": " ".join([os.path.basename(argv[0])] + argv[1:]),
            "wall": statistics.median(r["wall"]), "min": min(r["wall"]), "max": max(r["wall"]),
            "walls": r["wall"],
            "cpu": statistics.median(r["cpu"]), "rss": max(r["rss"]), "lm": lm,
            "other": sum(r["other"]) / max(sum(r["wall"]), 1e-9),
        }
    return rows


def case_title(case, wl):
    tree = f"{wl.files:,} x {wl.size // 1024 if wl.size >= 1024 else wl.size}" \
           f"{' KiB' if wl.size >= 1024 else ' B'} in {wl.dirs} dirs"
    big = f"{wl.big_mib} MiB" if wl.big_mib < 1024 else f"{wl.big_mib / 1024:g} GiB"
    return {
        "tree-new": f"{tree}, empty destination",
        "big-new": f"one {big} file, empty destination",
        "tree-noop": f"no-op re-sync of {tree}",
        "tree-noop-c": f"no-op re-sync of {tree}, --checksum",
        "tree-new-X": f"{tree}, empty destination, -X (no xattrs on the files)",
        "tree-noop-X": f"no-op re-sync of {tree}, -X (no xattrs on the files)",
        "big-delta": f"{big}, 1 MiB changed (256 x 4 KiB), --no-W",
        "big-delta-inplace": f"{big}, 1 MiB changed (256 x 4 KiB), --no-W --inplace",
    }[case]


def targets(case, rows):
    """(target text, measured text, met) for the issue's targets."""
    out = []
    u = rows["ursync"]

    def faster(peer, factor):
        ratio = rows[peer]["wall"] / u["wall"]  # > 1: ursync is faster
        text = f"ursync >= {factor:g}x faster than {peer}" if factor > 1 else f"ursync at least as fast as {peer}"
        out.append((text, f"{ratio:.2f}x", ratio >= factor))

    if case == "tree-new":
        faster("rsync", 3.5)
        faster("cp", 1.5)
    elif case == "big-new":
        faster("cp", 1.0)
    elif case in ("tree-noop", "tree-noop-c"):
        faster("rsync", 3.0)
    elif case.startswith("big-delta"):
        faster("rsync", 2.0)
        same = u["lm"] == rows["rsync"]["lm"] and len(u["lm"]) == 1
        out.append(("same literal/matched bytes as rsync",
                    "same" if same else f"ursync {u['lm']} vs rsync {rows['rsync']['lm']}", same))
    out.append(("peak RSS <= rsync's",
                f"{u['rss'] / 1024:.1f} vs {rows['rsync']['rss'] / 1024:.1f} MiB",
                u["rss"] <= rows["rsync"]["rss"]))
    return out


def tool_version(argv):
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).splitlines()[0].strip()
    except Exception as e:  # noqa: BLE001
        return f"? ({e})"


def fs_of(path):
    best, fs = "", "?"
    with open("/proc/mounts") as m:
        for line in m:
            dev, mnt, typ = line.split()[:3]
            if (path == mnt or path.startswith(mnt.rstrip("/") + "/")) and len(mnt) >= len(best):
                best, fs = mnt, f"{typ} ({dev} on {mnt})"
    return fs


def environment_lines(args, wl, runner):
    real = os.path.realpath(args.workdir)
    h = hashlib.sha256()
    with open(args.ursync, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    st = os.stat(args.ursync)
    rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip() or "?"
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as c:
            cpu = next(line.split(":", 1)[1].strip() for line in c if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return [
        f"- date: {datetime.datetime.now().isoformat(timespec='seconds')}, kernel {platform.release()}, "
        f"{os.cpu_count()} CPUs ({cpu})",
        f"- workdir: `{real}` on {fs_of(real)}; load average at the start: {args.loadavg}",
        f"- ursync: `{args.ursync}` ({tool_version([args.ursync, '--version'])}; "
        f"sha256 {h.hexdigest()[:12]}, built {datetime.datetime.fromtimestamp(st.st_mtime).isoformat(timespec='seconds')}; "
        f"repo HEAD at report time: {rev})",
        f"- rsync: {tool_version([args.rsync, '--version'])}; cp: {tool_version([args.cp, '--version'])}",
        f"- {args.runs} runs per contender, alternated in one run (the order rotates every round); "
        f"medians; spread is min-max; tree-new runs after the other cases",
        "- sources warmed (every file read once) before each case; destinations: absent (`*-new`), "
        "an identical warm copy made by `cp -a` (`tree-noop*`), a fresh copy of the old file made "
        "before the timed command (`big-delta*`)",
        f"- {'no sync' if args.no_sync else '`sync` before every timed run (outside the timing)'}; "
        "old tree destinations moved to a trash dir and deleted after all cases (a big file is "
        "unlinked after its check)"
        + (f"; waited {args.waited:.0f} s for ext4's recently-deleted-inode window before tree-new"
           if args.waited > 0 else "")
        + (f"; **did not wait** {-args.waited:.0f} s for ext4's recently-deleted-inode window "
           "(--no-wait): tree-new times are inflated" if args.waited < 0 else ""),
        f"- wall, CPU (user+sys) and peak RSS from wait4 in "
        f"{'a small C runner that forks and execs each command' if runner else '/usr/bin/time'}: CPU "
        "and ru_maxrss cover the process and every descendant it reaped (all three of rsync's "
        "processes; ursync's threads and io-wq workers); peak RSS = max over the runs",
        "- every run is checked after the timing: names, types, sizes, mtimes (ns), modes and contents",
        "- wall / ursync's > 1: ursync is that many times faster; others' CPU: CPU the rest of the "
        "machine used during the timed runs, in cores (kernel threads working for the contender, "
        "and background noise: above ~0.2 the figures are suspect)",
        f"- command: `{' '.join(sys.argv)}`",
    ]


def markdown(args, wl, results, runner, png_name=None):
    lines = [f"# Local copy benchmark ({'quick' if args.quick else 'full'})", ""]
    lines += environment_lines(args, wl, runner) + [""]
    lines += ["| workload | contender | wall s (median) | spread s | per file / throughput | "
              "CPU user+sys s | peak RSS MiB | wall / ursync's | others' CPU | literal | matched |",
              "|---|---|---|---|---|---|---|---|---|---|---|"]
    for case, rows in results:
        for name, r in rows.items():
            if case.startswith("tree"):
                rate = f"{r['wall'] / wl.files * 1e6:.1f} µs/file"
            else:
                rate = f"{(wl.big_mib << 20) / r['wall'] / 1e9:.2f} GB/s"
            lit = mat = ""
            if r["lm"]:
                lit = ", ".join(f"{a:,}" for a, _ in r["lm"])
                mat = ", ".join(f"{b:,}" for _, b in r["lm"])
            ratio = r["wall"] / rows["ursync"]["wall"]
            first = name == next(iter(rows))
            label = f"**{case}**: {case_title(case, wl)}" if first else ""
            lines.append(f"| {label} | `{r['cmd']}` | {fmt_s(r['wall'])} | "
                         f"{fmt_s(r['min'])}–{fmt_s(r['max'])} | {rate} | {r['cpu']:.3f} | "
                         f"{r['rss'] / 1024:.1f} | {ratio:.2f} | {r['other']:.2f} | {lit} | {mat} |")
    lines += ["", "Targets (issue 8):", "",
              "| workload | target | measured | status |", "|---|---|---|---|"]
    met_all = True
    for case, rows in results:
        for text, measured, met in targets(case, rows):
            met_all &= met
            lines.append(f"| {case} | {text} | {measured} | {'met' if met else '**not met**'} |")
    lines += ["", f"All targets met: {'yes' if met_all else 'no'}.", ""]
    if png_name:
        lines += [f"![median wall time per case]({png_name})", ""]
    return "\n".join(lines)


def chart(path, wl, results, title):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib is missing, no chart written: apt-get install -y python3-matplotlib "
            "(and run this script with /usr/bin/python3)")
        return False
    colors = {"ursync": "#2b6cb0", "rsync": "#c05621", "cp": "#718096"}
    ncols = min(3, len(results))
    nrows = (len(results) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(3.6 * ncols + 0.4, 3.9 * nrows + 0.5), squeeze=False)
    flat = [ax for row in axes for ax in row]
    for ax in flat[len(results):]:
        ax.set_visible(False)
    for ax, (case, rows) in zip(flat, results):
        names = list(rows)
        med = [rows[n]["wall"] for n in names]
        lo = [rows[n]["wall"] - rows[n]["min"] for n in names]
        hi = [rows[n]["max"] - rows[n]["wall"] for n in names]
        bars = ax.bar(names, med, yerr=[lo, hi], capsize=4,
                      color=[colors.get(n, "#999999") for n in names])
        top = max(rows[n]["max"] for n in names)
        for b, n in zip(bars, names):
            v = rows[n]["wall"]
            label = f"{v:.3f} s" if v < 10 else f"{v:.1f} s"
            if n != "ursync":
                label += f"\n{n}/ursync = {v / rows['ursync']['wall']:.2f}"
            ax.annotate(label, (b.get_x() + b.get_width() / 2, rows[n]["max"]), ha="center",
                        va="bottom", fontsize=8, xytext=(0, 4), textcoords="offset points")
        ax.set_title(f"{case}: {case_title(case, wl)}", fontsize=8)
        ax.set_ylabel("median wall s (bars: min-max)", fontsize=8)
        ax.set_ylim(0, top * 1.35)
        ax.tick_params(labelsize=8)
    fig.suptitle(title + "\n(peer/ursync > 1: ursync is faster)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# --------------------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="cases: " + ", ".join(ALL_CASES))
    ap.add_argument("--cases", default=",".join(DEFAULT_CASES),
                    help="comma-separated, or 'all' (default: %(default)s)")
    ap.add_argument("--runs", type=int, help="runs per contender (default 5, --quick 3)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 2,000 files in 20 dirs, a 64 MiB big file, 3 runs")
    ap.add_argument("--files", type=int, help="files in the tree (default 20000, --quick 2000)")
    ap.add_argument("--dirs", type=int, help="directories in the tree (default 200, --quick 20)")
    ap.add_argument("--file-size", type=int, default=4096, help="bytes per tree file (default 4096)")
    ap.add_argument("--big-mib", type=int, help="big file size in MiB (default 1024, --quick 64)")
    ap.add_argument("--workdir", default="/work/bd-local",
                    help="where workloads and destinations live (default %(default)s; "
                         "e.g. /dev/shm/bd-local for tmpfs)")
    ap.add_argument("--ursync", default=os.environ.get("URSYNC_BIN", os.path.join(ROOT, "build", "ursync")))
    ap.add_argument("--rsync", default="rsync")
    ap.add_argument("--cp", default="cp")
    ap.add_argument("--out-md", help="default bench/results/local-<timestamp>.md")
    ap.add_argument("--out-png", help="default: --out-md with .png")
    ap.add_argument("--no-sync", action="store_true", help="do not sync before each timed run")
    ap.add_argument("--no-wait", action="store_true",
                    help="on ext4 without a journal, do not wait out the ~6 minutes after the last "
                         "mass delete before tree-new (its times are then inflated)")
    ap.add_argument("--purge", action="store_true",
                    help="delete the generated workloads at the end (they are reused otherwise)")
    args = ap.parse_args()

    args.runs = args.runs or (3 if args.quick else 5)
    args.files = args.files or (2000 if args.quick else 20000)
    args.dirs = args.dirs or (20 if args.quick else 200)
    args.big_mib = args.big_mib or (64 if args.quick else 1024)
    cases = ALL_CASES if args.cases == "all" else [c.strip() for c in args.cases.split(",") if c.strip()]
    bad = [c for c in cases if c not in ALL_CASES]
    if bad or not cases:
        ap.error(f"unknown case(s) {bad}; choose from {', '.join(ALL_CASES)}")
    cases = [c for c in ALL_CASES if c in cases]
    if args.runs < 1 or args.files < 1 or args.dirs < 1 or args.big_mib < 1:
        ap.error("--runs, --files, --dirs and --big-mib must be positive")
    args.ursync = os.path.abspath(args.ursync)
    if not os.access(args.ursync, os.X_OK):
        ap.error(f"no ursync binary at {args.ursync} (build it, or pass --ursync PATH)")
    for tool in (args.rsync, args.cp):
        if not shutil.which(tool):
            ap.error(f"{tool} not found")
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    args.out_md = args.out_md or os.path.join(HERE, "results", f"local-{stamp}.md")
    args.out_png = args.out_png or os.path.splitext(args.out_md)[0] + ".png"
    os.makedirs(args.workdir, exist_ok=True)
    args.workdir = os.path.abspath(args.workdir)

    wl = Workloads(args.workdir, args.files, args.dirs, args.file_size, args.big_mib)
    want_tree = any(c.startswith("tree") for c in cases)
    want_big = any(c.startswith("big") for c in cases)

    # Disk space: workloads (if not there yet), every tree destination (kept in the trash until
    # the end) and one big destination plus a temporary file at a time.
    tb, bb = tree_bytes(args.files, args.dirs, args.file_size), args.big_mib << 20
    need = 0
    if want_tree:
        need += (0 if os.path.exists(wl.marker(wl.tree_name)) else tb) + tb * (3 * args.runs + 2)
    if want_big:
        need += (0 if os.path.exists(wl.marker(wl.big_name)) else 2 * bb) + 2 * bb  # dest + temp
    vfs = os.statvfs(args.workdir)
    free = vfs.f_bavail * vfs.f_frsize
    if need * 1.1 > free:
        sys.exit(f"not enough space in {args.workdir}: need about {need * 1.1 / 2**30:.1f} GiB, "
                 f"{free / 2**30:.1f} GiB free")

    # Leftovers of an interrupted earlier run: delete them now, then let ext4 forget them.
    stale = [os.path.join(args.workdir, n) for n in os.listdir(args.workdir) if n.startswith("trash-")]
    stale += [os.path.join(args.workdir, "runs", n) for n in
              (os.listdir(os.path.join(args.workdir, "runs")) if os.path.isdir(os.path.join(args.workdir, "runs")) else [])]
    delete_trees(stale, args.workdir, f"{len(stale)} leftovers of an earlier run")
    if glob.glob(os.path.join(args.workdir, "failed-*")):
        log(f"note: {args.workdir}/failed-* hold destinations of failed runs; delete them when done")

    if want_tree:
        wl.ensure_tree()
    if want_big:
        wl.ensure_big()
    args.waited = 0
    with open("/proc/loadavg") as f:
        args.loadavg = " ".join(f.read().split()[:3])

    bench = Bench(args, wl)
    results = []
    try:
        for case in sorted(cases, key=RUN_ORDER.index):  # tree-new last: see INODE_WINDOW_S
            if case.startswith("tree-new"):
                args.waited = wait_after_deletes(args.workdir, args.no_wait)
            contenders, res = bench.run_case(case)
            results.append((case, summarize(case, contenders, res, wl)))
        results.sort(key=lambda r: ALL_CASES.index(r[0]))
        report(args, wl, results, bench.runner)
    except BenchError as e:
        log(f"\nFAILED: {e}")
        sys.exit(1)
    finally:
        bench.empty_trash()  # trees are deleted only now: see INODE_WINDOW_S
        if args.purge:
            delete_trees([wl.tree, wl.big_dir, wl.marker(wl.tree_name), wl.marker(wl.big_name)],
                         args.workdir, "the generated workloads (--purge)")


def report(args, wl, results, runner):
    noisy = [f"{c}/{n} {r['other']:.2f}" for c, rows in results for n, r in rows.items() if r["other"] > 0.2]
    if noisy:
        log(f"WARNING: the rest of the machine was busy during timed runs (cores: {', '.join(noisy)}); "
            "compare with care or run again on a quiet machine")
    os.makedirs(os.path.dirname(os.path.abspath(args.out_md)), exist_ok=True)
    os.makedirs(os.path.dirname(os.path.abspath(args.out_png)), exist_ok=True)
    drew = chart(args.out_png, wl, results,
                 f"ursync vs rsync -a vs cp -a, local, median of {args.runs} "
                 f"({'quick' if args.quick else 'full'}; {fs_of(os.path.realpath(args.workdir)).split()[0]})")
    png_rel = os.path.relpath(os.path.abspath(args.out_png), os.path.dirname(os.path.abspath(args.out_md)))
    print(markdown(args, wl, results, runner), flush=True)
    with open(args.out_md, "w") as f:
        f.write(markdown(args, wl, results, runner, png_rel if drew else None))
    log(f"wrote {args.out_md}" + (f" and {args.out_png}" if drew else ""))


if __name__ == "__main__":
    main()
