"""The named option sets: arguments, destination states, and what each one compares."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptSet:
    name: str
    args: tuple
    states: tuple            # destination states it runs with
    doc: str
    times: bool = True       # -t in effect: mtimes are compared (else they are "now")
    dir_times: bool = True   # directory mtimes compared (a backup renames in them after -t)
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
    # Beside the destination, in the run's own directory (the transfer's cwd, its path is
    # "{run}" in args): (name, state) copies of prepared states ("prev" for --link-dest, a
    # backup dir) and (name, bytes) files (a --files-from list). With any of them, or with
    # own_source, the whole run directory is compared too (hard links across its trees).
    siblings: tuple = ()
    files: tuple = ()
    own_source: bool = False  # the run gets its own copy of the source, at {run}/src
                              # (--remove-source-files changes it)
    # The source itself is given as "{src}/" unless src_args replaces it (e.g. ("{src}/./d",)
    # for -R, or ("{src}/missing", "{src}/") for a missing arg).
    src_args: tuple = ()
    no_dest: bool = False     # a listing: no destination argument at all
    dest_sub: str = ""        # the destination is dst + dest_sub (--mkpath makes the rest)
    around: bool = False      # compare the run directory too (e.g. a --backup-dir beside dst)
    directions: tuple = ("push", "pull", "local")

    def all_states(self):
        return set(self.states) | {state for _, state in self.siblings}


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

# Everyday options (issue 17): each family against a state that exercises it.
FILES_FROM_LIST = (b"# a comment\nsmall.txt\n\n; another\ndata/d0/e0/f1.dat\nmissing/file\n"
                   b"text/\nnames\n/empty\nlinks/\n")
FILES_FROM_LIST_0 = b"small.txt\0data/d1/\0links/rel\0"
NOT_NAMES = "--exclude=/names/"  # 255-byte names: name + "~" is too long (rsync exits 11)
OPTSETS += [
    OptSet("h", ("-aivh", "--stats"), ("empty", "stale"),
           "-h: human-readable numbers in the summary, --stats and -v lines",
           lines=True, stats=True, expect={"empty": "mirror"}),
    OptSet("hh", ("-aihh", "--stats", "--no-W"), ("old-versions",),
           "-hh: numbers in powers of 1024", lines=True, stats=True,
           expect={"old-versions": "mirror"}),
    OptSet("list", ("-a", "--list-only"), ("stale",),
           "--list-only with a destination: listed, nothing written", lines=True,
           expect={"stale": "unchanged"}),
    OptSet("list-nodest", ("-ah",), ("empty",),
           "a lone source: a listing (rsync's ls -l format, -h sizes)", lines=True,
           no_dest=True, directions=("pull", "local")),
    OptSet("backup", ("-ai", "-b", NOT_NAMES), ("stale",),
           "-b: replaced files are kept as name~", lines=True, dir_times=False),
    OptSet("backup-delete", ("-ai", "-b", "--delete", "--suffix=.old", NOT_NAMES),
           ("extras",), "-b --delete --suffix: deleted files are backed up too", lines=True,
           dir_times=False, ref_exit=23),
    OptSet("backup-dir", ("-ai", "--delete", "--backup-dir=../bk"), ("extras",),
           "--backup-dir beside the destination (relative to it)", lines=True, around=True,
           dir_times=False),
    OptSet("backup-dir-abs", ("-ai", "--backup-dir={run}/bk2", "--suffix=.bak", NOT_NAMES),
           ("stale",), "an absolute --backup-dir with a suffix", lines=True, around=True,
           dir_times=False),
    OptSet("link-dest", ("-ai", "--link-dest=../prev"), ("empty",),
           "--link-dest: unchanged files are hard links into the previous copy",
           lines=True, siblings=(("prev", "stale"),)),
    OptSet("link-dest-2", ("-ai", "--link-dest=../prev", "--link-dest={run}/prev2"),
           ("empty", "old-versions"), "two --link-dest dirs, the second absolute",
           lines=True, siblings=(("prev", "stale"), ("prev2", "old-versions"))),
    OptSet("compare-dest", ("-ai", "--compare-dest=../prev"), ("empty",),
           "--compare-dest: files equal to the previous copy are left out", lines=True,
           siblings=(("prev", "stale"),)),
    OptSet("copy-dest", ("-ai", "--copy-dest=../prev", "--no-W", "--stats"), ("empty",),
           "--copy-dest: unchanged files copied locally, others use it as a basis",
           lines=True, stats=True, siblings=(("prev", "old-versions"),)),
    OptSet("partial-dir", ("-ai", "--partial-dir=.rsync-partial", "--no-W", "--stats"),
           ("partials",), "--partial-dir: the partial files are the basis, then go",
           lines=True, stats=True, expect={"partials": "mirror"},
           ref_nonzero=("Matched data",)),
    OptSet("delay-updates", ("-ai", "--delay-updates"), ("stale", "old-versions"),
           "--delay-updates: files go into place at the end", lines=True,
           expect={"old-versions": "mirror"}),
    OptSet("append", ("-ai", "--append", "--stats"), ("old-versions",),
           "--append: shorter files are extended, others left alone", lines=True,
           stats=True),
    OptSet("append-verify", ("-ai", "--append-verify", "--stats"), ("old-versions",),
           "--append-verify: a kept prefix that differs fails the check; the redo sends the "
           "file in place", lines=True, stats=True, expect={"old-versions": "mirror"}),
    OptSet("files-from", ("-ai", "--files-from={run}/list"), ("empty", "stale"),
           "--files-from: a local list (comments, an empty line, a missing name, a directory "
           "with and without its slash, an absolute name)", lines=True, ref_exit=23,
           dir_times=False, files=(("list", FILES_FROM_LIST),)),
    OptSet("files-from-0", ("-ai", "--from0", "--files-from={run}/list"), ("empty",),
           "--files-from with -0: NUL-ended names", lines=True, dir_times=False,
           files=(("list", FILES_FROM_LIST_0),)),
    OptSet("files-from-remote", ("-ai", "--files-from=:{run}/list"), ("empty",),
           "--files-from=:LIST read on the remote host (comment lines are names there)",
           lines=True, ref_exit=23, dir_times=False, files=(("list", FILES_FROM_LIST),),
           directions=("push", "pull")),
    OptSet("remove-source-files", ("-ai", "--remove-source-files", "--info=remove1"),
           ("empty", "stale"), "--remove-source-files: what the receiver has goes from the "
           "source (\"sender removed\" lines)", lines=True, own_source=True, dir_times=False),
    OptSet("m", ("-aim", "--include=*/", "--include=*.txt", "--exclude=*"), ("empty", "stale"),
           "-m: only .txt files, and no directory chain without one", lines=True),
    OptSet("m-exclude", ("-aim", "--exclude=*.dat", "--exclude=hard/"), ("empty",),
           "-m: directories left empty by excludes are not created", lines=True),
    OptSet("size-limits", ("-ai", "--max-size=100K", "--min-size=10"), ("empty", "stale"),
           "--max-size and --min-size", lines=True),
    OptSet("ignore-missing", ("-ai", "--ignore-missing-args"), ("empty",),
           "--ignore-missing-args: a missing source arg is skipped quietly", lines=True,
           src_args=("{src}/", "{src}/not-there")),
    OptSet("delete-missing", ("-ai", "--delete-missing-args"), ("extras",),
           "--delete-missing-args: a missing source arg is deleted in the destination",
           lines=True, src_args=("{src}/small.txt", "{src}/extra-file-0"), dir_times=False),
    OptSet("max-delete", ("-ai", "--delete", "--max-delete=3"), ("extras",),
           "--max-delete: deletions stop at the limit (the extras state's file in the way of a "
           "directory makes it 23, not 25)", lines=True, ref_exit=23, dir_times=False),
    OptSet("force", ("-a", "--delete", "--ignore-errors", "--force"), ("extras",),
           "--ignore-errors and --force with --delete"),
    OptSet("O", ("-aiO",), ("stale",), "-O: directory times are not kept", lines=True,
           times=False),
    OptSet("J", ("-aiJ",), ("stale",), "-J: symlink times are not kept", lines=True,
           times=False),
    OptSet("modify-window", ("-ai", "--modify-window=5"), ("stale",),
           "--modify-window: mtimes this close count as equal", lines=True),
    OptSet("chmod", ("-ai", "--chmod=D755,F644"), ("empty", "stale"),
           "--chmod with octal rules for directories and files", lines=True),
    OptSet("chmod-symbolic", ("-ai", "--chmod=Dg+s,ug+w,Fo-w,+X", "--chmod=o=g"),
           ("empty", "stale"), "--chmod with symbolic rules, X, a copy and two arguments",
           lines=True),
    OptSet("chown", ("-ai", "--chown=daemon:daemon"), ("empty", "stale"),
           "--chown: every owner and group set", lines=True),
    OptSet("usermap", ("-ai", "--usermap=0:daemon,*:0", "--groupmap=daemon:0"), ("empty",),
           "--usermap and --groupmap", lines=True),
    OptSet("E", ("-rtiE",), ("stale",), "-E: the executable bits only", lines=True),
    OptSet("K", ("-aiK",), ("stale",), "-K: a directory symlink in the destination is kept",
           lines=True),
    OptSet("safe-links", ("-ai", "--safe-links"), ("empty",),
           "--safe-links: links leaving the tree are skipped", lines=True),
    OptSet("out-format", ("-a", "--out-format=%o|%i|%n|%L|%l|%B|%U|%G|%u|%g|%M|%f"),
           ("empty", "stale"), "--out-format with most escapes (not %b, %t, %p)",
           lines=True),
    OptSet("8", ("-ai8",), ("empty",), "-8: high-bit names unescaped", lines=True),
    OptSet("bwlimit", ("-a", "--bwlimit=20m", "--stats"), ("empty",),
           "--bwlimit (the result; tests/app/bwlimit_test.py checks the pace)", stats=True,
           expect={"empty": "mirror"}),
    OptSet("T", ("-ai", "-T", "{run}/tmp", "--no-W"), ("empty", "old-versions"),
           "-T: temp files made in another directory, renamed into place", lines=True,
           dir_times=False, files=(("tmp/.keep", b""),)),
    OptSet("fsync", ("-a", "--fsync"), ("empty",), "--fsync", expect={"empty": "mirror"}),
    OptSet("preallocate", ("-a", "--preallocate", "--no-W", "--stats"),
           ("empty", "old-versions"), "--preallocate", stats=True,
           expect={"empty": "mirror", "old-versions": "mirror"}),
    OptSet("mkpath", ("-ai", "--mkpath"), ("empty",),
           "--mkpath: the destination's missing parents are made", lines=True,
           times=False, dest_sub="/a/b"),
    OptSet("no-super", ("-ai", "--no-super"), ("empty",),
           "--no-super: no owners, devices or specials as root", lines=True),
]

BY_NAME = {o.name: o for o in OPTSETS}
