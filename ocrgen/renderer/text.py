"""Draw a laid-out text into a coverage mask, measuring each cluster's ink on the bitmaps it draws."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocrgen.errors import RenderError
from ocrgen.renderer.glyphs import glyph_bitmap
from ocrgen.text.layout import Box, TextLayout


@dataclass(frozen=True)
class DrawnText:
    """Coverage (0-255) of the whole canvas, and the ink box of every cluster that drew ink."""

    coverage: np.ndarray
    ink: dict[int, Box]


def draw_text(layout: TextLayout, origin_x: int, origin_y: int, width: int, height: int) -> DrawnText:
    coverage = np.zeros((height, width), np.uint8)
    ink: dict[int, Box] = {}
    for placed in layout.placements:
        bitmap = glyph_bitmap(layout.face, layout.size, placed)
        if bitmap.ink is None:
            continue
        x = origin_x + placed.x + bitmap.left
        y = origin_y + placed.y + bitmap.top
        rows, cols = bitmap.coverage.shape
        if x < 0 or y < 0 or x + cols > width or y + rows > height:
            raise RenderError(
                f"glyph {placed.glyph} of {layout.text!r} reaches outside the {width}x{height} canvas; "
                "the plan's canvas or origin does not fit this font"
            )
        region = coverage[y : y + rows, x : x + cols]
        np.maximum(region, bitmap.coverage, out=region)
        box = bitmap.ink.shifted(origin_x + placed.x, origin_y + placed.y)
        ink[placed.cluster] = ink[placed.cluster].union(box) if placed.cluster in ink else box
    return DrawnText(coverage, ink)
