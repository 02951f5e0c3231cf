"""Font discovery: every face of a collection is usable, and a face is only chosen for text it covers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.planner import AssetDirs, Resources, iter_plan, load_config
from ocrgen.planner.fonts import FontCatalog, needed_codepoints
from ocrgen.renderer.render import render_record
from ocrgen.schemas.config import FontSelection
from tests.conftest import FONT_DIR

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MIXED_SCRIPTS = "abc Zé中文שלוםسلام0١नमः ก"  # noqa: RUF001 -- Hebrew, Arabic, Devanagari and Thai on purpose


def _hebrew_only() -> TTFont:
    """The bundled Hebrew face cut to Hebrew letters and the space, so it cannot draw Latin text."""
    font = TTFont(FONT_DIR / "NotoSansHebrew-Regular.ttf")
    options = subset.Options()
    options.layout_features = ["*"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[0x20, *range(0x05D0, 0x05EB)])
    subsetter.subset(font)
    return font


@pytest.fixture
def collection_dir(tmp_path: Path) -> Path:
    """A .ttc holding a Latin face (0) and a Hebrew-only face (1)."""
    collection = TTCollection()
    collection.fonts = [TTFont(FONT_DIR / "NotoSans-Regular.ttf"), _hebrew_only()]
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    collection.save(fonts / "Pair.ttc")
    return fonts


def test_every_face_of_a_collection_is_listed(collection_dir: Path) -> None:
    catalog = FontCatalog("fonts", collection_dir)
    assert [(f.path.name, f.face_index) for f in catalog.faces] == [("Pair.ttc", 0), ("Pair.ttc", 1)]
    assert ord("א") in catalog.faces[1].coverage and ord("א") not in catalog.faces[0].coverage


def test_collection_faces_are_planned_by_coverage_and_render(
    collection_dir: Path, write_config: Callable[[str], Path]
) -> None:
    config = load_config(
        write_config(
            """
            total_images: 6
            seed: 3
            specifications:
              - name: latin
                proportion: 0.5
                corpus: ["en/*.txt"]
              - name: hebrew
                proportion: 0.5
                corpus: ["he/*.txt"]
                text_length: {min: 2, max: 12}
                directions: {right_to_left: 1}
            """
        )
    )
    records = list(iter_plan(config, AssetDirs(fonts=collection_dir)))
    faces = {(r.spec, r.font.face_index) for r in records}
    assert faces == {("latin", 0), ("hebrew", 1)}
    for record in records:
        image, label = render_record(record)
        assert image.size == (record.canvas.width, record.canvas.height)
        assert label.text == record.text


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(st.text(st.sampled_from(MIXED_SCRIPTS), min_size=1, max_size=8), max_size=30))
def test_the_faces_that_cover_a_text_are_those_that_each_say_so(texts: list[str]) -> None:
    """A specification remembers what all its faces draw, to skip asking each one again; whatever came before,
    the faces it gives a text are exactly those that draw all of it, in order."""
    config = load_config(EXAMPLES / "quickstart.yaml").model_copy(deep=True)
    spec = config.specifications[0].model_copy(update={"fonts": FontSelection(include=["*"])})
    res = Resources.of(config.model_copy(update={"specifications": [spec]}), AssetDirs()).specs[0]
    assert len(res.fonts) > 3
    for text in texts:
        needed = needed_codepoints(text)
        assert res.covering(needed) == [(font, weight) for font, weight in res.fonts if font.covers(needed)]
