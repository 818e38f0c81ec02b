#!/usr/bin/env bash
# Configures and builds ursync (Release by default) into build/ (or $BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ccache-env.sh
build_dir=${BUILD_DIR:-build}
build_type=${BUILD_TYPE:-Release}
jobs=$(nproc)
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@" >/dev/null
cmake --build "$build_dir" -j"$jobs"
