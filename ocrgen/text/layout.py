"""Put a shaped line on the pixel grid, and bound its ink before it is drawn.

The planner uses the bounds to size the canvas; the renderer uses the same
placements to draw. Both call `layout_text`, so they cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ocrgen.text.fonts import FontFace, LineMetrics, open_face
from ocrgen.text.shaping import ShapedGlyph, shape_line

# Glyph positions snap to a quarter pixel: fine enough for kerning at small
# sizes, coarse enough that cached bitmaps are reused.
_SUBPIXEL = 16


@dataclass(frozen=True)
class GlyphPlacement:
    """Where one glyph is drawn relative to the text origin.

    `x`, `y` is the whole pixel of the glyph origin (y down) and `phase_x`,
    `phase_y` the remaining 1/64 pixel shift, right and down.
    """

    shaped: ShapedGlyph
    x: int
    y: int
    phase_x: int
    phase_y: int


@dataclass(frozen=True)
class Box:
    x0: int
    y0: int
    x1: int
    y1: int

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def shifted(self, dx: int, dy: int) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)


@dataclass(frozen=True)
class TextLayout:
    face: FontFace
    size: int
    text: str
    glyphs: tuple[GlyphPlacement, ...]
    metrics: LineMetrics
    advance: int

    def line_box(self) -> Box:
        """The line from its pen start to its end, ascender to descender, in whole pixels."""
        return Box(0, -_ceil64(self.metrics.ascender), _ceil64(self.advance), _ceil64(-self.metrics.descender))

    def ink_bound(self) -> Box | None:
        """A box the drawn ink cannot leave: outline control boxes, widened by a pixel for rounding."""
        bound: Box | None = None
        for placed in self.glyphs:
            cbox = self.face.cbox(self.size, placed.shaped.glyph)
            if cbox is None:
                continue
            x0, y0, x1, y1 = cbox
            box = Box(
                placed.x + (x0 + placed.phase_x) // 64 - 1,
                placed.y - _ceil64(y1 - placed.phase_y) - 1,
                placed.x + _ceil64(x1 + placed.phase_x) + 1,
                placed.y - (y0 - placed.phase_y) // 64 + 1,
            )
            bound = box if bound is None else bound.union(box)
        return bound

    def extent(self) -> Box:
        """Everything the text occupies: its line box and all of its ink."""
        ink = self.ink_bound()
        return self.line_box() if ink is None else self.line_box().union(ink)


def _ceil64(value: int) -> int:
    return -((-value) // 64)


def _snap(value: int) -> int:
    return (value + _SUBPIXEL // 2) // _SUBPIXEL * _SUBPIXEL


def layout_text(font_path: str, face_index: int, size: int, text: str, direction: str) -> TextLayout:
    """Shape and place `text`; glyph positions are relative to the origin at the left end of the baseline."""
    face = open_face(font_path, face_index)
    line = shape_line(face, size, text, rtl=direction == "right_to_left")
    placements = []
    for glyph in line.glyphs:
        x, y = _snap(glyph.x), _snap(-glyph.y)
        placements.append(GlyphPlacement(glyph, x >> 6, y >> 6, x & 63, y & 63))
    return TextLayout(face, size, text, tuple(placements), face.metrics(size), line.advance)
