"""ocrgen's benchmark: render and plan rates, trdg side by side, peak memory and worker scaling, in one run.

    python bench/bench.py [--quick]

Prints one markdown table and writes it to bench/results.md (--quick: bench/results-quick.md,
untracked, so a smoke run never replaces the figures the README quotes). The workloads are
bench/single_word.yaml, bench/lines_effects.yaml and bench/scene_pages.yaml, planned with the bundled assets;
the bench sets `total_images`. trdg runs from its own virtualenv, bench/.venv-trdg,
made on first use, because trdg needs Pillow < 10 and ocrgen needs Pillow >= 10.
A full run takes about 10 minutes on 2 cores, most of it planning 10^6 records for
the memory rows; --quick takes about 2. Plans and images go to a RAM disk when there is
one (--scratch DIR to choose). The DataLoader row needs torch (`pip install ".[torch]"`);
without it, it says so instead of a figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import yaml

from ocrgen.cpus import usable_cpus
from ocrgen.errors import OcrgenError
from ocrgen.planner import AssetDirs, PlanStats, make_plan
from ocrgen.renderer.run import render_plan
from ocrgen.text.layout import clear_layout_cache
from ocrgen.writers.base import WriterSpec

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SINGLE_WORD = BENCH_DIR / "single_word.yaml"
LINES_EFFECTS = BENCH_DIR / "lines_effects.yaml"
SCENE_PAGES = BENCH_DIR / "scene_pages.yaml"
WORDS_WORKLOAD = "single word, 32 px"
LINES_WORKLOAD = "lines 20-60 chars + effects"
PAGES_WORKLOAD = "pages 1024x768, 20 words"
TRDG_VENV = BENCH_DIR / ".venv-trdg"
RAM_DISK = Path("/dev/shm")
# The same Latin files the single-word config draws from, so both sides rasterise the same outlines.
LATIN_FONTS = [
    REPO_DIR / "ocrgen/data/fonts" / name
    for name in ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "NotoSerif-Regular.ttf")
]
# Both sides render this many images first, untimed, so font loading and lazy imports stay out of the rates.
WARMUP = 50
ROUNDS = 3  # ocrgen and trdg take turns this many times on single words; lines on 1 worker and each plan row, as often
CONTAINER_WRITERS = {  # what each one stores per image, all in one container per shard
    "lmdb": "PNG and text label (as PARSeq reads it), one LMDB",
    "webdataset": "PNG, text and JSON label, tar shards of 1,000",
}
TARGET_TRDG_RATIO = 20.0
TARGET_TRDG_LINES_RATIO = 40.0
TARGET_LINES_RATE = 400  # lines-with-effects images/s on one worker
TARGET_PAGES_RATE = 20  # pages/s on one worker
TARGET_SCALING = 1.8
TARGET_DATALOADER = 0.9  # a DataLoader's images/s over render's, both with 2 processes
TARGET_RSS_GROWTH = 0.10
TARGET_PLAN_RATES = {"single word": 10_000, "lines": 5_000}  # records/s on one core, by workload
TARGET_BIG_PLAN_SECONDS = 120  # a 10^6-record plan of lines with effects, with every core of this machine


@dataclass(frozen=True)
class Sizes:
    render_words: int
    render_lines: int
    plan: int
    rss: tuple[int, ...]
    big_plan: int  # records of lines with effects planned by all the machine's cores
    render_pages: int


FULL = Sizes(
    render_words=3_000, render_lines=2_000, plan=10_000, rss=(10**3, 10**5, 10**6), big_plan=10**6, render_pages=300
)
QUICK = Sizes(
    render_words=500, render_lines=300, plan=1_000, rss=(10**3, 10**4, 10**5), big_plan=10**4, render_pages=40
)


@dataclass(frozen=True)
class Row:
    measurement: str
    workload: str
    records: int | None
    seconds: float | None
    result: str
    note: str = ""


@dataclass(frozen=True)
class Timing:
    """Wall time, and CPU time too: other load on the machine disturbs CPU-time rates less."""

    count: int
    seconds: float
    cpu_seconds: float | None = None

    @property
    def rate(self) -> float:
        return self.count / self.seconds

    @property
    def cpu_rate(self) -> float | None:
        return self.count / self.cpu_seconds if self.cpu_seconds else None


@dataclass(frozen=True)
class TrdgRun:
    timing: Timing
    mean_size: str
    dropped: int


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def machine() -> list[str]:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"CPU: {model}, {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable); load average at start {load}",
        f"Python {platform.python_version()}, numpy {version('numpy')}, Pillow {version('pillow')}, "
        f"{platform.system()} {platform.release()}",
        f"ocrgen {revision()}",
    ]


def revision() -> str:
    """Others edit ocrgen while benches run, so say exactly which code was measured."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "ocrgen"], cwd=REPO_DIR, capture_output=True, text=True)
    except OSError:
        return "(no git)"
    return f"at {head.stdout.strip() or '?'}" + (" with uncommitted changes in ocrgen/" if dirty.stdout.strip() else "")


