"""Compare generators by what their data teaches: one fixed CRNN trained on each one's lines, then read real scans.

    python bench/downstream.py                 # the full run: writes bench/results-downstream.md
    python bench/downstream.py --quick         # a smoke run in minutes: bench/results-downstream-quick.md
    python bench/downstream.py --setup         # only install and prepare what the bench needs
    python bench/downstream.py --data-only     # only make the data sets (the slow part for trdg and SynthTIGER)

ocrgen (examples/scanned_print.yaml, or --ocrgen-config), trdg and SynthTIGER each render the same
N strings (English prose from Debian's fortunes) with the same fonts (Debian's Liberation, FreeFont,
DejaVu and URW base35); the peers run in their own virtualenvs. The same CRNN (bench/crnn.py) is
trained on each set for the same number of steps, batch size and seed, then reads the real
scanned lines in ../shared/real/uw3-dev (measurement only: never trained or tuned on) and 500
held-out lines of every generator (the cross matrix). Tesseract reads the real lines as the reference.

Everything slow is cached under bench/.cache/downstream/: the data sets (keyed by everything that
decides them, ocrgen's own code included) and the trained models (keyed by their data and training
settings), so a rerun only redoes what changed. The models train one after another in a process of
their own, each as soon as its set is made, while the sets after it are made: the first trainings
run alongside SynthTIGER's slow set instead of after it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shlex
import statistics
import sys
import time
from collections import Counter
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch
from PIL import Image

import line_corpus
from bench import log as bench_log
from bench import machine, setup_trdg
from crnn import BLOCKS, CHARSET, CRNN, HIDDEN, parameter_count
from font_set import FONT_PACKAGES, TOOL_PACKAGES, FontSet, SetupError, font_set, install_packages
from gen_ocrgen import OcrgenMaker
from gen_synthtiger import SynthtigerMaker, SynthtigerSetupError, setup_synthtiger, synthtiger_source
from gen_trdg import TrdgMaker
from line_images import MAX_WIDTH, LineSet
from ocr_scores import Scores, cer_interval, confusions, score
from ocrgen.errors import OcrgenError
from real_lines import RealLines, default_dir, load_real, tesseract_read, tesseract_version
from set_cache import BENCH_DIR, CACHE_DIR, LineSetFiles, Maker, digest, file_digest, line_set
from train_crnn import Settings, Trained, load_trained, read, save, train

REPO_DIR = BENCH_DIR.parent
GENERATORS = ("ocrgen", "trdg", "synthtiger")
DEFAULT_CONFIG = REPO_DIR / "examples" / "scanned_print.yaml"
SEED = 0  # of the strings, the peers' draws and the training


@dataclass(frozen=True)
class Size:
    n: int
    held_out: int
    steps: int


# 10,000 lines: SynthTIGER makes about 2 lines/s per core, so its set takes about 45 minutes on 2 cores, while
# the ocrgen and trdg models train beside it. 3,000 steps of 16 see each line 4.8 times: at 1,500 steps
# SynthTIGER's model had not yet learnt its own lines (31 % CER on them), which said more about the budget
# than about its data. The whole run, data for all three included, took 74 minutes from scratch.
FULL = Size(n=10_000, held_out=500, steps=3_000)
QUICK = Size(n=300, held_out=50, steps=40)
SMOKE_STEPS = 300  # fewer steps than this leave the model at CTC's all-blank stage (about 250 steps)


def log(message: str) -> None:
    bench_log(f"downstream: {message}")


@dataclass
class Run:
    """One generator's part of the run: its sets, its model, and why it is missing when it is."""

    name: str
    setup: str = ""
    skipped: str = ""
    describe: str = ""
    train: LineSetFiles | None = None
    held_out: LineSetFiles | None = None
    trained: Trained | None = None
    trained_now: bool = False
    real: Scores | None = None
    real_confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    real_interval: tuple[float, float] = (0.0, 0.0)
    cross: dict[str, Scores] = field(default_factory=dict)


