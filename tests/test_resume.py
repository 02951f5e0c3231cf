"""`render --resume`: kill -9 at random moments, resume, and the output equals an uninterrupted run, byte for byte."""

from __future__ import annotations

import logging
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
import yaml
from click.testing import Result

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.digests import file_sha256
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.resume import checkpoint_name

Cli = Callable[..., Result]

RENDER = [sys.executable, "-c", "from ocrgen.cli import main; main()", "render"]


def make_plan(cli: Cli, directory: Path, images: int, seed: int = 7) -> Path:
    """The bundled quickstart (effects and six scripts), cut to `images` records."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"], data["seed"] = images, seed
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan = directory / "plans.jsonl"
    result = cli("plan", "--batch-config", config, "-o", plan)
    assert result.exit_code == 0, result.output
    return plan


def outputs(directory: Path) -> dict[str, bytes]:
    """Every file but the checkpoint, which records run-specific counts."""
    return {
        p.name: p.read_bytes()
        for p in sorted(directory.iterdir())
        if not p.name.startswith((".generation_", ".ocrgen"))
    }


def start(plan: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [*RENDER, str(plan), "--output-dir", str(out), "--log-level", "WARNING", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def kill_resume_matches_full_run(cli: Cli, tmp_path: Path, images: int, kills: int, seed: int) -> None:
    """Kill the whole process group (parent and workers, as a scheduler does) after random short sleeps."""
    plan = make_plan(cli, tmp_path, images)
    reference = tmp_path / "reference"
    began = time.monotonic()
    full = start(plan, reference, "--workers", "2")
    assert full.wait() == 0, full.stderr.read() if full.stderr else ""
    uninterrupted = time.monotonic() - began
    expected = outputs(reference)
    assert len(expected) == 2 * images

    rng = random.Random(seed)
    out = tmp_path / "out"
    landed = 0
    while True:
        resume = ["--resume"] if out.exists() else []
        options = ["--workers", rng.choice(["1", "2"]), "--chunk-size", rng.choice(["2", "8", "32"])]
        process = start(plan, out, *resume, *options)
        if landed < kills:
            time.sleep(rng.uniform(0.1, 0.5) * uninterrupted)
            os.killpg(process.pid, signal.SIGKILL)
        code = process.wait()
        stderr = process.stderr.read().decode() if process.stderr else ""
        if code == -signal.SIGKILL:
            landed += 1
            # Whatever the moment of the kill, every file under a final name is complete.
            for path in out.glob("[!.]*") if out.exists() else []:  # final names; temporaries start with a dot
                assert path.read_bytes() == expected[path.name], f"kill {landed}: {path.name} is partial or different"
            continue
        assert code == 0, stderr
        if landed >= kills:
            break
        shutil.rmtree(out)  # finished before the kill landed: start over so every round counts
    assert outputs(out) == expected
    assert not list(out.glob("*.tmp")) and not list(out.glob(".*.tmp"))
    checkpoint = orjson.loads((out / ".generation_checkpoint.json").read_bytes())
    assert checkpoint["plan_sha256"] == file_sha256(plan)
    assert checkpoint["finished"] and checkpoint["done"] == images


def test_kill_and_resume_equals_full_run(cli: Cli, tmp_path: Path) -> None:
    kill_resume_matches_full_run(cli, tmp_path, images=150, kills=4, seed=1)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_kill_and_resume_soak(cli: Cli, tmp_path: Path, seed: int) -> None:
    kill_resume_matches_full_run(cli, tmp_path, images=300, kills=12, seed=seed)


def render(cli: Cli, plan: Path, out: Path, *extra: str) -> Result:
    return cli("render", plan, "--output-dir", out, "--workers", "1", *extra)


def test_resume_renders_only_missing_or_incomplete(cli: Cli, tmp_path: Path) -> None:
    """A missing label, or a label without its image, is rendered again; complete records are not touched."""
    plan = make_plan(cli, tmp_path, 12)
    out = tmp_path / "out"
    assert render(cli, plan, out).exit_code == 0
    expected = outputs(out)
    (out / "image_00000003.json").unlink()
    (out / "image_00000005.png").unlink()
    untouched = {
        p.name: p.stat().st_ino
        for p in out.glob("image_*")
        if not p.name.startswith(("image_00000003", "image_00000005"))
    }
    result = render(cli, plan, out, "--resume")
    assert result.exit_code == 0, result.output
    assert "Rendered 2 images" in result.output and "10 already done" in result.output
    assert outputs(out) == expected
    assert {name: (out / name).stat().st_ino for name in untouched} == untouched


def test_resume_removes_temporaries_of_killed_runs_it_owns(cli: Cli, tmp_path: Path) -> None:
    """Leftovers of this shard's records and files go; another shard's checkpoint in flight stays."""
    plan = make_plan(cli, tmp_path, 6)
    out = tmp_path / "out"
    assert render(cli, plan, out).exit_code == 0
    own = [
        out / ".image_00000002.png.4242.tmp",
        out / ".image_00000004.json.4242.tmp",
        out / "..generation_checkpoint.json.7.tmp",
    ]
    other = out / "..generation_checkpoint.shard-00001-of-00002.json.7.tmp"
    for path in [*own, other]:
        path.write_bytes(b"partial")
    assert render(cli, plan, out, "--resume").exit_code == 0
    assert not any(path.exists() for path in own)
    assert other.exists()


def test_resume_against_another_plan(cli: Cli, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A changed plan warns and renders what is missing; with --strict it refuses, naming both hashes."""
    plan = make_plan(cli, tmp_path / "a", 4)
    out = tmp_path / "out"
    assert render(cli, plan, out).exit_code == 0
    other = make_plan(cli, tmp_path / "b", 4, seed=8)
    old, new = file_sha256(plan), file_sha256(other)

    refused = render(cli, other, out, "--resume", "--strict")
    assert refused.exit_code == 2
    assert old in refused.output and new in refused.output and "--output-dir" in refused.output
    assert "Traceback" not in refused.output

    warned = render(cli, other, out, "--resume")
    assert warned.exit_code == 0, warned.output
    assert "4 already done" in warned.output
    assert any("another plan" in r.message and old in r.message and new in r.message for r in caplog.records)
    assert orjson.loads((out / ".generation_checkpoint.json").read_bytes())["plan_sha256"] == new


