"""Pages: many texts on one canvas, planned apart, rendered with labels true to their ink after the page's warps."""

from __future__ import annotations

import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from pagecases import WHITE, page_config, plan_page
from PIL import Image
from pydantic import ValidationError
from textcases import dilate, ink_mask, polygon_mask

from ocrgen.effects.registry import size_after_geometry
from ocrgen.errors import RenderError
from ocrgen.planner import PlanStats, pages
from ocrgen.planner.placement import SCATTER_MISSES
from ocrgen.planner.text_plan import plan_text
from ocrgen.record_json import record_line
from ocrgen.renderer.planfile import PlanLine, parse_record
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.label import PageLabel
from ocrgen.schemas.plan import PageRecord, Point


def picture_box(record: PageRecord, number: int) -> tuple[int, int, int, int]:
    instance = record.instances[number]
    width, height = size_after_geometry(instance.effects, instance.canvas.width, instance.canvas.height)
    return instance.offset.x, instance.offset.y, instance.offset.x + width, instance.offset.y + height


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), gap=st.integers(0, 12))
def test_instances_stay_apart_and_on_the_page(seed: int, gap: int) -> None:
    """Every text's whole picture lies on the page, at least `gap` pixels from every other's."""
    record = plan_page(page_config({"gap": gap, "instances": {"min": 8, "max": 16}}), seed)
    boxes = [picture_box(record, number) for number in range(len(record.instances))]
    assert boxes
    for x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= record.canvas.width and 0 <= y0 < y1 <= record.canvas.height
    for a, b in combinations(boxes, 2):
        apart_x = a[2] + gap <= b[0] or b[2] + gap <= a[0]
        apart_y = a[3] + gap <= b[1] or b[3] + gap <= a[1]
        assert apart_x or apart_y, (a, b)


def test_texts_that_find_no_room_are_counted() -> None:
    """A page too small for its texts keeps those that fit and counts the others, by reason."""
    stats = PlanStats()
    record = plan_page(page_config({"width": 90, "height": 60, "instances": 12}), seed=5, stats=stats)
    assert stats.resampled["page_no_room"] == 12 - len(record.instances) > 0


def test_reading_order_and_label_follow_the_record() -> None:
    """Texts read top to bottom, then left to right; the label lists them in that order, each with its shapes."""
    record = plan_page(page_config(), seed=11)
    pixels, data = render_pixels(record)
    label = PageLabel.model_validate(data)
    places = [(instance.offset.y, instance.offset.x) for instance in record.instances]
    assert places == sorted(places)
    assert [text.text for text in label.instances] == [instance.text for instance in record.instances]
    assert label.text == "\n".join(instance.text for instance in record.instances)
    assert (label.width, label.height) == (pixels.shape[1], pixels.shape[0]) == (420, 300)
    for text in label.instances:
        assert "".join(c.char for c in text.characters) == text.text
        assert [word.text for word in text.words] == text.text.split()


PAGE_WARPS = {
    "none": {},
    "rotation": {"rotation": {"p": 1, "angle": {"min": 7, "max": 7}}},
    "perspective": {"perspective": {"p": 1, "magnitude": {"min": 0.08, "max": 0.08}}},
    "elastic": {"elastic": {"p": 1}},
}


@pytest.mark.parametrize("warp", PAGE_WARPS)
def test_each_texts_ink_lies_inside_its_polygons(warp: str) -> None:
    """At least 99 % of every text's ink is inside its character and line polygons grown by 2 px,
    after its own rotation and curve and after the page's warp, as drawn with the text alone on the page."""
    record = plan_page(page_config({"effects": PAGE_WARPS[warp] or None, "instances": {"min": 5, "max": 5}}), seed=2)
    assert record.instances
    for instance in record.instances:
        alone = record.model_copy(update={"instances": [instance]})
        pixels, data = render_pixels(alone)
        ink = ink_mask(Image.fromarray(pixels), WHITE)
        text = PageLabel.model_validate(data).instances[0]
        inside = dilate(polygon_mask(ink.shape, [s.polygon for s in [*text.characters, *text.lines]]), 2)
        assert ink.sum() > 0
        assert ink[inside].sum() >= 0.99 * ink.sum(), (warp, instance.text)


def test_a_page_renders_the_same_bytes_from_its_plan_line() -> None:
    """The plan line is the contract: parsed back, a page renders to the same pixels and label."""
    record = plan_page(page_config({"effects": PAGE_WARPS["elastic"]}), seed=4)
    line = record_line(record)
    parsed = parse_record(Path("plan.jsonl"), PlanLine(0, line.rstrip(b"\n")))
    assert parsed == record
    first, second = render_pixels(record), render_pixels(parsed)
    assert first[0].tobytes() == second[0].tobytes() and first[1] == second[1]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"specifications": {"nowhere": 1}}, "draws from nowhere, but no specification has that name"),
        ({"effects": {"drop_shadow": {"p": 1}}}, "drop_shadow act on each text, not on the page"),
        ({"width": 5000, "height": 4000}, "over max_image_pixels"),
        ({"name": "words"}, "repeated: words"),
    ],
)
def test_page_mistakes_are_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        page_config(change)


