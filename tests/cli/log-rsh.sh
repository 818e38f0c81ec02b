#!/bin/sh
# A logging remote shell for `rsync -e`: records its arguments (NUL-terminated) in the file named
# by $URSYNC_LOG_RSH_FILE, and with $URSYNC_LOG_RSH_STDIN set also the first bytes the client
# writes (the -s argument list), then exits without running anything.
out=${URSYNC_LOG_RSH_FILE:?URSYNC_LOG_RSH_FILE is not set}
: > "$out"
for arg in "$@"; do
    printf '%s\0' "$arg" >> "$out"
done
if [ -n "${URSYNC_LOG_RSH_STDIN:-}" ]; then
    # rsync writes the secluded args and its protocol version, then waits for ours.
    timeout 1 cat > "$out.stdin"
fi
exit 1
