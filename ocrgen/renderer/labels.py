"""Character, word and line geometry for the label, from the same glyph run that drew the pixels.

- A character's bbox is the ink of its cluster, measured on the drawn bitmaps;
  the characters of one cluster share it. A character that draws nothing (a
  space, a line break) gets its slot along the line at full line height.
- A polygon follows the text: for straight, unturned clusters it is the bbox;
  for curved ones it is the cluster's outline box turned with the cluster.
- Word and line polygons are the bbox for straight text; on a curve they run
  along the top of every cluster and back along the bottom, each point moved
  with its own cluster.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import chain
from typing import NamedTuple

import numpy as np

from ocrgen.compiled import compiled
from ocrgen.errors import RenderError
from ocrgen.schemas.label import BBox, SegmentData, ShapesData
from ocrgen.text.layout import Box, Cluster, FrameBox, Quad, TextLayout
from ocrgen.text.shaping import new_namedtuple


class Shape(NamedTuple):
    """A character, word or line: its text, polygon (in reading order) and bbox, in image pixels."""

    text: str
    polygon: list[tuple[float, float]]
    bbox: Box
    line: int


class LabelShapes(NamedTuple):
    characters: list[Shape]
    words: list[Shape]
    lines: list[Shape]

    def points(self) -> np.ndarray:
        """Every polygon point, in order, as one (N, 2) array for geometric effects to move."""
        polygons = [s.polygon for s in (*self.characters, *self.words, *self.lines)]
        return np.array(list(chain.from_iterable(chain.from_iterable(polygons))), np.float64).reshape(-1, 2)

    def moved(self, points: np.ndarray, width: int, height: int) -> LabelShapes:
        """The shapes with their points replaced; each bbox becomes its polygon's bounds, clipped to the image.

        Rounded, bounded and clipped for every point and shape at once (as `_rounded`, `Box.around`
        and `_clip` would one by one), then split back into shapes.
        """
        shapes = [*self.characters, *self.words, *self.lines]
        if not shapes:
            return self
        if not np.isfinite(points).all():
            raise RenderError("a geometric effect moved a label point to no finite place")
        sizes = [len(shape.polygon) for shape in shapes]
        rounded = _hundredths(points)
        boxes = map(Box._make, _bounds(rounded, np.array(sizes), width, height).tolist())
        pairs = list(zip(rounded[:, 0].tolist(), rounded[:, 1].tolist(), strict=True))
        out, start = [], 0
        for shape, size, box in zip(shapes, sizes, boxes, strict=True):
            out.append(new_namedtuple(Shape, (shape.text, pairs[start : start + size], box, shape.line)))
            start += size
        characters, words = len(self.characters), len(self.words)
        return LabelShapes(out[:characters], out[characters : characters + words], out[characters + words :])

    def cut(self, x0: int, y0: int, width: int, height: int) -> LabelShapes:
        """The shapes in the width x height part of the image whose top-left corner is (x0, y0).

        Points move with the part, and stay true to the text: a space's slot at full line height,
        or a turned glyph's outline box, may reach past its edge. Boxes move and are clipped to
        it, so a box that was the union of its characters' boxes, or the bounds of its polygon
        clipped to the image, still is.
        """

        def cut(shapes: list[Shape]) -> list[Shape]:
            return [
                Shape(
                    shape.text,
                    _rounded([(x - x0, y - y0) for x, y in shape.polygon]),
                    _clip(shape.bbox.shifted(-x0, -y0), (width, height)),
                    shape.line,
                )
                for shape in shapes
            ]

        return LabelShapes(cut(self.characters), cut(self.words), cut(self.lines))

    def label_fields(self) -> ShapesData:
        """The label's `bboxes`, `characters`, `words` and `lines`.

        Plain JSON-ready data, written as it is: building dozens of small models per image would
        cost more than drawing it. The tests hold this data to the `Label` model.
        """
        return {
            "bboxes": [
                {"char": c.text, "x0": b.x0, "y0": b.y0, "x1": b.x1, "y1": b.y1, "line_index": c.line}
                for c in self.characters
                for b in (c.bbox,)
            ],
            "characters": [{"char": c.text, "polygon": c.polygon, "bbox": _bbox(c.bbox)} for c in self.characters],
            "words": [_segment(w) for w in self.words],
            "lines": [_segment(w) for w in self.lines],
        }


def _bbox(box: Box) -> BBox:
    return box.x0, box.y0, box.x1, box.y1


def _segment(shape: Shape) -> SegmentData:
    return {"text": shape.text, "polygon": shape.polygon, "bbox": _bbox(shape.bbox)}


class _Measured(NamedTuple):
    cluster: Cluster
    frame_box: FrameBox
    polygon: Sequence[tuple[float, float]]
    bbox: Box


def measure_shapes(
    layout: TextLayout, ink: dict[int, Box], origin: tuple[int, int], size: tuple[int, int]
) -> LabelShapes:
    """Boxes and polygons in image pixels; `ink` comes from drawing `layout` at `origin`.

    Polygon points are rounded to 0.01 pixel where they are made (straight text's are whole pixels).
    """
    measured = {c.start: _measure(layout, c, ink.get(c.start), origin, size) for c in layout.clusters}
    owner = [0] * len(layout.text)
    for cluster in layout.clusters:
        owner[cluster.start : cluster.end] = [cluster.start] * (cluster.end - cluster.start)

    characters = [
        new_namedtuple(Shape, (char, list(m.polygon), m.bbox, m.cluster.line))
        for char, m in zip(layout.text, map(measured.__getitem__, owner), strict=True)
    ]

    straight = all(c.rigid.angle == 0 for c in layout.clusters)
    segments: dict[tuple[int, int], Shape] = {}

    def segment(start: int, end: int) -> Shape:
        """Measured once per span: a one-word line is both a word and a line."""
        if (start, end) not in segments:
            box = Box.enclosing([characters[i].bbox for i in range(start, end)])
            parts = [] if straight else list({owner[i]: measured[owner[i]] for i in range(start, end)}.values())
            if all(p.cluster.rigid.angle == 0 for p in parts):
                polygon = list(_reading_corners(box, layout.frame.turns))
            else:
                polygon = _curved_span(layout, parts, origin)
            segments[start, end] = Shape(layout.text[start:end], polygon, box, characters[start].line)
        return segments[start, end]

    words = [segment(m.start(), m.end()) for m in re.finditer(r"\S+", layout.text)]
    lines = [segment(m.start(), m.end()) for m in re.finditer(r"[^\n]+", layout.text)]
    return LabelShapes(characters, words, lines)


def _measure(
    layout: TextLayout, cluster: Cluster, ink: Box | None, origin: tuple[int, int], size: tuple[int, int]
) -> _Measured:
    if ink is None or cluster.ink is None:
        if cluster.rigid.angle == 0 and layout.frame.turns % 4 == 0:
            return _straight_slot(cluster, origin, size)
        quad = _moved(layout.quad(cluster.rigid, cluster.advance), origin)
        return _Measured(cluster, cluster.advance, _rounded(quad), _clip(Box.around(quad), size))
    if cluster.rigid.angle == 0:
        return new_namedtuple(_Measured, (cluster, cluster.ink, _reading_corners(ink, layout.frame.turns), ink))
    return _Measured(cluster, cluster.ink, _rounded(_moved(layout.quad(cluster.rigid, cluster.ink), origin)), ink)


def _straight_slot(cluster: Cluster, origin: tuple[int, int], size: tuple[int, int]) -> _Measured:
    """`_measure` of a cluster without ink that stands straight in an unturned frame (most spaces): the sums of
    `layout.quad`, `_moved`, `_rounded` and `Box.around` for an upright rectangle, done once per edge."""
    (pu, pv), (tu, tv) = cluster.rigid.pivot, cluster.rigid.to
    u0, v0, u1, v1 = cluster.advance
    x0, x1 = tu + (u0 - pu) + origin[0], tu + (u1 - pu) + origin[0]
    y0, y1 = tv + (v0 - pv) + origin[1], tv + (v1 - pv) + origin[1]
    (a, b), (c, d) = _rounded([(x0, y0), (x1, y1)])
    box = Box(math.floor(min(x0, x1)), math.floor(min(y0, y1)), math.ceil(max(x0, x1)), math.ceil(max(y0, y1)))
    return _Measured(cluster, cluster.advance, [(a, b), (c, b), (c, d), (a, d)], _clip(box, size))


# Where the corners (top-left, top-right, bottom-right, bottom-left) stand in reading order, per quarter turn
# of the frame, for turned frames: an unturned frame reads them as they come.
_READING_ORDER = {1: (1, 2, 3, 0), 3: (3, 0, 1, 2)}


def _reading_corners(box: Box, turns: int) -> Quad:
    """The corners of an upright box, starting at the top-left as the text reads."""
    x0, y0, x1, y1 = float(box.x0), float(box.y0), float(box.x1), float(box.y1)
    corners = ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    if turns % 4 == 0:
        return corners
    a, b, c, d = _READING_ORDER[turns % 4]
    return (corners[a], corners[b], corners[c], corners[d])


def _curved_span(layout: TextLayout, parts: Sequence[_Measured], origin: tuple[int, int]) -> list[tuple[float, float]]:
    """Along the top of every cluster and back along the bottom, each corner turned with its own cluster."""
    v0 = min(p.frame_box[1] for p in parts)
    v1 = max(p.frame_box[3] for p in parts)
    top, bottom = [], []
    for part in sorted(parts, key=lambda p: p.frame_box[0]):
        quad = _moved(layout.quad(part.cluster.rigid, (part.frame_box[0], v0, part.frame_box[2], v1)), origin)
        top += [quad[0], quad[1]]
        bottom += [quad[3], quad[2]]
    return _rounded(top + bottom[::-1])


def _moved(quad: Quad, origin: tuple[int, int]) -> Quad:
    ox, oy = origin
    moved = [(x + ox, y + oy) for x, y in quad]
    return (moved[0], moved[1], moved[2], moved[3])


def _rounded(polygon: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """To 0.01 pixel; whole-pixel corners (all of straight text's) are kept as they are, which is what round gives."""
    return [(x if x.is_integer() else round(x, 2), y if y.is_integer() else round(y, 2)) for x, y in polygon]


# How near a half 100 x, as computed, may fall for rint to round it the other way from the exact 100 x:
# far above its rounding error, below 1e-7 for points within `_FAR` pixels (the rest go through round).
_NEAR_HALF = 1e-6
_FAR = 1e7


def _hundredths(values: np.ndarray) -> np.ndarray:
    """`values` rounded to 0.01 as `_rounded` rounds them, bit for bit.

    round(x, 2) is the float nearest k / 100, k the exact 100 x rounded half to even; so is
    rint(100 x) / 100, a correctly rounded division, whenever rint finds the same k. It can only
    miss where 100 x, as computed, lies within its rounding error of a half: those few, and points
    too far out for that error to be small, go through round itself.
    """
    out, misses = _rint_hundredths(values.reshape(-1))
    for index in misses.tolist():
        out[index] = round(float(values.flat[index]), 2)
    return out.reshape(values.shape)


@compiled
def _rint_hundredths(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """rint(100 x) / 100 of each value, and where that may miss round's k (`_hundredths`)."""
    out = np.empty(values.size)
    misses = np.empty(values.size, np.int64)
    count = 0
    for index in range(values.size):
        scaled = values[index] * 100
        whole = np.rint(scaled)
        out[index] = whole / 100
        if abs(scaled - whole) > 0.5 - _NEAR_HALF or abs(values[index]) >= _FAR:
            misses[count] = index
            count += 1
    return out, misses[:count]


@compiled
def _bounds(points: np.ndarray, sizes: np.ndarray, width: int, height: int) -> np.ndarray:
    """Each shape's box (x0, y0, x1, y1): the bounds of its `sizes` points, taken in turn from `points` (N, 2), as
    `Box.around` and `_clip` give them. Whole numbers are floored and ceiled exactly, so any order gives these."""
    boxes = np.empty((sizes.size, 4), np.int64)
    start = 0
    for shape in range(sizes.size):
        stop = start + sizes[shape]
        x_low, y_low = points[start:stop, 0].min(), points[start:stop, 1].min()
        x_high, y_high = points[start:stop, 0].max(), points[start:stop, 1].max()
        x0 = min(max(np.floor(x_low), 0), width - 1)
        y0 = min(max(np.floor(y_low), 0), height - 1)
        boxes[shape, 0], boxes[shape, 1] = x0, y0
        boxes[shape, 2] = max(min(np.ceil(x_high), width), x0 + 1)
        boxes[shape, 3] = max(min(np.ceil(y_high), height), y0 + 1)
        start = stop
    return boxes


def _clip(box: Box, size: tuple[int, int]) -> Box:
    width, height = size
    x0, y0 = min(max(box.x0, 0), width - 1), min(max(box.y0, 0), height - 1)
    return Box(x0, y0, max(min(box.x1, width), x0 + 1), max(min(box.y1, height), y0 + 1))
