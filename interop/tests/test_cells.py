"""The matrix, the presets and the command lines built for each seat."""

import unittest

from harness import cells, optsets, presets, runner, trees

# Option sets that run in one direction only (a listing without a destination: pull, local).
N_REMOTE_PAIRS = {d: sum(len(o.states) for o in optsets.OPTSETS if d in o.directions)
                  for d in ("push", "pull", "local")}


class MatrixTest(unittest.TestCase):
    def test_matrix_size_and_uniqueness(self):
        matrix = cells.matrix()
        remote = 2 * 3 * 2 * 2 * 2 * (N_REMOTE_PAIRS["push"] + N_REMOTE_PAIRS["pull"])
        local = 3 * 2 * 2 * N_REMOTE_PAIRS["local"]
        self.assertEqual(len(matrix), remote + local)
        self.assertEqual(len({c.key for c in matrix}), len(matrix))

    def test_reference_is_rsync_in_every_seat(self):
        for cell in cells.matrix():
            ref = cell.reference()
            self.assertEqual(ref.client, "rsync")
            self.assertIn(ref.server, ("rsync", cells.NO_SERVER))
            self.assertEqual((ref.direction, ref.transport, ref.protocol, ref.inc, ref.optset,
                              ref.state), (cell.direction, cell.transport, cell.protocol,
                                           cell.inc, cell.optset, cell.state))

    def test_calibrate_is_rsync_only_and_complete(self):
        selected = cells.select(cells.matrix(), presets.PRESETS["calibrate"])
        self.assertFalse(any(c.involves_ursync() for c in selected))
        self.assertEqual(len(selected),
                         2 * 3 * 2 * (N_REMOTE_PAIRS["push"] + N_REMOTE_PAIRS["pull"]) +
                         3 * 2 * N_REMOTE_PAIRS["local"])

    def test_ci_covers_every_seat_direction_transport_and_protocol(self):
        selected = cells.select(cells.matrix(), presets.PRESETS["ci"])
        self.assertLess(len(selected), 500)  # about 2 minutes on 2 cores
        self.assertEqual({(c.client, c.server) for c in selected if c.direction != "local"},
                         {(a, b) for a in cells.PROGRAMS for b in cells.PROGRAMS})
        self.assertEqual({c.direction for c in selected}, set(cells.DIRECTIONS))
        self.assertEqual({c.transport for c in selected}, {"pipe", "ssh", "local"})
        self.assertEqual({c.protocol for c in selected}, set(cells.PROTOCOLS))
        self.assertEqual({c.inc for c in selected}, set(cells.INC))

    def test_every_optset_state_is_known(self):
        for opt in optsets.OPTSETS:
            for state in opt.all_states():
                self.assertIn(state, trees.DEST_STATES)
            for state in opt.expect:
                self.assertIn(state, opt.states, opt.name)


class FakeTransports:
    def rsh_and_host(self, transport):
        return f"RSH-{transport}", "HOST"


class FakeWorkspace:
    source = "/w/src"


class CommandTest(unittest.TestCase):
    def setUp(self):
        progs = runner.Programs(rsync="/bin/rsync", ursync="/b/ursync", ursync_missing=None)
        self.runner = runner.Runner(FakeWorkspace(), FakeTransports(), progs, {}, 1, None)

    def test_push_with_ursync_server(self):
        cell = cells.Cell("push", "ssh", 31, "off", "rsync", "ursync", "a", "empty")
        self.assertEqual(self.runner.command(cell, "/w/dst"),
                         ["/bin/rsync", "-a", "--checksum-seed=1", "--protocol=31",
                          "--no-inc-recursive", "-e", "RSH-ssh", "--rsync-path=/b/ursync",
                          "/w/src/", "HOST:/w/dst/"])

    def test_pull_with_ursync_client(self):
        cell = cells.Cell("pull", "pipe", 32, "on", "ursync", "rsync", "delete", "extras")
        self.assertEqual(self.runner.command(cell, "/w/dst"),
                         ["/b/ursync", "-a", "--delete", "--checksum-seed=1", "-e", "RSH-pipe",
                          "--rsync-path=/bin/rsync", "HOST:/w/src/", "/w/dst/"])

    def test_local(self):
        cell = cells.Cell("local", "local", 30, "on", "ursync", "-", "r", "stale")
        self.assertEqual(self.runner.command(cell, "/w/dst"),
                         ["/b/ursync", "-r", "--checksum-seed=1", "--protocol=30", "/w/src/",
                          "/w/dst/"])


if __name__ == "__main__":
    unittest.main()
