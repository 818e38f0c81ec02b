"""The pipe remote shell and the broken stand-in behave as documented."""

import os
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
PIPE_RSH = os.path.join(HERE, "..", "pipe-rsh")
DROP_T = os.path.join(HERE, "..", "standins", "rsync-drop-t")


def rsh(*args, stdin=b""):
    return subprocess.run([PIPE_RSH, *args], input=stdin, capture_output=True)


class PipeRshTest(unittest.TestCase):
    def test_ssh_options_and_host_are_skipped(self):
        for opts in ([], ["-l", "root"], ["-p", "22", "-o", "BatchMode=yes"], ["-qT"],
                     ["-i", "key", "-oX=y", "-lroot"], ["-qp", "22"], ["-4", "--"]):
            r = rsh(*opts, "somehost", "echo", "ok")
            self.assertEqual((r.returncode, r.stdout), (0, b"ok\n"), opts)

    def test_words_are_joined_and_run_by_sh(self):
        # like sshd: "a  b" is one word here but the shell splits the joined line again
        r = rsh("h", "printf", "'[%s]'", "a  b", "'c d'")
        self.assertEqual(r.stdout, b"[a][b][c d]")

    def test_exit_status_is_passed_back(self):
        self.assertEqual(rsh("h", "exit 7").returncode, 7)

    def test_stdin_and_stderr_pass_through(self):
        r = rsh("h", "cat; echo err >&2", stdin=b"data")
        self.assertEqual((r.stdout, r.stderr), (b"data", b"err\n"))

    def test_errors_exit_255(self):
        self.assertEqual(rsh().returncode, 255)
        self.assertEqual(rsh("host").returncode, 255)
        self.assertEqual(rsh("-p").returncode, 255)


class DropTimesStandInTest(unittest.TestCase):
    """Runs the stand-in with RSYNC_BIN pointing at a script that prints its arguments."""

    def run_standin(self, *args):
        with tempfile.TemporaryDirectory() as tmp:
            fake = os.path.join(tmp, "fake-rsync")
            with open(fake, "w") as f:
                f.write('#!/bin/sh\nfor a do printf "%s|" "$a"; done\n')
            os.chmod(fake, 0o755)
            env = dict(os.environ, RSYNC_BIN=fake)
            r = subprocess.run([DROP_T, *args], capture_output=True, env=env, check=True)
            return r.stdout.decode()

    def test_server_loses_t_in_the_flags_only(self):
        out = self.run_standin("--server", "-vlogDtpre.iLsfxCIvu", "--delete", ".", "d t/")
        self.assertEqual(out, "--server|-vlogDpre.iLsfxCIvu|--delete|.|d t/|")

    def test_server_sender(self):
        out = self.run_standin("--server", "--sender", "-logDtpre.iLsftxCIvu", ".", "s/")
        self.assertEqual(out, "--server|--sender|-logDpre.iLsftxCIvu|.|s/|")

    def test_client_appends_no_times(self):
        out = self.run_standin("-a", "src/", "host:dst/")
        self.assertEqual(out, "-a|src/|host:dst/|--no-times|")


if __name__ == "__main__":
    unittest.main()