@dataclass(frozen=True)
class Tools:
    """What the set-up prepared: the font set and the peers' interpreters (None when a peer is not run)."""

    fonts: FontSet
    trdg: Path | None = None
    synthtiger: Path | None = None
    synthtiger_source: Path | None = None


def setup(runs: dict[str, Run], synthtiger_src: Path | None) -> Tools:
    """Debian packages, the font set and the peers' virtualenvs; a peer that cannot be set up is skipped, with why."""
    install_packages(FONT_PACKAGES + TOOL_PACKAGES, log)
    fonts = font_set(CACHE_DIR / "fonts")
    log(fonts.describe())
    trdg = synthtiger = source = None
    if "trdg" in runs:
        trdg, runs["trdg"].setup = setup_trdg()
        if trdg is None:
            runs["trdg"].skipped = f"trdg could not be set up: {runs['trdg'].setup}"
    if "synthtiger" in runs:
        try:
            source, where = synthtiger_source(synthtiger_src)
        except SynthtigerSetupError as error:
            runs["synthtiger"].skipped = str(error)
        else:
            synthtiger, note = setup_synthtiger(source, log)
            runs["synthtiger"].setup = f"{note}; source: {where}"
            if synthtiger is None:
                runs["synthtiger"].skipped = f"SynthTIGER could not be set up: {note}"
    return Tools(fonts, trdg, synthtiger, source)


def makers(
    runs: dict[str, Run], tools: Tools, strings: line_corpus.Strings, config: Path, processes: int
) -> dict[str, Maker]:
    made: dict[str, Maker] = {}
    fonts = tools.fonts
    for name, run in runs.items():
        if run.skipped:
            continue
        if name == "ocrgen":
            made[name] = OcrgenMaker(config, fonts.directory, fonts.digest, line_corpus.MAX_LENGTH, processes)
        elif name == "trdg" and tools.trdg is not None:
            made[name] = TrdgMaker(tools.trdg, fonts, processes, SEED)
        elif tools.synthtiger is not None and tools.synthtiger_source is not None:
            made[name] = SynthtigerMaker(
                tools.synthtiger, tools.synthtiger_source, fonts, strings.distractors, processes, SEED
            )
        run.describe = made[name].describe()
    return made


def model_path(data: LineSetFiles, settings: Settings) -> Path:
    code = file_digest(*(BENCH_DIR / name for name in ("crnn.py", "line_images.py", "train_crnn.py")))
    # Threads change only how fast a model trains, not what it learns: runs side by side reuse each other's models.
    training = {name: value for name, value in asdict(settings).items() if name != "threads"}
    key = digest(data.directory.name, len(data.images), training, code, torch.__version__)
    return CACHE_DIR / "models" / f"{data.directory.name.split('-')[0]}-{key}.pt"


def start_training(trainer: ProcessPoolExecutor, run: Run, settings: Settings) -> Future[None] | None:
    """Train `run`'s model in the trainer's process, or None when a model trained earlier is cached."""
    assert run.train is not None
    path = model_path(run.train, settings)
    if path.exists() and path.with_suffix(".json").exists():
        log(f"{run.name}: reusing the model trained earlier ({path.name})")
        return None
    run.trained_now = True
    return trainer.submit(train_to, run.name, run.train.images, run.train.labels, settings, path)


def train_to(name: str, images: list[Path], labels: list[str], settings: Settings, path: Path) -> None:
    log(f"training on {len(images):,} {name} lines: {settings.steps:,} steps of {settings.batch}")
    save(train(LineSet(images, labels), settings, lambda message: log(f"{name} {message}")), settings, path)


def trained_model(run: Run, settings: Settings) -> None:
    assert run.train is not None
    run.trained = load_trained(model_path(run.train, settings))


