"""`ocrgen inspect` and `ocrgen show`: right counts and quantiles, flat memory, clear errors."""

from __future__ import annotations

import json
import random
import tracemalloc
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
import pytest
from click.testing import Result
from PIL import Image

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.inspection import QUANTILES, Reservoir, inspect_plan
from ocrgen.planner import AssetDirs, make_plan
from ocrgen.schemas.plan import PlanRecord

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def records_of(plan: Path) -> list[PlanRecord]:
    return [PlanRecord.model_validate_json(line) for line in plan.read_bytes().splitlines()]


def expected_quantiles(values: list[float]) -> dict[str, float]:
    return {name: round(float(np.quantile(values, q)), 4) for name, q in QUANTILES.items()}


@pytest.fixture(scope="module")
def effects_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    plan = tmp_path_factory.mktemp("effects") / "plans.jsonl"
    make_plan(EXAMPLES / "all_effects.yaml", AssetDirs(), plan)
    return plan


@pytest.fixture(scope="module")
def quickstart_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    plan = tmp_path_factory.mktemp("quickstart") / "plans.jsonl"
    make_plan(DEFAULT_CONFIG, AssetDirs(), plan)
    return plan


@pytest.mark.parametrize("which", ["effects_plan", "quickstart_plan"])
def test_counts_and_quantiles_match_a_direct_computation(which: str, request: pytest.FixtureRequest) -> None:
    plan = request.getfixturevalue(which)
    records = records_of(plan)
    report = inspect_plan(plan)

    assert report["records"] == len(records)
    assert report["specs"] == dict(Counter(r.spec for r in records))
    assert report["fonts"] == dict(
        Counter(f"{r.font.asset.root}/{r.font.asset.path}#{r.font.face_index}" for r in records)
    )
    assert report["directions"] == dict(Counter(r.direction for r in records))
    assert {key: value["records"] for key, value in report["backgrounds"].items()} == dict(
        Counter(f"procedural {r.background.style}" for r in records)
    )
    assert report["effects"] == dict(Counter(e.name for r in records for e in r.effects))
    assert list(report["specs"].values()) == sorted(report["specs"].values(), reverse=True)

    distributions = report["distributions"]
    assert list(distributions)[:2] == ["font size", "text length"]
    assert distributions["font size"] == {
        "count": len(records),
        **expected_quantiles([r.font.size for r in records]),
    }
    assert distributions["text length"]["median"] == round(float(np.median([len(r.text) for r in records])), 4)
    scalars: dict[str, list[float]] = {}
    for record in records:
        for effect in record.effects:
            for param, value in effect.model_dump().items():
                if isinstance(value, (int, float)) and not isinstance(value, bool) and param != "seed":
                    scalars.setdefault(f"{effect.name}.{param}", []).append(value)
    assert scalars
    for key, values in scalars.items():
        assert distributions[key] == {"count": len(values), **expected_quantiles(values)}, key

    assert report["planning"] == json.loads(plan.with_name("plans.jsonl.stats.json").read_text())


def test_list_parameters_are_summarised_and_colours_skipped(effects_plan: Path) -> None:
    records = records_of(effects_plan)
    corners = [
        max(abs(v) for corner in e.corners for v in corner)
        for r in records
        for e in r.effects
        if e.name == "perspective"
    ]
    distributions = inspect_plan(effects_plan)["distributions"]
    assert distributions["perspective.corners max|v|"]["max"] == round(max(corners), 4)
    colours = ("glyph_palette.colors", "color_gradient.start", "color_gradient.end", "drop_shadow.color")
    assert not [key for key in distributions if key.startswith(colours)]
    assert "color_gradient.angle" in distributions