def sized_config(config: Path, total: int, tmp: Path) -> Path:
    """A copy of a bench config that plans `total` records."""
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["total_images"] = total
    path = tmp / f"{config.stem}-{total}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def plan(config: Path, total: int, tmp: Path, workers: int = 1) -> tuple[Path, Timing, PlanStats]:
    output = tmp / f"{config.stem}-{total}.jsonl"
    sized = sized_config(config, total, tmp)
    clear_layout_cache()  # each timing starts cold: no layout shared from an earlier run in this process
    start, cpu = time.perf_counter(), cpu_seconds()
    stats = make_plan(sized, AssetDirs(), output, workers=workers)
    return output, Timing(total, time.perf_counter() - start, cpu_seconds() - cpu), stats


def render(plan_file: Path, out_dir: Path, workers: int, writer: WriterSpec | None = None) -> Timing:
    """The whole render as `ocrgen render` does it: parse, draw, PNG encode, label, atomic writes.

    CPU time counts the pool's workers too (they are reaped when the pool closes).
    """
    clear_layout_cache()  # nor from the planning of these very records, which ran in this process
    start, cpu = time.perf_counter(), cpu_seconds()
    summary = render_plan(plan_file, out_dir, workers=workers, writer=writer)
    seconds, used = time.perf_counter() - start, cpu_seconds() - cpu
    if summary.failed:
        raise RuntimeError(f"{summary.failed} records of {plan_file} failed to render: {dict(summary.reasons)}")
    return Timing(summary.rendered, seconds, used)


