"""Draw a laid-out text into a coverage mask, measuring each cluster's ink on the bitmaps it draws."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocrgen.errors import RenderError
from ocrgen.renderer.glyphs import GlyphBitmap, glyph_bitmap
from ocrgen.text.layout import Box, Placement, TextLayout


@dataclass(frozen=True)
class DrawnText:
    """Coverage (0-255) of the fill and of the outline (None without one), and each cluster's ink box."""

    coverage: np.ndarray
    stroke: np.ndarray | None
    ink: dict[int, Box]


def draw_text(layout: TextLayout, origin_x: int, origin_y: int, width: int, height: int) -> DrawnText:
    """Draw fill and outline; the ink boxes come from the outermost layer drawn."""
    coverage = np.zeros((height, width), np.uint8)
    stroke = np.zeros((height, width), np.uint8) if layout.stroke else None
    ink: dict[int, Box] = {}
    origin = (origin_x, origin_y)
    for placed in layout.placements:
        if stroke is not None:
            outline = glyph_bitmap(layout.face, layout.size, placed, layout.stroke)
            _paint(layout, outline, placed, origin, stroke, ink)
        _paint(layout, glyph_bitmap(layout.face, layout.size, placed), placed, origin, coverage, ink)
    return DrawnText(coverage, stroke, ink)


def _paint(
    layout: TextLayout,
    bitmap: GlyphBitmap,
    placed: Placement,
    origin: tuple[int, int],
    layer: np.ndarray,
    ink: dict[int, Box],
) -> None:
    """Lay one glyph bitmap into `layer` and grow its cluster's ink box."""
    if bitmap.ink is None:
        return
    height, width = layer.shape
    x = origin[0] + placed.x + bitmap.left
    y = origin[1] + placed.y + bitmap.top
    rows, cols = bitmap.coverage.shape
    if x < 0 or y < 0 or x + cols > width or y + rows > height:
        raise RenderError(
            f"glyph {placed.glyph} of {layout.text!r} reaches outside the {width}x{height} canvas; "
            "the plan's canvas or origin does not fit this font"
        )
    region = layer[y : y + rows, x : x + cols]
    np.maximum(region, bitmap.coverage, out=region)
    box = bitmap.ink.shifted(origin[0] + placed.x, origin[1] + placed.y)
    ink[placed.cluster] = ink[placed.cluster].union(box) if placed.cluster in ink else box