def contact_sheet(images: list[Path], out: Path, height: int = 40, width: int = 1200) -> Path:
    """The images one under another at one height, to look at what a generator made."""
    rows = []
    for path in images:
        with Image.open(path) as image:
            line = image.convert("RGBA")
        scaled = line.resize((max(1, round(line.width * height / line.height)), height))
        flat = Image.alpha_composite(Image.new("RGBA", scaled.size, (255, 255, 255, 255)), scaled).convert("RGB")
        rows.append(flat.crop((0, 0, min(flat.width, width), height)))
    sheet = Image.new("RGB", (width, len(rows) * (height + 4)), (255, 0, 255))
    for i, row in enumerate(rows):
        sheet.paste(row, (0, i * (height + 4)))
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"smoke run: N={QUICK.n}, {QUICK.steps} steps, {QUICK.held_out} held-out lines",
    )
    parser.add_argument("--setup", action="store_true", help="only install and prepare what the bench needs")
    parser.add_argument("--data-only", action="store_true", help="only make (or find) the data sets, then stop")
    parser.add_argument("--generators", default=",".join(GENERATORS), help="comma-separated subset of %(default)s")
    parser.add_argument("--ocrgen-config", type=Path, default=DEFAULT_CONFIG, help="ocrgen batch config")
    parser.add_argument("--n", type=int, help=f"training lines per generator (default {FULL.n:,})")
    parser.add_argument("--held-out", type=int, help=f"held-out lines per generator (default {FULL.held_out})")
    parser.add_argument("--steps", type=int, help=f"optimizer steps (default {FULL.steps:,})")
    parser.add_argument("--batch", type=int, default=Settings.batch, help="batch size (default %(default)s)")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch threads per training (default %(default)s: it shares the cores)"
    )
    parser.add_argument("--processes", type=int, default=2, help="processes making each data set (default 2)")
    parser.add_argument("--real", type=Path, default=default_dir(REPO_DIR), help="real lines (default %(default)s)")
    parser.add_argument("--synthtiger-src", type=Path, help="a SynthTIGER checkout (default: the local snapshot)")
    parser.add_argument("--sheets", action="store_true", help="write a contact sheet of each training set")
    parser.add_argument("--out", type=Path, help="results file (default bench/results-downstream[-quick].md)")
    args = parser.parse_args()
    asked = {name.strip() for name in args.generators.split(",") if name.strip()}
    unknown = sorted(asked - set(GENERATORS))
    generators = [name for name in GENERATORS if name in asked]
    if unknown or not generators:
        parser.error(f"--generators takes names from {', '.join(GENERATORS)}; not {', '.join(unknown) or 'none'}")
    if not args.ocrgen_config.is_file():
        parser.error(f"--ocrgen-config {args.ocrgen_config} is not a file")
    for option in ("n", "held_out", "steps", "batch", "threads", "processes"):
        if getattr(args, option) is not None and getattr(args, option) < 1:
            parser.error(f"--{option.replace('_', '-')} must be at least 1")
    base = QUICK if args.quick else FULL
    size = Size(args.n or base.n, args.held_out or base.held_out, args.steps or base.steps)
    settings = replace(Settings(), steps=size.steps, batch=args.batch, seed=SEED, threads=args.threads)
    command = shlex.join(["python", *sys.argv])
    started = time.perf_counter()
    runs = {name: Run(name) for name in generators}
    try:
        tools = setup(runs, args.synthtiger_src)
    except (SetupError, OSError) as error:
        sys.exit(f"downstream: set-up failed: {error}")
    if args.setup:
        log("set-up done")
        return

    paragraphs = line_corpus.read_paragraphs()
    strings = line_corpus.cut_strings(paragraphs, size.n, size.held_out, SEED)
    strings_key = line_corpus.corpus_digest(paragraphs, SEED)
    # One trainer process: a model trains while the sets after it are made, one model at a time.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as trainer:
        trainings: list[Future[None]] = []
        try:
            for name, maker in makers(runs, tools, strings, args.ocrgen_config, args.processes).items():
                run = runs[name]
                run.train = line_set(maker, "train", strings_key, strings.train, log)
                training = None if args.data_only else start_training(trainer, run, settings)
                trainings += [training] if training else []
                run.held_out = line_set(maker, "held-out", strings_key, strings.held_out, log)
        except OcrgenError as error:  # a bad --ocrgen-config: its problems, not a traceback
            print(f"downstream: {error}", file=sys.stderr)
            trainer.shutdown(cancel_futures=True)
            sys.exit(2)
        for name, run in runs.items():
            if args.sheets and run.train is not None:
                log(f"contact sheet: {contact_sheet(run.train.images[:24], CACHE_DIR / 'sheets' / f'{name}.png')}")
        if args.data_only:
            log(f"data sets ready ({time.perf_counter() - started:.0f} s)")
            return
        for training in trainings:
            training.result()
    for run in runs.values():
        if not run.skipped:
            trained_model(run, settings)

    real = load_real(args.real)
    ready = [run for run in runs.values() if run.trained is not None]
    for run in ready:
        assert run.trained is not None
        if real is not None:
            log(f"{run.name} model reading the {len(real.images)} real lines")
            pairs = list(zip(read(run.trained.model, real.images), real.truths, strict=True))
            run.real = score(pairs)
            run.real_confusions = confusions(pairs)
            run.real_interval = cer_interval(pairs)
        for other in ready:
            assert other.held_out is not None
            log(f"{run.name} model reading {len(other.held_out.images)} held-out {other.name} lines")
            texts = read(run.trained.model, other.held_out.images)
            run.cross[other.name] = score(zip(texts, other.held_out.labels, strict=True))
    tesseract = None
    if real is not None and tesseract_version():
        log("Tesseract reading the real lines")
        tesseract = score(zip(tesseract_read(real.images), real.truths, strict=True))

    elapsed = time.perf_counter() - started
    text = report(
        command, size, settings, tools.fonts, strings, runs, args.real, real, tesseract, args.processes, elapsed
    )
    out = args.out or BENCH_DIR / ("results-downstream-quick.md" if args.quick else "results-downstream.md")
    out.write_text(text, encoding="utf-8")
    print(text, end="")
    log(f"wrote {out}")