def median_run(runs: list[Timing]) -> Timing:
    """The run of median rate: one run of a few seconds moves by 10 % on this shared machine, its median less."""
    return sorted(runs, key=lambda run: run.rate)[len(runs) // 2]


def spread(runs: list[Timing]) -> str:
    rates = sorted(run.rate for run in runs)
    return f"median of {len(runs)} runs, {rates[0]:,.0f} to {rates[-1]:,.0f}/s"


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has reaped."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def warm_render(config: Path, total: int, tmp: Path) -> tuple[Path, Timing]:
    """Plan `total` records, render a small plan untimed, then time one worker on the big one."""
    plan_file, _, _ = plan(config, total, tmp)
    warm_plan, _, _ = plan(config, WARMUP, tmp)
    render(warm_plan, tmp / f"warm-{config.stem}", workers=1)
    return plan_file, render(plan_file, tmp / f"out-{config.stem}-1", workers=1)


def per_second(timing: Timing, unit: str) -> str:
    text = f"{timing.rate:,.0f} {unit}/s"
    return text + (f" (CPU time: {timing.cpu_rate:,.0f}/s)" if timing.cpu_rate else "")


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    return "met" if (value >= target if higher_is_better else value <= target) else "NOT met"


def render_rows(sizes: Sizes, tmp: Path, trdg_python: Path | None, trdg_setup: str) -> list[Row]:
    """Single-word render rates of ocrgen and trdg on the same words, and their ratio.

    The two take turns for `ROUNDS` rounds on the whole word list, so a machine that speeds up or
    slows down during the run (shared cloud cores do) bends both sides alike; the rates sum the rounds.
    """
    workload = WORDS_WORKLOAD
    log(f"rendering {sizes.render_words:,} single-word records, 1 worker (warm-up first)")
    plan_file, first = warm_render(SINGLE_WORD, sizes.render_words, tmp)
    with open(plan_file, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    width = sum(r["canvas"]["width"] for r in records) / len(records)
    height = sum(r["canvas"]["height"] for r in records) / len(records)
    size_note = f"mean {width:.0f}x{height:.0f} px; PNG + JSON label with per-character boxes"

    def without_trdg(why: str) -> list[Row]:
        return [
            Row(
                "ocrgen render, 1 worker", workload, first.count, first.seconds, per_second(first, "images"), size_note
            ),
            Row("trdg render, 1 core", workload, None, None, "not measured", why),
            Row("ocrgen / trdg", workload, None, None, "n/a", f"target ≥ {TARGET_TRDG_RATIO:.0f}x"),
        ]

    if trdg_python is None:
        return without_trdg(trdg_setup)
    ours: list[Timing] = [first]
    theirs: list[TrdgRun] = []
    words = [r["text"] for r in records]
    for turn in range(ROUNDS):
        log(f"round {turn + 1}/{ROUNDS}: the same {len(words):,} words with trdg, then with ocrgen")
        run = run_trdg(trdg_python, words, tmp / f"trdg-{turn}")
        if isinstance(run, str):
            return without_trdg(run)
        theirs.append(run)
        if turn < ROUNDS - 1:
            ours.append(render(plan_file, tmp / f"out-{SINGLE_WORD.stem}-round-{turn + 1}", workers=1))
    mine, other = summed(ours), summed([run.timing for run in theirs])
    ratio = mine.rate / other.rate
    cpu_ratio = mine.cpu_rate / other.cpu_rate if mine.cpu_rate and other.cpu_rate else None
    per_round = ", ".join(f"{o.rate / t.timing.rate:.1f}x" for o, t in zip(ours, theirs, strict=True))
    return [
        Row(
            "ocrgen render, 1 worker",
            workload,
            mine.count,
            mine.seconds,
            per_second(mine, "images"),
            f"{size_note}; {ROUNDS} rounds",
        ),
        Row(
            "trdg render, 1 core",
            workload,
            other.count,
            other.seconds,
            per_second(other, "images"),
            f"mean {theirs[0].mean_size} px; PNG only; {sum(t.dropped for t in theirs)} dropped by trdg; "
            f"{ROUNDS} rounds, taking turns with ocrgen; {trdg_setup}",
        ),
        Row(
            "ocrgen / trdg",
            workload,
            None,
            None,
            f"{ratio:.2f}x" + (f" (CPU time: {cpu_ratio:.2f}x)" if cpu_ratio else ""),
            f"target ≥ {TARGET_TRDG_RATIO:.0f}x: {verdict(ratio, TARGET_TRDG_RATIO)}; round by round {per_round}",
        ),
    ]


def summed(timings: list[Timing]) -> Timing:
    cpu = [t.cpu_seconds for t in timings]
    total_cpu = sum(c for c in cpu if c is not None) if all(c is not None for c in cpu) else None
    return Timing(sum(t.count for t in timings), sum(t.seconds for t in timings), total_cpu)


def disk_rows(sizes: Sizes, tmp: Path, scratch: Path | None) -> list[Row]:
    """The single-word render again with its files on the system temp dir, when the scratch dir is elsewhere."""
    if scratch is None:
        return []
    plan_file = tmp / f"{SINGLE_WORD.stem}-{sizes.render_words}.jsonl"
    log(f"rendering the {sizes.render_words:,} single-word records again, files on {tempfile.gettempdir()}")
    with tempfile.TemporaryDirectory(prefix="ocrgen-bench-disk-") as name:
        timing = render(plan_file, Path(name) / "out", workers=1)
    return [
        Row(
            "ocrgen render, 1 worker, files on disk",
            WORDS_WORKLOAD,
            timing.count,
            timing.seconds,
            per_second(timing, "images"),
            f"the same plan, written to {tempfile.gettempdir()}",
        )
    ]


def writer_rows(sizes: Sizes, tmp: Path) -> list[Row]:
    """The single-word plan into the container writers: one file per shard instead of two per image."""
    plan_file = tmp / f"{SINGLE_WORD.stem}-{sizes.render_words}.jsonl"
    rows = []
    for name in CONTAINER_WRITERS:
        log(f"rendering the {sizes.render_words:,} single-word records again, into the {name} writer")
        measurement = f"ocrgen render, 1 worker, {name} writer"
        try:
            timing = render(plan_file, tmp / f"out-{name}", workers=1, writer=WriterSpec(name=name))
        except (ImportError, OcrgenError) as error:
            rows.append(Row(measurement, WORDS_WORKLOAD, None, None, "not measured", str(error)))
            continue
        rows.append(
            Row(
                measurement,
                WORDS_WORKLOAD,
                timing.count,
                timing.seconds,
                per_second(timing, "images"),
                f"the same plan; {CONTAINER_WRITERS[name]}",
            )
        )
    return rows


def peer_environment() -> dict[str, str]:
    """The environment without PYTHONPATH, for every run of a peer's venv: the bench's own path must not leak
    into the peer's imports, its pip installs or its `pip freeze` (a cache key)."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}


def make_venv(venv: Path) -> str | None:
    """Create `venv` unless it exists; what went wrong, or None."""
    if (venv / "bin" / "python").exists():
        return None
    log(f"creating {venv}")
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True)
    return f"`python -m venv` failed: {tail(made.stderr)}" if made.returncode else None


def setup_trdg() -> tuple[Path | None, str]:
    """trdg's virtualenv, made and filled on first use; None and the reason when that is impossible here."""
    python = TRDG_VENV / "bin" / "python"
    problem = make_venv(TRDG_VENV)
    if problem:
        return None, problem
    installed = trdg_versions(python)
    if installed:
        return python, f"{installed} (venv reused)"
    errors = []
    for pillow in ("pillow<10", "pillow==9.5.0"):  # 9.5.0 is the last Pillow 9, should `<10` find no wheel
        log(f'pip install trdg "{pillow}" into {TRDG_VENV}')
        command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "trdg", pillow]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=900, env=peer_environment())
        except subprocess.TimeoutExpired:
            errors.append(f'`pip install trdg "{pillow}"` took over 15 minutes')
            continue
        installed = trdg_versions(python)
        if done.returncode == 0 and installed:
            return python, f'{installed} (`pip install trdg "{pillow}"`)'
        errors.append(f'`pip install trdg "{pillow}"` failed: {tail(done.stderr)}')
    return None, "; ".join(errors)


