"""`framing`: the image cut to the text's ink plus margins drawn in line heights, as a line segmenter cuts a line.

The pixels and labels of framed images go through the label-truth checks of tests/test_ink_fidelity.py
and tests/test_labels.py; here: the planner's margins, the canvas they need, geometric effects, the
config and plan rules, the line writers, `inspect`, and the outputs without framing, which must not move.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pytest
import yaml
from click.testing import Result
from PIL import Image

from ocrgen.assets import DEFAULT_CONFIG, AssetResolver
from ocrgen.inspection import inspect_plan
from ocrgen.planner import AssetDirs, iter_plan, load_config, make_plan
from ocrgen.record_json import record_line
from ocrgen.renderer.output import encode_image, encode_label
from ocrgen.renderer.picture import text_layout
from ocrgen.renderer.render import render_pixels, render_record
from ocrgen.schemas.effects.image import GaussianNoise
from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import InkCrop, Layout, PlanRecord, ProceduralBackground
from ocrgen.writers.lines import line_images
from tests.textcases import LATIN, ink_mask, make_record

Cli = Callable[..., Result]

WHITE = ProceduralBackground(style="solid", color=(255, 255, 255))
SPEC = {"name": "framed", "proportion": 1.0, "corpus": ["en/*.txt"], "text_length": {"min": 8, "max": 30}}


def framed_records(tmp_path: Path, total: int = 12, **spec: Any) -> list[PlanRecord]:
    """Records of one framed specification (`spec` overrides), black on white so every changed pixel is ink."""
    data = {"total_images": total, "seed": 5, "specifications": [{**SPEC, "framing": {"crop": "ink"}, **spec}]}
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return [
        r.model_copy(update={"background": WHITE, "text_color": (0, 0, 0)})
        for r in iter_plan(load_config(config), AssetDirs())
    ]


def margins_of(image: Image.Image | np.ndarray) -> tuple[int, int, int, int]:
    """Left, top, right and bottom: pixels between the ink and each edge of the image."""
    ink = ink_mask(Image.fromarray(image) if isinstance(image, np.ndarray) else image)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    height, width = ink.shape
    return int(cols[0]), int(rows[0]), width - 1 - int(cols[-1]), height - 1 - int(rows[-1])


def planned(record: PlanRecord) -> tuple[int, int, int, int]:
    crop = record.crop
    assert crop is not None
    return crop.left, crop.top, crop.right, crop.bottom


# --- planning --------------------------------------------------------------------------------------


def test_margins_are_drawn_per_side_in_line_heights(tmp_path: Path) -> None:
    """Each side's margin is its own draw from `margin`, times the font's line height, in whole pixels."""
    records = framed_records(
        tmp_path, total=40, framing={"margin": {"min": 0.1, "max": 0.5}}, lines={"min": 1, "max": 3}
    )
    sides = set()
    for record in records:
        line_height = text_layout(record, AssetResolver(), record.roots).line_height
        for margin in planned(record):
            assert round(0.1 * line_height) <= margin <= round(0.5 * line_height), (margin, line_height)
        sides.add(len(set(planned(record))))
    assert max(sides) > 1, "the four margins are drawn separately"
    assert any("\n" in r.text for r in records)


def test_margins_scale_with_the_rescale_effect(tmp_path: Path) -> None:
    """A margin is a fraction of the line as the final image shows it: after a rescale of 2, twice the pixels."""
    plain, doubled = (
        framed_records(tmp_path, total=8, font_size=40, framing={"margin": 0.25}, **extra)
        for extra in ({}, {"effects": {"rescale": {"p": 1, "scale": 2}}})
    )
    for one, two in zip(plain, doubled, strict=True):
        assert planned(one) == (round(0.25 * text_layout(one, AssetResolver(), one.roots).line_height),) * 4
        assert planned(two) == (round(0.5 * text_layout(two, AssetResolver(), two.roots).line_height),) * 4


def test_framed_canvas_needs_no_padding_and_the_crop_is_never_clipped(tmp_path: Path) -> None:
    """The canvas is padded by the margins alone: straight text, with or without shadows, keeps them exactly."""
    records = framed_records(
        tmp_path,
        total=16,
        framing={"margin": {"min": 0, "max": 0.4}},
        lines={"min": 1, "max": 2},
        effects={"drop_shadow": {"p": 0.5}, "ink_bleed": {"p": 0.5}},
    )
    for record in records:
        image, label = render_record(record)
        assert margins_of(image) == planned(record), record.index
        assert (label.width, label.height) == image.size
        assert image.width <= record.canvas.width and image.height <= record.canvas.height


@pytest.mark.parametrize(
    "effect",
    [
        {"rotation": {"p": 1, "angle": {"min": -10, "max": 10}}},
        {"shear": {"p": 1}},
        {"rescale": {"p": 1, "scale": {"min": 0.3, "max": 2.5}}},
        {"elastic": {"p": 1}},
        {"optical_distortion": {"p": 1}},
    ],
    ids=lambda effect: next(iter(effect)),
)
def test_geometric_effects_keep_the_margins(tmp_path: Path, effect: dict[str, Any]) -> None:
    """The crop is taken after the geometric stage, from the resampled text's ink; these effects leave room."""
    for record in framed_records(tmp_path, total=8, framing={"margin": {"min": 0, "max": 0.3}}, effects=effect):
        image, _ = render_record(record)
        assert margins_of(image) == planned(record), record.index


