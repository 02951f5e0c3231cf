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

from ocrgen.effects.base import Window

# How far past the quadrilateral a pixel centre may lie and still be worked out.
MARGIN = 1.0


def nonzero_window(text: np.ndarray) -> Window:
    """The smallest window of RGBA float32 `text` (H, W, 4) outside which every bit of every channel is zero.

    Read as two 64-bit words per pixel: a pixel counts when either has a bit set (a -0.0 counts too,
    which only widens the window).
    """
    height, width = text.shape[:2]
    words = text.view(np.uint64).reshape(height, 2 * width)
    rows = np.flatnonzero(words.any(axis=1))
    if rows.size == 0:
        return slice(0, 0), slice(0, 0)
    cols = np.flatnonzero(words.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]) // 2, int(cols[-1]) // 2 + 1)


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
    of the quadrilateral `corners` (4, 2, in order around it).

    Each row takes the x-extent of the quadrilateral's edges within `MARGIN` above and below its
    centre line (the extreme x of a polygon in a strip lies on its edges), grown by `MARGIN`.
    All four edges are clipped to every row's strip at once, as (4, height) arrays.
    """
    centres = np.arange(height) + 0.5
    top, bottom = centres - MARGIN, centres + MARGIN
    xa, ya = corners[:, :1], corners[:, 1:]
    ends = corners[[1, 2, 3, 0]]
    dx, dy = ends[:, :1] - xa, ends[:, 1:] - ya
    level = dy == 0  # a level edge lies in the strips around its own height, whole
    run = np.where(level, 1.0, dy)
    enter, leave = (top - ya) / run, (bottom - ya) / run
    start = np.where(level, 0.0, np.maximum(np.minimum(enter, leave), 0.0))
    stop = np.where(level, 1.0, np.minimum(np.maximum(enter, leave), 1.0))
    meets = (start <= stop) & (~level | ((top <= ya) & (ya <= bottom)))
    near, far = xa + start * dx, xa + stop * dx
    left = np.where(meets, np.minimum(near, far), np.inf).min(axis=0)
    right = np.where(meets, np.maximum(near, far), -np.inf).max(axis=0)
    first = np.ceil(np.minimum(np.maximum(left - MARGIN - 0.5, 0), width)).astype(np.int64)
    last = np.floor(np.minimum(np.maximum(right + MARGIN - 0.5, -1), width - 1)).astype(np.int64)
    counts = np.maximum(last - first + 1, 0)
    rows = np.repeat(np.arange(height), counts)
    cols = np.arange(rows.size) - np.repeat(np.cumsum(counts) - counts - first, counts)
    return rows, cols
