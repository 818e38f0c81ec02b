"""Named subsets of the matrix. A preset is a list of selectors (see cells.select)."""

RSYNC_ONLY = {"client": {"rsync"}, "server": {"rsync", "-"}}

PRESETS = {
    # rsync in every seat over the whole matrix: every cell must pass (calibrates the harness).
    "calibrate": [RSYNC_ONLY],
    # everything: all seats, directions, transports, protocols, inc on/off, option sets, states.
    "full": [{}],
    # a fast subset for the project's test command (README command (2)); all four seat
    # combinations, both directions, both transports, all protocols, local copies.
    "ci": [
        {"transport": {"pipe"}, "protocol": {32}, "inc": {"on"},
         "optset": {"a", "ai", "stats", "delta", "delete-i", "H", "c", "z", "exclude", "r",
                    "n", "progress", "progress2", "delete-excluded", "X", "X-delete"}},
        {"transport": {"ssh"}, "protocol": {32}, "inc": {"on"}, "optset": {"a", "delta"}},
        {"transport": {"pipe"}, "protocol": {31, 30}, "inc": {"off"},
         "optset": {"ai", "stats"}},
        {"transport": {"local"}, "protocol": {32}, "inc": {"on"},
         "optset": {"a", "ai", "delta", "delete", "H", "progress", "c", "u", "S", "filter",
                    "X", "X-delete", "X-filter"}},
        # The everyday options (issue 17): each family's most common cell, pipe and local.
        {"transport": {"pipe", "local"}, "protocol": {32}, "inc": {"on"},
         "optset": {"h", "list-nodest", "backup-dir", "link-dest", "partial-dir", "append",
                    "files-from", "chmod", "max-delete", "m", "remove-source-files",
                    "out-format"},
         "state": {"empty", "extras", "partials", "old-versions"}},
    ],
}

DESCRIPTIONS = {
    "calibrate": "rsync in every seat, full matrix (all cells must pass)",
    "full": "the full matrix, every seat combination",
    "ci": "small fast subset used by the project's test command",
}