def test_grid_distortion_clips_the_crop_to_the_image(tmp_path: Path) -> None:
    """Grid distortion can push ink towards an edge: the crop is clipped there, never padded."""
    records = framed_records(
        tmp_path, total=12, framing={"margin": {"min": 0.2, "max": 0.4}}, effects={"grid_distortion": {"p": 1}}
    )
    clipped = 0
    for record in records:
        image, label = render_record(record)
        got, want = margins_of(image), planned(record)
        assert all(0 <= g <= w for g, w in zip(got, want, strict=True)), (got, want)
        clipped += got != want
        for box in label.bboxes:
            assert 0 <= box.x0 < box.x1 <= label.width and 0 <= box.y0 < box.y1 <= label.height
    assert clipped, "no record of this seed was clipped: choose one that is"


def test_image_effects_apply_to_the_framed_picture() -> None:
    """Noise covers the whole framed image, to its edges: image effects run after the cut."""
    crop = InkCrop(left=2, top=2, right=2, bottom=2)
    record = make_record(LATIN, "Noisy", crop=crop)
    clean, _ = render_record(record)
    noisy, _ = render_record(record.model_copy(update={"effects": [GaussianNoise(sigma=20)]}))
    assert noisy.size == clean.size
    changed = (np.asarray(noisy) != np.asarray(clean)).any(axis=2)
    assert changed[0].mean() > 0.5 and changed[-1].mean() > 0.5 and changed[:, 0].mean() > 0.5


def test_text_without_ink_keeps_the_whole_canvas() -> None:
    record = make_record(LATIN, "   ", crop=InkCrop(left=1, top=1, right=1, bottom=1))
    image, label = render_record(record)
    assert image.size == (record.canvas.width, record.canvas.height) == (label.width, label.height)


# --- config and plan ----------------------------------------------------------------------------


def _validate(cli: Cli, tmp_path: Path, spec: dict[str, Any]) -> Result:
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump({"total_images": 1, "specifications": [{**SPEC, **spec}]}), encoding="utf-8")
    return cli("validate", "--batch-config", config)


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ({"padding": 4, "framing": {"crop": "ink"}}, ["padding", "framing.margin"]),
        ({"framing": {"crop": "canvas"}}, ["framing.crop"]),
        ({"framing": {"margin": 4.5}}, ["framing.margin"]),
        ({"framing": {"margin": {"min": -0.1, "max": 0.1}}}, ["framing.margin"]),
        ({"framing": {"neighbours": {"p": 1, "pitch": 0.2}}}, ["framing.neighbours.pitch"]),
        ({"framing": {"neighbours": {"pitch": 1}}}, ["framing.neighbours.p"]),
    ],
    ids=[
        "with-padding",
        "unknown-crop",
        "margin-too-large",
        "negative-margin",
        "neighbours-overlap",
        "neighbours-without-p",
    ],
)
def test_bad_framing_is_one_clear_error(cli: Cli, tmp_path: Path, spec: dict[str, Any], names: list[str]) -> None:
    result = _validate(cli, tmp_path, spec)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for name in names:
        assert name in result.output, result.output


def test_framing_defaults_validate(cli: Cli, tmp_path: Path) -> None:
    assert _validate(cli, tmp_path, {"framing": {}}).exit_code == 0


def test_record_without_framing_has_no_crop_key(tmp_path: Path) -> None:
    """Plans without framing are written exactly as before the key existed; framed ones carry it, in pixels."""
    make_plan(DEFAULT_CONFIG, AssetDirs(), tmp_path / "plans.jsonl", count=3)
    assert all("crop" not in orjson.loads(line) for line in (tmp_path / "plans.jsonl").read_bytes().splitlines())
    record = framed_records(tmp_path, total=1)[0]
    line = orjson.loads(record_line(record))
    assert set(line["crop"]) == {"left", "top", "right", "bottom"}
    assert PlanRecord.model_validate(line) == record


