"""Which output pixels a projective warp can ink, so that only those are resampled.

A projective map (rotation, shear, perspective, an enlarging rescale, or a chain of them) takes
straight lines to straight lines: the box of source positions that can read ink goes to a
quadrilateral of the output. An output pixel whose centre lies outside it reads nothing but
transparent pixels and stays zero, so only the pixels of each row's span of the quadrilateral,
grown by a margin, are worked out. The margin covers the rounding by which the inverse maps the
pixels read through differ from the forward map that drew the quadrilateral (far below a pixel).
"""

from __future__ import annotations

import numpy as np

from ocrgen.compiled import compiled
from ocrgen.effects.base import Window

# How far past the quadrilateral a pixel centre may lie and still be worked out.
MARGIN = 1.0


def nonzero_window(text: np.ndarray) -> Window:
    """The smallest window of float32 `text` (H, W, channels: RGBA, or alpha alone) outside which every bit of every
    channel is zero.

    Read as one 32-bit word per value: a pixel counts when any has a bit set (a -0.0 counts too, which
    only widens the window).
    """
    height, width, channels = text.shape
    words = np.ascontiguousarray(text).view(np.uint32).reshape(height, width * channels)
    rows = np.flatnonzero(words.any(axis=1))
    if rows.size == 0:
        return slice(0, 0), slice(0, 0)
    cols = np.flatnonzero(words.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]) // channels, int(cols[-1]) // channels + 1)


def read_box(window: Window) -> np.ndarray:
    """The corners (4, 2), in order around it, of the source positions a bilinear read takes `window`'s pixels from.

    A position x reads columns floor(x - 0.5) and the next, so columns c0..c1-1 are read from
    positions in [c0 - 0.5, c1 + 0.5), and rows alike.
    """
    rows, cols = window
    x0, x1, y0, y1 = cols.start - 0.5, cols.stop + 0.5, rows.start - 0.5, rows.stop + 0.5
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float64)


def quad_pixels(corners: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns, row by row, of the pixels of a width x height image whose centres lie within `MARGIN`
    of the quadrilateral `corners` (4, 2, in order around it, finite).

    Each row takes the x-extent of the quadrilateral's edges within `MARGIN` above and below its
    centre line (the extreme x of a polygon in a strip lies on its edges), grown by `MARGIN`.
    """
    return _quad_spans(np.ascontiguousarray(corners, np.float64), width, height, MARGIN)


@compiled
def _quad_spans(corners: np.ndarray, width: int, height: int, margin: float) -> tuple[np.ndarray, np.ndarray]:
    """`quad_pixels`: each row's span, clipped from the four edges, then the pixels of every span."""
    firsts, lasts = np.empty(height, np.int64), np.empty(height, np.int64)
    for row in range(height):
        top, bottom = row + 0.5 - margin, row + 0.5 + margin
        left, right = np.inf, -np.inf
        for edge in range(4):
            xa, ya = corners[edge, 0], corners[edge, 1]
            dx, dy = corners[(edge + 1) % 4, 0] - xa, corners[(edge + 1) % 4, 1] - ya
            if dy == 0:  # a level edge lies in the strips around its own height, whole
                if not (top <= ya and ya <= bottom):
                    continue
                start, stop = 0.0, 1.0
            else:
                enter, leave = (top - ya) / dy, (bottom - ya) / dy
                start, stop = max(min(enter, leave), 0.0), min(max(enter, leave), 1.0)
                if not start <= stop:
                    continue
            near, far = xa + start * dx, xa + stop * dx
            left, right = min(left, near, far), max(right, near, far)
        firsts[row] = int(np.ceil(min(max(left - margin - 0.5, 0.0), width)))
        lasts[row] = int(np.floor(min(max(right + margin - 0.5, -1.0), width - 1)))
    size = 0
    for row in range(height):
        size += max(lasts[row] - firsts[row] + 1, 0)
    rows, cols = np.empty(size, np.int64), np.empty(size, np.int64)
    at = 0
    for row in range(height):
        for col in range(firsts[row], lasts[row] + 1):
            rows[at], cols[at] = row, col
            at += 1
    return rows, cols
