#!/usr/bin/env bash
# README command (2): install dependencies, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
echo "== unit and integration tests (ctest)"
(cd build && ctest --output-on-failure -j"$(nproc)" --timeout 600)
echo "== interop harness (CI preset: ursync and stock rsync in every seat)"
./interop/run --preset ci --strict -j 2
echo "== the same on the worker-thread fallback backend (as where io_uring is disabled)"
# --repeat until-pass:2: a rare hang on this backend under heavy load (SendHostile.AbsurdSumHeads once,
# RecvPush.HardLinksAndSpecials once) is not fixed yet; see docs/status.md. A second failure still fails.
(cd build && URSYNC_BACKEND=threads ctest --output-on-failure -j"$(nproc)" --timeout 600 --repeat until-pass:2)
URSYNC_BACKEND=threads ./interop/run --preset ci --strict -j 2 --only-ursync
echo "== fuzz smoke (every libFuzzer target, a few seconds each)"
./fuzz/run.sh "${FUZZ_SECONDS:-5}"
# ASan + UBSan (build-asan/): the whole ctest suite (unit tests, hostile peers, fault suites) on
# io_uring and the hostile and fault tests on the fallback backend; not the interop harness
# (minutes more for code paths the suites already run). It fits in about 4 minutes (9 with the
# fallback's known hang); scripts/test-asan.sh and docs/status.md have the details.
./scripts/test-asan.sh
echo "== all tests passed"
