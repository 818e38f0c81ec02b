#!/usr/bin/env bash
# Builds the fuzz configuration (clang-14 + libFuzzer) and runs every *_fuzz target for N
# seconds each (default 60), seeded from fuzz/corpus/<name>/. New inputs go to a work corpus in
# the build directory, never into the repository. Exits non-zero if any target finds a crash.
#
# usage: fuzz/run.sh [seconds] [name...]      (names without the _fuzz suffix; default: all)
# env:   URSYNC_FUZZ_BUILD_DIR  build directory (default: <repo>/build-fuzz, the "fuzz" preset's)
#        URSYNC_FUZZ_JOBS       parallel build jobs (default 2)
set -euo pipefail

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "usage: $0 [seconds] [name...]" >&2
  exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${URSYNC_FUZZ_BUILD_DIR:-$repo/build-fuzz}"
jobs="${URSYNC_FUZZ_JOBS:-2}"
# ccache (scripts/ccache-env.sh) with paths relative to the checkout
pushd "$repo" >/dev/null
. scripts/ccache-env.sh
popd >/dev/null

cmake -S "$repo" -B "$build" -DURSYNC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
cmake --build "$build" -j "$jobs"

mapfile -t targets < <(find "$build/fuzz" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x | sort)
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no *_fuzz targets were built in $build/fuzz" >&2
  exit 1
fi

failed=()
for bin in "${targets[@]}"; do
  name="$(basename "$bin" _fuzz)"
  if [ "$#" -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then
    continue
  fi
  work="$build/fuzz-corpus/$name"
  artifacts="$build/fuzz-artifacts/$name"
  mkdir -p "$work" "$artifacts"
  seeds=()
  [ -d "$repo/fuzz/corpus/$name" ] && seeds+=("$repo/fuzz/corpus/$name")
  echo "=== $name: ${seconds}s"
  log="$artifacts/last-run.log"
  if "$bin" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 \
       -artifact_prefix="$artifacts/" "$work" "${seeds[@]}" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$log" | tr '\n' ' ' || true
    echo "corpus: $(find "$work" -type f | wc -l) files"
  else
    echo "FAILED: $name (log: $log)" >&2
    tail -n 30 "$log" >&2
    failed+=("$name")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz failures: ${failed[*]}" >&2
  exit 1
fi
echo "all fuzz targets ran clean"
