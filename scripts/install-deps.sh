#!/usr/bin/env bash
# Installs everything ursync needs to build and test, from Debian 12 packages (run as root).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  liburing-dev libxxhash-dev libzstd-dev libcli11-dev libgtest-dev nettle-dev zlib1g-dev
  rsync openssh-server openssh-client python3 strace ccache
  clang-14 libclang-rt-14-dev
)

if [ "$(id -u)" -ne 0 ]; then
  exec sudo -E "$0" "$@"
fi
export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
# rsync must be 3.5.0 (bookworm-security) for the interop tests.
rsync_version=$(rsync --version 2>/dev/null || true)  # no pipe into head: pipefail + SIGPIPE
case "${rsync_version%%$'\n'*}" in
  *"version 3.5."*) ;;
  *) missing+=(rsync) ;;
esac
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
version=$(rsync --version)
echo "${version%%$'\n'*}"
