"""Integrity under real faults: kill -9 and SIGTERM of the parent or a worker, a full disk, a read-only file system."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import orjson
import pytest
from click.testing import Result

import ocrgen
from ocrgen.assets import DEFAULT_CONFIG
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
        if p.is_file() and not p.name.startswith((".generation_", ".ocrgen")) and p.name != "lock.mdb"
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
    try:
        assert process.wait(30) == 143
        assert wait_until(lambda: not any(alive(w) for w in workers), 3)
    finally:
        for pid in [process.pid, *workers]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
    assert process.stderr is not None
    stderr = process.stderr.read().decode()
    assert stderr.strip() == "Terminated; run the same command with --resume to continue.", stderr
    resumed = start_render(plan, out, "--workers", "2", "--resume")
    assert resumed.wait() == 0
    assert files(out) == files(reference)


# A render whose record DEADLY kills its own process, as the OOM killer would (workers are forked: they inherit it).
DEADLY_RENDER = """
import os, signal, sys
import ocrgen.renderer.run as run
from ocrgen.cli import main
real = run.render_pixels
def deadly(record, *args):
    if record.index == {index}:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(record, *args)
run.render_pixels = deadly
main()
"""


def test_a_record_that_kills_its_worker_fails_and_the_run_goes_on(cli: Cli, plan: Path, tmp_path: Path) -> None:
    """Its batch, tried again alone, fails as WorkerLost; the rest renders, exit 1; resume ends it."""
    reference = tmp_path / "reference"
    assert start_render(plan, reference, "--workers", "2").wait() == 0
    out = tmp_path / "out"
    command = [sys.executable, "-c", DEADLY_RENDER.format(index=100), "render", str(plan), "--output-dir", str(out)]
    run = subprocess.run([*command, "--workers", "2", "--io-batch-size", "4"], capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert "4 records failed (WorkerLost: 4)" in run.stderr
    failures = [orjson.loads(line) for line in (out / "failures.jsonl").read_bytes().splitlines()]
    assert 100 in {f["index"] for f in failures} and {f["reason"] for f in failures} == {"WorkerLost"}
    assert len(files(out)) == len(files(reference)) - 2 * 4 + 1  # the failures file
    resumed = start_render(plan, out, "--workers", "2", "--resume")
    assert resumed.wait() == 0
    assert files(out) == files(reference)


def test_a_worker_killed_once_is_replaced_and_its_records_rendered(plan: Path, tmp_path: Path) -> None:
    """kill -9 of one render process mid-run: a new one takes over, the batch is tried again, nothing is lost."""
    reference = tmp_path / "reference"
    assert start_render(plan, reference, "--workers", "2").wait() == 0
    out = tmp_path / "out"
    process = start_render(plan, out, "--workers", "2")
    worker = min(started_workers(process, out, 2))
    os.kill(worker, signal.SIGKILL)
    assert process.wait(120) == 0, process.stderr.read().decode() if process.stderr else ""
    assert files(out) == files(reference)


@pytest.mark.parametrize(
    ("writer", "leftovers"),
    [
        ("hf", ["hf/.image_00000003.png.4156.tmp", "hf/.metadata.jsonl.4156.tmp"]),
        ("paddleocr", ["paddleocr/images/.image_00000003_l0.png.77.tmp", "paddleocr/.rec_gt.txt.77.tmp"]),
        ("tesseract", ["tesseract/.image_00000003.gt.txt.5.tmp", "tesseract/.image_00000002_l1.png.5.tmp"]),
        ("coco", ["coco/images/.image_00000003.png.9.tmp", "coco/.instances.json.9.tmp"]),
        ("doctr", ["doctr/images/.image_00000003.png.9.tmp", "doctr/.labels.json.9.tmp"]),
        ("icdar2015", ["icdar2015/gt/.gt_image_00000003.txt.9.tmp", "icdar2015/images/.image_00000002.png.9.tmp"]),
    ],
)
def test_resume_removes_temporaries_of_every_writer(
    cli: Cli, tmp_path: Path, writer: str, leftovers: list[str]
) -> None:
    """What a kill -9 leaves in a writer's own folders goes with --resume: the result is an uninterrupted run's."""
    plan = make_plan(cli, tmp_path / "plan", 6)
    reference, out = tmp_path / "reference", tmp_path / "out"
    for directory in (reference, out):
        assert cli("render", plan, "--output-dir", directory, "--workers", "1", "--writer", writer).exit_code == 0
    others = ["hf.shard-00001-of-00002/.metadata.jsonl.8.tmp", "paddleocr/.det_gt.shard-00000-of-00002.txt.8.tmp"]
    for name in [*leftovers, *others]:  # another shard's files in flight are not this run's to remove
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(b"partial")
    result = cli("render", plan, "--output-dir", out, "--workers", "1", "--writer", writer, "--resume")
    assert result.exit_code == 0, result.output
    assert files(out) == {**files(reference), **{name: b"partial" for name in others}}


@pytest.mark.slow
@pytest.mark.parametrize("writer", ["hf", "paddleocr", "tesseract", "lmdb", "webdataset", "coco", "doctr", "icdar2015"])
def test_kill_during_writes_then_resume_equals_one_run(plan: Path, tmp_path: Path, writer: str) -> None:
    """kill -9 of render and its workers while each writer writes; --resume ends with exactly one run's files."""
    reference, out = tmp_path / "reference", tmp_path / "out"
    assert start_render(plan, reference, "--workers", "2", "--writer", writer).wait() == 0
    for delay in (0.5, 1.5, 3.0):
        extra = ["--resume"] if out.exists() else []
        process = start_render(plan, out, "--workers", "2", "--writer", writer, *extra)
        time.sleep(delay)
        process.kill()
        process.wait()
    resumed = start_render(plan, out, "--workers", "2", "--writer", writer, "--resume")
    assert resumed.wait() == 0
    assert files(out) == files(reference)


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount small tmpfs file systems (`mount(size="100k")`, `mount(read_only=True)`); unmounted afterwards."""
    mounted: list[Path] = []

    def make(size: str = "1m", read_only: bool = False) -> Path:
        point = tmp_path / f"mount{len(mounted)}"
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], capture_output=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
        mounted.append(point)
        return point

    yield make
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], check=True)


def one_error_line(result: Result, *words: str) -> None:
    """Exit 2 and a single `Error:` line that says `words`."""
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and all(word in errors[0] for word in words), result.output
    assert "Traceback" not in result.output


def temporaries(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.name.endswith(".tmp")]


@pytest.fixture
def small_plan(cli: Cli, tmp_path: Path) -> Path:
    return make_plan(cli, tmp_path / "plan", 40)


@pytest.mark.parametrize("writer", ["lmdb", "webdataset", "hf", "paddleocr", "tesseract", "coco", "doctr"])
def test_full_disk_stops_a_container_writer_with_one_line(
    cli: Cli, small_plan: Path, mount: Callable[..., Path], writer: str
) -> None:
    """Writers that hold a shard's output in the parent stop at the first write the disk refuses: exit 2."""
    out = mount(size="48k") / "out"
    result = cli("render", small_plan, "--output-dir", out, "--workers", "1", "--writer", writer)
    one_error_line(result, "No space left on device" if writer != "lmdb" else "lmdb", "--resume")
    assert not temporaries(out)


