"""The render as processes: Ctrl-C, how many workers by default, and what --log-level DEBUG shows."""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from ocrgen.cli import main
from ocrgen.cpus import cgroup_quota, usable_cpus
from ocrgen.renderer import run as render_run
from tests.test_resume import make_plan, outputs

OCRGEN = [sys.executable, "-c", "from ocrgen.cli import main; main()"]
INTERRUPTED = "Interrupted; run the same command with --resume to continue.\n"


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def long_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """A plan that takes seconds to render, and its uninterrupted render.

    Long enough that a test process starved by a loaded machine still interrupts the run before it ends
    (with 150 records and faster layouts, a full test run once failed here).
    """
    tmp = tmp_path_factory.mktemp("long")
    plan = make_plan(_cli, tmp, 600)
    assert _cli("render", plan, "--output-dir", tmp / "reference", "--workers", "2").exit_code == 0
    return plan, outputs(tmp / "reference")


def _wait_for_labels(out: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    while not out.is_dir() or len(list(out.glob("image_*.json"))) < count:
        assert process.poll() is None, "the render ended before it could be interrupted"
        time.sleep(0.02)


def _as_from_a_terminal() -> None:
    """A shell starts background jobs with SIGINT ignored, which children inherit; at a terminal it is the default."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _interrupt_after(command: list[str], out: Path, labels: int) -> tuple[subprocess.Popen[bytes], bytes, bytes]:
    """Start `command` in its own process group and Ctrl-C the group, as a terminal does, once `labels` exist."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_as_from_a_terminal,
    )
    try:
        _wait_for_labels(out, labels, process)
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=3)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    return process, stdout, stderr


