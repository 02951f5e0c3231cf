"""Turn a logical-order string into a visual-order glyph run.

The Unicode bidi algorithm splits the line into directional runs; HarfBuzz
shapes each run (joining, reordering, ligatures, kerning, marks) with the whole
line as context; runs are then put in visual order. Every glyph keeps the index
of the first character of its cluster, which is how labels find their ink.
A line may set some of its characters in other faces (an italic or bold word):
each directional run is cut where the face changes, and each piece is shaped
with its own face.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from operator import attrgetter
from typing import NamedTuple

import uharfbuzz as hb
from bidi import get_display

from ocrgen.text.fonts import FontFace

_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI", "FSI"})
_LEVEL = re.compile(r"Level\(\s*(\d+),?\s*\)")


class ShapedGlyph(NamedTuple):
    """A glyph in the line's frame, in 1/64 pixel: u along the line, v across it (down).

    `pen` and `advance` measure the glyph's slot along the line; (u, v) is where
    its outline origin goes. `face` is 0 for the line's face, k for the k-th styled span's.
    """

    glyph: int
    cluster: int
    pen: int
    advance: int
    u: int
    v: int
    face: int


class Span(NamedTuple):
    """Characters start..end-1 of a line, set in `face` instead of the line's face."""

    start: int
    end: int
    face: FontFace


class ShapedLine(NamedTuple):
    glyphs: tuple[ShapedGlyph, ...]
    advance: int


def bidi_levels(text: str, rtl: bool) -> list[int]:
    """Embedding level of each character (odd levels read right to left), by the full Unicode bidi algorithm.

    python-bidi runs the algorithm (the unicode-bidi crate, isolates included) and
    returns its resolved levels, one per UTF-8 byte, when asked with debug=True.
    """
    if not rtl and (text.isascii() or not any(unicodedata.bidirectional(c) in _RTL_CLASSES for c in text)):
        return [0] * len(text)
    info = get_display(text, base_dir="R" if rtl else "L", debug=True)
    byte_levels = [int(level) for level in _LEVEL.findall(info.split("levels:", 1)[1].split("paragraphs:", 1)[0])]
    if len(byte_levels) != len(text.encode("utf-8")):
        raise RuntimeError(f"python-bidi returned {len(byte_levels)} levels for {len(text.encode())} bytes")
    levels = []
    position = 0
    for char in text:
        levels.append(byte_levels[position])
        position += len(char.encode("utf-8"))
    return levels


def _runs(levels: list[int]) -> list[tuple[int, int, int]]:
    """(start, end, level) of each maximal run of equal level, in visual order (rule L2)."""
    if not any(levels):  # all left to right, the usual case: one run
        return [(0, len(levels), 0)] if levels else []
    runs: list[tuple[int, int, int]] = []
    start = 0
    for index in range(1, len(levels) + 1):
        if index == len(levels) or levels[index] != levels[start]:
            runs.append((start, index, levels[start]))
            start = index
    highest = max(level for _, _, level in runs)
    lowest_odd = min((level for _, _, level in runs if level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        position = 0
        while position < len(runs):
            if runs[position][2] >= level:
                end = position
                while end < len(runs) and runs[end][2] >= level:
                    end += 1
                runs[position:end] = runs[position:end][::-1]
                position = end
            else:
                position += 1
    return runs


def _shaped(
    font: hb.Font, codepoints: list[int], start: int, length: int, direction: str
) -> Iterator[tuple[hb.GlyphInfo, tuple[int, int, int, int]]]:
    """HarfBuzz's glyphs for codepoints[start:start + length], with the whole text as context: each glyph's info
    and its (x_offset, y_offset, x_advance, y_advance), read in one go rather than field by field."""
    buffer = hb.Buffer()
    buffer.add_codepoints(codepoints, start, length)
    buffer.guess_segment_properties()
    buffer.direction = direction
    hb.shape(font, buffer)
    return zip(buffer.glyph_infos, map(_POSITION, buffer.glyph_positions), strict=True)


_POSITION = attrgetter("position")
# Makes a namedtuple from a tuple without its Python-level __new__ or `_make`, in 60 % of `_make`'s time, for the
# objects made per glyph or character of every line planned, drawn and labelled.
new_namedtuple = tuple.__new__


def _pieces(start: int, end: int, spans: Sequence[Span]) -> list[tuple[int, int, int]]:
    """(start, end, face) of characters start..end-1 cut where the face changes, in logical order."""
    pieces = []
    position = start
    for number, span in enumerate(spans, 1):
        low, high = max(span.start, start), min(span.end, end)
        if low >= high:
            continue
        if position < low:
            pieces.append((position, low, 0))
        pieces.append((low, high, number))
        position = high
    if position < end:
        pieces.append((position, end, 0))
    return pieces


def _fonts(face: FontFace, spans: Sequence[Span], size: int) -> list[hb.Font]:
    return [face.hb_font(size), *(span.face.hb_font(size) for span in spans)]


def shape_line(face: FontFace, size: int, text: str, rtl: bool, spans: Sequence[Span] = ()) -> ShapedLine:
    """Shape one line; glyphs come back left to right as they will be drawn.

    `spans` (sorted, apart) set parts of the line in other faces; a right-to-left run draws its pieces
    in reverse, as it draws its characters.
    """
    fonts = _fonts(face, spans, size)
    codepoints = list(map(ord, text))
    glyphs: list[ShapedGlyph] = []
    pen = 0
    for start, end, level in _runs(bidi_levels(text, rtl)):
        pieces = _pieces(start, end, spans) if spans else [(start, end, 0)]
        way = "rtl" if level % 2 else "ltr"
        for piece_start, piece_end, number in reversed(pieces) if level % 2 else pieces:
            shaped = _shaped(fonts[number], codepoints, piece_start, piece_end - piece_start, way)
            for info, (x_offset, y_offset, x_advance, _) in shaped:
                # glyph, cluster, pen, advance, u, v, face
                glyphs.append(
                    new_namedtuple(
                        ShapedGlyph, (info.codepoint, info.cluster, pen, x_advance, pen + x_offset, -y_offset, number)
                    )
                )
                pen += x_advance
    return ShapedLine(glyphs=tuple(glyphs), advance=pen)


def shape_column(face: FontFace, size: int, text: str, spans: Sequence[Span] = ()) -> ShapedLine:
    """Shape one top-to-bottom column of upright glyphs, with the font's vertical forms and metrics.

    The frame's u runs down the column and v to the left, so a glyph's centre sits on v = 0.
    """
    fonts = _fonts(face, spans, size)
    codepoints = [ord(c) for c in text]
    glyphs = []
    pen = 0
    for start, end, number in _pieces(0, len(text), spans):
        for info, (x_offset, y_offset, _, y_advance) in _shaped(fonts[number], codepoints, start, end - start, "ttb"):
            glyphs.append(
                ShapedGlyph(
                    glyph=info.codepoint,
                    cluster=info.cluster,
                    pen=pen,
                    advance=-y_advance,
                    u=pen - y_offset,
                    v=-x_offset,
                    face=number,
                )
            )
            pen -= y_advance
    return ShapedLine(glyphs=tuple(glyphs), advance=pen)
