"""Mixed styles (issue #12): a run of words in another face of the font's family, planned and drawn."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st
from textcases import ARABIC, FONT_DIR, HEBREW, LATIN, NASKH, SERIF, style_spans

from ocrgen.planner import AssetDirs, iter_plan
from ocrgen.planner.records import PlanStats
from ocrgen.planner.validation import load_config
from ocrgen.text.fonts import open_face
from ocrgen.text.layout import TextLayout, TextRequest, layout_text
from ocrgen.text.shaping import shape_line

BOLD = "NotoSans-Bold.ttf"

LETTERS = {LATIN: "AVTyfi ,.1", ARABIC: "لا مُحَد ,1", HEBREW: "שלום ,1"}


@st.composite
def styled_texts(draw: st.DrawFn) -> tuple[str, str, list[tuple[int, int, str]]]:
    """A text in one font, with up to three sorted, separate spans in other fonts (which may lack its letters:
    the faces a layout takes glyphs from do not depend on what they hold)."""
    font = draw(st.sampled_from(list(LETTERS)))
    text = draw(st.text(st.sampled_from(LETTERS[font]), min_size=1, max_size=24))
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=6, unique=True)))
    others = st.sampled_from([BOLD, SERIF, NASKH])
    return font, text, [(start, end, draw(others)) for start, end in zip(cuts[::2], cuts[1::2], strict=False)]


@given(styled_texts(), st.sampled_from(["left_to_right", "right_to_left"]), st.integers(12, 48))
def test_every_glyph_comes_from_the_face_of_its_characters(
    case: tuple[str, str, list[tuple[int, int, str]]], direction: str, size: int
) -> None:
    """Cut inside words and bidi runs alike: a glyph's face is its cluster's, the clusters tile the text, and
    they stand in the order they stand in without styles."""
    font, text, spans = case
    styles = style_spans(spans)
    layout = layout_text(TextRequest(str(FONT_DIR / font), 0, size, text, direction, None, None, styles))
    for placed in layout.placements:
        face = next((n for n, (start, end, _) in enumerate(spans, 1) if start <= placed.cluster < end), 0)
        assert placed.face == face
        assert layout.faces[face].path == str(FONT_DIR / (font if face == 0 else spans[face - 1][2]))
    plain = layout_text(TextRequest(str(FONT_DIR / font), 0, size, text, direction))
    common = {c.start for c in plain.clusters} & {c.start for c in layout.clusters}
    assert _visual_order(plain, common) == _visual_order(layout, common), "styles must not reorder the text"
    clusters = sorted((cluster.start, cluster.end) for cluster in layout.clusters)
    assert clusters[0][0] == 0 and clusters[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in pairwise(clusters))


def _visual_order(layout: TextLayout, starts: set[int]) -> list[int]:
    return [c.start for c in sorted(layout.clusters, key=lambda c: c.advance[0]) if c.start in starts]


def test_a_styled_word_takes_the_glyphs_and_advances_of_its_face() -> None:
    """The bold word is shaped by the bold face (its own glyphs, wider), and moves the words after it along."""
    text = "Set the term apart"
    bold = open_face(str(FONT_DIR / BOLD))
    plain = layout_text(TextRequest(str(FONT_DIR / LATIN), 0, 32, text, "left_to_right"))
    styled = layout_text(
        TextRequest(str(FONT_DIR / LATIN), 0, 32, text, "left_to_right", None, None, style_spans([(4, 7, BOLD)]))
    )
    bold_glyphs = [g.glyph for g in shape_line(bold, 32, "the", False).glyphs]
    assert [p.glyph for p in styled.placements if p.face == 1] == bold_glyphs
    widths = [layout.clusters[-1].advance[2] - layout.clusters[0].advance[0] for layout in (plain, styled)]
    assert widths[1] > widths[0]
    assert [p.x for p in styled.placements[:4]] == [p.x for p in plain.placements[:4]]


SPEC = """\
total_images: 30
seed: 5
specifications:
  - name: styled
    proportion: 1.0
    corpus: ["en/*.txt"]
    text_length: {{min: 10, max: 40}}
    fonts: {{include: [{fonts}]}}
    mixed_styles: {{p: 1, words: {{min: 1, max: 3}}}}
"""


def test_a_run_of_whole_words_goes_to_another_face_of_the_family(write_config: Callable[[str], Path]) -> None:
    config = load_config(write_config(SPEC.format(fonts='"NotoSans-*"')))
    stats = PlanStats()
    records = list(iter_plan(config, AssetDirs(), stats=stats))
    words = re.compile(r"\S+")
    for record in records:
        (run,) = record.styles
        ends = [m.span() for m in words.finditer(record.text)]
        first = next(i for i, (start, _) in enumerate(ends) if start == run.start)
        last = next(i for i, (_, end) in enumerate(ends) if end == run.end)
        assert 1 <= last - first + 1 <= 3
        assert {run.asset.path, record.font.asset.path} == {"NotoSans-Regular.ttf", "NotoSans-Bold.ttf"}
    assert {record.styles[0].asset.path for record in records} == {"NotoSans-Regular.ttf", "NotoSans-Bold.ttf"}
    assert "no_other_style" not in stats.resampled


def test_a_font_with_no_other_face_stays_whole_and_is_counted(cli: Callable[..., Result], tmp_path: Path) -> None:
    config = tmp_path / "serif.yaml"
    config.write_text(SPEC.format(fonts='"NotoSerif-*"'), encoding="utf-8")
    stats = PlanStats()
    records = list(iter_plan(load_config(config), AssetDirs(), stats=stats))
    assert all(not record.styles for record in records)
    assert stats.resampled["no_other_style"] == len(records)
    result = cli("plan", "--batch-config", config, "-o", tmp_path / "plan.jsonl")
    assert "Texts left in one face" in result.output and "no_other_style: 30" in result.output


def test_styled_plans_render(cli: Callable[..., Result], tmp_path: Path) -> None:
    """Render finds the runs' fonts from the plan alone, as it finds the record's own."""
    config = tmp_path / "styled.yaml"
    config.write_text(SPEC.format(fonts='"NotoSans-*"'), encoding="utf-8")
    plan = tmp_path / "plan.jsonl"
    assert cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").rglob("*.png"))) == 30
