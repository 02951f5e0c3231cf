"""Open font faces once per process and keep what is asked of them again and again.

HarfBuzz shapes; FreeType gives outlines and bitmaps. Both read the same file,
so the glyph ids that shaping returns are the glyphs that get drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import freetype
import uharfbuzz as hb

# Unhinted outlines keep glyph shapes independent of the pixel grid, so a glyph
# can be drawn at any sub-pixel phase and still match its shaped advance.
LOAD_OUTLINE = freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_NO_BITMAP


@dataclass(frozen=True)
class LineMetrics:
    """Ascender and descender in 1/64 pixel, y up: the line box a space is measured against."""

    ascender: int
    descender: int


@dataclass
class FontFace:
    """One face of one font file, shared by everything in this process that uses it."""

    path: str
    face_index: int
    hb_face: hb.Face
    ft_face: freetype.Face
    _hb_fonts: dict[int, hb.Font] = field(default_factory=dict)
    _metrics: dict[int, LineMetrics] = field(default_factory=dict)
    _ft_size: int = 0
    _cboxes: dict[tuple[int, int, int], tuple[int, int, int, int] | None] = field(default_factory=dict)

    def hb_font(self, size: int) -> hb.Font:
        """A HarfBuzz font scaled so positions come out in 1/64 pixel."""
        font = self._hb_fonts.get(size)
        if font is None:
            font = hb.Font(self.hb_face)
            font.scale = (size * 64, size * 64)
            self._hb_fonts[size] = font
        return font

    def metrics(self, size: int) -> LineMetrics:
        metrics = self._metrics.get(size)
        if metrics is None:
            extents = self.hb_font(size).get_font_extents("ltr")
            metrics = self._metrics[size] = LineMetrics(ascender=extents.ascender, descender=extents.descender)
        return metrics

    def ft_sized(self, size: int) -> freetype.Face:
        """The FreeType face set to `size`; resizing only when the size changes."""
        if self._ft_size != size:
            self.ft_face.set_char_size(size * 64)
            self._ft_size = size
        return self.ft_face

    def cbox(self, size: int, glyph: int, stroke: int = 0) -> tuple[int, int, int, int] | None:
        """Control box of the unhinted outline in 1/64 pixel (x0, y0, x1, y1, y up); None if blank.

        The rasterizer's bitmap never reaches outside it, so it bounds the ink
        without drawing anything. With `stroke`, the box of the stroked outline: where the
        stroke is wider than a curve is tight, FreeType's stroker reaches past the box grown
        by the stroke width.
        """
        key = (size, glyph, stroke)
        if key not in self._cboxes:
            face = self.ft_sized(size)
            face.set_transform(freetype.Matrix(0x10000, 0, 0, 0x10000), freetype.Vector(0, 0))
            face.load_glyph(glyph, LOAD_OUTLINE)
            outline = face.glyph.outline
            if outline.n_points == 0:
                self._cboxes[key] = None
            elif stroke:
                stroked = face.glyph.get_glyph()
                stroked.stroke(stroker(stroke), True)
                box = stroked.get_cbox(freetype.FT_GLYPH_BBOX_SUBPIXELS)
                self._cboxes[key] = (box.xMin, box.yMin, box.xMax, box.yMax)
            else:
                box = outline.get_cbox()
                self._cboxes[key] = (box.xMin, box.yMin, box.xMax, box.yMax)
        return self._cboxes[key]


def stroker(width: int) -> freetype.Stroker:
    """The outline drawn around glyphs: `width` px outside the glyph, with round caps and joins."""
    outline = freetype.Stroker()
    outline.set(width * 64, freetype.FT_STROKER_LINECAP_ROUND, freetype.FT_STROKER_LINEJOIN_ROUND, 0)
    return outline


@lru_cache(maxsize=64)
def open_face(path: str, face_index: int = 0) -> FontFace:
    blob = hb.Blob.from_file_path(path)
    return FontFace(
        path=path,
        face_index=face_index,
        hb_face=hb.Face(blob, face_index),
        ft_face=freetype.Face(path, index=face_index),
    )
