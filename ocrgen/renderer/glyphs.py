"""Glyph bitmaps from FreeType, cached per font, size, glyph and sub-pixel phase."""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import freetype
import numpy as np

from ocrgen.text.fonts import LOAD_OUTLINE, FontFace, stroker
from ocrgen.text.layout import Box, Placement, rotation_matrix

_CACHE_SIZE = 20000


@dataclass(frozen=True)
class GlyphBitmap:
    """Coverage (0-255) of one glyph; `left`, `top` place it relative to the glyph origin, y down."""

    coverage: np.ndarray
    left: int
    top: int
    ink: Box | None

    @property
    def empty(self) -> bool:
        return self.ink is None


# Oldest first: when full, the bitmap cached longest ago goes. A working set of glyphs is far
# smaller than the cache, so plain insertion order does as well as recency, and hits stay a lookup.
_cache: dict[tuple[str, int, int, int, int, int, float, int], GlyphBitmap] = {}


def glyph_bitmap(face: FontFace, placed: Placement, stroke: int = 0) -> GlyphBitmap:
    """The glyph's coverage at its size, or with `stroke` > 0 the coverage of its outline grown by that many pixels."""
    key = (face.path, face.face_index, placed.size, placed.glyph, placed.phase_x, placed.phase_y, placed.angle, stroke)
    cached = _cache.get(key)
    if cached is not None:
        return cached
    bitmap = _rasterize(face, placed, stroke)
    if len(_cache) >= _CACHE_SIZE:
        del _cache[next(iter(_cache))]
    _cache[key] = bitmap
    return bitmap


def _rasterize(face: FontFace, placed: Placement, stroke: int) -> GlyphBitmap:
    ft = face.ft_sized(placed.size)
    ft.set_transform(freetype.Matrix(*rotation_matrix(placed.angle)), freetype.Vector(placed.phase_x, -placed.phase_y))
    if stroke == 0:
        ft.load_glyph(placed.glyph, LOAD_OUTLINE | freetype.FT_LOAD_RENDER)
        slot = ft.glyph
        return _from_ft(slot.bitmap, slot.bitmap_left, slot.bitmap_top)
    ft.load_glyph(placed.glyph, LOAD_OUTLINE)
    if ft.glyph.outline.n_points == 0:
        return _from_ft(ft.glyph.bitmap, 0, 0)
    glyph = ft.glyph.get_glyph()
    glyph.stroke(stroker(stroke), True)
    stroked = glyph.to_bitmap(freetype.FT_RENDER_MODE_NORMAL, freetype.Vector(0, 0), True)
    return _from_ft(stroked.bitmap, stroked.left, stroked.top)


def _from_ft(bitmap: freetype.Bitmap, left: int, top: int) -> GlyphBitmap:
    rows, width, pitch = bitmap.rows, bitmap.width, bitmap.pitch
    if rows == 0 or width == 0:
        return GlyphBitmap(np.zeros((0, 0), np.uint8), 0, 0, None)
    raw = ctypes.string_at(bitmap._FT_Bitmap.buffer, rows * abs(pitch))
    coverage = np.frombuffer(raw, np.uint8).reshape(rows, abs(pitch))[:, :width].copy()
    return GlyphBitmap(coverage, left, -top, _ink_box(coverage, left, -top))


def _ink_box(coverage: np.ndarray, left: int, top: int) -> Box | None:
    rows = np.flatnonzero(coverage.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(coverage.any(axis=0))
    return Box(left + int(cols[0]), top + int(rows[0]), left + int(cols[-1]) + 1, top + int(rows[-1]) + 1)
