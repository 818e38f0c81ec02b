"""What the Python tests that compare ursync with stock rsync share (tests/util/stock_rsync.h
for the C++ tests)."""
import shutil


def have_rsync():
    """Whether stock rsync is on PATH; a test that compares with it skips without it."""
    return shutil.which("rsync") is not None
