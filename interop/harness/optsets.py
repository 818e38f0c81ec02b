"""The named option sets: arguments, destination states, and what each one compares."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptSet:
    name: str
    args: tuple
    states: tuple            # destination states it runs with
    doc: str
    times: bool = True       # -t in effect: mtimes are compared (else they are "now")
    lines: bool = False      # compare stdout lines (-v/-i output), timing lines removed
    stats: bool = False      # compare --stats counters
    compress: bool = False   # -z: "Total bytes sent/received" are not compared at all
    hardlinks: bool = False  # -H: the reference must reproduce the source's hard links
    progress: int = 0        # --progress (1) / --info=progress2 (2): progress records compared
    xattrs: int = 0          # -X (1) / -XX (2): the reference must reproduce the source's xattrs
                             # (with one -X, but the user.rsync.%* names, which it leaves out)
    # Sanity checks of the rsync->rsync reference, per state: "mirror" (the result equals the
    # source), "unchanged" (equals the starting state). They catch a harness that tests nothing.
    expect: dict = field(default_factory=dict)
    ref_exit: int = 0        # exit code the reference must have
    ref_nonzero: tuple = ()  # --stats counters that must be non-zero in the reference


OPTSETS = [
    OptSet("a", ("-a",), ("empty", "stale"), "archive mode", expect={"empty": "mirror"}),
    OptSet("av", ("-av",), ("empty", "stale"), "archive, verbose: compare the file lines",
           lines=True, expect={"empty": "mirror"}),
    OptSet("ai", ("-ai",), ("empty", "stale"), "archive, compare --itemize-changes lines",
           lines=True, expect={"empty": "mirror"}),
    OptSet("stats", ("-a", "--stats"), ("empty", "stale"), "archive, compare --stats counters",
           stats=True, expect={"empty": "mirror"}),
    OptSet("delete", ("-a", "--delete"), ("extras",), "--delete against a dest with extras"),
    OptSet("delete-i", ("-ai", "--delete"), ("extras",),
           "--delete with itemized output (the *deleting lines)", lines=True),
    OptSet("delta", ("-a", "--no-W", "--stats"), ("old-versions",),
           "delta transfer of older versions; compare literal/matched data",
           stats=True, expect={"old-versions": "mirror"},
           ref_nonzero=("Matched data", "Literal data")),
    OptSet("c", ("-ac",), ("empty", "stale"), "--checksum",
           expect={"empty": "mirror", "stale": "mirror"}),
    OptSet("z", ("-az", "--stats"), ("empty", "old-versions"), "compression (zlib)",
           stats=True, compress=True, expect={"empty": "mirror", "old-versions": "mirror"}),
    OptSet("H", ("-aH",), ("empty", "stale"), "hard links", hardlinks=True,
           expect={"empty": "mirror"}),
    OptSet("numeric", ("-a", "--numeric-ids"), ("empty",), "--numeric-ids",
           expect={"empty": "mirror"}),
    OptSet("n", ("-ain",), ("stale",), "dry run, itemized", lines=True,
           expect={"stale": "unchanged"}),
    OptSet("exclude", ("-a", "--delete", "--include=keep.tmp", "--exclude=*.tmp",
                       "--exclude=skipdir/"), ("empty", "extras"),
           "include/exclude rules with --delete (excluded files in dest are protected)"),
    OptSet("sizeonly", ("-a", "--size-only"), ("stale",), "--size-only quick check"),
    OptSet("I", ("-aI",), ("stale",), "--ignore-times", expect={"stale": "mirror"}),
    OptSet("r", ("-r",), ("empty", "stale"), "recursive only: no -t, -l, -p, -o, -g, -D",
           times=False),
    OptSet("inplace", ("-a", "--inplace"), ("stale", "old-versions"), "--inplace updates",
           expect={"old-versions": "mirror"}),
    OptSet("partial", ("-a", "--partial", "--no-W", "--stats"), ("old-versions",),
           "--partial with delta transfers", stats=True, expect={"old-versions": "mirror"}),
    OptSet("timeout", ("-a", "--timeout=30"), ("empty",), "--timeout (keep-alives, no expiry)",
           expect={"empty": "mirror"}),
    OptSet("csum-md5", ("-a", "--checksum-choice=md5", "--no-W", "--stats"), ("old-versions",),
           "a fixed checksum (no negotiation) for block and file sums", stats=True,
           expect={"old-versions": "mirror"}),
    OptSet("zc", ("-a", "--compress-choice=zstd", "--stats"), ("old-versions",),
           "a fixed compressor (no negotiation)", stats=True, compress=True,
           expect={"old-versions": "mirror"}),
    OptSet("q", ("-aq",), ("empty",), "quiet",
           expect={"empty": "mirror"}),
    OptSet("u", ("-aui",), ("stale",), "--update: newer destination files are kept",
           lines=True),
    OptSet("ignore-existing", ("-ai", "--ignore-existing"), ("stale",),
           "--ignore-existing: files already there are not updated", lines=True),
    OptSet("existing", ("-ai", "--existing"), ("empty", "stale"),
           "--existing: nothing new is created (but the destination root)", lines=True),
    OptSet("S", ("-aS", "--stats"), ("empty", "old-versions"), "--sparse (holes for zero runs)",
           stats=True, expect={"empty": "mirror", "old-versions": "mirror"}),
    OptSet("delete-excluded", ("-ai", "--delete", "--delete-excluded", "--exclude=*.tmp"),
           ("extras",), "--delete-excluded: excluded files in the destination go too",
           lines=True),
    OptSet("filter", ("-ai", "--delete", "--filter=- *.tmp", "--filter=P keep*"), ("extras",),
           "--filter rules (an exclude and a protect) with --delete", lines=True),
    OptSet("W", ("-aW", "--stats"), ("old-versions",), "-W: whole files although a basis exists",
           stats=True, expect={"old-versions": "mirror"}),
    OptSet("progress", ("-a", "--progress"), ("empty", "old-versions"),
           "per-file progress lines (rates and times not compared)", lines=True, progress=1,
           expect={"empty": "mirror", "old-versions": "mirror"}),
    OptSet("P", ("-aP", "--no-W"), ("old-versions",), "-P (--partial --progress) with deltas",
           lines=True, progress=1, expect={"old-versions": "mirror"}),
    OptSet("progress2", ("-a", "--info=progress2"), ("empty", "old-versions"),
           "one overall progress line (rates and times not compared)", lines=True, progress=2,
           expect={"empty": "mirror", "old-versions": "mirror"}),
    # Extended attributes (the xattrs/ subtree of the scenario tree; trees._make_xattr_tree).
    OptSet("X", ("-aXi", "--stats"), ("empty", "stale-xattrs"),
           "-X: xattrs (literal and digest values, shared sets, attribute-only changes)",
           lines=True, stats=True, xattrs=1, expect={"empty": "mirror"}),
    OptSet("XX", ("-aXXi",), ("empty", "stale-xattrs"),
           "-XX: xattrs including the user.rsync.%* names", lines=True, xattrs=2,
           expect={"empty": "mirror"}),
    OptSet("X-delete", ("-aXi", "--delete"), ("stale-xattrs",),
           "-X with --delete: the result is the source, xattrs included", lines=True,
           xattrs=1, expect={"stale-xattrs": "mirror"}),
    OptSet("X-n", ("-aXin",), ("stale-xattrs",), "-X dry run, itemized (nothing changes)",
           lines=True, xattrs=1, expect={"stale-xattrs": "unchanged"}),
    OptSet("X-filter", ("-aXi", "--stats", "--filter=-x user.tag", "--filter=-xr user.v",
                        "--filter=-xs user.large", "--filter=+x user.*", "--filter=-x *"),
           ("empty", "stale-xattrs"),
           "-X with 'x' filter rules (both sides, sender-only, receiver-only; they replace the "
           "namespace defaults)", lines=True, stats=True, xattrs=1),
    OptSet("X-H", ("-aXHi",), ("empty", "stale-xattrs"),
           "-X with -H: a hard-link group with xattrs, linked locally", lines=True,
           xattrs=1, hardlinks=True, expect={"empty": "mirror"}),
]

BY_NAME = {o.name: o for o in OPTSETS}
