"""`render --dask-scheduler`: shards as tasks on a real local Dask cluster, identical to a local render."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.planner import AssetDirs, make_plan
from ocrgen.renderer.planfile import Shard, shard_lines
from ocrgen.renderer.run import render_plan

distributed = pytest.importorskip("distributed")

Cli = Callable[..., Result]

IMAGES = 40


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One two-process cluster for the module: starting one costs seconds. Loopback only."""
    cache = tmp_path_factory.mktemp("worker-cache")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        env={"OCRGEN_CACHE_DIR": str(cache)},
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled quickstart cut down to IMAGES records: every script, with effects."""
    directory = tmp_path_factory.mktemp("plan")
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"] = IMAGES
    config = directory / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    make_plan(config, AssetDirs(), directory / "plans.jsonl")
    return directory / "plans.jsonl"


def contents(directory: Path) -> dict[str, bytes]:
    """Images and labels; not the hidden checkpoints, which name their shard."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if not p.name.startswith(".")}


def test_dask_render_equals_local_render(cli: Cli, scheduler: str, plan: Path, tmp_path: Path) -> None:
    local = tmp_path / "local"
    assert render_plan(plan, local).rendered == IMAGES

    result = cli("render", plan, "--output-dir", tmp_path / "dask", "--dask-scheduler", scheduler, "--dask-tasks", "5")

    assert result.exit_code == 0, result.output
    assert contents(tmp_path / "dask") == contents(local)
    assert len(contents(local)) == 2 * IMAGES
    assert f"Rendered {IMAGES} images" in result.stdout
    progress = [line for line in result.stderr.splitlines() if line.startswith("task ")]
    assert len(progress) == 5
    assert progress[-1].endswith(f"{IMAGES}/{IMAGES} records")


def test_failed_task_is_reported_and_the_others_finish(cli: Cli, scheduler: str, plan: Path, tmp_path: Path) -> None:
    """The last record names a root the plan does not locate: its shard fails (AssetError), the rest render."""
    lines = plan.read_bytes().splitlines(keepends=True)
    lines[-1] = lines[-1].replace(b'"root":"ocrgen:fonts"', b'"root":"fonts"', 1)
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(b"".join(lines))

    out = tmp_path / "out"
    result = cli("render", broken, "--output-dir", out, "--dask-scheduler", scheduler, "--dask-tasks", "4")

    assert result.exit_code == 2, result.output
    assert "shard 3/4 FAILED: ocrgen.errors.AssetError" in result.stderr
    assert "Shard 3/4 failed" in result.stderr
    assert "rerun it with --shard 3/4 --resume" in result.stderr
    lost = sum(1 for _ in shard_lines(broken, Shard(3, 4)))
    assert 0 < lost < IMAGES
    assert f"Rendered {IMAGES - lost} images" in result.stdout, "only the shards that finished are counted"


def test_dask_options_conflict_with_local_sharding(cli: Cli, plan: Path, tmp_path: Path) -> None:
    result = cli("render", plan, "--output-dir", tmp_path, "--dask-scheduler", "tcp://127.0.0.1:1", "--shard", "0/2")
    assert result.exit_code == 2
    assert "--dask-scheduler makes its own shards" in result.output


def test_missing_dask_says_which_extra_to_install(
    cli: Cli, plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = cli("render", plan, "--output-dir", tmp_path, "--dask-scheduler", "tcp://127.0.0.1:1")
    assert result.exit_code == 2
    assert "install ocrgen[dask]" in result.output
