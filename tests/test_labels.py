"""Labels are true to the image: they pair with it, and their boxes hold exactly the drawn ink."""

from __future__ import annotations

import math
import re
import textwrap
import unicodedata
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import Result
from PIL import Image

from ocrgen.assets import DEFAULT_CONFIG, AssetResolver
from ocrgen.effects.registry import size_after_geometry
from ocrgen.planner import AssetDirs, iter_plan, load_config
from ocrgen.renderer.render import render_record
from ocrgen.schemas.label import CharBox, Label
from ocrgen.schemas.plan import PlanRecord, ProceduralBackground

Cli = Callable[..., Result]

IMAGES = 12
SOLID = (250, 250, 250)

# One spec per script, drawn from the bundled corpus (words mode).
SCRIPTS_CONFIG = """\
total_images: 18
seed: 11
specifications:
  - name: english
    proportion: 0.34
    corpus: ["en/*.txt"]
    fonts: {include: ["NotoSans-*", "NotoSerif-*"]}
    text_length: {min: 10, max: 40}
  - name: arabic
    proportion: 0.33
    corpus: ["ar/*.txt"]
    fonts: {include: ["*Arabic*", "*Naskh*"]}
    text_length: {min: 5, max: 30}
    directions: {right_to_left: 1.0}
  - name: hebrew
    proportion: 0.33
    corpus: ["he/*.txt"]
    fonts: {include: ["*Hebrew*"]}
    text_length: {min: 5, max: 30}
    directions: {right_to_left: 1.0}
"""

ARABIC_CLOCK = "الساعة 9:30"
HEBREW_WORDS = "שלום עולם"

# Whole lines from a corpus made for the test, so the texts are exactly these.
FIXED_CONFIG = """\
total_images: 4
seed: 5
specifications:
  - name: arabic_clock
    proportion: 0.5
    corpus: ["ar.txt"]
    text_mode: lines
    fonts: {include: ["*Arabic*", "*Naskh*"]}
    text_length: {min: 1, max: 40}
    directions: {right_to_left: 1.0}
  - name: hebrew_words
    proportion: 0.5
    corpus: ["he.txt"]
    text_mode: lines
    fonts: {include: ["*Hebrew*"]}
    text_length: {min: 1, max: 40}
    directions: {right_to_left: 1.0}
"""


# --- helpers ----------------------------------------------------------------------------------------


def on_solid(record: PlanRecord) -> PlanRecord:
    """The same record on a flat background, so every changed pixel is ink."""
    return record.model_copy(update={"background": ProceduralBackground(style="solid", color=SOLID)})


def plan(tmp_path: Path, text: str, dirs: AssetDirs, framed: bool = False) -> list[PlanRecord]:
    """The config's records on a solid background; `framed` cuts each image to its ink (margins 0 to 0.3 lines)."""
    data = yaml.safe_load(textwrap.dedent(text))
    if framed:
        for spec in data["specifications"]:
            spec["framing"] = {"crop": "ink", "margin": {"min": 0, "max": 0.3}}
    config_path = tmp_path / "batch.yaml"
    config_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    records = [on_solid(r) for r in iter_plan(load_config(config_path), dirs)]
    assert all((r.crop is not None) == framed for r in records)
    return records


def ink_mask(image: Image.Image) -> np.ndarray:
    pixels = np.asarray(image.convert("RGB"))
    return (pixels != np.asarray(SOLID, np.uint8)).any(axis=2)


