"""Set shaped lines in a frame and place every glyph on the pixel grid.

The planner uses the result to size the canvas (from outline boxes, without
drawing); the renderer uses the very same placements to draw and to label.
Both lay out the same `TextRequest` through `_layout` (the planner by `measure_text`, the
renderer by `layout_text`), so they cannot disagree; that holds for the per-cluster jitter
too, which is drawn here from the seed the record holds.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

import numpy as np

from ocrgen.schemas.effects.text import GlyphJitter
from ocrgen.schemas.plan import Arc, Layout, Sine
from ocrgen.text.fonts import FontFace, open_face
from ocrgen.text.frames import Frame, Rigid
from ocrgen.text.scripts import joins, touches
from ocrgen.text.shaping import ShapedGlyph, ShapedLine, Span, new_namedtuple, shape_column, shape_line

# Glyph positions snap to a quarter pixel: fine enough for kerning at small
# sizes, coarse enough that cached bitmaps are reused.
_SUBPIXEL = 16
_SNAP = 64 / _SUBPIXEL  # a pixel position times this, rounded, is a whole number of sub-pixel steps

_TURNS = {"left_to_right": 0, "right_to_left": 0, "top_to_bottom": 1, "bottom_to_top": 3}

# Where each alignment puts a line within the block, as a fraction of the free space along u.
_ALIGN = {
    "left_to_right": {"left": 0.0, "center": 0.5, "right": 1.0, None: 0.0},
    "right_to_left": {"left": 0.0, "center": 0.5, "right": 1.0, None: 1.0},
    "top_to_bottom": {"top": 0.0, "center": 0.5, "bottom": 1.0, None: 0.0},
    "bottom_to_top": {"bottom": 0.0, "center": 0.5, "top": 1.0, None: 0.0},
}

Quad = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
FrameBox = tuple[float, float, float, float]


class Box(NamedTuple):
    """Whole pixels x0 <= x < x1, y0 <= y < y1."""

    x0: int
    y0: int
    x1: int
    y1: int

    def union(self, other: Box) -> Box:
        return Box(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1), max(self.y1, other.y1))

    def shifted(self, dx: int, dy: int) -> Box:
        return Box(self.x0 + dx, self.y0 + dy, self.x1 + dx, self.y1 + dy)

    @classmethod
    def around(cls, points: Quad | list[tuple[float, float]]) -> Box:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return cls(math.floor(min(xs)), math.floor(min(ys)), math.ceil(max(xs)), math.ceil(max(ys)))

    @classmethod
    def enclosing(cls, boxes: Collection[tuple[int, int, int, int]]) -> Box:
        """The smallest box holding all of `boxes` (at least one), each (x0, y0, x1, y1)."""
        x0s, y0s, x1s, y1s = zip(*boxes, strict=True)
        return cls(min(x0s), min(y0s), max(x1s), max(y1s))

    def window(self) -> tuple[slice, slice]:
        """The box as (rows, columns) slices of an image."""
        return slice(self.y0, self.y1), slice(self.x0, self.x1)


class Placement(NamedTuple):
    """One glyph on the canvas, relative to the layout origin.

    (x, y) is the whole pixel of the glyph origin (y down), `phase_x`/`phase_y`
    the rest in 1/64 pixel, `angle` its clockwise turn in degrees, and `size` its
    pixels per em: the layout's size, unless the glyph jitter sized its cluster apart.
    `face` is the glyph's face in the layout's `faces`.
    """

    glyph: int
    cluster: int
    x: int
    y: int
    phase_x: int
    phase_y: int
    angle: float
    size: int
    face: int


class StyleSpan(NamedTuple):
    """Characters start..end-1 of the text set in another face (path and index in its file), at the same size."""

    start: int
    end: int
    path: str
    face_index: int


class Cluster(NamedTuple):
    """Characters start..end-1 of the text, drawn by the placements whose `cluster` is `start`.

    `advance` is its slot along the line at full line height and `ink` the union
    of its glyph outlines (None when it draws nothing), both in frame pixels.
    """

    start: int
    end: int
    line: int
    advance: FrameBox
    ink: FrameBox | None
    rigid: Rigid


@dataclass(frozen=True)
class TextLayout:
    """`faces[0]` is the text's face, and sets the line height; the styled spans' faces follow it.

    The lines are shaped and set when the layout is made; its glyphs are placed on the pixel grid
    only when first asked for. The planner only measures a layout (`extent`), and measuring
    skips the placements, clusters and ink boxes that drawing and labels need.
    """

    faces: tuple[FontFace, ...]
    size: int
    text: str
    frame: Frame
    line_height: float  # one line across, in pixels: ascender - descender, or the size for upright columns
    setting: Setting
    stroke: int = 0

    @cached_property
    def _placed(self) -> tuple[tuple[Placement, ...], tuple[Cluster, ...]]:
        placements: list[Placement] = []
        clusters: list[Cluster] = []
        _place(self, None, placements, clusters)
        return tuple(placements), tuple(clusters)

    @property
    def placements(self) -> tuple[Placement, ...]:
        return self._placed[0]

    @property
    def clusters(self) -> tuple[Cluster, ...]:
        return self._placed[1]

    @cached_property
    def extent(self) -> Box:
        """Everything the text occupies: every cluster's slot at line height, and a box its drawn ink cannot
        leave (each glyph's turned, stroked outline box, widened a pixel for rounding)."""
        reach = _Reach()
        if _plain(self):
            _measure_plain(self, reach)
        else:
            _place(self, reach)
        return reach.box()

    @property
    def draws_notdef(self) -> bool:
        """Whether a character has no glyph in its face and would be drawn as the .notdef box (tofu)."""
        return any(line.notdef for line in self.setting.lines)

    def quad(self, rigid: Rigid, box: FrameBox) -> Quad:
        """A frame box on the canvas: top-left, top-right, bottom-right, bottom-left as read."""
        return _quad(self.frame, rigid, box)


def _quad(frame: Frame, rigid: Rigid, box: FrameBox) -> Quad:
    u0, v0, u1, v1 = box
    corners = [frame.to_canvas(*rigid.apply(u, v)) for u, v in ((u0, v0), (u1, v0), (u1, v1), (u0, v1))]
    return (corners[0], corners[1], corners[2], corners[3])


class _Reach:
    """The box that a layout's glyphs and cluster slots take up, gathered as they are placed.

    Upright glyphs, the usual case, give their outline boxes in 1/64 px, gathered side by side
    in lists so that placing a glyph costs four appends; so do the slots of clusters that stand
    straight, as their edges' pixels along and across the line. Turned glyphs and slots give
    boxes in pixels. `box` rounds outwards once, which gives what rounding each box outwards would.
    """

    def __init__(self) -> None:
        self.lefts: list[int] = []
        self.tops: list[int] = []
        self.rights: list[int] = []
        self.bottoms: list[int] = []
        self.xs: list[float] = []
        self.ys: list[float] = []
        self.pixels: list[tuple[float, float, float, float]] = []

    def box(self) -> Box:
        assert self.pixels or self.xs, "a layout always has at least one cluster"
        x0s, y0s, x1s, y1s = ([box[side] for box in self.pixels] for side in range(4))
        if self.xs:
            x0s.append(min(self.xs))
            y0s.append(min(self.ys))
            x1s.append(max(self.xs))
            y1s.append(max(self.ys))
        if self.lefts:  # an upright glyph's box, widened a pixel each side for rounding
            x0s.append(min(self.lefts) // 64 - 1)
            y0s.append(min(self.tops) // 64 - 1)
            x1s.append(-(-max(self.rights) // 64) + 1)
            y1s.append(-(-max(self.bottoms) // 64) + 1)
        return Box(math.floor(min(x0s)), math.floor(min(y0s)), math.ceil(max(x1s)), math.ceil(max(y1s)))


def rotation_matrix(angle: float) -> tuple[int, int, int, int]:
    """FreeType's 16.16 matrix (xx, xy, yx, yy), y up, for a clockwise screen turn of `angle` degrees."""
    radians = math.radians(angle)
    c, s = round(math.cos(radians) * 0x10000), round(math.sin(radians) * 0x10000)
    return c, s, -s, c


def _turned_glyph(cbox: tuple[int, int, int, int], sx: int, sy: int, angle: float) -> tuple[int, int, int, int]:
    """The pixels a glyph turned by `angle` inks within: its turned outline box `cbox`, at (sx, sy) in 1/64 px,
    widened a pixel each side for rounding."""
    x0, y0, x1, y1 = cbox
    xx, xy, yx, yy = rotation_matrix(angle)
    xs, ys = [], []
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        xs.append((xx * x + xy * y) / 0x10000 + (sx & 63))
        ys.append((yx * x + yy * y) / 0x10000 - (sy & 63))
    x, y = sx >> 6, sy >> 6
    return (
        x + math.floor(min(xs) / 64) - 1,
        y - math.ceil(max(ys) / 64) - 1,
        x + math.ceil(max(xs) / 64) + 1,
        y - math.floor(min(ys) / 64) + 1,
    )


def _slot_box(frame: Frame, rigid: Rigid, advance: FrameBox) -> tuple[float, float, float, float]:
    """Where a cluster's slot at line height lands, by the frame and the cluster's move."""
    if frame.turns % 4 == 0 and rigid.angle == 0:  # `quad`'s sums, without the turns: most clusters stand straight
        u0, v0, u1, v1 = advance
        (pu, pv), (tu, tv) = rigid.pivot, rigid.to
        xa, xb, ya, yb = tu + (u0 - pu), tu + (u1 - pu), tv + (v0 - pv), tv + (v1 - pv)
        return min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb)
    return Box.around(_quad(frame, rigid, advance))


# Each cluster's slot (u0, u1) and its glyphs, each with the shift (px) added to its u.
Slots = dict[int, tuple[float, float, list[tuple[ShapedGlyph, float]]]]


class _Line(NamedTuple):
    start: int
    end: int
    slots: Slots
    width: float
    jitter: dict[int, tuple[int, float]]  # cluster start -> its size and its move across the line (px)
    notdef: bool  # whether a glyph of it is .notdef (glyph 0): a character its face lacks


class Setting(NamedTuple):
    """The shaped lines, and how they are set in the block: what placing the glyphs needs."""

    lines: list[_Line]
    block: float  # the longest line's length
    align: float  # where a shorter line goes, as a fraction of the free length
    step: float  # from one line to the next, in pixels
    across: tuple[float, float]  # a line's box across it, from its baseline
    turn: float  # how each glyph turns in the frame (upright columns)


class _Params(NamedTuple):
    """What setting the lines takes from a plan's `Layout`: a plain tuple, so that a kept layout's key is small
    and quick to hash and compare, where the record's pydantic model would take a kilobyte and 3 µs."""

    orientation: str
    alignment: str | None
    line_spacing: float
    character_spacing: int
    word_spacing: int
    curve: Arc | Sine | None
    stroke: int  # its width, 0 without

    @classmethod
    def of(cls, layout: Layout) -> _Params:
        stroke = layout.stroke.width if layout.stroke else 0
        return cls(
            layout.orientation,
            layout.alignment,
            layout.line_spacing,
            layout.character_spacing,
            layout.word_spacing,
            layout.curve,
            stroke,
        )


_PLAIN = _Params.of(Layout())
_GLYPH_ID = attrgetter("glyph")
_FIRST, _SECOND = itemgetter(0), itemgetter(1)
# Layouts of texts up to this long are kept: words and short phrases come back often in a corpus, lines
# seldom do. Each kept layout holds a few hundred small objects that Python's garbage collector walks on
# every full collection, so keeping lines too would slow the planning of lines by a quarter.
_CACHED_LENGTH = 24


class TextRequest(NamedTuple):
    """What to lay out: `text` (lines separated by newlines) in a face at a size, in a direction, set by `params`.

    With `jitter`, each cluster moves across the line and takes a size of its own (see `_jitter`).
    `styles` (sorted, apart) set parts of the text in other faces.
    """

    font_path: str
    face_index: int
    size: int
    text: str
    direction: str
    params: Layout | None = None
    jitter: GlyphJitter | None = None
    styles: Sequence[StyleSpan] = ()

    def key(self) -> tuple[Any, ...]:
        """`_layout`'s arguments, hashable: the layout parameters as a plain tuple, whose comparison is cheap."""
        setting = _PLAIN if self.params is None else _Params.of(self.params)
        return (
            self.font_path,
            self.face_index,
            self.size,
            self.text,
            self.direction,
            setting,
            self.jitter,
            tuple(self.styles),
        )


def layout_text(request: TextRequest) -> TextLayout:
    """Shape and place the requested text, relative to the frame origin. A layout depends on its request alone,
    so a short text's is made once and shared."""
    key = request.key()
    return _cached_layout(*key) if len(request.text) <= _CACHED_LENGTH else _layout(*key)


class Measure(NamedTuple):
    """What planning needs of a layout to size its canvas and crop. The planner keeps these, about 600 bytes
    each with their key, where a kept layout holds about 5 KiB of shaped glyphs and slots that only drawing
    needs."""

    extent: Box
    line_height: float
    turned: bool  # set in columns: its lines stack along x
    draws_notdef: bool


def measure_text(request: TextRequest) -> Measure:
    """The measure of `layout_text(request)`; a short text's is made once and shared."""
    key = request.key()
    return _cached_measure(*key) if len(request.text) <= _CACHED_LENGTH else _measure(_layout(*key))


def _measure(layout: TextLayout) -> Measure:
    return Measure(layout.extent, layout.line_height, layout.frame.turns % 2 == 1, layout.draws_notdef)


# Single words repeat: the bundled corpus and fonts give about 3,200 layouts at one size, and at 1,024
# two words in five missed and were laid out again. A layout takes about 5 KiB (20 MiB when full), a
# measure about 600 bytes with its key.
@lru_cache(maxsize=4096)
def _cached_layout(*args: Any) -> TextLayout:
    return _layout(*args)


@lru_cache(maxsize=4096)
def _cached_measure(*args: Any) -> Measure:
    return _measure(_layout(*args))


def clear_layout_cache() -> None:
    """Forget the shared layouts and measures, so that a timed run starts as a new process would (benches use it)."""
    _cached_layout.cache_clear()
    _cached_measure.cache_clear()


def _layout(
    font_path: str,
    face_index: int,
    size: int,
    text: str,
    direction: str,
    params: _Params,
    jitter: GlyphJitter | None,
    styles: tuple[StyleSpan, ...],
) -> TextLayout:
    face = open_face(font_path, face_index)
    faces = (face, *(open_face(style.path, style.face_index) for style in styles))
    upright = direction == "top_to_bottom" and params.orientation == "upright"
    if upright:
        across = (-size / 2, size / 2)
        line_height = float(size)
    else:
        metrics = face.metrics(size)
        across = (-metrics.ascender / 64, -metrics.descender / 64)
        line_height = (metrics.ascender - metrics.descender) / 64
    turn = -90 * _TURNS[direction] if upright else 0

    draws = _jitter_draws(jitter, len(text), size)
    lines = []
    offset = 0
    for line_text in text.split("\n"):
        spans = _line_spans(faces, styles, offset, offset + len(line_text)) if styles else ()
        if upright:
            shaped = shape_column(face, size, line_text, spans)
        else:
            shaped = shape_line(face, size, line_text, direction == "right_to_left", spans)
        slots = _slots(shaped, line_text, params.character_spacing, params.word_spacing)
        jittered: dict[int, tuple[int, float]] = {}
        if draws is not None:
            slots, jittered = _jitter(slots, line_text, draws[offset : offset + len(line_text)], size)
        width = max(map(_SECOND, slots.values()), default=0.0)
        notdef = 0 in map(_GLYPH_ID, shaped.glyphs)
        lines.append(_Line(offset, offset + len(line_text), slots, width, jittered, notdef))
        offset += len(line_text) + 1
    block = max(line.width for line in lines)
    frame = Frame(params.curve, block, _TURNS[direction], upright)
    setting = Setting(
        lines, block, _ALIGN[direction][params.alignment], params.line_spacing * line_height, across, turn
    )
    return TextLayout(faces, size, text, frame, line_height, setting, params.stroke)


def _plain(layout: TextLayout) -> bool:
    """Whether the layout is set as most are: straight lines in an unturned frame, no glyph jitter, no glyph turned."""
    frame = layout.frame
    return (
        frame.curve is None
        and frame.turns % 4 == 0
        and frame.glyph_angle(frame.cluster_transform(0.0, 0.0)) == 0
        and not any(line.jitter for line in layout.setting.lines)
    )


def _measure_plain(layout: TextLayout, reach: _Reach) -> None:
    """`_place`'s measure of a plain layout (`_plain`): its glyphs are where they are set, at the layout's size,
    and each glyph's outline box is looked up once per layout rather than once per use.

    Along the line every position is a multiple of 1/128 px (HarfBuzz's 1/64 px, whole-pixel spacing, an
    alignment of 0, 1/2 or 1) far inside a float's 53 bits, so `_place`'s sums about each slot's middle are
    exact and the slots reach from the least u0 to the line's width."""
    faces, size, stroke = layout.faces, layout.size, layout.stroke
    lines, block, align, step, across, turn = layout.setting
    boxes: dict[int, tuple[int, int, int, int] | None] = {}
    lefts, tops, rights, bottoms, xs = reach.lefts, reach.tops, reach.rights, reach.bottoms, reach.xs
    for index, line in enumerate(lines):
        start_u = align * (block - line.width)
        v = index * step
        reach.ys += (v + (v + across[0] - v), v + (v + across[1] - v))
        slots = line.slots.values()
        if slots:
            xs += (start_u + min(map(_FIRST, slots)), start_u + line.width)
        baseline = round(v * _SNAP) * _SUBPIXEL  # sy of a glyph not moved across the line, as most are
        for _, _, glyphs in slots:
            for (glyph_id, _, _, _, u, gv, number), shift in glyphs:
                key = number << 16 | glyph_id  # OpenType glyph ids fit in 16 bits
                if key in boxes:
                    cbox = boxes[key]
                else:
                    face = faces[number]
                    cbox = boxes[key] = _outline_boxes(face.path, face.face_index, size, glyph_id, turn, stroke)[0]
                if cbox is None:
                    continue
                sx = round((start_u + (u / 64) + shift) * _SNAP) * _SUBPIXEL
                sy = round((v + gv / 64) * _SNAP) * _SUBPIXEL if gv else baseline
                lefts.append(sx + cbox[0])
                tops.append(sy - cbox[3])
                rights.append(sx + cbox[2])
                bottoms.append(sy - cbox[1])
        if line.end < len(layout.text):
            end_u = start_u + line.width
            slot = (end_u, v + across[0], end_u + 1, v + across[1])
            reach.pixels.append(_slot_box(layout.frame, layout.frame.cluster_transform(end_u, v), slot))


def _place(
    layout: TextLayout,
    reach: _Reach | None,
    placements: list[Placement] | None = None,
    clusters: list[Cluster] | None = None,
) -> None:
    """Place every glyph on the pixel grid: gather the layout's extent into `reach`, or fill the lists with the
    placements and the clusters, or both. The planner only measures, drawing and labels only place: neither
    spends anything on what only the other needs.
    """
    faces, size, frame, stroke = layout.faces, layout.size, layout.frame, layout.stroke
    lines, block, align, step, across, turn = layout.setting
    straight = frame.curve is None  # clusters stay where they are set: no move to a curve
    unmoved = straight and frame.turns % 4 == 0  # frame pixels are canvas pixels: most layouts
    straight_angle = frame.glyph_angle(frame.cluster_transform(0.0, 0.0))
    for index, line in enumerate(lines):
        start_u = align * (block - line.width)
        v = index * step
        if reach is not None and unmoved:  # `_slot_box`'s sums across the line, the same for each of its slots
            reach.ys += (v + (v + across[0] - v), v + (v + across[1] - v))
        starts = sorted(line.slots)
        ends = [*starts[1:], line.end - line.start]
        for cluster_start, cluster_end in zip(starts, ends, strict=True):
            u0, u1, glyphs = line.slots[cluster_start]
            glyph_size, lift = line.jitter.get(cluster_start, (size, 0.0))
            scale = glyph_size / size
            middle = start_u + (u0 + u1) / 2
            rigid = (
                new_namedtuple(Rigid, ((middle, v), (middle, v), 0.0))
                if straight
                else frame.cluster_transform(middle, v)
            )
            angle = straight_angle if straight else frame.glyph_angle(rigid)
            ink: FrameBox | None = None
            for glyph, shift in glyphs:
                gu, gv = start_u + (glyph.u / 64) + shift, v + glyph.v / 64 * scale + lift
                if unmoved:
                    x, y = gu, gv
                else:
                    x, y = frame.to_canvas(gu, gv) if straight else frame.to_canvas(*rigid.apply(gu, gv))
                sx, sy = round(x * _SNAP) * _SUBPIXEL, round(y * _SNAP) * _SUBPIXEL  # 1/64 px on the sub-pixel grid
                face = faces[glyph.face]
                cbox, spread = _outline_boxes(face.path, face.face_index, glyph_size, glyph.glyph, turn, stroke)
                if cbox is None or reach is None:
                    pass
                elif angle == 0:
                    reach.lefts.append(sx + cbox[0])
                    reach.tops.append(sy - cbox[3])
                    reach.rights.append(sx + cbox[2])
                    reach.bottoms.append(sy - cbox[1])
                else:
                    reach.pixels.append(_turned_glyph(cbox, sx, sy, angle))
                if placements is None:
                    continue
                placements.append(
                    new_namedtuple(
                        Placement,
                        (
                            glyph.glyph,
                            line.start + glyph.cluster,
                            sx >> 6,
                            sy >> 6,
                            sx & 63,
                            sy & 63,
                            angle,
                            glyph_size,
                            glyph.face,
                        ),
                    )
                )
                if spread is not None:
                    a0, b0, a1, b1 = gu + spread[0], gv + spread[1], gu + spread[2], gv + spread[3]
                    ink = (
                        (a0, b0, a1, b1)
                        if ink is None
                        else (min(ink[0], a0), min(ink[1], b0), max(ink[2], a1), max(ink[3], b1))
                    )
            advance = (start_u + u0, v + across[0], start_u + u1, v + across[1])
            if reach is None:
                pass
            elif unmoved:  # and along it
                reach.xs += (middle + (advance[0] - middle), middle + (advance[2] - middle))
            else:
                reach.pixels.append(_slot_box(frame, rigid, advance))
            if clusters is not None:
                clusters.append(
                    new_namedtuple(
                        Cluster, (line.start + cluster_start, line.start + cluster_end, index, advance, ink, rigid)
                    )
                )
        if line.end < len(layout.text):
            end_u = start_u + line.width
            slot = (end_u, v + across[0], end_u + 1, v + across[1])
            rigid = frame.cluster_transform(end_u, v)
            if reach is not None:
                reach.pixels.append(_slot_box(frame, rigid, slot))
            if clusters is not None:
                clusters.append(Cluster(line.end, line.end + 1, index, slot, None, rigid))


def _line_spans(faces: tuple[FontFace, ...], styles: Sequence[StyleSpan], start: int, end: int) -> list[Span]:
    """The styled spans that reach into the line of characters start..end-1, in the line's own positions.

    A span keeps its number in `faces` by standing in its place: spans outside the line keep theirs empty.
    """
    return [
        Span(min(max(style.start - start, 0), end - start), min(max(style.end - start, 0), end - start), face)
        for style, face in zip(styles, faces[1:], strict=True)
    ]


def _slots(line: ShapedLine, text: str, spacing: int, word_spacing: int) -> Slots:
    """Each cluster's slot along the line (pixels) and its glyphs with their spacing shift.

    Spacing goes between clusters, but not between two letters that join (Arabic),
    where a gap would break the connected script apart, and negative spacing
    (overlap) leaves word spaces alone so words do not run together. Word spacing
    widens each space's own slot, so the space's box spans the whole gap.
    """
    if not (spacing or word_spacing):
        return _unspaced_slots(line.glyphs)
    slots: Slots = {}
    shift = 0
    previous = None
    for glyph in line.glyphs:
        if (
            spacing
            and previous is not None
            and glyph.cluster != previous
            and _spaced(text[previous], text[glyph.cluster], spacing)
        ):
            shift += spacing
        widened = word_spacing and glyph.cluster != previous and text[glyph.cluster].isspace()
        previous = glyph.cluster
        u0, u1 = glyph.pen / 64 + shift, (glyph.pen + glyph.advance) / 64 + shift
        member = (glyph, shift)
        if widened:
            u1 += word_spacing
            shift += word_spacing
        if glyph.cluster in slots:
            low, high, members = slots[glyph.cluster]
            slots[glyph.cluster] = (min(low, u0), max(high, u1), [*members, member])
        else:
            slots[glyph.cluster] = (u0, u1, [member])
    return slots


def _unspaced_slots(glyphs: Sequence[ShapedGlyph]) -> Slots:
    """`_slots` of a line set without extra spacing, as most are: every shift is 0."""
    slots: Slots = {}
    for glyph in glyphs:
        cluster, pen = glyph.cluster, glyph.pen
        u0, u1 = pen / 64, (pen + glyph.advance) / 64
        if cluster in slots:
            low, high, members = slots[cluster]
            slots[cluster] = (min(low, u0), max(high, u1), [*members, (glyph, 0)])
        else:
            slots[cluster] = (u0, u1, [(glyph, 0)])
    return slots


def _jitter_draws(jitter: GlyphJitter | None, length: int, size: int) -> np.ndarray | None:
    """Per character of the text: its move across the line (px) and its size factor, from the jitter's seed alone.

    Uniform within the amplitudes: less than `baseline` x size either way, and 1 ± less than `scale`.
    """
    if jitter is None:
        return None
    draws = np.random.default_rng(jitter.seed).uniform(-1.0, 1.0, (length, 2))
    return draws * (jitter.baseline * size, jitter.scale) + (0.0, 1.0)


def _jitter(slots: Slots, text: str, draws: np.ndarray, size: int) -> tuple[Slots, dict[int, tuple[int, float]]]:
    """Each cluster's size and move across the line, and the slots made room for those sizes.

    A cluster takes the draws of its first character. Its size is the whole number of pixels per
    em nearest to size x its factor (glyph bitmaps are cached per size). A resized cluster is
    scaled about the start of its slot, its slot with it, and the clusters after it move along,
    so advances stay true and nothing runs into its neighbour. Clusters that touch (joined
    Arabic, a Devanagari headline) move and size as one, with the draws of the first of them
    in visual order: print never tears a word apart.
    """
    jittered: dict[int, tuple[int, float]] = {}
    moved: Slots = {}
    unit, previous = 0, None
    extra = 0.0  # how much the resized clusters so far have lengthened the line
    for start, (u0, u1, glyphs) in slots.items():  # in visual order
        if previous is None or not touches(text[previous], text[start]):
            unit = start
        previous = start
        lift, factor = draws[unit]
        glyph_size = max(1, round(size * float(factor)))
        jittered[start] = (glyph_size, float(lift))
        scale = glyph_size / size
        new_u0 = u0 + extra
        placed = [(glyph, new_u0 + (glyph.u / 64 + shift - u0) * scale - glyph.u / 64) for glyph, shift in glyphs]
        moved[start] = (new_u0, new_u0 + (u1 - u0) * scale, placed)
        extra += (u1 - u0) * (scale - 1)
    return moved, jittered


def _spaced(before: str, after: str, spacing: int) -> bool:
    if joins(before) and joins(after):
        return False
    return spacing >= 0 or not (before.isspace() or after.isspace())


@lru_cache(maxsize=1 << 16)
def _outline_boxes(
    path: str, face_index: int, size: int, glyph: int, turn: float, stroke: int
) -> tuple[tuple[int, int, int, int], FrameBox] | tuple[None, None]:
    """The glyph's outline box (`FontFace.cbox`), and how far that box turned by `turn` reaches from the glyph
    origin along u and v; the same for every use of a glyph, so looked up once per glyph placed."""
    cbox = open_face(path, face_index).cbox(size, glyph, stroke)
    if cbox is None:
        return None, None
    x0, y0, x1, y1 = (c / 64 for c in cbox)
    corners = [(x0, -y0), (x1, -y0), (x1, -y1), (x0, -y1)]
    radians = math.radians(turn)
    c, s = math.cos(radians), math.sin(radians)
    us = [c * x - s * y for x, y in corners]
    vs = [s * x + c * y for x, y in corners]
    return cbox, (min(us), min(vs), max(us), max(vs))