@pytest.mark.parametrize("crop", [{"left": -1, "top": 0, "right": 0, "bottom": 0}, {"left": 1}, {"left": 1.5}])
def test_tampered_crop_is_refused(cli: Cli, tmp_path: Path, crop: dict[str, Any]) -> None:
    record = json.loads(make_record(LATIN, "Bound").model_dump_json())
    plan = tmp_path / "plans.jsonl"
    plan.write_text(json.dumps(record) + "\n" + json.dumps({**record, "index": 1, "crop": crop}) + "\n")
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 2, result.output
    assert "line 2" in result.output and "crop" in result.output


def test_inspect_reports_the_margins(tmp_path: Path) -> None:
    config = tmp_path / "batch.yaml"
    spec = {**SPEC, "framing": {"margin": {"min": 0, "max": 0.3}}}
    config.write_text(yaml.safe_dump({"total_images": 20, "specifications": [spec]}), encoding="utf-8")
    make_plan(config, AssetDirs(), tmp_path / "plans.jsonl")
    records = [PlanRecord.model_validate_json(line) for line in (tmp_path / "plans.jsonl").read_bytes().splitlines()]
    distributions = inspect_plan(tmp_path / "plans.jsonl")["distributions"]
    for side in ("left", "top", "right", "bottom"):
        values = [getattr(r.crop, side) for r in records]
        row = distributions[f"crop.{side} px"]
        assert (row["count"], row["min"], row["max"]) == (20, min(values), max(values))


# --- neighbouring lines ---------------------------------------------------------------------------

NEIGHBOURS = {"margin": {"min": 0.2, "max": 0.4}, "neighbours": {"p": 1, "pitch": {"min": 0.7, "max": 0.9}}}


def without_neighbours(record: PlanRecord) -> PlanRecord:
    assert record.crop is not None
    return record.model_copy(update={"crop": record.crop.model_copy(update={"neighbours": []})})


@pytest.mark.parametrize("direction", ["left_to_right", "top_to_bottom"])
def test_neighbours_lie_a_pitch_past_the_block_across_its_lines(tmp_path: Path, direction: str) -> None:
    """One neighbour on each side, `pitch` line heights past the block's outer baseline, moved along the line
    by at most `shift`: rows for horizontal lines, columns for vertical ones."""
    records = framed_records(
        tmp_path,
        total=12,
        directions={direction: 1},
        lines={"min": 1, "max": 3},
        framing={"neighbours": {"p": 1, "pitch": {"min": 0.9, "max": 1.2}, "shift": {"min": -1, "max": 1}}},
    )
    for record in records:
        layout = text_layout(record, AssetResolver(), record.roots)
        assert record.crop is not None
        across = [(n.x, n.y) if direction == "top_to_bottom" else (n.y, n.x) for n in record.crop.neighbours]
        extent = layout.extent
        depth = extent.x1 - extent.x0 if direction == "top_to_bottom" else extent.y1 - extent.y0
        (before, shift_before), (after, shift_after) = across
        for distance in (-before, after):
            pitch = (distance - depth + layout.line_height) / layout.line_height
            assert 0.9 - 1 / layout.line_height <= pitch <= 1.2 + 1 / layout.line_height, (record.index, pitch)
        assert max(abs(shift_before), abs(shift_after)) <= round(layout.line_height)


def test_neighbours_come_with_their_chance_and_cost_nothing_when_absent(tmp_path: Path) -> None:
    """With p = 0.5 some records have none, one or two; a crop without any is written without the key."""
    records = framed_records(tmp_path, total=40, framing={"neighbours": {"p": 0.5}})
    counts = {len(r.crop.neighbours) for r in records if r.crop is not None}
    assert counts == {0, 1, 2}
    for record in records:
        assert record.crop is not None
        assert ("neighbours" in orjson.loads(record_line(record))["crop"]) == bool(record.crop.neighbours)
        assert PlanRecord.model_validate_json(record_line(record)) == record