def _group_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_stops_at_once_and_resume_finishes(
    tmp_path: Path, long_plan: tuple[Path, dict[str, bytes]], workers: str
) -> None:
    """SIGINT to the process group, as a terminal sends it: exit 130 with one line, no process left, resumable."""
    plan, expected = long_plan
    out = tmp_path / "out"
    command = [*OCRGEN, "render", str(plan), "--output-dir", str(out), "--workers", workers, "--log-level", "WARNING"]
    process, stdout, stderr = _interrupt_after(command, out, 20)
    assert process.returncode == 130, stderr.decode()
    assert stderr.decode() == INTERRUPTED and stdout == b""
    assert _group_gone(process.pid, 3), "render processes outlived the interrupted run"
    assert len(outputs(out)) < len(expected)

    resumed = _cli("render", plan, "--output-dir", out, "--workers", workers, "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "already done" in resumed.output
    assert outputs(out) == expected


def test_ctrl_c_in_generate_says_how_to_continue(tmp_path: Path, long_plan: tuple[Path, dict[str, bytes]]) -> None:
    plan, _ = long_plan
    out = tmp_path / "out"
    command = [*OCRGEN, "generate", "--batch-config", str(plan.parent / "batch.yaml"), "--output-dir", str(out)]
    # Many more records than it takes to see 5 labels, so a test process starved by a loaded machine still
    # interrupts the run before it ends.
    command += ["--count", "3000", "--generation-workers", "2", "--log-level", "WARNING"]
    process, _, stderr = _interrupt_after(command, out, 5)
    assert process.returncode == 130 and stderr.decode() == INTERRUPTED
    assert _group_gone(process.pid, 3)


@pytest.mark.skipif(shutil.which("taskset") is None, reason="needs taskset (util-linux)")
@pytest.mark.parametrize("command", ["render", "generate"])
def test_default_workers_follow_the_cpu_affinity(tmp_path: Path, command: str) -> None:
    """Under `taskset -c 0` one CPU is usable, so the default is one render process, whatever the machine has."""
    plan = make_plan(_cli, tmp_path, 2)
    out = tmp_path / "out"
    args = [str(plan)] if command == "render" else ["--batch-config", str(plan.parent / "batch.yaml")]
    run = subprocess.run(
        ["taskset", "-c", "0", *OCRGEN, command, *args, "--output-dir", str(out), "--log-level", "DEBUG"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "1 process," in run.stderr and "processes," not in run.stderr, run.stderr


def test_a_render_starts_no_more_processes_than_it_has_batches(
    tmp_path: Path, pool_sizes: Callable[[ModuleType], list[int]]
) -> None:
    """`--workers 64` on 40 records, 3 batches of the default 16, starts 3 processes and renders the same files.

    A process forked for no batch would still start and load its assets, and on a small plan take longer than
    the records.
    """
    started = pool_sizes(render_run)
    plan = make_plan(_cli, tmp_path, 40)
    assert _cli("render", plan, "--output-dir", tmp_path / "many", "--workers", "64").exit_code == 0
    assert started == [math.ceil(40 / 16)]
    assert _cli("render", plan, "--output-dir", tmp_path / "one", "--workers", "1").exit_code == 0
    assert outputs(tmp_path / "many") == outputs(tmp_path / "one")


def _cgroup(root: Path, files: dict[str, str], own: str) -> tuple[Path, Path]:
    """A fake cgroup mount under `root` holding `files`, and a /proc/self/cgroup saying the process is in `own`."""
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    proc = root / "proc-self-cgroup"
    proc.write_text(own)
    return root, proc


AFFINITY = len(os.sched_getaffinity(0))


@settings(max_examples=40, deadline=None)
@given(quota=st.integers(1_000, 6_400_000), period=st.sampled_from([50_000, 100_000]), v2=st.booleans())
def test_cgroup_quota_caps_the_cpus(
    tmp_path_factory: pytest.TempPathFactory, quota: int, period: int, v2: bool
) -> None:
    """A container's CPU quota, rounded up, caps the count; never below 1, never above the affinity."""
    root = tmp_path_factory.mktemp("cgroup")
    if v2:
        fs, proc = _cgroup(root, {"job/cpu.max": f"{quota} {period}"}, "0::/job\n")
    else:
        files = {"cpu,cpuacct/job/cpu.cfs_quota_us": f"{quota}\n", "cpu,cpuacct/job/cpu.cfs_period_us": f"{period}\n"}
        fs, proc = _cgroup(root, files, "4:memory:/job\n3:cpu,cpuacct:/job\n")
    assert cgroup_quota(fs, proc) == quota / period
    assert usable_cpus(fs, proc) == max(1, min(AFFINITY, math.ceil(quota / period)))


@pytest.mark.parametrize(
    ("files", "own", "quota"),
    [
        ({"cpu.max": "max 100000"}, "0::/\n", None),
        ({"a/cpu.max": "100000 100000", "a/b/cpu.max": "max 100000"}, "0::/a/b\n", 1.0),
        ({"a/cpu.max": "400000 100000", "a/b/cpu.max": "200000 100000"}, "0::/a/b\n", 2.0),
        ({"cpu.max": "50000 100000"}, "0::/docker/0123abcd\n", 0.5),  # a container sees its cgroup as the root
        ({"cpu/cpu.cfs_quota_us": "-1", "cpu/cpu.cfs_period_us": "100000"}, "1:cpu:/\n", None),
        ({}, "0::/\n", None),
    ],
)
def test_cgroup_quota_on_the_tree(tmp_path: Path, files: dict[str, str], own: str, quota: float | None) -> None:
    """The tightest limit on the way up wins; no limit file, or "max", or -1, is no limit."""
    assert cgroup_quota(*_cgroup(tmp_path, files, own)) == quota


def test_debug_log_shows_ocrgens_lines_not_pillows(tmp_path: Path) -> None:
    """Decoding a PNG background makes Pillow log each chunk at DEBUG; only ocrgen's own lines may show."""
    backgrounds = tmp_path / "backgrounds" / "paper"
    backgrounds.mkdir(parents=True)
    pixels = np.random.default_rng(0).integers(0, 255, (200, 600, 3), dtype=np.uint8)
    Image.fromarray(pixels, "RGB").save(backgrounds / "noise.png")
    config = tmp_path / "batch.yaml"
    config.write_text(
        "total_images: 2\nseed: 1\nspecifications:\n"
        "  - {name: a, proportion: 1, corpus: ['en/*.txt'], text_length: {min: 5, max: 10}}\n"
    )
    flags = ["--background-dir", str(tmp_path / "backgrounds"), "--generation-workers", "1", "--log-level", "DEBUG"]
    run = subprocess.run(
        [*OCRGEN, "generate", "--batch-config", str(config), "--output-dir", str(tmp_path / "out"), *flags],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert any(line.startswith("DEBUG rendering 2 records") for line in lines), run.stderr
    assert not [line for line in lines if "STREAM" in line or "PIL" in line], run.stderr


def test_ctrl_c_stops_parallel_planning_and_leaves_no_plan(tmp_path: Path) -> None:
    """Ctrl-C while worker processes plan: exit 130 at once, no plan and no temporary file, no process left."""
    plan = tmp_path / "plans.jsonl"
    command = [*OCRGEN, "plan", "-n", "200000", "--workers", "2", "-o", str(plan), "--log-level", "WARNING"]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_as_from_a_terminal,
    )
    temporary = plan.with_name(f".{plan.name}.tmp")
    try:
        while not temporary.exists() or temporary.stat().st_size < 100_000:  # chunks came back from the workers
            assert process.poll() is None, "planning ended before it could be interrupted"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGINT)
        _, stderr = process.communicate(timeout=5)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr.decode()
    assert "Traceback" not in stderr.decode()
    assert _group_gone(process.pid, 3), "planning processes outlived the interrupted run"
    assert not plan.exists() and not temporary.exists()


def test_a_planning_process_killed_is_one_clear_error(tmp_path: Path) -> None:
    """kill -9 of a planning worker: exit 1 with a line that says what happened, and no plan file."""
    plan = tmp_path / "plans.jsonl"
    command = [*OCRGEN, "plan", "-n", "200000", "--workers", "2", "-o", str(plan), "--log-level", "WARNING"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    temporary = plan.with_name(f".{plan.name}.tmp")
    try:
        while not temporary.exists() or temporary.stat().st_size < 100_000:
            assert process.poll() is None, "planning ended before a worker could be killed"
            time.sleep(0.02)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        os.kill(int(children[0]), signal.SIGKILL)
        _, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 1, stderr.decode()
    assert "a planning process died" in stderr.decode() and "Traceback" not in stderr.decode()
    assert not plan.exists() and not temporary.exists()
