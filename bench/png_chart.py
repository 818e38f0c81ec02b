"""A dependency-free PNG bar chart: an RGB canvas, a 5x7 bitmap font and zlib (stdlib only).

Used by bench/remote_bench.py for grouped bars without matplotlib (which is ~57 Debian
packages; see docs/dependencies.md). Text is drawn in upper case.
"""
import struct
import zlib

# 5x7 glyphs, one string of 7 rows of 5 cells each ('#' = ink), drawn for this file.
_GLYPHS = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": ".###. ..#.. ..#.. ..#.. ..#.. ..#.. .###.",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# ##..# #.#.# #..## #...# #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
    "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####",
    "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
    "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": "..##. .#... #.... ####. #...# #...# .###.",
    "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.",
    "9": ".###. #...# #...# .#### ....# ...#. .##..",
    " ": "..... ..... ..... ..... ..... ..... .....",
    ".": "..... ..... ..... ..... ..... .##.. .##..",
    ",": "..... ..... ..... ..... .##.. ..#.. .#...",
    "-": "..... ..... ..... ##### ..... ..... .....",
    "_": "..... ..... ..... ..... ..... ..... #####",
    "/": "....# ....# ...#. ..#.. .#... #.... #....",
    ":": "..... .##.. .##.. ..... .##.. .##.. .....",
    "(": "...#. ..#.. .#... .#... .#... ..#.. ...#.",
    ")": ".#... ..#.. ...#. ...#. ...#. ..#.. .#...",
    "<": "...#. ..#.. .#... #.... .#... ..#.. ...#.",
    ">": ".#... ..#.. ...#. ....# ...#. ..#.. .#...",
    "=": "..... ..... ##### ..... ##### ..... .....",
    "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
    "%": "##..# ##..# ...#. ..#.. .#... #..## #..##",
    "?": ".###. #...# ....# ...#. ..#.. ..... ..#..",
}
_FONT = {ch: [row for row in rows.split()] for ch, rows in _GLYPHS.items()}


class Canvas:
    def __init__(self, width, height, bg=(255, 255, 255)):
        self.w, self.h = width, height
        self.px = bytearray(bytes(bg) * (width * height))

    def rect(self, x0, y0, x1, y1, color):
        """Fills [x0, x1) x [y0, y1), clipped."""
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        y0, y1 = max(0, int(y0)), min(self.h, int(y1))
        if x0 >= x1:
            return
        line = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            o = (y * self.w + x0) * 3
            self.px[o:o + len(line)] = line

    def text_width(self, s, scale=2):
        return len(s) * 6 * scale - scale

    def text(self, x, y, s, color=(0, 0, 0), scale=2, anchor="left"):
        """Draws s with its top at y; anchor left, center or right of x."""
        if anchor == "center":
            x -= self.text_width(s, scale) // 2
        elif anchor == "right":
            x -= self.text_width(s, scale)
        for ch in s.upper():
            rows = _FONT.get(ch, _FONT["?"])
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    if cell == "#":
                        self.rect(x + c * scale, y + r * scale, x + (c + 1) * scale,
                                  y + (r + 1) * scale, color)
            x += 6 * scale

    def png(self):
        raw = bytearray()
        stride = self.w * 3
        for y in range(self.h):
            raw.append(0)  # filter: none
            raw += self.px[y * stride:(y + 1) * stride]

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        return (b"\x89PNG\r\n\x1a\n"
                + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
                + chunk(b"IEND", b""))


PALETTE = [(192, 86, 33), (43, 108, 176), (56, 161, 105), (128, 90, 213), (113, 128, 150)]


def grouped_bars(path, title, panels, series, reference=1.0, note=""):
    """Writes a PNG: one panel per (panel title, groups) stacked vertically.

    groups: list of (group label, {series name: value or None}); series: the names in order
    (one colour each). A dark line marks `reference`; every bar carries its value.
    """
    width, panel_h, top = 1100, 330, 70
    legend_h = 26 * ((len(series) + 1) // 2)
    height = top + legend_h + panel_h * len(panels) + 30
    cv = Canvas(width, height)
    cv.text(width // 2, 12, title, scale=2, anchor="center")
    if note:
        cv.text(width // 2, 38, note, color=(80, 80, 80), scale=2, anchor="center")
    for i, name in enumerate(series):  # legend, two columns
        x = 90 + (i % 2) * 500
        y = top + (i // 2) * 26
        cv.rect(x, y, x + 18, y + 14, PALETTE[i % len(PALETTE)])
        cv.text(x + 26, y, name, scale=2)
    values = [v for _, groups in panels for _, vals in groups for v in vals.values() if v is not None]
    vmax = max(values + [reference * 1.2, 0.1]) * 1.15
    step = next(s for s in (0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100) if vmax / s <= 8)
    for p, (ptitle, groups) in enumerate(panels):
        y0 = top + legend_h + p * panel_h
        left, right = 80, width - 20
        plot_top, plot_bottom = y0 + 34, y0 + panel_h - 40
        cv.text(left, y0 + 8, ptitle, scale=2)

        def ypos(v):
            return plot_bottom - (plot_bottom - plot_top) * v / vmax
        k = 0
        while k * step <= vmax + 1e-9:
            y = int(ypos(k * step))
            cv.rect(left, y, right, y + 1, (225, 225, 225))
            cv.text(left - 8, y - 7, f"{k * step:g}", color=(90, 90, 90), scale=2, anchor="right")
            k += 1
        cv.rect(left, plot_top, left + 1, plot_bottom + 1, (0, 0, 0))
        cv.rect(left, plot_bottom, right, plot_bottom + 1, (0, 0, 0))
        ry = int(ypos(reference))
        cv.rect(left, ry - 1, right, ry + 1, (40, 40, 40))
        if not groups:
            continue
        gw = (right - left) / len(groups)
        bw = min(40, (gw - 24) / max(1, len(series)))
        for g, (glabel, vals) in enumerate(groups):
            gx = left + g * gw + (gw - bw * len(series)) / 2
            for s, name in enumerate(series):
                v = vals.get(name)
                x = gx + s * bw
                if v is None:
                    cv.text(int(x + bw / 2), plot_bottom - 18, "-", scale=1, anchor="center")
                    continue
                y = ypos(v)
                cv.rect(x + 2, y, x + bw - 2, plot_bottom, PALETTE[s % len(PALETTE)])
                label = f"{v:.2f}" if v < 10 else f"{v:.1f}"
                cv.text(int(x + bw / 2), int(y) - 10, label, scale=1, anchor="center")
            cv.text(int(left + g * gw + gw / 2), plot_bottom + 10, glabel, scale=2, anchor="center")
    with open(path, "wb") as f:
        f.write(cv.png())
