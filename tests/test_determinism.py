"""Plan and render are deterministic: same inputs, same bytes, however the work is split."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import Result

from ocrgen.assets import DEFAULT_CONFIG, AssetResolver
from ocrgen.renderer.output import encode_image, encode_label
from ocrgen.renderer.render import render_record
from ocrgen.schemas.plan import PlanRecord
from ocrgen.text import layout

Cli = Callable[..., Result]

IMAGES = 12


def multilingual_config(directory: Path, total: int = IMAGES) -> Path:
    """The bundled quickstart (every script, paper and noise backgrounds), cut down to `total` images."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"] = total
    path = directory / "multilingual.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def make_plan(cli: Cli, directory: Path, config: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    plan = directory / "plans.jsonl"
    result = cli("plan", "--batch-config", config, "-o", plan)
    assert result.exit_code == 0, result.output
    return plan


def render(cli: Cli, plan: Path, out: Path, *extra: str) -> dict[str, bytes]:
    """Render through the CLI and return every output file's bytes by name (not the run's checkpoint)."""
    result = cli("render", plan, "--output-dir", out, *extra)
    assert result.exit_code == 0, result.output
    return {
        p.name: p.read_bytes()
        for p in sorted(out.iterdir())
        if not p.name.startswith((".generation_checkpoint", ".ocrgen"))
    }


def test_plan_is_byte_identical(cli: Cli, example_config: Path, tmp_path: Path) -> None:
    """Same config and seed in two different directories give the same plan and stats bytes."""
    first = make_plan(cli, tmp_path / "one", example_config)
    second = make_plan(cli, tmp_path / "two" / "deeper", example_config)
    assert first.read_bytes() == second.read_bytes()
    assert len(first.read_bytes().splitlines()) == 100
    stats = [p.with_name(p.name + ".stats.json").read_bytes() for p in (first, second)]
    assert stats[0] == stats[1]


def test_plan_seed_changes_plan(cli: Cli, example_config: Path, tmp_path: Path) -> None:
    """The check above would pass for a constant output: a different seed must change the plan."""
    first = make_plan(cli, tmp_path / "one", example_config)
    other = tmp_path / "other.jsonl"
    assert cli("plan", "--batch-config", example_config, "--seed", "8", "-o", other).exit_code == 0
    assert other.read_bytes() != first.read_bytes()


def test_render_is_byte_identical(cli: Cli, tmp_path: Path) -> None:
    """Rendering the same plan twice gives the same png and json bytes."""
    plan = make_plan(cli, tmp_path / "plan", multilingual_config(tmp_path))
    first = render(cli, plan, tmp_path / "a", "--workers", "1")
    second = render(cli, plan, tmp_path / "b", "--workers", "1")
    assert len(first) == 2 * IMAGES
    assert first == second


def test_record_rendered_alone_equals_full_run(cli: Cli, tmp_path: Path) -> None:
    """`render_record` on one record, with a fresh resolver and in reverse order, matches the run's files."""
    plan = make_plan(cli, tmp_path / "plan", multilingual_config(tmp_path))
    out = tmp_path / "out"
    files = render(cli, plan, out, "--workers", "1")
    records = [PlanRecord.model_validate_json(line) for line in plan.read_bytes().splitlines()]
    assert len(records) == IMAGES
    for record in reversed(records):
        image, label = render_record(record, AssetResolver())
        stem = f"image_{record.index:08d}"
        assert encode_image(np.asarray(image), "png") == files[f"{stem}.png"], stem
        assert encode_label(label.model_dump(mode="json")) == files[f"{stem}.json"], stem


def test_workers_do_not_change_output(cli: Cli, tmp_path: Path) -> None:
    """--workers 2 writes exactly the bytes --workers 1 writes."""
    plan = make_plan(cli, tmp_path / "plan", multilingual_config(tmp_path))
    single = render(cli, plan, tmp_path / "one", "--workers", "1")
    double = render(cli, plan, tmp_path / "two", "--workers", "2")
    assert len(single) == 2 * IMAGES
    assert single == double


REPEATED_WORDS = """\
total_images: 400
seed: 9
specifications:
  - name: words
    proportion: 1.0
    corpus: ["en/*.txt"]
    text_length: {min: 2, max: 6}
    fonts: {include: ["NotoSans-*", "NotoSerif-*"]}
    font_size: {min: 20, max: 22}
    character_spacing: {min: -1, max: 1}
    directions: {left_to_right: 2, top_to_bottom: 1}
    mixed_styles: {p: 0.3}
    effects:
      glyph_jitter: {p: 0.3}
"""


def test_shared_layouts_change_no_byte(
    cli: Cli, tmp_path: Path, write_config: Callable[[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Layouts of short texts are made once and shared: a plan of words that come back again and again, in
    other sizes, spacings, directions, faces and jitters, and its images, are the same without the sharing."""
    config = write_config(REPEATED_WORDS)
    shared = make_plan(cli, tmp_path / "shared", config)
    shared_images = render(cli, shared, tmp_path / "shared" / "out", "--workers", "1")
    monkeypatch.setattr(layout, "_CACHED_LENGTH", -1)
    alone = make_plan(cli, tmp_path / "alone", config)
    assert shared.read_bytes() == alone.read_bytes()
    assert render(cli, alone, tmp_path / "alone" / "out", "--workers", "1") == shared_images