def is_blank(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cf", "Zs")


def x_centre(box: CharBox) -> float:
    return (box.x0 + box.x1) / 2


def assert_boxes_hold_the_ink(record: PlanRecord) -> None:
    """Every ink pixel lies in some box (1 px slack); every non-space box holds ink and is tight."""
    image, label = render_record(record, AssetResolver())
    assert label.text == record.text
    assert [b.char for b in label.bboxes] == list(record.text)
    ink = ink_mask(image)
    assert ink.any(), f"nothing drawn for {record.text!r}"
    height, width = ink.shape

    covered = np.zeros_like(ink)
    for box in label.bboxes:
        assert 0 <= box.x0 < box.x1 <= width and 0 <= box.y0 < box.y1 <= height, box
        covered[max(box.y0 - 1, 0) : box.y1 + 1, max(box.x0 - 1, 0) : box.x1 + 1] = True
    stray = ink & ~covered
    assert not stray.any(), f"{int(stray.sum())} ink pixels outside every box of {record.text!r}, e.g. " + str(
        np.argwhere(stray)[:3].tolist()
    )

    for position, box in enumerate(label.bboxes):
        if is_blank(box.char):
            continue
        inside = ink[box.y0 : box.y1, box.x0 : box.x1]
        assert inside.any(), f"no ink in the box of {box.char!r} (#{position}) of {record.text!r}"
        # A box is the ink's bounding box: ink touches each of its four edges.
        edges = [inside[0].any(), inside[-1].any(), inside[:, 0].any(), inside[:, -1].any()]
        assert all(edges), f"box of {box.char!r} (#{position}) of {record.text!r} is not tight: {edges}"


# --- pairing ---------------------------------------------------------------------------------------


def test_images_and_labels_pair_up(cli: Cli, tmp_path: Path) -> None:
    """Each image has its label and vice versa, with the image's size, the plan's text and a box per char."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"] = IMAGES
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan_file, out = tmp_path / "plans.jsonl", tmp_path / "out"
    assert cli("plan", "--batch-config", config, "-o", plan_file).exit_code == 0
    result = cli("render", plan_file, "--output-dir", out, "--workers", "1")
    assert result.exit_code == 0, result.output

    records = {r.index: r for r in map(PlanRecord.model_validate_json, plan_file.read_bytes().splitlines())}
    images = {p.stem: p for p in out.glob("image_*.png")}
    labels = {p.stem: p for p in out.glob("image_*.json")}
    assert len(images) == IMAGES
    assert set(images) == set(labels)
    assert set(images) == {f"image_{i:08d}" for i in records}

    for stem, image_path in images.items():
        label = Label.model_validate_json(labels[stem].read_bytes())
        record = records[int(stem.removeprefix("image_"))]
        assert label.plan == record
        assert label.text == record.text
        with Image.open(image_path) as image:
            final = size_after_geometry(record.effects, record.canvas.width, record.canvas.height)
            assert image.size == (label.width, label.height) == final
        assert len(label.bboxes) == len(label.text)
        assert [b.char for b in label.bboxes] == list(label.text)
        assert all(b.line_index == 0 for b in label.bboxes)
        for box in label.bboxes:
            assert 0 <= box.x0 < box.x1 <= label.width, box
            assert 0 <= box.y0 < box.y1 <= label.height, box


# --- truth ---------------------------------------------------------------------------------------


# Every truth test below runs on the whole canvas and on images cut to their ink (`framing`).
@pytest.fixture(params=[False, True], ids=["canvas", "framed"])
def script_records(tmp_path: Path, request: pytest.FixtureRequest) -> list[PlanRecord]:
    return plan(tmp_path, SCRIPTS_CONFIG, AssetDirs(), framed=request.param)


@pytest.fixture(params=[False, True], ids=["canvas", "framed"])
def fixed_records(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, PlanRecord]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ar.txt").write_text(ARABIC_CLOCK + "\n", encoding="utf-8")
    (corpus / "he.txt").write_text(HEBREW_WORDS + "\n", encoding="utf-8")
    records = plan(tmp_path, FIXED_CONFIG, AssetDirs(corpus=corpus), framed=request.param)
    by_text = {r.text: r for r in records}
    assert set(by_text) == {ARABIC_CLOCK, HEBREW_WORDS}
    return by_text


def test_boxes_hold_the_ink_in_every_script(script_records: list[PlanRecord]) -> None:
    """English (LTR), Arabic and Hebrew (RTL) corpus samples: the boxes account for every ink pixel."""
    assert {r.spec for r in script_records} == {"english", "arabic", "hebrew"}
    for record in script_records:
        assert_boxes_hold_the_ink(record)


def test_boxes_hold_the_ink_with_embedded_digits(fixed_records: dict[str, PlanRecord]) -> None:
    for record in fixed_records.values():
        assert_boxes_hold_the_ink(record)


def test_ltr_boxes_run_left_to_right(script_records: list[PlanRecord]) -> None:
    """In English, each character's box is no further left than the one before it."""
    for record in (r for r in script_records if r.spec == "english"):
        _, label = render_record(record, AssetResolver())
        centres = [x_centre(b) for b in label.bboxes if not is_blank(b.char)]
        assert centres == sorted(centres), record.text
        assert centres[0] < centres[-1]


def test_rtl_letters_run_right_to_left(fixed_records: dict[str, PlanRecord]) -> None:
    """Hebrew letters of one run: x-centres strictly decrease along the logical order."""
    _, label = render_record(fixed_records[HEBREW_WORDS], AssetResolver())
    centres = [x_centre(b) for b in label.bboxes if not is_blank(b.char)]
    assert len(centres) == 8
    assert all(a > b for a, b in pairwise(centres)), centres


def test_rtl_text_with_digits(fixed_records: dict[str, PlanRecord]) -> None:
    """In "الساعة 9:30" the Arabic word runs right to left, the number left to right, to its left."""
    _, label = render_record(fixed_records[ARABIC_CLOCK], AssetResolver())
    word = label.bboxes[:6]
    number = label.bboxes[7:]
    assert "".join(b.char for b in word) == "الساعة"
    assert "".join(b.char for b in number) == "9:30"
    word_centres = [x_centre(b) for b in word]
    assert all(a > b for a, b in pairwise(word_centres)), word_centres
    number_centres = [x_centre(b) for b in number]
    assert all(a < b for a, b in pairwise(number_centres)), number_centres
    assert max(b.x1 for b in number) <= min(b.x0 for b in word) + 1, "the number is not left of the word"


# --- word and line boxes -------------------------------------------------------------------------


def _polygon_bounds(points: list[list[float]], width: int, height: int) -> tuple[int, ...]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (
        max(0, math.floor(min(xs))),
        max(0, math.floor(min(ys))),
        min(width, math.ceil(max(xs))),
        min(height, math.ceil(max(ys))),
    )


def _union(boxes: list[list[int]]) -> tuple[int, ...]:
    return min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)


