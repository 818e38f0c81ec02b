#!/usr/bin/env bash
# Generates a demo tree and syncs it with ursync: locally, then to stock rsync over a remote shell.
set -euo pipefail
cd "$(dirname "$0")/.."
ursync=${URSYNC_BIN:-$PWD/build/ursync}
demo=${DEMO_DIR:-$PWD/demo}
rm -rf "$demo"
mkdir -p "$demo/src/docs/notes" "$demo/src/data" "$demo/src/empty"
for i in $(seq 1 20); do
  printf 'line %d of the demo tree\n' $(seq 1 $((i * 50))) > "$demo/src/docs/file$i.txt"
done
head -c 3000000 /dev/urandom > "$demo/src/data/blob.bin"
printf 'hello\n' > "$demo/src/docs/notes/readme.md"
ln -s docs/notes/readme.md "$demo/src/link-to-readme"
touch -d '2024-01-02 03:04:05.123456789' "$demo/src/docs/notes/readme.md"

echo "== ursync -av --stats (local copy)"
"$ursync" -av --stats "$demo/src/" "$demo/local-copy/"

echo
echo "== ursync -av (push to stock rsync through a remote shell), twice: the second run is a no-op"
"$ursync" -av -e "$PWD/interop/pipe-rsh" "$demo/src/" "localhost:$demo/pushed/"
"$ursync" -av -e "$PWD/interop/pipe-rsh" "$demo/src/" "localhost:$demo/pushed/"

echo
echo "== the copies match the source:"
diff -r "$demo/src" "$demo/local-copy" && diff -r "$demo/src" "$demo/pushed" && echo "identical"
