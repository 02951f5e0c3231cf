"""Draw a laid-out text into coverage masks, measuring each cluster's ink on the bitmaps it draws.

Beside the coverage it records which cluster owns each pixel: the cluster map that
per-glyph colouring (the `glyph_palette` effect) reads.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ocrgen.errors import RenderError
from ocrgen.renderer.glyphs import GlyphBitmap, glyph_bitmap
from ocrgen.text.layout import Box, Placement, TextLayout


class DrawnText(NamedTuple):
    """Coverage (0-255) of the fill and of the outline (None without one), and each cluster's ink box.

    `clusters` (H x W, int32; None unless asked for) holds, per pixel, the index in
    `layout.clusters` (logical order) of the cluster whose glyph covers it most, -1 where
    nothing is inked. Fill glyphs decide where there is fill; outline glyphs decide on the
    outline's rim; on a tie the glyph drawn first keeps the pixel.
    """

    coverage: np.ndarray
    stroke: np.ndarray | None
    ink: dict[int, Box]
    clusters: np.ndarray | None

    def ink_window(self) -> tuple[slice, slice]:
        """The window of every glyph's ink box: what `TextLayers.ink_window` scans the pixels for, without the
        scan, while no text effect has changed them (tests/test_ink_window.py holds the two equal)."""
        return Box.enclosing(self.ink.values()).window() if self.ink else (slice(0, 0), slice(0, 0))


def draw_text(
    layout: TextLayout, origin_x: int, origin_y: int, width: int, height: int, *, clusters: bool = True
) -> DrawnText:
    """Draw fill and outline; the ink boxes come from the outermost layer drawn.

    The cluster map costs a third of the drawing, so the renderer asks for it only when an effect reads it.
    """
    coverage = np.zeros((height, width), np.uint8)
    stroke = np.zeros((height, width), np.uint8) if layout.stroke else None
    ink: dict[int, Box] = {}
    origin = (origin_x, origin_y)
    order = {cluster.start: index for index, cluster in enumerate(layout.clusters)}
    owners = np.full((height, width), -1, np.int32) if clusters else None
    rim_owners = np.full((height, width), -1, np.int32) if clusters and stroke is not None else None
    for placed in layout.placements:
        index = order[placed.cluster]
        if stroke is not None:
            outline = glyph_bitmap(layout.faces[placed.face], placed, layout.stroke)
            _paint(layout, outline, placed, origin, stroke, ink, rim_owners, index)
        _paint(layout, glyph_bitmap(layout.faces[placed.face], placed), placed, origin, coverage, ink, owners, index)
    if owners is not None and rim_owners is not None:
        owners = np.where(owners >= 0, owners, rim_owners)
    return DrawnText(coverage, stroke, ink, owners)


def _paint(
    layout: TextLayout,
    bitmap: GlyphBitmap,
    placed: Placement,
    origin: tuple[int, int],
    layer: np.ndarray,
    ink: dict[int, Box],
    owners: np.ndarray | None,
    index: int,
) -> None:
    """Lay one glyph bitmap into `layer`, take the pixels it covers most in `owners`, grow its cluster's ink box."""
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
    if owners is not None:
        np.copyto(owners[y : y + rows, x : x + cols], index, where=bitmap.coverage > region)
    np.maximum(region, bitmap.coverage, out=region)
    box = bitmap.ink.shifted(x - bitmap.left, y - bitmap.top)
    drawn = ink.get(placed.cluster)
    ink[placed.cluster] = box if drawn is None else drawn.union(box)