@pytest.mark.parametrize(
    "effects", [{}, {"rotation": {"p": 1, "angle": {"min": -3, "max": 3}}}], ids=["straight", "rotated"]
)
def test_neighbours_show_in_the_margins_and_change_neither_crop_nor_label(
    tmp_path: Path, effects: dict[str, Any]
) -> None:
    """The crop is measured on the text's own ink: the image keeps its size and label, the text's own
    ink stays as it was, and the neighbours' ink shows near the edges that they lie beyond."""
    records = framed_records(tmp_path, total=12, framing=NEIGHBOURS, effects=effects)
    shown = 0
    for record in records:
        alone, label_alone = render_record(without_neighbours(record))
        image, label = render_record(record)
        assert image.size == alone.size and label == label_alone.model_copy(update={"plan": label.plan})
        pixels, own = np.asarray(image), np.asarray(alone)
        solid = (own == 0).all(axis=2)  # black text on white: fully covered by the text itself
        assert (pixels[solid] == 0).all(), record.index
        added = (pixels != own).any(axis=2)
        assert not added[solid].any()
        rows = np.flatnonzero(added.any(axis=1))
        top, bottom = planned(record)[1], planned(record)[3]
        if rows.size:
            shown += 1
            assert rows[0] < top or rows[-1] >= image.height - bottom, record.index
    assert shown >= len(records) // 2, "close neighbours show in most records"


def test_inspect_counts_the_neighbours(tmp_path: Path) -> None:
    config = tmp_path / "batch.yaml"
    spec = {**SPEC, "framing": {"neighbours": {"p": 0.5}}}
    config.write_text(yaml.safe_dump({"total_images": 30, "specifications": [spec]}), encoding="utf-8")
    make_plan(config, AssetDirs(), tmp_path / "plans.jsonl")
    records = [PlanRecord.model_validate_json(line) for line in (tmp_path / "plans.jsonl").read_bytes().splitlines()]
    row = inspect_plan(tmp_path / "plans.jsonl")["distributions"]["crop.neighbours"]
    counts = [len(r.crop.neighbours) for r in records if r.crop is not None]
    assert (row["count"], row["min"], row["max"]) == (30, min(counts), max(counts)) == (30, 0, 2)


def test_far_neighbours_leave_the_image_as_it_was(tmp_path: Path) -> None:
    """Neighbours farther than the margins reach show nothing at all."""
    framing = {"margin": {"min": 0, "max": 0.1}, "neighbours": {"p": 1, "pitch": {"min": 2.5, "max": 3}}}
    for record in framed_records(tmp_path, total=6, framing=framing):
        assert record.crop is not None and len(record.crop.neighbours) == 2
        alone = render_record(without_neighbours(record))[0]
        assert np.array_equal(np.asarray(render_record(record)[0]), np.asarray(alone))


# --- line writers ---------------------------------------------------------------------------------


def _encoded(record: PlanRecord) -> tuple[bytes, Label]:
    image, label = render_record(record)
    return encode_image(np.asarray(image), "png"), label


def test_each_line_is_cut_to_its_ink_plus_the_margins() -> None:
    """Lines far enough apart that no neighbour reaches in: each line image keeps the record's margins exactly."""
    crop = InkCrop(left=3, top=2, right=5, bottom=4)
    for text, direction, layout in (
        ("The quick fox\njumps over it", "left_to_right", Layout(line_spacing=2.0)),
        ("Jolly gjpq\nÅÉÎ Type", "left_to_right", Layout(line_spacing=2.5, alignment="center")),
        ("Going up\nand on", "bottom_to_top", Layout(line_spacing=2.0)),
    ):
        encoded, label = _encoded(make_record(LATIN, text, 36, direction, layout, crop=crop))
        lines = line_images(encoded, label, "png", upright=False)
        assert [line.text for line in lines] == text.split("\n")
        for line in lines:
            assert margins_of(np.asarray(Image.open(io.BytesIO(line.image)).convert("RGB"))) == (3, 2, 5, 4), line


def test_line_cut_without_framing_is_the_line_box() -> None:
    """Without framing a line is cut to its bbox, which reaches the full line height where it has a space."""
    encoded, label = _encoded(make_record(LATIN, "The quick fox\njumps over it", 36, layout=Layout(line_spacing=2.0)))
    lines = line_images(encoded, label, "png")
    for line, segment in zip(lines, label.lines, strict=True):
        x0, y0, x1, y1 = segment.bbox
        assert (line.width, line.height) == (x1 - x0, y1 - y0)


