"""The interop harness: ursync against stock rsync, cell by cell (see interop/README.md)."""
