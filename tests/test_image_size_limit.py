"""No image past the pixel limit: the planner draws again, render refuses a record before allocating it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from click.testing import Result

from ocrgen.errors import ImageTooLargeError
from ocrgen.planner import AssetDirs, iter_plan, load_config
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.plan import PlanRecord
from tests.test_cli import SMALL_CONFIG, assert_clean_failure

Cli = Callable[..., Result]

SPEC = '  - {{name: big, proportion: 1, corpus: ["en/*.txt"], font_size: {{min: {low}, max: {high}}}}}\n'


def _config(tmp_path: Path, low: int, high: int, limit: int | None = None) -> Path:
    text = "total_images: 6\n" + (f"max_image_pixels: {limit}\n" if limit else "") + "specifications:\n"
    config = tmp_path / "batch.yaml"
    config.write_text(text + SPEC.format(low=low, high=high), encoding="utf-8")
    return config


def test_planner_keeps_every_record_under_the_limit(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, 40, 400, limit=200_000))
    records = list(iter_plan(config, AssetDirs()))
    assert records and all(r.canvas.width * r.canvas.height <= 200_000 for r in records)


def test_a_config_that_cannot_fit_says_what_to_change(cli: Cli, tmp_path: Path) -> None:
    result = cli("plan", "--batch-config", _config(tmp_path, 4000, 5000), "-o", tmp_path / "plans.jsonl")
    assert_clean_failure(result, 2)
    assert "image_too_large" in result.output and "max_image_pixels" in result.output


def test_render_refuses_a_huge_record_before_allocating(tmp_path: Path) -> None:
    """A tampered canvas of 10^10 pixels (40 GB of RGBA floats) is refused, not attempted."""
    record = next(iter_plan(load_config(_config(tmp_path, 30, 30)), AssetDirs()))
    huge = PlanRecord.model_validate({**record.model_dump(), "canvas": {"width": 100_000, "height": 100_000}})
    with pytest.raises(ImageTooLargeError, match="pixel limit"):
        render_pixels(huge)


def test_render_sends_a_huge_record_to_the_failures_file(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "small.yaml"
    config.write_text(SMALL_CONFIG, encoding="utf-8")
    plan = tmp_path / "plans.jsonl"
    assert cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    lines = plan.read_bytes().splitlines(keepends=True)
    record = orjson.loads(lines[1])
    record["canvas"] = {"width": 60_000, "height": 60_000}
    lines[1] = orjson.dumps(record) + b"\n"
    plan.write_bytes(b"".join(lines))
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert_clean_failure(result, 1)
    failures = [json.loads(line) for line in (tmp_path / "out" / "failures.jsonl").read_text().splitlines()]
    assert [(f["index"], f["reason"]) for f in failures] == [(record["index"], "ImageTooLargeError")]
    assert len(list((tmp_path / "out").glob("image_*.png"))) == len(lines) - 1
