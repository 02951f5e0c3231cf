"""Font discovery: every face of a collection is usable, and a face is only chosen for text it covers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from ocrgen.planner import AssetDirs, iter_plan, load_config
from ocrgen.planner.fonts import FontCatalog
from ocrgen.renderer.render import render_record
from tests.conftest import FONT_DIR


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
