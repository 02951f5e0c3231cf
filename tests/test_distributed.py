"""`render --dask-scheduler` on a cluster started as the README says, identical to a local render.

The cluster is real: `dask scheduler` and `dask worker --nworkers 2 --nthreads 1` as
subprocesses on 127.0.0.1, started once for the module.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import lmdb
import pytest
import yaml
from click.testing import Result

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.planner import AssetDirs, make_plan
from ocrgen.renderer.planfile import Shard, shard_lines
from ocrgen.renderer.run import render_plan
from ocrgen.writers.base import WriterSpec

distributed = pytest.importorskip("distributed")

Cli = Callable[..., Result]

IMAGES = 40
WORKERS = ("ocrgen-0", "ocrgen-1")  # `--name ocrgen --nworkers 2` numbers the worker processes
STARTUP_SECONDS = 120
STOP_SECONDS = 15


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """A `dask` command in its own process group, so stopping it stops the worker processes it spawned."""
    with open(log, "wb") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "dask", *args],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=STOP_SECONDS)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def _scheduler_address(scheduler_file: Path, process: subprocess.Popen[bytes], log: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"dask scheduler exited: {log.read_text()}")
        try:
            return str(json.loads(scheduler_file.read_text())["address"])
        except (FileNotFoundError, json.JSONDecodeError, KeyError):
            time.sleep(0.2)
    raise RuntimeError(f"dask scheduler did not start within {STARTUP_SECONDS} s: {log.read_text()}")


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Two named single-threaded worker processes; starting them costs seconds, so once per module. Loopback only."""
    directory = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "OCRGEN_CACHE_DIR": str(directory / "cache")}  # PYTHONPATH passes on to the workers
    scheduler_file = directory / "scheduler.json"
    args = [
        "scheduler",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--no-dashboard",
        "--scheduler-file",
        str(scheduler_file),
    ]
    processes = [_start(args, env, directory / "scheduler.log")]
    try:
        address = _scheduler_address(scheduler_file, processes[0], directory / "scheduler.log")
        args = ["worker", address, "--name", "ocrgen", "--nworkers", "2", "--nthreads", "1", "--no-dashboard"]
        processes.append(_start(args, env, directory / "worker.log"))
        with distributed.Client(address, timeout="30s") as client:
            client.wait_for_workers(len(WORKERS), timeout=STARTUP_SECONDS)
            assert sorted(w["name"] for w in client.scheduler_info()["workers"].values()) == list(WORKERS)
        yield address
    finally:
        for process in reversed(processes):
            _stop(process)


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


