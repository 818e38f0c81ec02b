"""A tree as lines to compare: every entry's path, mode, and for regular files size, content
digest and mtime, for symlinks the target; sorted. Shared by the Python suites that compare
trees before and after a run."""
import hashlib
import os
import stat


def tree_listing(root, skip=None):
    """Every entry under root but `skip` (a top-level name); None when root does not exist."""
    if not os.path.lexists(root):
        return None
    out = []
    for dirpath, dirs, files in os.walk(root):
        if dirpath == root and skip in dirs:
            dirs.remove(skip)
        for name in sorted(dirs + files):
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            line = f"{os.path.relpath(path, root)} {st.st_mode:o}"
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    digest = hashlib.sha1(f.read()).hexdigest()
                line += f" {st.st_size} {digest} {st.st_mtime_ns}"
            elif stat.S_ISLNK(st.st_mode):
                line += " -> " + os.readlink(path)
            out.append(line)
    return sorted(out)
