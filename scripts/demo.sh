#!/usr/bin/env bash
# README command (1): install dependencies, build, and run ursync on a generated demo tree.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
exec ./scripts/run-demo.sh
