"""The planner measures a layout without placing its glyphs for drawing; the measure must hold every placed glyph's
outline box and every cluster's slot, exactly: the box the planner sizes the canvas by."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.schemas.effects.text import GlyphJitter
from ocrgen.schemas.plan import Arc, Layout, Sine, Stroke
from ocrgen.text.layout import (
    Box,
    Placement,
    StyleSpan,
    TextLayout,
    TextRequest,
    layout_text,
    measure_text,
    rotation_matrix,
)
from tests.textcases import ARABIC, CJK, FONT_DIR, LATIN, SERIF


def _glyph_box(layout: TextLayout, placed: Placement) -> tuple[int, int, int, int] | None:
    """The pixels a placed glyph's (turned, stroked) outline box covers, widened a pixel each side."""
    cbox = layout.faces[placed.face].cbox(placed.size, placed.glyph, layout.stroke)
    if cbox is None:
        return None
    xx, xy, yx, yy = rotation_matrix(placed.angle)
    corners = [(cbox[0], cbox[1]), (cbox[2], cbox[1]), (cbox[2], cbox[3]), (cbox[0], cbox[3])]
    xs = [(xx * x + xy * y) / 0x10000 + placed.phase_x for x, y in corners]
    ys = [(yx * x + yy * y) / 0x10000 - placed.phase_y for x, y in corners]
    return (
        placed.x + math.floor(min(xs) / 64) - 1,
        placed.y - math.ceil(max(ys) / 64) - 1,
        placed.x + math.ceil(max(xs) / 64) + 1,
        placed.y - math.floor(min(ys) / 64) + 1,
    )


def _placed_extent(layout: TextLayout) -> Box:
    """The extent worked out from the placements and the clusters, one box each."""
    glyphs = [box for placed in layout.placements if (box := _glyph_box(layout, placed)) is not None]
    slots = [Box.around(layout.quad(cluster.rigid, cluster.advance)) for cluster in layout.clusters]
    return Box.enclosing([*glyphs, *slots])


def _lines(letters: str, longest: int) -> st.SearchStrategy[str]:
    """One to three lines, none of them empty (the planner never sets an empty line)."""
    line = st.text(st.sampled_from(letters), min_size=1, max_size=longest)
    return st.lists(line, min_size=1, max_size=3).map("\n".join)


TEXTS = {
    LATIN: _lines("Tofu wAVe, fi ffl: 0.5!", 30),
    ARABIC: _lines("سلام عليكم ١٢ abc", 20),
    CJK: _lines("中文字体测试。「」", 12),
}
curves = st.one_of(
    st.none(),
    st.builds(Arc, radius=st.floats(200, 2000), concave=st.booleans()),
    st.builds(Sine, amplitude=st.floats(0, 8), frequency=st.floats(0, 2), phase=st.floats(-3, 3)),
)


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    font=st.sampled_from(sorted(TEXTS)),
    size=st.integers(6, 60),
    direction=st.sampled_from(["left_to_right", "right_to_left", "top_to_bottom", "bottom_to_top"]),
    orientation=st.sampled_from(["rotated", "upright"]),
    alignment=st.sampled_from([None, "center", "right", "bottom"]),
    line_spacing=st.floats(0.8, 2.0),
    character_spacing=st.integers(-3, 6),
    word_spacing=st.integers(0, 6),
    curve=curves,
    stroke=st.one_of(st.none(), st.builds(Stroke, width=st.integers(1, 3), color=st.just((0, 0, 0)))),
    jitter=st.one_of(
        st.none(),
        st.builds(GlyphJitter, baseline=st.floats(0, 0.25), scale=st.floats(0, 0.25), seed=st.integers(0, 99)),
    ),
    styled=st.booleans(),
)
def test_measured_extent_holds_every_placed_glyph_and_slot(
    data: st.DataObject,
    font: str,
    size: int,
    direction: str,
    orientation: str,
    alignment: str | None,
    line_spacing: float,
    character_spacing: int,
    word_spacing: int,
    curve: Arc | Sine | None,
    stroke: Stroke | None,
    jitter: GlyphJitter | None,
    styled: bool,
) -> None:
    text = data.draw(TEXTS[font])
    if alignment in ("right", "center") and direction in ("top_to_bottom", "bottom_to_top"):
        alignment = "bottom" if alignment == "right" else alignment
    if alignment == "bottom" and direction in ("left_to_right", "right_to_left"):
        alignment = "right"
    params = Layout(
        orientation=orientation if direction == "top_to_bottom" else "rotated",
        alignment=alignment,
        line_spacing=line_spacing,
        character_spacing=character_spacing,
        word_spacing=word_spacing,
        curve=curve if direction in ("left_to_right", "right_to_left") else None,
        stroke=stroke,
    )
    spans = [StyleSpan(0, max(1, len(text) // 2), str(FONT_DIR / SERIF), 0)] if styled and font == LATIN else []
    args = (str(FONT_DIR / font), 0, size, text, direction, params, jitter, spans)
    layout = layout_text(TextRequest(*args))
    assert layout.extent == _placed_extent(layout)
    # What the planner keeps instead of the layout: the same extent, and the facts the crop is planned from.
    measure = measure_text(TextRequest(*args))
    assert measure.extent == _placed_extent(layout)
    assert measure.line_height == layout.line_height
    assert measure.turned == (direction in ("top_to_bottom", "bottom_to_top"))
    assert measure.draws_notdef == any(placed.glyph == 0 for placed in layout.placements)


@pytest.mark.parametrize(
    ("text", "tofu"),
    [("wave", False), ("wa中ve", True), ("first line\nsecond 中", True), ("two\nlines", False)],
)
def test_a_character_the_face_lacks_is_told_as_tofu(text: str, tofu: bool) -> None:
    """The planner redraws a text whose layout draws .notdef; the layout and its measure both tell it."""
    args = (str(FONT_DIR / LATIN), 0, 24, text, "left_to_right")
    assert layout_text(TextRequest(*args)).draws_notdef is tofu
    assert measure_text(TextRequest(*args)).draws_notdef is tofu
    assert any(placed.glyph == 0 for placed in layout_text(TextRequest(*args)).placements) is tofu
