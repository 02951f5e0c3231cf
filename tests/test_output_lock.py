"""Two runs never write the same shard of one output dir at once; a dead run's lock is gone with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ocrgen.renderer.lock import OutputBusyError, output_lock
from ocrgen.renderer.planfile import Shard

HOLD = """
import sys, time
from pathlib import Path
from ocrgen.renderer.lock import output_lock
from ocrgen.renderer.planfile import Shard
with output_lock(Path(sys.argv[1]), Shard(int(sys.argv[2]), int(sys.argv[3]))):
    print("held", flush=True)
    time.sleep(60)
"""


def _holder(out_dir: Path, shard: Shard) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out_dir), str(shard.index), str(shard.count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_second_run_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    holder = _holder(tmp_path, Shard())
    try:
        with pytest.raises(OutputBusyError, match=f"pid {holder.pid}"), output_lock(tmp_path, Shard()):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_other_shards_of_one_dir_run_side_by_side(tmp_path: Path) -> None:
    holder = _holder(tmp_path, Shard(0, 2))
    try:
        with output_lock(tmp_path, Shard(1, 2)):
            pass
    finally:
        holder.kill()
        holder.wait()


def test_kill_9_releases_the_lock(tmp_path: Path) -> None:
    holder = _holder(tmp_path, Shard())
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    deadline = time.monotonic() + 10
    while True:  # the kernel drops the lock as the process is reaped
        try:
            with output_lock(tmp_path, Shard()):
                break
        except OutputBusyError:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_two_renders_into_one_dir_never_share_it(tmp_path: Path) -> None:
    """The second `ocrgen render --writer lmdb` into a busy dir exits 2 at once and leaves the first one's work."""
    config = tmp_path / "batch.yaml"
    config.write_text(
        'total_images: 400\nspecifications:\n  - {name: a, proportion: 1, corpus: ["en/*.txt"]}\n', encoding="utf-8"
    )
    plan, out = tmp_path / "plans.jsonl", tmp_path / "out"
    ocrgen = [sys.executable, "-c", "from ocrgen.cli import main; main()"]
    subprocess.run([*ocrgen, "plan", "--batch-config", str(config), "-o", str(plan)], check=True, capture_output=True)
    render = [*ocrgen, "render", str(plan), "--output-dir", str(out), "--writer", "lmdb", "--workers", "1"]
    first = subprocess.Popen(render, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not (out / f".lmdb.{first.pid}.tmp").exists():  # the first run is writing its database
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    second = subprocess.run([*render, "--resume"], capture_output=True, text=True, timeout=60)
    assert second.returncode == 2, second.stderr
    assert f"pid {first.pid}" in second.stderr and "Traceback" not in second.stderr
    assert first.wait(timeout=120) == 0
    lmdb = pytest.importorskip("lmdb")
    with lmdb.open(str(out / "lmdb"), readonly=True, lock=False) as env, env.begin() as txn:
        assert txn.get(b"num-samples") == b"400"


def test_merge_takes_the_lock_of_an_unsharded_render(tmp_path: Path) -> None:
    """A merge writes what an unsharded render writes: it takes the same lock, and refuses while it is held."""
    holder = _holder(tmp_path, Shard())
    try:
        merge = [sys.executable, "-c", "from ocrgen.cli import main; main()", "merge", str(tmp_path), "--writer", "hf"]
        result = subprocess.run(merge, capture_output=True, text=True, timeout=60)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2 and f"pid {holder.pid}" in result.stderr, result.stderr
