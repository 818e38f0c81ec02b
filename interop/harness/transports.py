"""How the client reaches the server program: the pipe remote shell or ssh to a loopback sshd."""

import importlib.util
import os
import shlex

PIPE_HOST = "root@localhost"   # pipe-rsh drops the host (and the -l root rsync adds)
SSH_HOST = "root@127.0.0.1"


def _load_fixture(repo_root):
    path = os.path.join(repo_root, "tests", "fixtures", "sshd_fixture.py")
    spec = importlib.util.spec_from_file_location("sshd_fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Transports:
    """Owns the sshd (if one is needed): call stop() in every exit path."""

    def __init__(self, repo_root, workdir):
        self.pipe_rsh = os.path.join(repo_root, "interop", "pipe-rsh")
        self._fixture = _load_fixture(repo_root)
        self._statedir = os.path.join(workdir, "sshd")
        self._ssh_command = None
        self.ssh_skip = None    # reason ssh cells are skipped (sshd not installed)
        self.ssh_error = None   # reason ssh cells fail (sshd installed but would not start)

    def start_ssh(self):
        if self._fixture.sshd_path() is None:
            self.ssh_skip = f"sshd not installed ({self._fixture.SSHD})"
            return
        try:
            self._fixture.start(self._statedir)
            with open(os.path.join(self._statedir, "ssh_command")) as f:
                self._ssh_command = f.read().strip()
        except Exception as err:  # any failure to start is reported on every ssh cell
            self.ssh_error = f"the sshd fixture failed: {err}"
            self.stop()

    def stop(self):
        if os.path.isdir(self._statedir):
            self._fixture.stop(self._statedir)

    def rsh_and_host(self, transport):
        """The -e value and the host for a transport ("pipe" or "ssh")."""
        if transport == "pipe":
            return shlex.quote(self.pipe_rsh), PIPE_HOST
        if transport == "ssh":
            if self._ssh_command is None:
                raise RuntimeError("ssh transport used without a running sshd")
            return self._ssh_command, SSH_HOST
        raise ValueError(f"unknown transport {transport!r}")
