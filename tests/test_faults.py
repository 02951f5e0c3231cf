"""Integrity under real faults: kill -9 and SIGTERM of the parent or a worker, a full disk, a read-only file system."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import Result

from tests.test_resume import make_plan

Cli = Callable[..., Result]
OCRGEN = [sys.executable, "-c", "from ocrgen.cli import main; main()"]


def children(pid: int) -> set[int]:
    """The processes `pid` started, from /proc (every thread may have forked some)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    """True while `pid` runs (a zombie, dead but not yet reaped by its new parent, counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_until(condition: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def files(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` by relative path, but the checkpoints and locks (run-specific)."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.name.startswith((".generation_", ".ocrgen"))
    }


def start_render(plan: Path, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [*OCRGEN, "render", str(plan), "--output-dir", str(out), "--log-level", "WARNING", *extra]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def started_workers(process: subprocess.Popen[bytes], out: Path, count: int) -> set[int]:
    """The render processes of `process`, once they have written a first record."""
    assert wait_until(lambda: any(out.glob("image_*.json")) or process.poll() is not None)
    assert process.poll() is None, "the render finished before the fault; give it more records"
    workers = children(process.pid)
    assert len(workers) == count
    return workers


@pytest.fixture
def plan(cli: Cli, tmp_path: Path) -> Path:
    return make_plan(cli, tmp_path / "plan", 600)


def test_workers_die_with_a_killed_parent(plan: Path, tmp_path: Path) -> None:
    """kill -9 of render: its workers are gone within seconds and write nothing more."""
    out = tmp_path / "out"
    process = start_render(plan, out, "--workers", "2")
    workers = started_workers(process, out, 2)
    process.kill()
    process.wait()
    try:
        assert wait_until(lambda: not any(alive(w) for w in workers), 3), "workers outlived their parent"
    finally:
        for worker in workers:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)
    written = sorted(os.listdir(out))
    time.sleep(0.5)
    assert sorted(os.listdir(out)) == written


def test_sigterm_stops_workers_and_resume_finishes(cli: Cli, plan: Path, tmp_path: Path) -> None:
    """SIGTERM to render: exit 143 with one line, no worker left, and --resume gives what one run gives."""
    reference = tmp_path / "reference"
    assert start_render(plan, reference, "--workers", "2").wait() == 0
    out = tmp_path / "out"
    process = start_render(plan, out, "--workers", "2")
    workers = started_workers(process, out, 2)
    process.terminate()
    assert process.wait(30) == 143
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    assert stderr.strip() == "Terminated; run the same command with --resume to continue.", stderr
    assert wait_until(lambda: not any(alive(w) for w in workers), 3)
    resumed = start_render(plan, out, "--workers", "2", "--resume")
    assert resumed.wait() == 0
    assert files(out) == files(reference)
