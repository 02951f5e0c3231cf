"""A record that fails is tried once more; if it fails again it is logged with its reason and the run goes on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import Result

from ocrgen.errors import RenderError
from ocrgen.renderer import run
from ocrgen.schemas.plan import PlanRecord
from tests.test_resume import make_plan, outputs

Cli = Callable[..., Result]


def test_failed_record_is_retried_then_logged(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Record 1 always fails, record 2 only once: one failure, exit 1, every other record rendered."""
    plan = make_plan(cli, tmp_path, 6)
    attempts: Counter[int] = Counter()
    real = run.render_pixels

    def flaky(record: PlanRecord, resolver: Any, max_pixels: int) -> Any:
        attempts[record.index] += 1
        if record.index == 1:
            raise RenderError("glyph outline is corrupt")
        if record.index == 2 and attempts[2] == 1:
            raise MemoryError("transient")
        return real(record, resolver, max_pixels)

    monkeypatch.setattr(run, "render_pixels", flaky)
    out = tmp_path / "out"
    result = cli("render", plan, "--output-dir", out, "--workers", "1")
    assert result.exit_code == 1, result.output
    assert "Rendered 5 images" in result.output
    assert "1 record failed (RenderError: 1)" in result.output and "failures.jsonl" in result.output
    assert attempts[1] == 2 and attempts[2] == 2 and attempts[3] == 1
    failures = [orjson.loads(line) for line in (out / "failures.jsonl").read_bytes().splitlines()]
    assert failures == [{"index": 1, "reason": "RenderError", "error": "glyph outline is corrupt"}]
    assert not (out / "image_00000001.json").exists()
    assert (out / "image_00000002.json").exists()

    monkeypatch.setattr(run, "render_pixels", real)
    resumed = cli("render", plan, "--output-dir", out, "--workers", "1", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "Rendered 1 image " in resumed.output
    assert not (out / "failures.jsonl").exists(), "a stale failures file outlived the records it named"
    reference = tmp_path / "reference"
    assert cli("render", plan, "--output-dir", reference, "--workers", "1").exit_code == 0
    assert outputs(out) == outputs(reference)