def test_plan_and_render_a_page_config(cli: Any, tmp_path: Path) -> None:
    """The example scene config plans and renders through the CLI, and every label reads back as a page's."""
    plan = tmp_path / "plan.jsonl"
    config = Path(__file__).parent.parent / "examples" / "scene_text.yaml"
    planned: Result = cli("plan", "--batch-config", config, "--count", "2", "-o", plan)
    assert planned.exit_code == 0, planned.output
    rendered: Result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert rendered.exit_code == 0, rendered.output
    labels = sorted((tmp_path / "out").glob("image_*.json"))
    assert len(labels) == 2
    for label in labels:
        assert 1 <= len(PageLabel.model_validate_json(label.read_bytes()).instances) <= 20


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), columns=st.integers(1, 3))
def test_document_pages_read_column_by_column(seed: int, columns: int) -> None:
    """Paragraphs sit in their columns, inside the margins, each `gap` under the one before; they read
    column by column, then top to bottom."""
    width, height, margin, gap, column_gap = 700, 500, 20, 5, 16
    config = page_config(
        {
            "placement": "document",
            "columns": columns,
            "margin": margin,
            "gap": gap,
            "column_gap": column_gap,
            "instances": 30,
            "width": width,
            "height": height,
        },
        {"effects": None, "curve": None, "lines": {"min": 1, "max": 3}, "text_length": {"min": 8, "max": 40}},
    )
    record = plan_page(config, seed)
    pitch = (width - 2 * margin + column_gap) // columns
    boxes = [picture_box(record, number) for number in range(len(record.instances))]
    assert boxes
    placed = [((x0 - margin) // pitch, x0, y0, x1, y1) for x0, y0, x1, y1 in boxes]
    assert [(column, y0) for column, _, y0, _, _ in placed] == sorted((column, y0) for column, _, y0, _, _ in placed)
    for (column, x0, y0, x1, y1), after in zip(placed, [*placed[1:], None], strict=True):
        assert x0 == margin + column * pitch and x1 <= x0 + pitch - column_gap
        assert margin <= y0 and y1 <= height - margin
        if after is not None and after[0] == column:
            assert after[2] >= y1 + gap


def test_document_keys_need_document_placement() -> None:
    with pytest.raises(ValidationError, match="columns lay out a document; set `placement: document`"):
        page_config({"columns": 2})


def test_a_full_page_stops_planning_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Asking for 10,000 texts on a page with room for a few plans a few dozen: the rest are counted."""
    planned = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        planned.append(1)
        return plan_text(*args, **kwargs)

    monkeypatch.setattr(pages, "plan_text", counted)
    stats = PlanStats()
    record = plan_page(page_config({"width": 120, "height": 80, "instances": 10_000}), seed=1, stats=stats)
    assert len(planned) <= (len(record.instances) + 1) * SCATTER_MISSES  # misses in a row end it
    assert stats.resampled["page_no_room"] == 10_000 - len(record.instances)


def test_a_text_placed_off_its_page_is_refused_by_name() -> None:
    """A tampered offset, or fonts other than the plan's, must not paint outside the page: one clear error."""
    record = plan_page(page_config(), seed=11)
    moved = record.instances[0].model_copy(update={"offset": Point(x=record.canvas.width, y=0)})
    with pytest.raises(RenderError, match=r"text 0 of page 0 .* reaches outside the 420x300 page"):
        render_pixels(record.model_copy(update={"instances": [moved]}))


def test_a_page_without_texts_is_its_background() -> None:
    record = plan_page(page_config(), seed=11).model_copy(update={"instances": []})
    pixels, data = render_pixels(record)
    label = PageLabel.model_validate(data)
    assert label.instances == [] and label.text == ""
    assert (pixels == WHITE).all()


def test_a_tampered_page_with_effects_of_the_wrong_stage_is_refused() -> None:
    """Render would leave such an effect out, silently: the plan line is refused instead."""
    record = plan_page(page_config(), seed=11).model_dump(mode="json")
    shadow = {"offset_x": 1, "offset_y": 1, "blur": 0.5, "opacity": 0.5, "color": [0, 0, 0]}
    record["effects"] = [{"name": "drop_shadow", **shadow}]
    with pytest.raises(ValidationError, match="drop_shadow cannot apply to a page"):
        PageRecord.model_validate(record)
    record["effects"] = []
    record["instances"][0]["effects"] = [{"name": "jpeg", "quality": 50}]
    with pytest.raises(ValidationError, match="jpeg cannot apply to a page's text"):
        PageRecord.model_validate(record)


def test_a_page_line_with_its_keys_in_another_order_is_still_a_page() -> None:
    """A hand-edited or re-serialised page line is read as a page, wherever its `kind` stands."""
    record = plan_page(page_config(), seed=11)
    data = record.model_dump(mode="json")
    reordered = {key: data[key] for key in reversed(list(data))}
    line = PlanLine(0, json.dumps(reordered).encode())
    assert parse_record(Path("plan.jsonl"), line) == record
