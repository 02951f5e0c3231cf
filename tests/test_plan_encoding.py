"""The planner writes plan lines with its own fast encoder; they must be the bytes pydantic writes for the model."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.planner import AssetDirs, PlanStats, iter_plan, load_config, validate
from ocrgen.planner.records import plan_records
from ocrgen.record_json import record_data, record_line
from ocrgen.schemas.plan import InkCrop, PlanRecord, Point, ProceduralBackground, Record, StyleRun, record_of

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _planned(name: str, count: int) -> list[Record]:
    return list(islice(iter_plan(load_config(EXAMPLES / name), AssetDirs(), count=count), count))


def _pydantic_line(record: Record) -> bytes:
    return record.model_dump_json().encode() + b"\n"


@pytest.mark.parametrize("example", ["all_effects.yaml", "scene_text.yaml", "document_pages.yaml", "quickstart.yaml"])
def test_planned_records_encode_as_pydantic_does(example: str) -> None:
    records = _planned(example, 40)
    assert records
    for record in records:
        assert record_line(record) == _pydantic_line(record)
        assert record_data(record) == record.model_dump(mode="json")  # a label's copy of its plan


@pytest.mark.parametrize(
    "example", ["all_effects.yaml", "scene_text.yaml", "document_pages.yaml", "scanned_print.yaml"]
)
def test_the_planners_data_is_its_models(example: str, tmp_path: Path) -> None:
    """The planner makes each record as plain data, unchecked: it must be what the record's model holds, field
    for field and in order (a field added to the model and not to the planner fails here), and pass its checks."""
    dirs, path = AssetDirs(), EXAMPLES / example
    if example == "scanned_print.yaml":  # framed (cropped) lines with words in bold or italic, from short lines
        (tmp_path / "en").mkdir()
        lines = "".join(f"Line {i} of a scanned page, {i * 7} words\n" for i in range(60))
        (tmp_path / "en" / "lines.txt").write_text(lines, encoding="utf-8")
        settings = yaml.safe_load(path.read_text(encoding="utf-8"))
        settings["specifications"][0]["mixed_styles"] = {"p": 0.5, "words": {"min": 1, "max": 2}}
        path, dirs = tmp_path / example, AssetDirs(corpus=tmp_path)
        path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    config, resources = validate(path, dirs)
    config = config.model_copy(update={"total_images": 30})
    planned = list(plan_records(config, resources, 5, PlanStats()))
    assert planned
    assert example != "scanned_print.yaml" or all("crop" in data for data in planned)
    assert example != "scanned_print.yaml" or any("styles" in data for data in planned)
    for data in planned:
        record = record_of(data)
        assert list(record.data()) == list(data)
        assert record.data() == data
        assert record_line(data) == _pydantic_line(record)


@pytest.fixture(scope="module")
def single_records() -> list[PlanRecord]:
    return [r for r in _planned("all_effects.yaml", 30) if isinstance(r, PlanRecord)]


@settings(max_examples=60, deadline=None)
@given(
    pick=st.integers(0, 10**6),
    crop=st.one_of(
        st.none(),
        st.builds(
            InkCrop,
            left=st.integers(0, 9),
            top=st.integers(0, 9),
            right=st.integers(0, 9),
            bottom=st.integers(0, 9),
            neighbours=st.lists(st.builds(Point, x=st.integers(-50, 50), y=st.integers(-50, 50)), max_size=2),
        ),
    ),
    plugins=st.dictionaries(st.sampled_from(["moire", "stretch"]), st.sampled_from(["a-plugin", "ocrgen-x"])),
    word_spacing=st.integers(0, 5),
    gradient=st.booleans(),
    styled=st.booleans(),
    text=st.text(min_size=2, max_size=12).filter(lambda t: t.strip()),
)
def test_optional_fields_encode_as_pydantic_does(
    single_records: list[PlanRecord],
    pick: int,
    crop: InkCrop | None,
    plugins: dict[str, str],
    word_spacing: int,
    gradient: bool,
    styled: bool,
    text: str,
) -> None:
    """Every field left out while unset, in and out of its unset value, and any text (quotes, controls, emoji)."""
    record = single_records[pick % len(single_records)]
    background = (
        ProceduralBackground(style="gradient", color=(1, 2, 3), end_color=(200, 210, 220), angle=12.5)
        if gradient
        else ProceduralBackground(style="solid", color=(9, 9, 9))
    )
    styles = [StyleRun(start=0, end=1, asset=record.font.asset)] if styled else []
    varied = PlanRecord.model_validate(
        {
            **record.model_dump(),
            "text": text,
            "crop": crop,
            "plugins": plugins,
            "layout": record.layout.model_copy(update={"word_spacing": word_spacing}),
            "background": background,
            "styles": styles,
        }
    )
    assert record_line(varied) == _pydantic_line(varied)
    assert record_data(varied) == varied.model_dump(mode="json")
