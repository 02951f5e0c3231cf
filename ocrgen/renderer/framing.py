"""Cut the picture to the text's ink plus the record's margins, and move the label with it.

This runs after the geometric effects and the background, before the image effects, so
blur, noise and compression see the framed picture as a scanner's line would be.
Ink is every pixel the text layers cover: uint8 coverage above 0, or, once geometric
effects have resampled the text, alpha of at least half a level (a smaller alpha cannot
change a pixel). The crop is clipped to the picture: the planner padded the canvas for the
margins, so straight text, and text turned, sheared, rescaled or warped by elastic or optical
distortion, keeps them; grid distortion and perspective can push ink towards an edge and
leave less on that side.
"""

from __future__ import annotations

import numpy as np

from ocrgen.effects.base import Window
from ocrgen.effects.text import shifted
from ocrgen.renderer.labels import LabelShapes
from ocrgen.schemas.plan import InkCrop, Point

_VISIBLE_ALPHA = np.float32(0.5 / 255)


def alpha_window(text: np.ndarray) -> Window:
    """The (rows, columns) window of premultiplied RGBA text whose alpha can change a pixel (empty if none)."""
    inked = text[:, :, 3] >= _VISIBLE_ALPHA
    rows = np.flatnonzero(inked.any(axis=1))
    if rows.size == 0:
        return slice(0, 0), slice(0, 0)
    cols = np.flatnonzero(inked.any(axis=0))
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def frame(image: np.ndarray, shapes: LabelShapes, ink: Window, crop: InkCrop) -> tuple[np.ndarray, LabelShapes]:
    """`image` cut to `ink` grown by the margins and clipped to it, with the label moved to match
    (see `LabelShapes.cut`). Text that inks nothing keeps the whole picture."""
    rows, cols = ink
    if rows.stop <= rows.start:
        return image, shapes
    height, width = image.shape[:2]
    x0, y0 = max(cols.start - crop.left, 0), max(rows.start - crop.top, 0)
    x1, y1 = min(cols.stop + crop.right, width), min(rows.stop + crop.bottom, height)
    return np.ascontiguousarray(image[y0:y1, x0:x1]), shapes.cut(x0, y0, x1 - x0, y1 - y0)


def with_neighbours(text: np.ndarray, offsets: list[Point]) -> np.ndarray:
    """Premultiplied RGBA `text` over copies of itself moved by each offset: the neighbouring lines of its page.

    The window to crop to is measured on the text alone, before this: the neighbours only show
    where they reach into the margins.
    """
    out = text.copy()
    for offset in offsets:
        out += shifted(text, offset.x, offset.y) * (1 - out[:, :, 3:])
    return out