def trdg_versions(python: Path) -> str | None:
    """What the venv holds, or None when trdg does not import there."""
    probe = (
        "import importlib.metadata as m, trdg.generators; "
        "print(f\"trdg {m.version('trdg')}, Pillow {m.version('pillow')}\")"
    )
    done = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, env=peer_environment())
    return done.stdout.strip().splitlines()[-1] if done.returncode == 0 and done.stdout.strip() else None


def tail(text: str, lines: int = 3) -> str:
    """The end of a tool's error output, where the reason usually is, on one line."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip() and "WARNING" not in line]
    return " / ".join(kept[-lines:]) or "(no message)"


def run_trdg(
    python: Path, texts: list[str], work_dir: Path, workload: str = "words", height: int = 32
) -> TrdgRun | str:
    """trdg's rate on `texts` (workload `words` or `lines`, see trdg_child.py) in images `height` px high, or why
    it could not be measured; its files go to `work_dir`."""
    work_dir.mkdir()
    texts_file = work_dir / "texts.txt"
    texts_file.write_text("\n".join(texts) + "\n", encoding="utf-8")
    out_dir = work_dir / "out"
    out_dir.mkdir()
    command = [
        str(python),
        str(BENCH_DIR / "trdg_child.py"),
        workload,
        str(texts_file),
        str(len(texts)),
        str(WARMUP),
        str(height),
        str(out_dir),
        *map(str, LATIN_FONTS),
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=peer_environment())
    except subprocess.TimeoutExpired:
        return "trdg took over 30 minutes"
    if done.returncode:
        return f"trdg exited with code {done.returncode}: {tail(done.stderr)}"
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return f"trdg_child.py printed no result: {tail(done.stdout + done.stderr)}"
    return TrdgRun(
        Timing(result["images"], result["seconds"], result["cpu_seconds"]),
        f"{result['mean_width']:.0f}x{result['mean_height']:.0f}",
        result["skipped"],
    )


def lines_rows(sizes: Sizes, tmp: Path, trdg_python: Path | None, trdg_setup: str) -> list[Row]:
    """The lines workload on 1 worker, trdg on the same lines, then the plan on 2 workers: the rate per core,
    the ratio to trdg and how it scales."""
    workload = LINES_WORKLOAD
    log(f"rendering {sizes.render_lines:,} line records, 1 worker, {ROUNDS} times")
    plan_file, first = warm_render(LINES_EFFECTS, sizes.render_lines, tmp)
    runs = [first, *(render(plan_file, tmp / f"out-{LINES_EFFECTS.stem}-1-{turn}", 1) for turn in range(2, ROUNDS + 1))]
    one = median_run(runs)
    trdg_rows = trdg_lines_rows(plan_file, one, tmp, trdg_python, trdg_setup)
    log(f"rendering the same {sizes.render_lines:,} line records, 2 workers")
    two = render(plan_file, tmp / f"out-{LINES_EFFECTS.stem}-2", workers=2)
    scaling = two.rate / one.rate
    busy = (two.cpu_seconds or 0) / two.seconds
    efficiency = (two.cpu_rate or 0) / (one.cpu_rate or 1)
    return [
        Row(
            "ocrgen render, 1 worker",
            workload,
            one.count,
            one.seconds,
            per_second(one, "images"),
            f"target ≥ {TARGET_LINES_RATE}/s: {verdict(one.rate, TARGET_LINES_RATE)}; {spread(runs)}",
        ),
        Row(
            "ocrgen render, 2 workers",
            workload,
            two.count,
            two.seconds,
            per_second(two, "images"),
            f"{two.rate / 2:,.0f} images/s per worker; CPU time / wall time = {busy:.2f} cores busy",
        ),
        Row(
            "scaling, 2 workers / 1",
            workload,
            None,
            None,
            f"{scaling:.2f}x",
            f"target ≥ {TARGET_SCALING}: {verdict(scaling, TARGET_SCALING)}; images per CPU-second "
            f"{efficiency:.2f}x of 1 worker's, the rest of any shortfall is idle cores (start-up, tail, other load)",
        ),
        *trdg_rows,
        *dataloader_rows(plan_file, two),
    ]


def trdg_lines_rows(plan_file: Path, ours: Timing, tmp: Path, trdg_python: Path | None, trdg_setup: str) -> list[Row]:
    """trdg on the texts of the lines plan, with its own skew and blur, right after ocrgen's one-worker run."""
    workload, measurement = LINES_WORKLOAD, "trdg render, 1 core"
    if trdg_python is None:
        return [Row(measurement, workload, None, None, "not measured", trdg_setup)]
    with open(plan_file, encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    height = round(sum(r["canvas"]["height"] for r in records) / len(records))
    log(f"the same {len(records):,} lines with trdg (random skew and blur), {height} px high")
    run = run_trdg(trdg_python, [r["text"] for r in records], tmp / "trdg-lines", "lines", height)
    if isinstance(run, str):
        return [Row(measurement, workload, None, None, "not measured", run)]
    ratio = ours.rate / run.timing.rate
    cpu_ratio = ours.cpu_rate / run.timing.cpu_rate if ours.cpu_rate and run.timing.cpu_rate else None
    return [
        Row(
            measurement,
            workload,
            run.timing.count,
            run.timing.seconds,
            per_second(run.timing, "images"),
            f"the same texts and fonts, {height} px high (ocrgen's mean canvas), random skew up to 5 degrees and "
            "blur up to radius 1, plain white; "
            f"mean {run.mean_size} px; PNG only; {run.dropped} dropped by trdg",
        ),
        Row(
            "ocrgen / trdg",
            workload,
            None,
            None,
            f"{ratio:.2f}x" + (f" (CPU time: {cpu_ratio:.2f}x)" if cpu_ratio else ""),
            f"target ≥ {TARGET_TRDG_LINES_RATIO:.0f}x: {verdict(ratio, TARGET_TRDG_LINES_RATIO)}; ocrgen also draws "
            "noise and JPEG artefacts and writes labels with per-character boxes",
        ),
    ]


def _as_list(batch: list[object]) -> list[object]:
    return batch


def dataloader_rows(plan_file: Path, render_two: Timing) -> list[Row]:
    """A PyTorch DataLoader with 2 workers over `PlanDataset` on the plan `render_two` timed, right after it.

    The items (pixels and label data) reach the training process; nothing is encoded or written.
    The line index is built before the clock starts, as it is once per plan and then kept beside it.
    """
    workload, measurement = LINES_WORKLOAD, "DataLoader over PlanDataset, 2 workers"
    try:
        from torch.utils.data import DataLoader

        from ocrgen.torch import PlanDataset
    except ImportError as error:
        return [Row(measurement, workload, None, None, "not measured", str(error))]
    log("reading the same plan through a DataLoader over PlanDataset, 2 workers")
    start = time.perf_counter()
    dataset = PlanDataset(plan_file)
    indexed = time.perf_counter() - start
    loader = DataLoader(dataset, batch_size=32, num_workers=2, collate_fn=_as_list)
    clear_layout_cache()  # the loader's workers fork from this process: they start cold, as render's did
    start, cpu = time.perf_counter(), cpu_seconds()
    count = sum(len(batch) for batch in loader)
    timing = Timing(count, time.perf_counter() - start, cpu_seconds() - cpu)
    ratio = timing.rate / render_two.rate
    cpu_ratio = timing.cpu_rate / render_two.cpu_rate if timing.cpu_rate and render_two.cpu_rate else None
    return [
        Row(
            measurement,
            workload,
            timing.count,
            timing.seconds,
            per_second(timing, "images"),
            f"batches of 32 (image arrays and label data) into the training process; the plan's line index "
            f"built first in {indexed:.2f} s",
        ),
        Row(
            "DataLoader / render, 2 workers",
            workload,
            None,
            None,
            f"{ratio:.2f}x" + (f" (CPU time: {cpu_ratio:.2f}x)" if cpu_ratio else ""),
            f"target ≥ {TARGET_DATALOADER}: {verdict(ratio, TARGET_DATALOADER)}; render also encodes PNGs and "
            "writes files",
        ),
    ]


def page_rows(sizes: Sizes, tmp: Path) -> list[Row]:
    """Pages for text detection on 1 worker: the rate per core, and how many of their texts found room."""
    log(f"rendering {sizes.render_pages:,} pages, 1 worker")
    plan_file, one = warm_render(SCENE_PAGES, sizes.render_pages, tmp)
    texts = sum(len(json.loads(line)["instances"]) for line in plan_file.read_bytes().splitlines())
    return [
        Row(
            "ocrgen render, 1 worker",
            PAGES_WORKLOAD,
            one.count,
            one.seconds,
            per_second(one, "pages"),
            f"target ≥ {TARGET_PAGES_RATE}/s: {verdict(one.rate, TARGET_PAGES_RATE)}; "
            f"{texts / sizes.render_pages:.1f} texts a page placed of 20",
        )
    ]


def plan_rows(sizes: Sizes, tmp: Path) -> tuple[list[Row], Timing]:
    """Planning on one core for both workloads, then lines on two, whose file must be the one-core file;
    with the one-core timing of lines, which the big plan's rate is set against."""
    rows = []
    one_core = {}
    for config, workload, target in (
        (SINGLE_WORD, WORDS_WORKLOAD, TARGET_PLAN_RATES["single word"]),
        (LINES_EFFECTS, LINES_WORKLOAD, TARGET_PLAN_RATES["lines"]),
    ):
        log(f"planning {sizes.plan:,} records of {config.name}, {ROUNDS} times")
        runs = [plan(config, sizes.plan, tmp) for _ in range(ROUNDS)]
        plan_file, _, stats = runs[0]
        timing = median_run([timing for _, timing, _ in runs])
        one_core[config] = plan_file.read_bytes(), timing
        redone = ", ".join(f"{reason} {count:,}" for reason, count in stats.resampled.items()) or "none"
        rows.append(
            Row(
                "plan, 1 worker",
                workload,
                sizes.plan,
                timing.seconds,
                per_second(timing, "records"),
                f"target ≥ {target:,}/s: {verdict(timing.rate, target)}; {spread([t for _, t, _ in runs])}; "
                f"draws redone: {redone}",
            )
        )
    log(f"planning {sizes.plan:,} records of {LINES_EFFECTS.name} with 2 workers, {ROUNDS} times")
    one_bytes, one = one_core[LINES_EFFECTS]
    runs = [plan(LINES_EFFECTS, sizes.plan, tmp, workers=2) for _ in range(ROUNDS)]
    if any(two_file.read_bytes() != one_bytes for two_file, _, _ in runs):
        raise RuntimeError("planning with 2 workers wrote another file than with 1")
    two = median_run([timing for _, timing, _ in runs])
    scaling = two.rate / one.rate
    rows.append(
        Row(
            "plan, 2 workers",
            LINES_WORKLOAD,
            sizes.plan,
            two.seconds,
            per_second(two, "records"),
            f"{scaling:.2f}x one worker, target ≥ {TARGET_SCALING}: {verdict(scaling, TARGET_SCALING)}; "
            f"{spread([t for _, t, _ in runs])}; the same file byte for byte",
        )
    )
    return rows, one


def big_plan_rows(sizes: Sizes, tmp: Path, one_core: Timing) -> list[Row]:
    """A plan of lines with effects at the size a cluster run plans, with every core, in a process of its own;
    its rate against `one_core`'s, which a plan of 10,000 records, a second or two, pays start-up out of."""
    workers = usable_cpus()
    log(f"planning {sizes.big_plan:,} records of {LINES_EFFECTS.name} with {workers} workers in a child process")
    plan_file = tmp / "big-lines.jsonl"
    config = sized_config(LINES_EFFECTS, sizes.big_plan, tmp)
    peak, seconds = child_peak_rss(["plan", str(config), str(plan_file), str(workers)])
    size = plan_file.stat().st_size / 2**20
    plan_file.unlink()
    target = TARGET_BIG_PLAN_SECONDS if sizes.big_plan == 10**6 else None
    verdict_note = f"target ≤ {target} s: {verdict(seconds, target, higher_is_better=False)}; " if target else ""
    return [
        Row(
            f"plan, {workers} workers",
            LINES_WORKLOAD,
            sizes.big_plan,
            seconds,
            f"{sizes.big_plan / seconds:,.0f} records/s",
            f"{verdict_note}{sizes.big_plan / seconds / one_core.rate:.2f}x one worker's rate above; "
            f"peak RSS of the parent {peak:,.0f} MiB; file {size:,.0f} MiB",
        )
    ]


def child_peak_rss(args: list[str]) -> tuple[float, float]:
    """Peak RSS in MiB and wall seconds of one planning or rendering run in a process of its own."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(BENCH_DIR / "memory_child.py"), *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"memory_child.py {' '.join(args)} failed: {tail(done.stderr)}")
    return int(done.stdout.split()[-1]) / 1024, seconds


def memory_rows(sizes: Sizes, tmp: Path) -> list[Row]:
    """Peak RSS of planning N records to a file, and of rendering about 1,000 records of each such plan.

    Rendering all of a 10^6-record plan would take hours, but memory that grows with the
    plan shows up just the same when one shard of ~1,000 records is read from a big file.
    """
    workload = WORDS_WORKLOAD
    rows: list[Row] = []
    planned: list[float] = []
    for total in sizes.rss:
        log(f"peak RSS: planning {total:,} records in a child process")
        plan_file = tmp / f"rss-{total}.jsonl"
        peak, seconds = child_peak_rss(["plan", str(sized_config(SINGLE_WORD, total, tmp)), str(plan_file)])
        planned.append(peak)
        size = plan_file.stat().st_size / 2**20
        rows.append(
            Row(
                "peak RSS, plan streamed to a file",
                workload,
                total,
                seconds,
                f"{peak:,.0f} MiB",
                f"{total / seconds:,.0f} records/s incl. start-up; file {size:,.0f} MiB",
            )
        )
    rendered: list[float] = []
    for total in sizes.rss:
        shards = max(1, total // 1000)
        log(f"peak RSS: rendering shard 0/{shards} of the {total:,}-record plan in a child process")
        out_dir = tmp / f"out-rss-{total}"
        peak, seconds = child_peak_rss(["render", str(tmp / f"rss-{total}.jsonl"), str(out_dir), str(shards)])
        rendered.append(peak)
        images = sum(1 for _ in out_dir.glob("*.png"))
        rows.append(
            Row(
                "peak RSS, render ~1,000 records of the plan",
                f"{workload}, plan of {total:,}",
                images,
                seconds,
                f"{peak:,.0f} MiB",
                f"shard 0/{shards}, 1 worker",
            )
        )
        (tmp / f"rss-{total}.jsonl").unlink()
    for name, peaks in (("plan", planned), ("render", rendered)):
        growth = peaks[-1] / peaks[0] - 1
        rows.append(
            Row(
                f"peak RSS growth, {name}",
                f"{sizes.rss[-1]:,} vs {sizes.rss[0]:,} records",
                None,
                None,
                f"{growth:+.1%}",
                f"target ≤ {TARGET_RSS_GROWTH:.0%}: {verdict(growth, TARGET_RSS_GROWTH, higher_is_better=False)}",
            )
        )
    return rows


def report(command: str, header: list[str], rows: list[Row], elapsed: float) -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    lines = [
        "# ocrgen bench",
        "",
        f"Command: `{command}` ({elapsed / 60:.1f} min)",
        "",
        *(f"- {line}" for line in header),
        "",
        "| measurement | workload | records | seconds | result | note |",
        "|---|---|--:|--:|---|---|",
    ]
    for row in rows:
        records = f"{row.records:,}" if row.records is not None else ""
        seconds = f"{row.seconds:.1f}" if row.seconds is not None else ""
        lines.append(f"| {row.measurement} | {row.workload} | {records} | {seconds} | {row.result} | {row.note} |")
    lines += [
        "",
        "Renders run in-process through `render_plan` and include parsing, drawing, PNG encoding and "
        "atomic file writes, after an untimed warm-up of "
        f"{WARMUP} images. CPU-time rates divide by the CPU time the work used (pool workers included), so "
        f"other load on the machine bends them less than wall-clock rates; load average at the end: {load}. "
        "trdg gets the same words and the same Latin font files (`GeneratorFromStrings`, `size=32`, "
        "`background_type=1`, plain white) and saves each image as PNG. Peak RSS is each child process's "
        "own VmHWM.",
    ]
    return "\n".join(lines) + "\n"


def results_path(quick: bool) -> Path:
    return BENCH_DIR / ("results-quick.md" if quick else "results.md")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (memory rows at 10^3/10^4/10^5)")
    parser.add_argument(
        "--scratch",
        type=Path,
        default=RAM_DISK if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK) else None,
        help="where plans and images go (default: /dev/shm when there is one, a RAM disk, so the figures "
        "measure ocrgen and trdg rather than this machine's disk; else the system temp dir)",
    )
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    command = shlex.join(["python", *sys.argv])
    header = [*machine(), f"Scratch dir (plans and images): {args.scratch or tempfile.gettempdir()}"]
    started = time.perf_counter()
    trdg_python, trdg_setup = setup_trdg()  # installing is not measured, so it goes first
    with tempfile.TemporaryDirectory(prefix="ocrgen-bench-", dir=args.scratch) as name:
        tmp = Path(name)
        planned, one_core_lines = plan_rows(sizes, tmp)
        rows = [
            *render_rows(sizes, tmp, trdg_python, trdg_setup),
            *disk_rows(sizes, tmp, args.scratch),
            *writer_rows(sizes, tmp),
            *lines_rows(sizes, tmp, trdg_python, trdg_setup),
            *page_rows(sizes, tmp),
            *planned,
            *big_plan_rows(sizes, tmp, one_core_lines),
            *memory_rows(sizes, tmp),
        ]
    text = report(command, header, rows, time.perf_counter() - started)
    print(text, end="")
    results_path(args.quick).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