def percent(value: float) -> str:
    return f"{100 * value:.2f} %"


def report(
    command: str,
    size: Size,
    settings: Settings,
    fonts: FontSet,
    strings: line_corpus.Strings,
    runs: dict[str, Run],
    real_dir: Path,
    real: RealLines | None,
    tesseract: Scores | None,
    processes: int,
    elapsed: float,
) -> str:
    lengths = [len(s) for s in strings.train]
    ready = [run for run in runs.values() if run.trained is not None]
    lines = [
        "# Downstream bench: what each generator's data teaches a recognizer",
        "",
        f"Command: `{command}` ({elapsed / 60:.1f} min in all)",
        "",
        *(
            [
                "A smoke run: it checks that every stage works. After so few steps a CTC model still outputs "
                "(almost) nothing, so its scores say nothing about the generators.",
                "",
            ]
            if size.steps < SMOKE_STEPS
            else []
        ),
        *(f"- {line}" for line in machine()),
        f"- torch {torch.__version__}, {settings.threads} threads; Tesseract: {tesseract_version() or 'not installed'}",
        "",
        "## Real scanned lines",
        "",
    ]
    if real is None:
        lines += [f"No real lines found in `{real_dir}`: the real columns are left out.", ""]
    else:
        lines += [
            f"{len(real.images)} lines ({sum(len(t) for t in real.truths):,} characters) from `{real.directory}`: "
            "measurement only, never trained or tuned on. CER = sum of edit distances / sum of ground-truth "
            "lengths; line accuracy = lines read exactly. The CER range holds 95 % of the CERs of as many "
            "lines drawn again from these (with repeats): how far other lines of the same kind could move it.",
            "",
            "| trained on | CER | CER range | line accuracy | data: made in | training |",
            "|---|--:|--:|--:|---|---|",
        ]
        for run in runs.values():
            if run.trained is None or run.real is None:
                lines.append(f"| {run.name} | | | | not run: {run.skipped} | |")
                continue
            low, high = run.real_interval
            lines.append(
                f"| {run.name} | {percent(run.real.cer)} | {percent(low)} - {percent(high)} | "
                f"{percent(run.real.line_accuracy)} | {made_text(run)} | {trained_text(run)} |"
            )
        if tesseract is not None:
            lines.append(
                f"| Tesseract 5 (`--psm 7 -l eng`), reference | {percent(tesseract.cer)} | | "
                f"{percent(tesseract.line_accuracy)} | | |"
            )
        lines += ["", "Each model's most frequent mistakes on these lines (truth → read, times):", ""]
        lines += [f"- {run.name}: {mistakes(run.real_confusions)}" for run in ready if run.real_confusions]
        lines.append("")
    if ready:
        lines += [
            f"## Cross matrix: CER (line accuracy) on {size.held_out} held-out lines of each generator",
            "",
            "Rows: the generator the model trained on. Columns: the generator that drew the held-out lines "
            "(strings from fortunes never used for training).",
            "",
            "| trained on \\ read | " + " | ".join(run.name for run in ready) + " |",
            "|---|" + "--:|" * len(ready),
        ]
        for run in ready:
            cells = [f"{percent(run.cross[o.name].cer)} ({percent(run.cross[o.name].line_accuracy)})" for o in ready]
            lines.append(f"| {run.name} | " + " | ".join(cells) + " |")
        lines.append("")
    model = CRNN()
    lines += [
        "## Set-up",
        "",
        f"- N = {size.n:,} training lines per generator, {size.held_out} held-out; {settings.steps:,} optimizer "
        f"steps of batch {settings.batch} ({settings.steps * settings.batch:,} lines seen, "
        f"{settings.steps * settings.batch / size.n:.2f} epochs), seed {settings.seed}, the same for every generator.",
        f"- Model: `bench/crnn.py`, {parameter_count(model):,} parameters: {len(BLOCKS)} conv-BN-ReLU blocks "
        f"({', '.join(str(channels) for channels, _ in BLOCKS)} channels), 2-layer BiLSTM ({HIDDEN} per direction), "
        f"CTC over {len(CHARSET)} printable ASCII characters + blank; input 32 px high, "
        f"grayscale, composited on white, aspect kept (width ≤ {MAX_WIDTH:,} px); greedy decoding. "
        f"AdamW, one-cycle learning rate up to {settings.max_lr:g} ({settings.warmup:.0%} warm-up), weight decay "
        f"{settings.weight_decay:g}, gradient norm clipped at {settings.clip:g}; batches of lines of like length "
        f"(`bench/train_crnn.py`); {settings.loader_workers} data-loader worker.",
        f"- Strings: English prose from Debian's `fortunes` ({line_corpus.FORTUNE_DIR}), printable ASCII, runs of "
        f"whole words of 1-{line_corpus.MAX_LENGTH} characters (mean {statistics.mean(lengths):.1f}, median "
        f"{statistics.median(lengths):.0f}); see `bench/line_corpus.py`. Every generator renders the same "
        "strings in the same order; held-out strings come from fortunes set aside.",
        f"- Fonts: {fonts.describe()}; every generator gets all of them.",
    ]
    for name in GENERATORS:
        if name in runs:
            run = runs[name]
            notes = "; ".join(note for note in (run.describe or "not run", run.setup, run.skipped) if note)
            lines.append(f"- {name}: {notes}.")
    lines += [
        f"- Data sets are made by {processes} processes per generator, cached in `bench/.cache/downstream/` with "
        "the trained models; 'cached' times are those of the run that made the set. Times are wall times on a "
        "shared machine: the budget is the number of steps, not time.",
        "",
    ]
    return "\n".join(lines)


def mistakes(counts: Counter[tuple[str, str]], shown: int = 10) -> str:
    return ", ".join(f"`{truth or '∅'}` → `{read or '∅'}` {n}" for (truth, read), n in counts.most_common(shown))


def made_text(run: Run) -> str:
    assert run.train is not None
    count = len(run.train.images)
    per_image = run.train.seconds / max(run.train.made, 1)
    text = f"{per_image * count / 60:.1f} min for {count:,} ({per_image * 1000:.0f} ms/image)"
    return text + (" (cached)" if run.train.reused == count else "")


def trained_text(run: Run) -> str:
    assert run.trained is not None
    text = f"{run.trained.seconds / 60:.1f} min, final loss {run.trained.final_loss:.3f}"
    return text + ("" if run.trained_now else " (cached)")


if __name__ == "__main__":
    main()
