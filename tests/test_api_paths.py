"""The Python API takes paths as str or Path alike, as the README promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from ocrgen.assets import BUNDLED_ROOTS, DEFAULT_CONFIG
from ocrgen.inspection import inspect_plan
from ocrgen.planner import AssetDirs, iter_plan, load_config, make_plan, validate
from ocrgen.renderer.run import render_plan


def test_every_entry_point_takes_str_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    dirs = AssetDirs(fonts=str(BUNDLED_ROOTS["ocrgen:fonts"]), corpus=str(BUNDLED_ROOTS["ocrgen:corpus"]))
    assert isinstance(dirs.fonts, Path) and isinstance(dirs.corpus, Path)
    config = str(DEFAULT_CONFIG)
    assert load_config(config).total_images == 100
    validate(config, dirs)
    stats = make_plan(config, dirs, "plans.jsonl", count=4)
    assert stats.records == 4
    assert inspect_plan("plans.jsonl")["records"] == 4
    assert render_plan("plans.jsonl", "out").rendered == 4
    assert len(list(Path("out").glob("image_*.png"))) == 4
    assert next(iter_plan(load_config(config), dirs, count=2)).index == 0