@pytest.mark.parametrize("framed", [False, True], ids=["canvas", "framed"])
def test_word_and_line_boxes_follow_the_readme_rule(tmp_path: Path, framed: bool) -> None:
    """Union of the characters' boxes without geometric effects; the bounds of the moved polygon after one.

    Cut to the ink, the same: polygons and boxes are clamped to the cut alike.
    """
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"] = 24
    for spec in data["specifications"]:
        spec["effects"] = {"rotation": {"p": 0.5, "angle": {"min": 4, "max": 8}}}
        if framed:
            spec.pop("padding", None)
            spec["framing"] = {"margin": {"min": 0, "max": 0.1}}
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    rotated = straight = 0
    for record in iter_plan(load_config(config), AssetDirs()):
        _, label = render_record(record)
        spans = [*re.finditer(r"\S+", label.text), *re.finditer(r"[^\n]+", label.text)]
        for shape, span in zip([*label.words, *label.lines], spans, strict=True):
            if record.effects:
                assert tuple(shape.bbox) == _polygon_bounds(shape.polygon, label.width, label.height)
                rotated += 1
            else:
                chars = [c.bbox for c in label.characters[span.start() : span.end()]]
                assert tuple(shape.bbox) == _union(chars)
                straight += 1
    assert rotated and straight
