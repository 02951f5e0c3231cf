"""The planner measures a layout without placing its glyphs for drawing; the measure must be what placing gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.schemas.effects.text import GlyphJitter
from ocrgen.schemas.plan import Arc, Layout, Sine, Stroke
from ocrgen.text.layout import StyleSpan, layout_text
from tests.textcases import ARABIC, CJK, FONT_DIR, LATIN, SERIF


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
def test_measured_extent_is_the_placed_extent(
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
    measured = layout_text(*args).extent  # measured first: the glyphs are not placed yet
    placed = layout_text(*args)
    assert placed.placements is not None  # placed first, then measured
    assert measured == placed.extent
