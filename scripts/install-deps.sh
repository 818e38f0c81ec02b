#!/usr/bin/env bash
# Installs everything ursync needs to build and test, from Debian 12 packages (run as root).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  liburing-dev libxxhash-dev libzstd-dev libcli11-dev libgtest-dev nettle-dev zlib1g-dev
  rsync openssh-server openssh-client python3 strace
  clang-14 libclang-rt-14-dev
)

if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# rsync must be 3.5.0 (bookworm-security) for the interop tests.
if ! rsync --version 2>/dev/null | head -1 | grep -q 'version 3\.5\.'; then missing+=(rsync); fi
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
rsync --version | head -1