@pytest.fixture(scope="module")
def local(plan: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plan rendered here, in one process: what every Dask render must equal."""
    directory = tmp_path_factory.mktemp("local")
    assert render_plan(plan, directory).rendered == IMAGES
    return directory


def contents(directory: Path) -> dict[str, bytes]:
    """Images and labels; not the hidden checkpoints, which name their shard."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if not p.name.startswith(".")}


def progress(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("task ")]


def test_dask_render_equals_local_render_and_uses_both_workers(
    cli: Cli, scheduler: str, plan: Path, local: Path, tmp_path: Path
) -> None:
    result = cli("render", plan, "--output-dir", tmp_path, "--dask-scheduler", scheduler, "--dask-tasks", "6")

    assert result.exit_code == 0, result.output
    assert contents(tmp_path) == contents(local)
    assert len(contents(local)) == 2 * IMAGES
    assert f"Rendered {IMAGES} images into {tmp_path} (6 Dask tasks on 2 workers)." in result.stdout
    lines = progress(result)
    assert len(lines) == 6
    assert lines[-1].endswith(f"{IMAGES}/{IMAGES} records")
    for worker in WORKERS:
        assert any(f"done on {worker};" in line for line in lines), f"no task ran on {worker}: {lines}"


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


def test_resume_on_dask_renders_only_missing_records(
    cli: Cli, scheduler: str, plan: Path, local: Path, tmp_path: Path
) -> None:
    """Resume keeps the shard count its checkpoints name; with another count it still skips by the outputs."""
    render = ("render", plan, "--output-dir", tmp_path, "--dask-scheduler", scheduler)
    assert cli(*render, "--dask-tasks", "3").exit_code == 0
    (tmp_path / "image_00000003.json").unlink()
    (tmp_path / "image_00000030.png").unlink()

    resumed = cli(*render, "--resume", "--io-workers", "2", "--chunk-size", "4", "--io-batch-size", "3")

    assert resumed.exit_code == 0, resumed.output
    assert f"Rendered 2 images into {tmp_path} (3 Dask tasks on " in resumed.stdout
    assert f"workers, {IMAGES - 2} already done)." in resumed.stdout
    assert contents(tmp_path) == contents(local)

    again = cli(*render, "--resume", "--dask-tasks", "5")
    assert again.exit_code == 0, again.output
    assert "Rendered 0 images" in again.stdout and "(5 Dask tasks on " in again.stdout
    assert f"workers, {IMAGES} already done)." in again.stdout


def test_resume_strict_on_dask_refuses_another_plan_before_any_task(
    cli: Cli, scheduler: str, plan: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert render_plan(plan, out, Shard(1, 2)).rendered > 0  # the checkpoint of shard 1/2 names this plan
    other = tmp_path / "other.jsonl"
    other.write_bytes(plan.read_bytes() + b"\n")

    args = ("--output-dir", out, "--dask-scheduler", scheduler, "--dask-tasks", "2", "--resume", "--strict")
    result = cli("render", other, *args)

    assert result.exit_code == 2, result.output
    assert "was rendered from another plan" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not progress(result)


def test_lmdb_on_dask_merges_into_what_a_local_render_writes(
    cli: Cli, scheduler: str, plan: Path, tmp_path: Path
) -> None:
    """Container writers write one container per task, as `--shard K/N` does; `ocrgen merge` joins them."""
    whole = tmp_path / "whole"
    render_plan(plan, whole, writer=WriterSpec("lmdb"))
    out = tmp_path / "dask"

    result = cli(
        "render", plan, "--output-dir", out, "--dask-scheduler", scheduler, "--dask-tasks", "3", "--writer", "lmdb"
    )

    assert result.exit_code == 0, result.output
    assert f"ocrgen merge {out} --writer lmdb" in result.stdout
    assert cli("merge", out, "--writer", "lmdb").exit_code == 0
    assert _lmdb(out / "lmdb") == _lmdb(whole / "lmdb")


def test_tesseract_on_dask_equals_local_render(cli: Cli, scheduler: str, plan: Path, tmp_path: Path) -> None:
    """Writers whose files are named by record index share one directory across tasks, as across shards."""
    whole = tmp_path / "whole"
    render_plan(plan, whole, writer=WriterSpec("tesseract"))
    out = tmp_path / "dask"

    args = ("--dask-scheduler", scheduler, "--dask-tasks", "3", "--writer", "tesseract")
    result = cli("render", plan, "--output-dir", out, *args)

    assert result.exit_code == 0, result.output
    assert contents(out / "tesseract") == contents(whole / "tesseract")
    assert len(contents(whole / "tesseract")) >= 2 * IMAGES


def _lmdb(path: Path) -> dict[bytes, bytes]:
    env = lmdb.open(str(path), readonly=True, lock=False)
    with env.begin() as txn:
        items = dict(txn.cursor())
    env.close()
    assert items[b"num-samples"] == str(IMAGES).encode()
    return items


def _closed_port() -> str:
    """A loopback port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{probe.getsockname()[1]}"


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("not a url", "'not a url' is not a scheduler address"),
        ("http://127.0.0.1:8786", "unknown address scheme 'http'"),
        (_closed_port(), "Cannot reach the Dask scheduler"),
    ],
)
def test_bad_scheduler_address_is_one_line_and_exit_2(
    cli: Cli, plan: Path, tmp_path: Path, address: str, message: str
) -> None:
    out = tmp_path / "out"
    result = cli("render", plan, "--output-dir", out, "--dask-scheduler", address)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert not out.exists()


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
