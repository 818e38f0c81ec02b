"""tests/fixtures/sshd_fixture.py: start, log in with the written ssh command, stop."""

import os
import shlex
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.normpath(os.path.join(HERE, "..", "..", "tests", "fixtures",
                                        "sshd_fixture.py"))


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except FileNotFoundError:
        return False


def fixture(*args):
    return subprocess.run([FIXTURE, *args], capture_output=True, text=True)


@unittest.skipUnless(os.access("/usr/sbin/sshd", os.X_OK), "sshd not installed")
@unittest.skipUnless(os.geteuid() == 0, "the fixture needs root")
class SshdFixtureTest(unittest.TestCase):
    def setUp(self):
        self.state = tempfile.mkdtemp(prefix="interop-sshd-")

    def tearDown(self):
        fixture("stop", self.state)
        shutil.rmtree(self.state)

    def test_start_login_stop(self):
        started = fixture("start", self.state)
        self.assertEqual(started.returncode, 0, started.stderr)
        self.assertRegex(started.stdout, r"^port=\d+\n$")
        self.assertEqual(fixture("status", self.state).returncode, 0)
        again = fixture("start", self.state)
        self.assertNotEqual(again.returncode, 0, "a second start must be refused")

        with open(os.path.join(self.state, "ssh_command")) as f:
            ssh = shlex.split(f.read())
        port = started.stdout.strip().split("=")[1]
        self.assertEqual(ssh[-2:], ["-p", port])
        login = subprocess.run(ssh + ["root@127.0.0.1", "cat; echo ' ok'; exit 3"],
                               input=b"stdin", capture_output=True, timeout=60)
        self.assertEqual((login.returncode, login.stdout), (3, b"stdin ok\n"), login.stderr)

        with open(os.path.join(self.state, "sshd.pid")) as f:
            pid = int(f.read())
        self.assertEqual(fixture("stop", self.state).returncode, 0)
        self.assertEqual(fixture("status", self.state).returncode, 1)
        self.assertFalse(alive(pid), "sshd still running after stop")

    def test_usage_errors(self):
        self.assertEqual(fixture().returncode, 2)
        self.assertEqual(fixture("bogus", self.state).returncode, 2)
        self.assertEqual(fixture("status", self.state).returncode, 1)
        self.assertEqual(fixture("stop", self.state).returncode, 0)


if __name__ == "__main__":
    unittest.main()