def test_image_backgrounds_count_sub_directories_and_distinct_images(tmp_path: Path) -> None:
    root = tmp_path / "backgrounds"
    for folder, count in (("paper", 3), ("walls", 1)):
        (root / folder).mkdir(parents=True)
        for i in range(count):
            Image.new("RGB", (600, 300), (230 + i, 230, 220)).save(root / folder / f"{i}.png")
    plan = tmp_path / "plans.jsonl"
    make_plan(DEFAULT_CONFIG, AssetDirs(backgrounds=root), plan)
    records = records_of(plan)

    backgrounds = inspect_plan(plan)["backgrounds"]
    for folder in ("paper", "walls"):
        used = [r.background.asset.path for r in records if r.background.asset.path.startswith(folder + "/")]
        assert backgrounds[f"image backgrounds/{folder}"] == {"records": len(used), "images": len(set(used))}


def test_cli_json_parses_and_matches_and_the_table_reads(cli: Callable[..., Result], quickstart_plan: Path) -> None:
    as_json = cli("inspect", quickstart_plan, "--json")
    assert as_json.exit_code == 0
    assert json.loads(as_json.output) == inspect_plan(quickstart_plan)

    table = cli("inspect", quickstart_plan)
    assert table.exit_code == 0
    assert f"{quickstart_plan}: 100 records" in table.output
    assert "  latin_lines       " in table.output
    assert "text_too_short" in table.output


def test_missing_stats_sidecar_is_reported(cli: Callable[..., Result], tmp_path: Path, quickstart_plan: Path) -> None:
    plan = tmp_path / "copy.jsonl"
    plan.write_bytes(quickstart_plan.read_bytes())
    assert inspect_plan(plan)["planning"] is None
    assert "no copy.jsonl.stats.json beside the plan" in cli("inspect", plan).output


@pytest.mark.parametrize("bad", [b"{not json\n", b'{"index": 3}\n'])
def test_malformed_line_exits_2_naming_file_and_line(
    cli: Callable[..., Result], tmp_path: Path, quickstart_plan: Path, bad: bytes
) -> None:
    lines = quickstart_plan.read_bytes().splitlines(keepends=True)
    plan = tmp_path / "broken.jsonl"
    plan.write_bytes(b"".join([*lines[:4], b"\n", bad, *lines[4:]]))
    result = cli("inspect", plan)
    assert result.exit_code == 2
    assert f"{plan}, line 6:" in result.stderr
    assert "Traceback" not in result.output


def test_memory_stays_flat_on_a_100k_line_plan(tmp_path: Path, effects_plan: Path) -> None:
    line = next(line for line in effects_plan.read_bytes().splitlines() if b'"perspective"' in line)
    record = orjson.loads(line)
    plan = tmp_path / "big.jsonl"
    with open(plan, "wb") as handle:
        for index in range(100_000):
            record["index"] = index
            handle.write(orjson.dumps(record) + b"\n")

    tracemalloc.start()
    try:
        report = inspect_plan(plan)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report["records"] == 100_000
    assert report["distributions"]["perspective.corners max|v|"]["count"] == 100_000
    assert peak < 3 * 2**20, f"peak {peak / 2**20:.1f} MiB"


def test_reservoir_quantiles_stay_close_beyond_its_size() -> None:
    values = list(range(100_000))
    random.Random(1).shuffle(values)
    reservoir = Reservoir(size=4096)
    for value in values:
        reservoir.add(value)
    quantiles = reservoir.quantiles()
    assert (quantiles["min"], quantiles["max"]) == (0, 99_999)
    for name, q in QUANTILES.items():
        assert abs(quantiles[name] - q * 99_999) < 0.03 * 100_000, name


def test_show_prints_the_record_and_refuses_a_missing_index(cli: Callable[..., Result], quickstart_plan: Path) -> None:
    wanted = records_of(quickstart_plan)[37]
    shown = cli("show", quickstart_plan, "37")
    assert shown.exit_code == 0
    assert json.loads(shown.output) == wanted.model_dump(mode="json")
    assert wanted.text in shown.output  # UTF-8 readable, not \u escapes
    assert shown.output.startswith('{\n  "schema_version": 1,\n  "index": 37,')

    missing = cli("show", quickstart_plan, "100")
    assert missing.exit_code == 2
    assert "has no record with index 100 (100 records)" in missing.stderr
