"""`ocrgen generate`: the old tool's one-shot run, with its --resume and worker flags."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import Result

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.digests import file_sha256
from ocrgen.planner import records
from ocrgen.schemas.plan import PlanRecord
from tests.conftest import ISSUE_EXAMPLE
from tests.test_resume import outputs

Cli = Callable[..., Result]

GENERATE = [sys.executable, "-c", "from ocrgen.cli import main; main()", "generate"]


def _outputs(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("image_*"))}


def test_generate_resume_fills_in_what_is_missing(
    cli: Cli, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    config = write_config(ISSUE_EXAMPLE.replace("total_images: 100", "total_images: 12"))
    out = tmp_path / "out"
    first = cli("generate", "--batch-config", config, "--output-dir", out, "--generation-workers", "1")
    assert first.exit_code == 0, first.output
    complete = _outputs(out)
    assert len(complete) == 24
    for name in ("image_00000003.png", "image_00000007.json", "image_00000011.json"):
        (out / name).unlink()

    again = cli(
        "generate", "--batch-config", config, "--output-dir", out, "--resume",
        "--generation-workers", "2", "--workers", "3", "--chunk-size", "4", "--io-batch-size", "2",
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "Rendered 3 images" in again.output and "9 already done" in again.output
    assert _outputs(out) == complete


def test_generate_resume_warns_when_the_config_changed(
    cli: Cli, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    config = write_config(ISSUE_EXAMPLE.replace("total_images: 100", "total_images: 6"))
    assert cli("generate", "--batch-config", config, "--output-dir", out, "--generation-workers", "1").exit_code == 0
    plan = (out / "plans.jsonl").read_bytes()
    changed = write_config(ISSUE_EXAMPLE.replace("total_images: 100", "total_images: 6").replace("seed: 7", "seed: 8"))
    result = cli("generate", "--batch-config", changed, "--output-dir", out, "--resume", "--generation-workers", "1")
    assert result.exit_code == 0, result.output
    assert "changed since" in result.output
    assert (out / "plans.jsonl").read_bytes() == plan, "resume keeps the plan on disk"
    assert not list(out.glob(".plans.resume-check*"))


def _quickstart(directory: Path, images: int) -> Path:
    """The bundled quickstart config, cut to `images` records."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"] = images
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


@pytest.mark.parametrize("workers", ["1", "2"])
def test_generate_equals_plan_then_render(cli: Cli, tmp_path: Path, workers: str) -> None:
    """Planning and rendering at once gives the files of `plan` then `render`, byte for byte."""
    config = _quickstart(tmp_path, 30)
    staged = tmp_path / "staged"
    assert cli("plan", "--batch-config", config, "-o", staged / "plans.jsonl").exit_code == 0
    assert cli("render", staged / "plans.jsonl", "--output-dir", staged, "--workers", workers).exit_code == 0
    one_shot = tmp_path / "one-shot"
    result = cli("generate", "--batch-config", config, "--output-dir", one_shot, "--generation-workers", workers)
    assert result.exit_code == 0, result.output
    assert "Planned 30 images" in result.output and "Rendered 30 images" in result.output
    assert outputs(one_shot) == outputs(staged)
    assert {"plans.jsonl", "plans.jsonl.stats.json"} <= set(outputs(one_shot))
    checkpoint = orjson.loads((one_shot / ".generation_checkpoint.json").read_bytes())
    assert checkpoint["plan_sha256"] == file_sha256(one_shot / "plans.jsonl")
    assert checkpoint["finished"] and checkpoint["total"] == checkpoint["rendered"] == 30


def test_generate_renders_while_planning(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first image is on disk before the last record is planned, and the plan file is named only at the end."""
    images = 8
    out = tmp_path / "out"
    seen: dict[str, int | bool] = {}
    plan_one = records._plan_one

    def slow_plan_one(*args: Any) -> PlanRecord:
        time.sleep(0.05)
        index = args[1]
        if (out / "image_00000000.png").exists():
            seen.setdefault("first_image_while_planning", index)
        if index == images - 1:
            seen["plan_named_before_last"] = (out / "plans.jsonl").exists()
        return plan_one(*args)

    monkeypatch.setattr(records, "_plan_one", slow_plan_one)
    result = cli(
        "generate", "--batch-config", _quickstart(tmp_path, images), "--output-dir", out,
        "--generation-workers", "1", "--io-batch-size", "1",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert seen["first_image_while_planning"] < images - 1
    assert seen["plan_named_before_last"] is False


def test_generate_resume_after_a_failure_mid_planning(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No plan file under its name: --resume plans again, keeps what was rendered, and ends like a clean run."""
    config = _quickstart(tmp_path, 20)
    reference = tmp_path / "reference"
    assert cli("generate", "--batch-config", config, "--output-dir", reference).exit_code == 0
    plan_one = records._plan_one

    def dies_at_12(*args: Any) -> PlanRecord:
        if args[1] == 12:
            raise RuntimeError("killed")
        return plan_one(*args)

    out = tmp_path / "out"
    flags = ["--batch-config", config, "--output-dir", out, "--generation-workers", "1", "--io-batch-size", "1"]
    with monkeypatch.context() as patch, pytest.raises(RuntimeError, match="killed"):
        patch.setattr(records, "_plan_one", dies_at_12)
        cli("generate", *flags)
    assert not (out / "plans.jsonl").exists() and not (out / ".plans.jsonl.tmp").exists()
    assert orjson.loads((out / ".generation_checkpoint.json").read_bytes())["plan_sha256"] is None
    result = cli("generate", *flags, "--resume")
    assert result.exit_code == 0, result.output
    assert "already done" in result.output
    assert outputs(out) == outputs(reference)


def _start_generate(config: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [*GENERATE, "--batch-config", str(config), "--output-dir", str(out), "--log-level", "WARNING", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


@pytest.mark.parametrize("seed", range(2))
def test_generate_killed_then_resumed_equals_full_run(tmp_path: Path, seed: int) -> None:
    """SIGKILL the whole process group at a random moment, planning or rendering; --resume finishes the same dir."""
    config = _quickstart(tmp_path, 100)
    flags = ["--generation-workers", "2", "--chunk-size", "8"]
    began = time.monotonic()
    full = _start_generate(config, tmp_path / "reference", *flags)
    assert full.wait() == 0, full.stderr.read() if full.stderr else ""
    uninterrupted = time.monotonic() - began

    out = tmp_path / "out"
    rng = random.Random(seed)
    while True:
        killed = _start_generate(config, out, *flags)
        time.sleep(rng.uniform(0.05, 0.7) * uninterrupted)
        os.killpg(killed.pid, signal.SIGKILL)
        if killed.wait() == -signal.SIGKILL:
            break
        shutil.rmtree(out)  # finished before the kill landed: try again
    resumed = _start_generate(config, out, *flags, "--resume")
    assert resumed.wait() == 0, resumed.stderr.read() if resumed.stderr else ""
    assert outputs(out) == outputs(tmp_path / "reference")
    checkpoint = orjson.loads((out / ".generation_checkpoint.json").read_bytes())
    assert checkpoint["finished"] and checkpoint["plan_sha256"] == file_sha256(out / "plans.jsonl")