def test_full_disk_fails_files_records_and_keeps_their_list(
    cli: Cli, small_plan: Path, mount: Callable[..., Path]
) -> None:
    """The files writer fails each record the disk refuses; the failures list, too big for the disk, goes to stderr."""
    out = mount(size="48k") / "out"
    result = cli("render", small_plan, "--output-dir", out, "--workers", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    rendered = {int(p.name[6:14]) for p in out.glob("image_*.json")}
    listed = [orjson.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    if (out / "failures.jsonl").exists():
        listed = [orjson.loads(line) for line in (out / "failures.jsonl").read_bytes().splitlines()]
    else:
        assert f"could not write {out / 'failures.jsonl'} (No space left on device)" in result.output
    assert {f["index"] for f in listed} == set(range(40)) - rendered and rendered
    assert not temporaries(out)


def test_full_disk_for_plan_and_generate(cli: Cli, mount: Callable[..., Path]) -> None:
    """The plan the disk cannot take: one line, and no temporary or partial plan left."""
    full = mount(size="16k")
    planned = cli("plan", "--batch-config", DEFAULT_CONFIG, "-o", full / "plans.jsonl")
    one_error_line(planned, "No space left", "plans.jsonl")
    one_error_line(cli("generate", "--output-dir", full / "out", "--generation-workers", "1"), "No space left")
    assert not temporaries(full) and not (full / "plans.jsonl").exists()


def test_a_read_only_install_without_a_cache_renders_the_same(
    cli: Cli, small_plan: Path, mount: Callable[..., Path], tmp_path: Path
) -> None:
    """ocrgen on a read-only file system, and no writable cache directory: numba can keep the compiled pixel
    loops nowhere, so each process compiles them anew, and the images come out the same."""
    install = mount(size="20m")
    shutil.copytree(Path(ocrgen.__file__).parent, install / "ocrgen", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(["mount", "-o", "remount,ro", str(install)], check=True)
    env = {**os.environ, "PYTHONPATH": str(install), "XDG_CACHE_HOME": str(install / "cache")}
    env.pop("NUMBA_CACHE_DIR", None)
    probe = [sys.executable, "-c", "import ocrgen; print(ocrgen.__file__)"]
    where = subprocess.run(probe, env=env, capture_output=True, cwd=tmp_path)
    assert where.stdout.decode().startswith(str(install))
    reference, out = tmp_path / "reference", tmp_path / "out"
    assert cli("render", small_plan, "--output-dir", reference, "--workers", "1").exit_code == 0
    command = [sys.executable, "-m", "ocrgen", "render", str(small_plan), "--output-dir", str(out), "--workers", "1"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert files(out) == files(reference)
    assert not list(install.rglob("*.nbi"))


def test_read_only_file_system(cli: Cli, small_plan: Path, mount: Callable[..., Path]) -> None:
    """Render, resume and plan into a read-only mount: one line naming it, before any work."""
    read_only = mount(read_only=True)
    one_error_line(cli("render", small_plan, "--output-dir", read_only / "out"), "read-only file system")
    one_error_line(cli("render", small_plan, "--output-dir", read_only, "--resume"), "Read-only file system")
    one_error_line(cli("plan", "--batch-config", DEFAULT_CONFIG, "-o", read_only / "p.jsonl"), "read-only file system")


def test_checkpoint_that_is_a_directory_or_not_an_object(cli: Cli, small_plan: Path, tmp_path: Path) -> None:
    """A directory in the checkpoint's place is refused; a checkpoint that is not a JSON object is unreadable."""
    out = tmp_path / "out"
    (out / ".generation_checkpoint.json").mkdir(parents=True)
    for resume in ([], ["--resume"]):
        one_error_line(cli("render", small_plan, "--output-dir", out, *resume), ".generation_checkpoint.json")
    (out / ".generation_checkpoint.json").rmdir()
    assert cli("render", small_plan, "--output-dir", out, "--workers", "1").exit_code == 0
    (out / ".generation_checkpoint.json").write_bytes(b"[1, 2]")
    one_error_line(cli("render", small_plan, "--output-dir", out), "another plan", "--resume")
    resumed = cli("render", small_plan, "--output-dir", out, "--workers", "1", "--resume")
    assert resumed.exit_code == 0 and "40 already done" in resumed.output


@pytest.mark.parametrize(
    ("where", "writer"), [("failures.jsonl", "files"), ("webdataset/shard-000000.tar", "webdataset")]
)
def test_failures_file_or_tar_that_is_a_directory(
    cli: Cli, small_plan: Path, tmp_path: Path, where: str, writer: str
) -> None:
    out = tmp_path / "out"
    (out / where).mkdir(parents=True)
    result = cli("render", small_plan, "--output-dir", out, "--workers", "1", "--writer", writer)
    one_error_line(result, where)
    assert not temporaries(out)


def test_generate_resume_with_a_plan_that_is_a_directory(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "out" / "plans.jsonl").mkdir(parents=True)
    one_error_line(cli("generate", "--output-dir", tmp_path / "out", "--resume"), "plans.jsonl", "directory")
