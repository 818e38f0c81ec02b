"""Command line of interop/run: select cells, run them, print the table, write the results."""

import argparse
import concurrent.futures
import datetime
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

from . import cells as cellmod
from . import optsets, presets, report, runner, transports, trees
from .evaluate import FAIL, CellResult, ReferenceCache, evaluate

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SETUP = 3
EXIT_INTERRUPTED = 130
DEFAULT_TIMEOUT_S = 300.0
CI_TIMEOUT_S = 30.0  # a hung peer must not eat the CI time limit


def _csv(choices, convert=str):
    def parse(text):
        values = [convert(v) for v in text.split(",") if v]
        bad = [v for v in values if v not in choices]
        if bad:
            raise argparse.ArgumentTypeError(
                f"invalid value {bad[0]!r} (choose from {', '.join(map(str, choices))})")
        return values
    return parse


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="interop/run",
        description="Hold ursync against stock rsync: every selected cell must produce what "
                    "rsync->rsync produces for the same cell in the same run.")
    sel = p.add_argument_group("selecting cells (filters combine with the preset; each "
                               "takes a comma-separated list and may be repeated)")
    sel.add_argument("--preset", choices=sorted(presets.PRESETS), default="full",
                     help="calibrate: rsync in every seat; ci: fast subset; full (default)")
    sel.add_argument("--direction", action="extend", type=_csv(cellmod.DIRECTIONS))
    sel.add_argument("--transport", action="extend",
                     type=_csv(cellmod.TRANSPORTS + (cellmod.LOCAL,)))
    sel.add_argument("--protocol", action="extend", type=_csv(cellmod.PROTOCOLS, int))
    sel.add_argument("--inc", action="extend", type=_csv(cellmod.INC),
                     help="incremental recursion on/off")
    sel.add_argument("--client", action="extend", type=_csv(cellmod.PROGRAMS))
    sel.add_argument("--server", action="extend", type=_csv(cellmod.PROGRAMS))
    sel.add_argument("--optset", action="extend", type=_csv(list(optsets.BY_NAME)))
    sel.add_argument("--state", action="extend", type=_csv(trees.DEST_STATES))
    sel.add_argument("--only-ursync", action="store_true",
                     help="only cells with ursync in at least one seat")
    sel.add_argument("--list", action="store_true", help="list the selected cells and exit")
    run = p.add_argument_group("running")
    run.add_argument("--ursync", help="ursync binary (default: $URSYNC_BIN or build/ursync)")
    run.add_argument("--rsync", default=shutil.which("rsync") or "/usr/bin/rsync",
                     help="stock rsync (default: rsync on PATH)")
    run.add_argument("--strict", action="store_true",
                     help="'not yet supported' answers from ursync fail instead of skip")
    run.add_argument("--tree", help="use this directory as the source instead of the "
                                    "generated scenario tree (it is only read)")
    run.add_argument("--big-mib", type=int, default=4,
                     help="size of the big file of the generated tree (default 4)")
    run.add_argument("--big", action="store_const", const=64, dest="big_mib",
                     help="same as --big-mib 64")
    run.add_argument("-j", "--jobs", type=int, default=1, help="cells run in parallel")
    run.add_argument("--timeout", type=float,
                     help="seconds before one transfer is killed (default 300; 30 with "
                          "--preset ci, whose transfers take a second or two)")
    run.add_argument("--locale", default="C.UTF-8", help="LC_ALL for the clients")
    out = p.add_argument_group("output")
    out.add_argument("--results", help="result file (default interop/results/PRESET-TIME.json"
                                       ", also copied to interop/results/latest.json)")
    out.add_argument("-q", "--quiet", action="store_true", help="print only failed cells")
    out.add_argument("--diffs", type=int, default=5, help="differences printed per failure")
    out.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = p.parse_args(argv)
    if args.jobs < 1 or args.big_mib < 0:
        p.error("--jobs must be >= 1 and --big-mib >= 0")
    if args.timeout is None:
        args.timeout = CI_TIMEOUT_S if args.preset == "ci" else DEFAULT_TIMEOUT_S
    return args


def select_cells(args):
    selected = cellmod.select(cellmod.matrix(), presets.PRESETS[args.preset])
    filters = {"direction": args.direction, "transport": args.transport,
               "protocol": args.protocol, "inc": args.inc, "client": args.client,
               "server": args.server, "optset": args.optset, "state": args.state}
    selector = {k: set(v) for k, v in filters.items() if v}
    selected = [c for c in selected if cellmod.matches(c, selector)]
    if args.only_ursync:
        selected = [c for c in selected if c.involves_ursync()]
    return selected


def resolve_programs(args, repo_root):
    rsync = os.path.abspath(args.rsync)
    path = args.ursync or os.environ.get("URSYNC_BIN") or os.path.join(repo_root, "build",
                                                                       "ursync")
    path = os.path.abspath(path)
    missing = None
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        missing = f"ursync binary not built ({path})"
    return runner.Programs(rsync=rsync, ursync=path, ursync_missing=missing)


def child_env(locale):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RSYNC_")}
    env["LC_ALL"] = locale
    return env


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def _version(rsync):
    try:
        first = subprocess.run([rsync, "--version"], capture_output=True, text=True).stdout
        return first.split("\n", 1)[0]
    except OSError as err:
        return f"unavailable: {err}"


