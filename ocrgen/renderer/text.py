"""Draw a laid-out text into a coverage mask, and box every character from that same glyph run."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from ocrgen.errors import RenderError
from ocrgen.renderer.glyphs import glyph_bitmap
from ocrgen.text.layout import Box, TextLayout


@dataclass(frozen=True)
class DrawnText:
    coverage: np.ndarray
    char_boxes: list[Box]


def draw_text(layout: TextLayout, origin_x: int, origin_y: int, width: int, height: int) -> DrawnText:
    """Coverage of the text on a width x height canvas, and one box per character of `layout.text`.

    A character's box is the ink of its cluster; a cluster without ink (a space)
    gets its advance, from ascender to descender.
    """
    coverage = np.zeros((height, width), np.uint8)
    ink: dict[int, Box] = {}
    advance: dict[int, tuple[int, int]] = {}
    for placed in layout.glyphs:
        shaped = placed.shaped
        cluster = shaped.cluster
        start, end = advance.get(cluster, (shaped.pen_x, shaped.pen_x))
        advance[cluster] = (min(start, shaped.pen_x), max(end, shaped.pen_x + shaped.advance))
        bitmap = glyph_bitmap(layout.face, layout.size, shaped.glyph, placed.phase_x, placed.phase_y)
        if bitmap.ink is None:
            continue
        x = origin_x + placed.x + bitmap.left
        y = origin_y + placed.y + bitmap.top
        rows, cols = bitmap.coverage.shape
        if x < 0 or y < 0 or x + cols > width or y + rows > height:
            raise RenderError(
                f"glyph {shaped.glyph} of {layout.text!r} reaches outside the {width}x{height} canvas; "
                "the plan's canvas or origin does not fit this font"
            )
        region = coverage[y : y + rows, x : x + cols]
        np.maximum(region, bitmap.coverage, out=region)
        box = bitmap.ink.shifted(origin_x + placed.x, origin_y + placed.y)
        ink[cluster] = ink[cluster].union(box) if cluster in ink else box

    line = layout.line_box().shifted(origin_x, origin_y)
    cluster_starts = sorted(advance)
    boxes = []
    for index in range(len(layout.text)):
        cluster = cluster_starts[bisect.bisect_right(cluster_starts, index) - 1]
        if cluster in ink:
            boxes.append(ink[cluster])
            continue
        start, end = advance[cluster]
        x0 = origin_x + start // 64
        x1 = max(origin_x - (-end // 64), x0 + 1)
        boxes.append(_clip(Box(x0, line.y0, x1, line.y1), width, height))
    return DrawnText(coverage, boxes)


def _clip(box: Box, width: int, height: int) -> Box:
    return Box(
        min(max(box.x0, 0), width - 1),
        min(max(box.y0, 0), height - 1),
        min(max(box.x1, 1), width),
        min(max(box.y1, 1), height),
    )