def test_close_lines_take_in_their_neighbours_ink(tmp_path: Path) -> None:
    """Margins wider than the gap between lines keep parts of the next line, as a segmenter's crops do."""
    crop = InkCrop(left=2, top=2, right=2, bottom=30)
    encoded, label = _encoded(make_record(LATIN, "gjpq yyy\nÅÉÎ Ħ", 36, layout=Layout(line_spacing=0.9), crop=crop))
    first = line_images(encoded, label, "png")[0]
    pixels = np.asarray(Image.open(io.BytesIO(first.image)).convert("RGB"))
    ink_boxes = [b for b in label.bboxes if b.line_index == 0 and not b.char.isspace()]
    line_top, line_bottom = min(b.y0 for b in ink_boxes), max(b.y1 for b in ink_boxes)
    assert first.height == min(line_bottom + 30, label.height) - (line_top - 2)
    assert ink_mask(Image.fromarray(pixels))[line_bottom - line_top + 2 :].any(), "the next line's ink is in"


def test_lines_writer_on_the_command_line(cli: Cli, tmp_path: Path) -> None:
    """`render --writer tesseract` writes one image per line of a framed record, cut as `line_images` cuts it."""
    config = tmp_path / "batch.yaml"
    spec = {**SPEC, "lines": {"min": 2, "max": 3}, "text_length": {"min": 20, "max": 40}, "framing": {}}
    config.write_text(yaml.safe_dump({"total_images": 4, "seed": 1, "specifications": [spec]}), encoding="utf-8")
    plan = tmp_path / "plans.jsonl"
    assert cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--writer", "tesseract", "--workers", "1")
    assert result.exit_code == 0, result.output
    written = sorted((tmp_path / "out" / "tesseract").glob("*.png"))
    expected = []
    for line in plan.read_bytes().splitlines():
        encoded, label = _encoded(PlanRecord.model_validate_json(line))
        expected += line_images(encoded, label, "png")
    assert len(written) == len(expected) > 4
    for path, line in zip(written, expected, strict=True):
        assert path.read_bytes() == line.image


# --- outputs without framing -----------------------------------------------------------------------

EVERY_EFFECT_BUT_NEW = [
    "glyph_overlap",
    "ink_bleed",
    "glyph_palette",
    "color_gradient",
    "block_shadow",
    "drop_shadow",
    "rescale",
    "shear",
    "rotation",
    "perspective",
    "elastic",
    "grid_distortion",
    "optical_distortion",
    "brightness_contrast",
    "illumination",
    "dilation",
    "erosion",
    "motion_blur",
    "gaussian_blur",
    "gaussian_noise",
    "salt_and_pepper",
    "cutout",
    "low_resolution",
    "jpeg",
]
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# sha256 over each record's plan line, pixels and label, as the code before framing made them; quickstart and
# every_effect stored anew when blurs became a true Gaussian (their blurred images changed, nothing else), and
# all three when noise became whole levels (pixels version 2: the noisy images changed, nothing else).
BEFORE_FRAMING = {
    "quickstart": "aba88360d57cf4cae6b85c4250d994fcd6ace38c81af1cacff3a5c733ff45948",
    "contact_sheet": "79cb795ee483586510f1c0373c4bc2e52a5b199e57c9a937a2af7e102fc6fe71",
    "every_effect": "ea2abb8c3baa7a84445b9f27104aea313f9d879adabce234bce410526a89f68a",
}


def _every_effect(tmp_path: Path) -> Path:
    spec = {
        "name": "mixed",
        "proportion": 1,
        "corpus": ["*/*.txt"],
        "lines": {"min": 1, "max": 2},
        "effects": {name: {"p": 0.3} for name in EVERY_EFFECT_BUT_NEW},
    }
    config = tmp_path / "mixed.yaml"
    config.write_text(yaml.safe_dump({"total_images": 16, "specifications": [spec]}), encoding="utf-8")
    return config


@pytest.mark.parametrize("name", list(BEFORE_FRAMING))
def test_outputs_without_framing_are_unchanged(tmp_path: Path, name: str) -> None:
    """Plan lines, pixels and labels of configs without framing, byte for byte as before framing existed."""
    config = {
        "quickstart": DEFAULT_CONFIG,
        "contact_sheet": EXAMPLES / "contact_sheet.yaml",
        "every_effect": _every_effect(tmp_path),
    }[name]
    digest = hashlib.sha256()
    for record in itertools.islice(iter_plan(load_config(config), AssetDirs(), seed=3), 16):
        pixels, label = render_pixels(record)
        digest.update(record_line(record))
        digest.update(pixels.tobytes())
        digest.update(encode_label(label))
    assert digest.hexdigest() == BEFORE_FRAMING[name]


def test_record_line_round_trips_with_and_without_crop() -> None:
    for crop in (None, InkCrop(left=0, top=1, right=2, bottom=3)):
        record = make_record(LATIN, "Round trip", crop=crop)
        assert PlanRecord.model_validate_json(record_line(record)) == record