def test_strict_needs_resume(cli: Cli, tmp_path: Path) -> None:
    plan = make_plan(cli, tmp_path, 2)
    result = render(cli, plan, tmp_path / "out", "--strict")
    assert result.exit_code == 2
    assert "--resume" in result.output


def test_checkpoint_per_shard(cli: Cli, tmp_path: Path) -> None:
    """Shards sharing a dir keep separate checkpoints, each with its own counts."""
    plan = make_plan(cli, tmp_path, 9)
    out = tmp_path / "out"
    totals = 0
    for k in range(3):
        assert render(cli, plan, out, "--shard", f"{k}/3").exit_code == 0
        checkpoint = orjson.loads((out / checkpoint_name(Shard(k, 3))).read_bytes())
        assert checkpoint["shard"] == f"{k}/3" and checkpoint["finished"]
        assert checkpoint["done"] == checkpoint["rendered"] == checkpoint["total"]
        totals += checkpoint["total"]
    assert totals == 9
    assert checkpoint_name(Shard()) == ".generation_checkpoint.json"


def test_resume_removes_stale_temporaries_inside_subdirs(tmp_path: Path) -> None:
    """A killed `--subdirs` run leaves temporary files in the numbered sub-directories; resume removes them."""
    from ocrgen.renderer.resume import StaleTemporaries

    subdir = tmp_path / "00000"
    subdir.mkdir()
    stale = subdir / ".image_00000003.png.4242.tmp"
    stale.write_bytes(b"partial")
    temporaries = StaleTemporaries()
    temporaries.find(tmp_path, Shard())
    temporaries.release(3)
    assert not stale.exists()


def test_resume_message_claims_only_what_the_checkpoint_knows(
    cli: Cli, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The checkpoint knows how far the last run got, not which outputs went missing since; the summary counts those."""
    plan = make_plan(cli, tmp_path, 6)
    out = tmp_path / "out"
    assert render(cli, plan, out).exit_code == 0
    (out / "image_00000002.json").unlink()
    with caplog.at_level(logging.INFO, logger="ocrgen"):
        result = render(cli, plan, out, "--resume")
    assert "Rendered 1 image " in result.output and "5 already done" in result.output
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("resuming")]
    assert "the last run finished its 6 records" in line and "missing" in line and "were done" not in line

    path = out / ".generation_checkpoint.json"
    checkpoint = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps({**checkpoint, "finished": False, "done": 4, "failed": 1}))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ocrgen"):
        assert render(cli, plan, out, "--resume").exit_code == 0
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("resuming")]
    assert "the last run stopped after 4 of 6 records, 1 record failed" in line
