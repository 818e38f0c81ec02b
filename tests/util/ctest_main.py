"""unittest's main for the Python tests that ctest runs, with exit statuses ctest tells apart:
0 when every test passed, 1 when one failed (or none ran), SKIP_CODE when none failed but one
was skipped (stock rsync is missing, a race could not be set up, ...). Their add_test() sets
SKIP_RETURN_CODE to SKIP_CODE (tests/CMakeLists.txt), so ctest reports such a run as skipped,
never as passed; the output names what was skipped.

From a test script:   sys.path.insert(0, <tests/util>); import ctest_main; ctest_main.main()
For a discovery run:  python3 tests/util/ctest_main.py discover -s tests -t .
"""
import sys
import unittest

SKIP_CODE = 77  # automake's "skipped"; tests/CMakeLists.txt: SKIP_RETURN_CODE 77


def main(module="__main__"):
    result = unittest.main(module=module, exit=False, verbosity=2).result
    if not result.wasSuccessful() or result.testsRun == 0:
        sys.exit(1)
    if result.skipped:
        print(f"{len(result.skipped)} of {result.testsRun} tests skipped: exit {SKIP_CODE}, "
              "which ctest reports as skipped", file=sys.stderr)
        sys.exit(SKIP_CODE)
    sys.exit(0)


if __name__ == "__main__":
    main(module=None)
