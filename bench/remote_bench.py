#!/usr/bin/env python3
"""ursync vs rsync over a real ssh to a loopback sshd, against a stock rsync server.

Pull (issue 6: ursync receiving vs rsync receiving) and push (issue 7: ursync sending vs rsync
sending) of a tree of small files and of a big file with scattered changes (delta). Contenders
alternate, each run gets a fresh destination (never rm -rf'd before a timed run), medians of N.
Usage: bench/remote_bench.py [--files 20000] [--big-mib 1024] [--runs 5] [--ursync PATH]
"""
import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "fixtures"))
import sshd_fixture  # noqa: E402


def make_tree(top, files, dirs=200, size=4096):
    rnd = random.Random(1)
    per_dir = max(1, files // dirs)
    for d in range(dirs):
        path = os.path.join(top, f"d{d:03}")
        os.makedirs(path, exist_ok=True)
        for f in range(per_dir):
            with open(os.path.join(path, f"f{f:04}"), "wb") as out:
                out.write(rnd.randbytes(size))


def make_big(path, mib, changed_path):
    rnd = random.Random(2)
    with open(path, "wb") as out:
        for _ in range(mib):
            out.write(rnd.randbytes(1 << 20))
    shutil.copyfile(path, changed_path)
    with open(changed_path, "r+b") as f:  # 1 MiB changed in 256 scattered 4 KiB pieces
        for _ in range(256):
            f.seek(rnd.randrange(0, mib << 20, 4096))
            f.write(rnd.randbytes(4096))


def timed(argv):
    """Runs argv under /usr/bin/time; returns (wall, user+sys, maxrss_kb, stdout)."""
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%U %S %M"] + argv, capture_output=True, text=True)
    wall = time.monotonic() - t0
    if p.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({p.returncode}): {p.stderr[-2000:]}")
    user, sys_, rss = p.stderr.strip().splitlines()[-1].split()
    return wall, float(user) + float(sys_), int(rss), p.stdout


def literal_matched(stdout):
    vals = {}
    for line in stdout.splitlines():
        for key in ("Literal data", "Matched data"):
            if line.startswith(key + ":"):
                vals[key] = line.split(":")[1].strip().split()[0]
    return vals.get("Literal data", "?"), vals.get("Matched data", "?")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ursync", default=os.environ.get("URSYNC_BIN", os.path.join(ROOT, "build", "ursync")))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="ursync-remote-bench-", dir="/var/tmp")
    state = os.path.join(work, "sshd")
    os.makedirs(state)
    sshd_fixture.start(state)
    try:
        ssh = open(os.path.join(state, "ssh_command")).read().strip()
        tree = os.path.join(work, "tree")
        make_tree(tree, args.files)
        big, big_new = os.path.join(work, "big.old"), os.path.join(work, "big.new")
        make_big(big, args.big_mib, big_new)
        subprocess.run(["cat", big, big_new], stdout=subprocess.DEVNULL)  # warm the cache
        rows = []
        contenders = [("rsync", "rsync"), ("ursync", args.ursync)]
        n = 0

        def fresh(name):
            nonlocal n
            n += 1
            return os.path.join(work, f"dst-{name}-{n}")

        for direction in ("pull", "push"):
            for case in ("tree", "delta"):
                results = {c: [] for c, _ in contenders}
                counts = {}
                for _ in range(args.runs):
                    for name, prog in contenders:  # alternate A B A B
                        dst = fresh(name)
                        if case == "tree":
                            src = tree + "/"
                            opts = ["-a"]
                        else:
                            os.makedirs(dst)
                            shutil.copyfile(big, os.path.join(dst, "big"))  # the old version
                            src_dir = fresh("src")
                            os.makedirs(src_dir)
                            os.link(big_new, os.path.join(src_dir, "big"))
                            src = src_dir + "/"
                            opts = ["-a", "--stats", "--no-W"]
                        remote = lambda p: "root@127.0.0.1:" + p
                        argv = [prog] + opts + ["-e", ssh, "--rsync-path=rsync"]
                        argv += [remote(src), dst + "/"] if direction == "pull" else [src, remote(dst + "/")]
                        wall, cpu, rss, out = timed(argv)
                        results[name].append((wall, cpu, rss))
                        if case == "delta":
                            counts[name] = literal_matched(out)
                for name, _ in contenders:
                    walls = [r[0] for r in results[name]]
                    cpus = [r[1] for r in results[name]]
                    rsss = [r[2] for r in results[name]]
                    rows.append((direction, case, name, statistics.median(walls),
                                 statistics.median(cpus), max(rsss), counts.get(name, ("", ""))))
        print(f"| direction | workload | client | wall s (median) | client CPU s | peak RSS KiB | literal | matched |")
        print("|---|---|---|---|---|---|---|---|")
        for d, c, name, wall, cpu, rss, (lit, mat) in rows:
            workload = f"{args.files} files" if c == "tree" else f"{args.big_mib} MiB, 1 MiB changed"
            print(f"| {d} | {workload} | {name} | {wall:.2f} | {cpu:.2f} | {rss} | {lit} | {mat} |")
        print()
        for d in ("pull", "push"):
            for c in ("tree", "delta"):
                r = {row[2]: row for row in rows if row[0] == d and row[1] == c}
                print(f"{d} {c}: ursync/rsync wall ratio {r['ursync'][3] / r['rsync'][3]:.2f}, "
                      f"CPU ratio {r['ursync'][4] / max(r['rsync'][4], 1e-9):.2f}")
    finally:
        sshd_fixture.stop(state)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