def run_cells(selected, ctx, table, jobs, results):
    """Evaluates the cells into results ({matrix index: CellResult}), which keeps the
    finished cells when an interrupt ends the run early."""
    def one(cell):
        try:
            return evaluate(cell, ctx["runner"], ctx["refs"], ctx["transports"], ctx["strict"])
        except KeyboardInterrupt:
            raise
        except Exception as err:  # a harness bug is reported on the cell, never hidden
            return CellResult(cell, FAIL, f"harness error: {err!r}",
                              diffs=traceback.format_exc().strip().split("\n")[-6:])

    if jobs == 1:
        for i, cell in enumerate(selected):
            results[i] = one(cell)
            table.row(results[i])
    else:
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = {pool.submit(one, cell): i for i, cell in enumerate(selected)}
            for future in concurrent.futures.as_completed(futures):
                results[futures[future]] = future.result()
                table.row(results[futures[future]])
        finally:
            if sys.exc_info()[0] is not None:
                ctx["tracker"].kill_all()
            pool.shutdown(wait=True, cancel_futures=True)


def main(argv, repo_root):
    args = parse_args(argv)
    selected = select_cells(args)
    if not selected:
        print("interop: no cell matches the preset and filters", file=sys.stderr)
        return EXIT_USAGE
    if args.list:
        try:
            for cell in selected:
                print(cell.key)
            print(f"{len(selected)} cells", file=sys.stderr)
        except BrokenPipeError:  # e.g. piped into head
            sys.stderr.close()
        return 0
    if os.geteuid() != 0:
        print("interop: must run as root (owners, devices, sshd)", file=sys.stderr)
        return EXIT_USAGE
    if args.tree and not os.path.isdir(args.tree):
        print(f"interop: --tree {args.tree}: not a directory", file=sys.stderr)
        return EXIT_USAGE

    os.umask(0o022)
    programs = resolve_programs(args, repo_root)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    results_path = args.results or os.path.join(repo_root, "interop", "results",
                                                f"{args.preset}-{stamp}.json")
    meta = {"argv": ["interop/run"] + argv, "preset": args.preset, "strict": args.strict,
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "rsync": {"path": programs.rsync, "version": _version(programs.rsync)},
            "ursync": {"path": programs.ursync, "missing": programs.ursync_missing},
            "source": args.tree or "generated", "big_mib": args.big_mib, "jobs": args.jobs}
    print(f"interop: {len(selected)} cells (preset {args.preset}); rsync {programs.rsync}; "
          f"ursync {programs.ursync}" + (" [not built]" if programs.ursync_missing else ""))

    old_handlers = {s: signal.signal(s, _raise_interrupt) for s in (signal.SIGTERM,
                                                                      signal.SIGHUP)}
    workdir = tempfile.mkdtemp(prefix="ursync-interop-")
    tracker = runner.ProcessTracker()
    trans = transports.Transports(repo_root, workdir)
    finished, interrupted, setup_error, started = {}, False, None, time.monotonic()
    ws = None
    try:
        ws = runner.Workspace(workdir, source=args.tree, big_size=args.big_mib << 20,
                              keep=args.keep)
        ws.prepare({s for c in selected for s in optsets.BY_NAME[c.optset].all_states()})
        meta["tree_notes"] = ws.notes
        for note in ws.notes:
            print(f"interop: scenario note: {note}")
        if any(c.transport == "ssh" and not (c.involves_ursync() and programs.ursync_missing)
               for c in selected):
            trans.start_ssh()
        run = runner.Runner(ws, trans, programs, child_env(args.locale), args.timeout, tracker)
        ctx = {"runner": run, "refs": ReferenceCache(run), "transports": trans,
               "strict": args.strict, "tracker": tracker}
        table = report.Table(quiet=args.quiet, diff_lines=args.diffs)
        run_cells(selected, ctx, table, args.jobs, finished)
    except KeyboardInterrupt:
        interrupted = True
        tracker.kill_all()
        print("\ninterop: interrupted", file=sys.stderr)
    except Exception as err:  # setting up failed (the cells catch their own errors)
        setup_error = f"{err!r}"
        traceback.print_exc()
        print(f"interop: setup failed: {err}", file=sys.stderr)
    finally:
        for sig in old_handlers:  # a second signal must not cut the cleanup short
            signal.signal(sig, signal.SIG_IGN)
        trans.stop()
        if ws is not None:
            ws.close()
        for sig, handler in old_handlers.items():
            signal.signal(sig, handler)
        if args.keep:
            print(f"interop: scratch directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    results = [finished[i] for i in sorted(finished)]
    meta["seconds"] = round(time.monotonic() - started, 1)
    meta["interrupted"] = interrupted
    meta["setup_error"] = setup_error
    report.write_json(results_path, meta, results)
    if not args.results:
        shutil.copyfile(results_path, os.path.join(os.path.dirname(results_path), "latest.json"))
    print(report.summary(results))
    print(f"interop: {meta['seconds']}s; results in {results_path}")
    if interrupted:
        return EXIT_INTERRUPTED
    if setup_error:
        return EXIT_SETUP
    return EXIT_FAILED if any(r.outcome == FAIL for r in results) else 0
