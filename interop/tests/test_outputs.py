"""stdout normalisation, --stats parsing and their comparisons."""

import unittest

from harness import outputs

STATS = b"""
Number of files: 146 (reg: 86, dir: 50, link: 6, dev: 2, special: 2)
Number of created files: 28 (reg: 22, dir: 4, link: 1, special: 1)
Number of deleted files: 0
Number of regular files transferred: 40
Total file size: 2,041,387 bytes
Total transferred file size: 1,637,504 bytes
Literal data: 1,637,504 bytes
Matched data: 0 bytes
File list size: 0
File list generation time: 0.001 seconds
File list transfer time: 0.000 seconds
Total bytes sent: 1,653,608
Total bytes received: 980

sent 1,653,608 bytes  received 980 bytes  3,309,176.00 bytes/sec
total size is 2,041,387  speedup is 1.23
"""


def edited(text, old, new):
    assert old in text
    return outputs.Output(text.replace(old, new))


class OutputTest(unittest.TestCase):
    def test_timing_lines_are_dropped(self):
        out = outputs.Output(b"sending incremental file list\n>f+++++++++ a\n\n"
                             b"sent 1,234 bytes  received 56 bytes  2,580.00 bytes/sec\n"
                             b"total size is 99  speedup is 0.08 (DRY RUN)\n")
        # (trailing empty lines are dropped too)
        self.assertEqual(out.lines, [b"sending incremental file list", b">f+++++++++ a"])
        self.assertEqual(out.stats, {"total size is": "99"})

    def test_stats_are_parsed(self):
        out = outputs.Output(STATS)
        self.assertEqual(out.stats["Literal data"], "1,637,504 bytes")
        self.assertEqual(outputs.stat_number(out.stats, "Literal data"), 1637504)
        self.assertEqual(out.stats["total size is"], "2,041,387")
        self.assertEqual(out.lines, [])
        self.assertTrue(all(k in out.stats for k in outputs.REQUIRED_KEYS))

    def test_equal_stats_agree_even_with_other_times(self):
        a = outputs.Output(STATS)
        b = edited(STATS, b"generation time: 0.001", b"generation time: 9.999")
        self.assertEqual(outputs.compare_stats(a.stats, b.stats, compress=False), [])

    def test_each_counter_is_compared(self):
        a = outputs.Output(STATS)
        for old, new in [(b"reg: 86", b"reg: 85"), (b"transferred: 40", b"transferred: 41"),
                         (b"Matched data: 0", b"Matched data: 1"),
                         (b"Number of deleted files: 0", b"Number of deleted files: 2"),
                         (b"File list size: 0", b"File list size: 10"),
                         (b"total size is 2,041,387", b"total size is 2,041,388")]:
            b = edited(STATS, old, new)
            self.assertTrue(outputs.compare_stats(a.stats, b.stats, compress=False), old)

    def test_missing_counter_is_a_difference(self):
        a = outputs.Output(STATS)
        b = edited(STATS, b"Number of deleted files: 0\n", b"")
        diffs = outputs.compare_stats(a.stats, b.stats, compress=False)
        self.assertEqual(len(diffs), 1)
        self.assertIn("printed only by expected", diffs[0])

    def test_byte_totals_have_a_tolerance(self):
        a = outputs.Output(STATS)
        near = edited(STATS, b"Total bytes received: 980", b"Total bytes received: 964")
        self.assertEqual(outputs.compare_stats(a.stats, near.stats, compress=False), [])
        far = edited(STATS, b"Total bytes sent: 1,653,608", b"Total bytes sent: 3,307,216")
        self.assertTrue(outputs.compare_stats(a.stats, far.stats, compress=False))
        # with -z they are not compared at all
        self.assertEqual(outputs.compare_stats(a.stats, far.stats, compress=True), [])

    def test_lines_compare_as_multisets(self):
        self.assertEqual(outputs.compare_lines([b"a", b"b", b"b"], [b"b", b"a", b"b"]), [])
        diffs = outputs.compare_lines([b"a", b"b", b"b"], [b"a", b"b"])
        self.assertEqual(diffs, ["line only in expected: 'b'"])
        diffs = outputs.compare_lines([b">f..t...... x"], [b">f..T...... x"])
        self.assertEqual(len(diffs), 2)

    def test_undecodable_bytes_are_shown(self):
        diffs = outputs.compare_lines([], [b"name\xff"])
        self.assertIn("\\xff", diffs[0])

    def test_progress_rates_and_times_are_placeholders(self):
        lines = [b"big", b"\r         32,768  10%    0.00kB/s    0:00:00  "
                 b"\r        300,000 100%  254.85MB/s    0:00:00 (xfr#1, to-chk=4/6)"]
        self.assertEqual(outputs.progress_records(lines, 1, False), [
            b"big", b"         32,768  10% RATE TIME  ",
            b"        300,000 100% RATE TIME (xfr#1, to-chk=4/6)"])

    def test_progress_keeps_only_the_first_open_line_of_a_file(self):
        slow = [b"a\r              0   0%    0.00kB/s    0:00:00  "
                b"\r      1,048,576  34% 1003.92kB/s    0:00:01  "
                b"\r      3,000,000 100%    1.02MB/s    0:00:02 (xfr#1, to-chk=1/3)",
                b"b\r              0   0%    0.00kB/s    0:00:00  "
                b"\r              2 100%    0.00kB/s    0:00:00 (xfr#2, to-chk=0/3)"]
        fast = [b"a\r              0   0%    0.00kB/s    0:00:00  "
                b"\r      3,000,000 100%  286.10MB/s    0:00:00 (xfr#1, to-chk=1/3)",
                b"b\r              0   0%    0.00kB/s    0:00:00  "
                b"\r              2 100%    4.88kB/s    0:00:00 (xfr#2, to-chk=0/3)"]
        self.assertEqual(outputs.progress_records(slow, 1, False),
                         outputs.progress_records(fast, 1, False))
        # the counts are compared
        wrong = [fast[0].replace(b"to-chk=1/3", b"to-chk=2/3"), fast[1]]
        self.assertNotEqual(outputs.progress_records(wrong, 1, False),
                            outputs.progress_records(fast, 1, False))

    def test_progress2_keeps_only_the_first_open_line(self):
        run = [b"\r         32,768  10%    0.00kB/s    0:00:00  "
               b"\r        300,000  99%  254.85MB/s    0:00:00 (xfr#1, to-chk=4/6)"
               b"\r        300,005  99%  254.86MB/s    0:00:00 (xfr#2, to-chk=0/6)"]
        slow = [run[0].replace(b"(xfr#1, to-chk=4/6)",
                               b"(xfr#1, to-chk=4/6)\r        300,001  99%  1.00kB/s    0:00:05  ")]
        self.assertEqual(outputs.progress_records(slow, 2, False),
                         outputs.progress_records(run, 2, False))

    def test_progress2_list_ends_are_counted_when_loose(self):
        early = [b"\r        300,000  99%  254.85MB/s    0:00:00 (xfr#1, to-chk=4/6)"
                 b"\r        300,000  99%  254.85MB/s    0:00:00 (xfr#1, to-chk=2/6)  "
                 b"\r        300,005  99%  254.86MB/s    0:00:00 (xfr#2, to-chk=0/6)"
                 b"\r        300,005  99%  254.86MB/s    0:00:00 (xfr#2, to-chk=0/6)"]
        late = [b"\r        300,000  99%  254.85MB/s    0:00:00 (xfr#1, to-chk=4/6)"
                b"\r        300,005  99%  254.86MB/s    0:00:00 (xfr#2, to-chk=0/6)"
                b"\r        300,005  99%  254.86MB/s    0:00:00 (xfr#2, to-chk=0/6)"
                b"\r        300,005  99%  254.86MB/s    0:00:00 (xfr#2, to-chk=0/6)"]
        self.assertEqual(outputs.progress_records(early, 2, True),
                         outputs.progress_records(late, 2, True))
        self.assertNotEqual(outputs.progress_records(early, 2, False),
                            outputs.progress_records(late, 2, False))
        fewer = [late[0].rsplit(b"\r", 1)[0]]
        self.assertNotEqual(outputs.progress_records(fewer, 2, True),
                            outputs.progress_records(late, 2, True))


if __name__ == "__main__":
    unittest.main()
