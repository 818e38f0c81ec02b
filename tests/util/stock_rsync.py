"""What the Python tests that compare ursync with stock rsync share (tests/util/stock_rsync.h
for the C++ tests): whether rsync is installed, and the checksum seed both sides are given."""
import shutil


def have_rsync():
    """Whether stock rsync is on PATH; a test that compares with it skips without it."""
    return shutil.which("rsync") is not None


# The checksum seed of every transfer compared with stock rsync (--checksum-seed, on both
# sides): with rsync's random seed, phase 0's 2-byte strong sums let a false block match through
# now and then and that file is sent again in phase 1, so two runs of one transfer could differ.
CHECKSUM_SEED = 1
CHECKSUM_SEED_ARG = f"--checksum-seed={CHECKSUM_SEED}"

# A seed that does let a false block match through (tests/util/stock_rsync.h has the details):
# a delta transfer of false_match_file() over its first FALSE_MATCH_BASIS_LEN bytes redoes the
# file in phase 1 with it.
FALSE_MATCH_SEED = 3611
FALSE_MATCH_BASIS_LEN = 300000


def false_match_file():
    return b"".join(b"line %d of a bigger file\n" % i for i in range(20000))
