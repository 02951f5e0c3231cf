"""The shard from an array job's environment: SLURM task IDs and Kubernetes completion indexes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ocrgen.renderer.arrayjob import shard_from_environment
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.resume import checkpoint_name
from tests.test_resume import make_plan

Cli = Callable[..., Result]

SCHEDULER_VARIABLES = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_ARRAY_TASK_STEP",
    "JOB_COMPLETION_INDEX",
    "OCRGEN_SHARD_COUNT",
]


@pytest.fixture(autouse=True)
def _no_scheduler(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test machine may itself run under SLURM: start from a clean environment."""
    for name in SCHEDULER_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "0"}, Shard(2, 4)),
        ({"SLURM_ARRAY_TASK_ID": "1", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, Shard(0, 4)),
        ({"SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, Shard(3, 4)),
        ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}, Shard(3, 4)),
        (
            {
                "SLURM_ARRAY_TASK_ID": "14",
                "SLURM_ARRAY_TASK_COUNT": "3",
                "SLURM_ARRAY_TASK_MIN": "10",
                "SLURM_ARRAY_TASK_STEP": "2",
            },
            Shard(2, 3),
        ),
        ({"JOB_COMPLETION_INDEX": "0", "OCRGEN_SHARD_COUNT": "5"}, Shard(0, 5)),
        ({"JOB_COMPLETION_INDEX": "4", "OCRGEN_SHARD_COUNT": "5"}, Shard(4, 5)),
    ],
)
def test_shard_from_environment(env: dict[str, str], expected: Shard | None) -> None:
    found = shard_from_environment(env)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SLURM_ARRAY_TASK_ID": "1"}, "SLURM_ARRAY_TASK_COUNT is not set"),
        ({"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "4"}, "'x' is not a whole number"),
        ({"SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, "task 4 of"),
        ({"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}, "task -1 of"),
        ({"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "2", "SLURM_ARRAY_TASK_STEP": "2"}, "not on the grid"),
        ({"JOB_COMPLETION_INDEX": "1"}, "OCRGEN_SHARD_COUNT is not set; set it to the Job's spec.completions"),
        ({"OCRGEN_SHARD_COUNT": "3"}, "JOB_COMPLETION_INDEX is not"),
        ({"JOB_COMPLETION_INDEX": "3", "OCRGEN_SHARD_COUNT": "3"}, "out of range for OCRGEN_SHARD_COUNT=3"),
        ({"JOB_COMPLETION_INDEX": "0", "OCRGEN_SHARD_COUNT": "0"}, "out of range"),
        (
            {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_COUNT": "2", "JOB_COMPLETION_INDEX": "0"},
            "both SLURM_ARRAY_TASK_ID",
        ),
    ],
)
def test_inconsistent_environment_is_a_clear_error(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        shard_from_environment(env)


@pytest.mark.parametrize("task", ["1", "5", "7"])
def test_every_task_of_an_array_with_gaps_refuses(task: str) -> None:
    """`--array=1,5,7`: SLURM says MIN=1, MAX=7, COUNT=3; task 1 alone would pass as shard 0/3 without MAX."""
    env = {
        "SLURM_ARRAY_TASK_ID": task,
        "SLURM_ARRAY_TASK_COUNT": "3",
        "SLURM_ARRAY_TASK_MIN": "1",
        "SLURM_ARRAY_TASK_MAX": "7",
        "SLURM_ARRAY_TASK_STEP": "1",
    }
    with pytest.raises(ValueError, match="gaps"):
        shard_from_environment(env)


def test_a_full_range_with_its_max_is_a_shard() -> None:
    env = {"SLURM_ARRAY_TASK_ID": "7", "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_MIN": "1"}
    assert shard_from_environment({**env, "SLURM_ARRAY_TASK_MAX": "7", "SLURM_ARRAY_TASK_STEP": "2"}) == (
        Shard(3, 4),
        "SLURM_ARRAY_TASK_ID=7",
    )


def test_render_takes_its_shard_from_slurm(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Task 2 of `--array=1-3` renders shard 1/3; an explicit --shard wins over the environment."""
    plan = make_plan(cli, tmp_path, 6)
    monkeypatch.setenv("SLURM_ARRAY_TASK_ID", "2")
    monkeypatch.setenv("SLURM_ARRAY_TASK_COUNT", "3")
    monkeypatch.setenv("SLURM_ARRAY_TASK_MIN", "1")
    out = tmp_path / "out"
    assert cli("render", plan, "--output-dir", out, "--workers", "1").exit_code == 0
    assert (out / checkpoint_name(Shard(1, 3))).exists()
    assert cli("render", plan, "--output-dir", out, "--workers", "1", "--shard", "0/2").exit_code == 0
    assert (out / checkpoint_name(Shard(0, 2))).exists()


def test_render_from_kubernetes_without_count(cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = make_plan(cli, tmp_path, 2)
    monkeypatch.setenv("JOB_COMPLETION_INDEX", "1")
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 2
    assert "OCRGEN_SHARD_COUNT" in result.output and "Traceback" not in result.output
    monkeypatch.setenv("OCRGEN_SHARD_COUNT", "2")
    assert cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1").exit_code == 0
    assert (tmp_path / "out" / checkpoint_name(Shard(1, 2))).exists()
