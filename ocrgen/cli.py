"""The `ocrgen` command: plan, render, generate (both at once) and validate."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TextIO

import click
from pydantic import TypeAdapter

from ocrgen.assets import DEFAULT_CONFIG, AssetResolver, asset_roots
from ocrgen.cpus import usable_cpus
from ocrgen.destinations import writable_dir, writable_file
from ocrgen.digests import file_sha256
from ocrgen.errors import OcrgenError
from ocrgen.planner import AssetDirs, load_config, make_plan, stream_plan, validate
from ocrgen.planner.styles import NO_OTHER_STYLE
from ocrgen.plural import counted
from ocrgen.renderer.arrayjob import shard_from_environment
from ocrgen.renderer.lock import output_lock
from ocrgen.renderer.outdir import prepare_output_dir
from ocrgen.renderer.output import IMAGE_FORMATS
from ocrgen.renderer.planfile import PlanLine, Shard, check_shard, count_records, parse_record, shard_lines
from ocrgen.renderer.preview import BOX_KINDS, contact_sheet, save_sheet, sheet_format
from ocrgen.renderer.progress import Progress
from ocrgen.renderer.run import RenderOptions, RenderSummary, failures_name, render_lines, render_plan
from ocrgen.schemas.config import DEFAULT_MAX_IMAGE_PIXELS, MAX_IMAGE_PIXELS_LIMIT, BatchConfig
from ocrgen.schemas.label import Label, PageLabel
from ocrgen.schemas.plan import Record
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.registry import MERGERS, WRITERS, check_writer, merge_shards

# A plan line is a single text's record or a page; a label, a single text's or a page's.
SCHEMAS: dict[str, TypeAdapter[Any]] = {
    "config": TypeAdapter(BatchConfig),
    "plan": TypeAdapter(Record),
    "label": TypeAdapter(Label | PageLabel),
}
LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
RESUMABLE = {"render", "generate"}
INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command ended by Ctrl-C
TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (a scheduler's stop, `kill`): the command stops as after Ctrl-C, so workers end and files stay whole."""


def _terminate(signum: int, frame: object, parent: int) -> None:
    """Raise `Terminated` in this process; a forked child that has not set its own handler yet just dies."""
    if os.getpid() != parent:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
    raise Terminated


log = logging.getLogger("ocrgen")


class _Group(click.Group):
    """Shows input errors as a message and an exit code, never as a traceback; Ctrl-C as one line saying what next."""

    def invoke(self, ctx: click.Context) -> Any:
        previous = signal.signal(signal.SIGTERM, partial(_terminate, parent=os.getpid()))
        try:
            return super().invoke(ctx)
        except OcrgenError as error:
            report = error.report() if hasattr(error, "report") else f"Error: {error}"
            click.echo(report, err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt as stop:
            hint = "; run the same command with --resume to continue" if ctx.invoked_subcommand in RESUMABLE else ""
            terminated = isinstance(stop, Terminated)
            click.echo(f"{'Terminated' if terminated else 'Interrupted'}{hint}.", err=True)
            sys.exit(TERMINATED if terminated else INTERRUPTED)
        finally:
            signal.signal(signal.SIGTERM, previous)


def _dir_option(name: str, help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(name, type=click.Path(file_okay=False, path_type=Path), default=None, help=help_text)


def _asset_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed(
        [
            _dir_option("--font-dir", "Fonts (.ttf, .otf, .ttc). Default: the bundled Noto fonts."),
            _dir_option("--background-dir", "Background images, in sub-directories to weight. Default: procedural."),
            _dir_option("--corpus-dir", "UTF-8 .txt corpus files. Default: the bundled sample corpus."),
        ]
    ):
        func = decorator(func)
    return func


_config_option = click.option(
    "--batch-config",
    type=click.Path(dir_okay=False, path_type=Path),
    help=f"Batch config YAML (see examples/). Default: the bundled quickstart, {DEFAULT_CONFIG} "
    "(100 images in six scripts; the same file as examples/quickstart.yaml).",
)
_count_option = click.option(
    "-n",
    "--count",
    type=click.IntRange(1, 10**12),
    default=None,
    help="Images to plan, instead of the config's total_images (trdg's -c).",
)
_seed_option = click.option(
    "--seed",
    type=click.IntRange(min=0, max=2**64 - 1),
    default=None,
    help="Overrides the config's seed; 0 to 2^64 - 1, as there.",
)
_log_option = click.option(
    "--log-level",
    type=click.Choice(LOG_LEVELS, case_sensitive=False),
    default="INFO",
    show_default=True,
    help="How much to log.",
)
_format_option = click.option(
    "--image-format", type=click.Choice(sorted(IMAGE_FORMATS)), default="png", show_default=True
)


def _io_workers_option(flag: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`render --io-workers` and the old tool's `generate --workers`: the same setting under two names."""
    return click.option(
        flag,
        "io_workers",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help="File-writing threads per render process; 0 writes between renders, fastest on a local disk.",
    )


_MAX_RECORDS = 10**9  # per batch or in flight: more than any plan needs, and within what Python can slice


def _chunk_option(per: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--chunk-size",
        type=click.IntRange(min=1, max=_MAX_RECORDS),
        default=None,
        help=f"Records in flight. Default: 32 per {per}.",
    )


_io_batch_option = click.option(
    "--io-batch-size",
    type=click.IntRange(min=1, max=_MAX_RECORDS),
    default=None,
    help="Records per render task: drawn, then written together. Default: half of a process's share of the chunk.",
)


def _writer_options(func: Callable[..., Any]) -> Callable[..., Any]:
    for decorator in reversed(
        [
            click.option(
                "--writer",
                "writer_name",
                type=click.Choice(sorted(WRITERS)),
                default="files",
                show_default=True,
                help="Output format: image + JSON files, LMDB, WebDataset, HF imagefolder, PaddleOCR or tesstrain.",
            ),
            click.option("--subdirs", is_flag=True, help="files: at most 10,000 files per sub-directory."),
            click.option(
                "--samples-per-tar",
                type=click.IntRange(min=1),
                default=None,
                help=f"webdataset: samples per tar. Default: {WriterSpec.samples_per_tar}.",
            ),
            click.option(
                "--split-lines",
                is_flag=True,
                help="lmdb, webdataset, hf, paddleocr, tesseract: one sample per line, cropped to it; "
                "vertical lines turned to read left to right.",
            ),
        ]
    ):
        func = decorator(func)
    return func


_overwrite_option = click.option(
    "--overwrite",
    is_flag=True,
    help="Replace an earlier run in the output dir: remove the files ocrgen wrote there, then render.",
)


def _check_resume_or_overwrite(resume: bool, overwrite: bool) -> None:
    if resume and overwrite:
        raise click.UsageError("--resume continues the run in the output dir and --overwrite replaces it; pass one.")


def _writer_spec(
    writer_name: str, subdirs: bool, samples_per_tar: int | None, split_lines: bool, image_format: str
) -> WriterSpec:
    if subdirs and writer_name != "files":
        raise click.UsageError("--subdirs applies to --writer files only.")
    if samples_per_tar is not None and writer_name != "webdataset":
        raise click.UsageError("--samples-per-tar applies to --writer webdataset only.")
    if split_lines and writer_name == "files":
        raise click.UsageError("--split-lines applies to --writer lmdb, webdataset, hf, paddleocr or tesseract.")
    check_writer(writer_name, image_format)
    return WriterSpec(writer_name, subdirs, samples_per_tar or WriterSpec.samples_per_tar, split_lines)


def _setup_logging(level: str) -> None:
    """ocrgen's own lines at `level`; other libraries' (Pillow's PNG chunks at DEBUG) only from WARNING."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s", stream=sys.stderr)
    log.setLevel(level.upper())


def _dirs(font_dir: Path | None, background_dir: Path | None, corpus_dir: Path | None) -> AssetDirs:
    return AssetDirs(fonts=font_dir, backgrounds=background_dir, corpus=corpus_dir)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ocrgen")
def main() -> None:
    """Synthetic OCR training data: plan every image up front, then render any shard anywhere.

    \b
    ocrgen plan --batch-config batch.yaml -o plans.jsonl
    ocrgen render plans.jsonl --output-dir out [--shard K/N]
    ocrgen generate --output-dir out        (both stages, bundled defaults)
    """


@main.command("validate")
@_config_option
@_asset_options
@_log_option
def validate_command(batch_config: Path | None, log_level: str, **dirs: Path | None) -> None:
    """Check a config and every file it names, without planning: each background decoded, each corpus file read."""
    _setup_logging(log_level)
    config, resources = validate(batch_config or DEFAULT_CONFIG, _dirs(**dirs), read_all=True)
    click.echo(
        f"OK: {batch_config or DEFAULT_CONFIG} is valid: {counted(config.total_images, 'image')} from "
        f"{counted(len(resources.specs), 'specification')}."
    )


def _output_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A file output is refused before any work when it cannot be written; `-` (stdout) passes as it is."""
    if value is None or str(value) == "-":
        return value
    return writable_file(value, "give a regular file path, or - for stdout")


def _output_dir(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    writable_dir(value)
    return value


_output_dir_option = click.option(
    "--output-dir", type=click.Path(file_okay=False, path_type=Path), required=True, callback=_output_dir
)


@main.command()
@_config_option
@_asset_options
@_seed_option
@_count_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    required=True,
    callback=_output_file,
    help="Plan file; - writes the records to stdout, without the .stats.json file beside it.",
)
@click.option(
    "--shard",
    "shard_text",
    metavar="K/N",
    help="Plan only part K of N (K counts from 0): the N parts, concatenated in order, are the whole plan.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Planning processes; the plan is the same for any number. Default: one per usable CPU.",
)
@_log_option
def plan(
    batch_config: Path | None,
    seed: int | None,
    count: int | None,
    output: Path,
    shard_text: str | None,
    workers: int | None,
    log_level: str,
    **dirs: Path | None,
) -> None:
    """Make every random choice and write one JSON record per image."""
    _setup_logging(log_level)
    to_stdout = str(output) == "-"
    stream = stream_plan(
        batch_config or DEFAULT_CONFIG,
        _dirs(**dirs),
        None if to_stdout else output,
        seed,
        count,
        workers or usable_cpus(),
        _shard(shard_text),
    )
    progress = Progress(stream.total, _progress_stream())
    try:
        for _ in stream.lines:
            progress.advance(worked=True)
    finally:
        progress.close()
    stats = stream.stats
    click.echo(f"Planned {counted(stats.records, 'image')} into {'stdout' if to_stdout else output}.", err=to_stdout)
    _report_resampling(stats.resampled, err=to_stdout)


def _report_resampling(resampled: dict[str, int], err: bool = False) -> None:
    """Say what planning had to redo or leave out: texts drawn again, colours that missed the contrast, styles."""
    titles = {
        "text": "Texts drawn again",
        "color": "Text colours redrawn for contrast",
        "style": "Texts left in one face (no other face of their font's family draws the run)",
    }
    grouped: dict[str, dict[str, int]] = {kind: {} for kind in titles}
    for reason, n in sorted(resampled.items()):
        kind = "color" if reason.startswith("text_color_") else "style" if reason == NO_OTHER_STYLE else "text"
        grouped[kind][reason] = n
    for kind, counts in grouped.items():
        if counts:
            detail = ", ".join(f"{reason}: {n}" for reason, n in counts.items())
            click.echo(f"{titles[kind]}: {sum(counts.values())} ({detail}).", err=err)


def _shard(value: str | None) -> Shard:
    """`--shard`, else the array job's task from the environment (SLURM, Kubernetes), else the whole plan."""
    try:
        if value is not None:
            return Shard.parse(value)
        found = shard_from_environment(os.environ)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--shard") from None
    if found is None:
        return Shard()
    shard, source = found
    log.info("shard %d/%d from %s", shard.index, shard.count, source)
    return shard


def _progress_stream() -> TextIO | None:
    """A live bar only for a person watching a terminal at INFO or more; otherwise progress goes to the log."""
    return sys.stderr if sys.stderr.isatty() and log.getEffectiveLevel() <= logging.INFO else None


def _lock_output(output_dir: Path, shard: Shard) -> None:
    """Held until the command ends, so no other run writes or clears this shard of the dir meanwhile."""
    click.get_current_context().with_resource(output_lock(output_dir, shard))


def _render_and_report(plan_file: Path, output_dir: Path, shard: Shard, workers: int, **options: Any) -> None:
    summary = render_plan(
        plan_file, output_dir, shard=shard, workers=workers, progress_stream=_progress_stream(), **options
    )
    _report_render(summary, output_dir, shard)


def _report_render(summary: RenderSummary, output_dir: Path, shard: Shard) -> None:
    kept = f" ({summary.skipped} already done)" if summary.skipped else ""
    click.echo(f"Rendered {counted(summary.rendered, 'image')} into {output_dir}{kept}.")
    _report_failures(summary, output_dir / failures_name(shard))
    if summary.failed:
        sys.exit(1)


def _plan_file(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """A plan is hashed and read to its end: a device or a pipe (/dev/zero) would never end."""
    if not value.is_file():
        raise click.BadParameter(f"{value} is not a regular file; give the path of a plan such as plans.jsonl.")
    return value


_plan_argument = click.argument(
    "plan_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), callback=_plan_file
)


def _report_failures(summary: RenderSummary, where: Path) -> None:
    """How many records failed and why, and where the list is; one that could not be saved is printed instead."""
    if summary.failed:
        reasons = ", ".join(f"{r}: {n}" for r, n in summary.reasons.most_common())
        if summary.unsaved_failures:
            why = f"could not write {where} ({summary.unsaved_because}), so they follow, one JSON line each"
            click.echo(f"{counted(summary.failed, 'record')} failed ({reasons}); {why}:", err=True)
            click.echo(b"\n".join(summary.unsaved_failures).decode(), err=True)
        else:
            click.echo(f"{counted(summary.failed, 'record')} failed ({reasons}); see {where}.", err=True)


@main.command()
@_plan_argument
@_output_dir_option
@click.option("--shard", "shard_text", metavar="K/N", help="Render only shard K of N (K counts from 0).")
@click.option(
    "--workers", type=click.IntRange(min=1), default=None, help="Render processes. Default: one per usable CPU."
)
@_io_workers_option("--io-workers")
@_chunk_option("worker")
@_io_batch_option
@click.option("--resume", is_flag=True, help="Render only records whose image or label is missing.")
@click.option("--strict", is_flag=True, help="With --resume: refuse if the output dir came from another plan.")
@_overwrite_option
@_format_option
@_writer_options
@_dir_option("--font-dir", "Where the plan's 'fonts' root is on this machine.")
@_dir_option("--background-dir", "Where the plan's 'backgrounds' root is on this machine.")
@click.option(
    "--max-image-pixels",
    type=click.IntRange(1, MAX_IMAGE_PIXELS_LIMIT),
    default=DEFAULT_MAX_IMAGE_PIXELS,
    show_default=True,
    help="Records whose image would be larger (width x height) fail without being drawn; "
    "match the config's max_image_pixels.",
)
@click.option(
    "--dask-scheduler",
    metavar="ADDRESS",
    help="Render on this Dask cluster (tcp://host:8786); plan and output dir on a shared filesystem.",
)
@click.option(
    "--dask-tasks",
    type=click.IntRange(min=1),
    default=None,
    help="Shards to submit to Dask. Default: 4 per worker thread.",
)
@_log_option
def render(
    plan_file: Path,
    output_dir: Path,
    shard_text: str | None,
    workers: int | None,
    io_workers: int,
    chunk_size: int | None,
    io_batch_size: int | None,
    resume: bool,
    strict: bool,
    overwrite: bool,
    image_format: str,
    writer_name: str,
    subdirs: bool,
    samples_per_tar: int | None,
    split_lines: bool,
    font_dir: Path | None,
    background_dir: Path | None,
    max_image_pixels: int,
    dask_scheduler: str | None,
    dask_tasks: int | None,
    log_level: str,
) -> None:
    """Turn plan records into images and JSON labels."""
    _setup_logging(log_level)
    if strict and not resume:
        raise click.UsageError("--strict only applies to --resume; add --resume or drop --strict")
    _check_resume_or_overwrite(resume, overwrite)
    roots = asset_roots(font_dir, background_dir)
    if dask_scheduler is None and dask_tasks is not None:
        raise click.UsageError("--dask-tasks needs --dask-scheduler.")
    writer = _writer_spec(writer_name, subdirs, samples_per_tar, split_lines, image_format)
    options: dict[str, Any] = {
        "image_format": image_format,
        "roots": roots,
        "resume": resume,
        "strict": strict,
        "io_workers": io_workers,
        "chunk_size": chunk_size,
        "io_batch_size": io_batch_size,
        "writer": writer,
        "max_pixels": max_image_pixels,
    }
    if dask_scheduler is not None:
        if shard_text is not None or workers is not None:
            raise click.UsageError("--dask-scheduler makes its own shards, one process each; drop --shard/--workers.")
        from ocrgen.renderer.distributed import check_scheduler, render_on_dask  # imported only when asked for

        check_scheduler(dask_scheduler)  # before the output dir is touched
    shard = Shard() if dask_scheduler is not None else _shard(shard_text)
    sha256 = file_sha256(plan_file)
    _lock_output(output_dir, shard)
    if overwrite:  # the input is checked whole before an earlier run is removed
        check_shard(plan_file, shard, AssetResolver(roots))
    prepare_output_dir(output_dir, shard, sha256, writer, image_format, resume=resume, overwrite=overwrite)
    if dask_scheduler is not None:
        run = render_on_dask(
            plan_file, output_dir, dask_scheduler, dask_tasks, report=lambda line: click.echo(line, err=True), **options
        )
        kept = f", {run.summary.skipped} already done" if run.summary.skipped else ""
        where = f"{counted(run.tasks, 'Dask task')} on {counted(len(run.workers), 'worker')}{kept}"
        click.echo(f"Rendered {counted(run.summary.rendered, 'image')} into {output_dir} ({where}).")
        _report_failures(run.summary, output_dir / "failures.shard-*.jsonl")
        for failure in run.failed_tasks:
            k, n = failure.shard.index, failure.shard.count
            click.echo(f"Shard {k}/{n} failed: {failure.reason}; rerun it with --shard {k}/{n} --resume.", err=True)
        if writer_name in MERGERS and run.tasks > 1 and not run.failed_tasks:
            click.echo(
                f"Join the {run.tasks} shards into one {writer_name}: ocrgen merge {output_dir} --writer {writer_name}"
            )
        sys.exit(run.exit_code)
    _render_and_report(plan_file, output_dir, shard, workers or usable_cpus(), plan_sha256=sha256, **options)


@main.command()
@_config_option
@_output_dir_option
@_asset_options
@_seed_option
@_count_option
@click.option("--resume", is_flag=True, help="Keep OUTPUT_DIR/plans.jsonl and render only what is missing.")
@_overwrite_option
@click.option(
    "--generation-workers",
    type=click.IntRange(min=1),
    default=None,
    help="Render processes. Default: one per usable CPU.",
)
@_io_workers_option("--workers")
@_chunk_option("process")
@_io_batch_option
@_format_option
@_writer_options
@_log_option
def generate(
    batch_config: Path | None,
    output_dir: Path,
    seed: int | None,
    count: int | None,
    resume: bool,
    overwrite: bool,
    generation_workers: int | None,
    io_workers: int,
    chunk_size: int | None,
    io_batch_size: int | None,
    image_format: str,
    writer_name: str,
    subdirs: bool,
    samples_per_tar: int | None,
    split_lines: bool,
    log_level: str,
    **dirs: Path | None,
) -> None:
    """Plan and render in one run; the plan is kept as OUTPUT_DIR/plans.jsonl so the run can be resumed.

    Each record goes to the render pool as soon as it is planned, so rendering starts with the
    first record. The plan file gets its name only once complete: a run killed mid-planning
    leaves none, and `--resume` then plans again (the same records) and skips what is done.
    """
    _setup_logging(log_level)
    _check_resume_or_overwrite(resume, overwrite)
    plan_file = output_dir / "plans.jsonl"
    config = batch_config or DEFAULT_CONFIG
    workers = generation_workers or usable_cpus()
    writer = _writer_spec(writer_name, subdirs, samples_per_tar, split_lines, image_format)
    options: dict[str, Any] = {
        "image_format": image_format,
        "resume": resume,
        "io_workers": io_workers,
        "chunk_size": chunk_size,
        "io_batch_size": io_batch_size,
        "writer": writer,
    }
    _lock_output(output_dir, Shard())
    writable_file(plan_file, "move it away")  # read by --resume, written otherwise
    keep_plan = resume and plan_file.exists()
    # A new plan is validated before the dir is touched, so a bad config or asset never costs an earlier run.
    stream = None if keep_plan else stream_plan(config, _dirs(**dirs), plan_file, seed, count, workers)
    prepare_output_dir(
        output_dir, Shard(), None, writer, image_format, resume=resume, overwrite=overwrite, planned_here=True
    )
    if stream is None:
        _warn_if_plan_changed(config, _dirs(**dirs), plan_file, seed, count)
        options["max_pixels"] = load_config(config).max_image_pixels
        _render_and_report(plan_file, output_dir, Shard(), workers, **options)
        return
    if resume:
        log.info("no complete plan in %s; planning again and keeping the records already rendered", output_dir)
    options["max_pixels"] = stream.config.max_image_pixels
    lines = (PlanLine(offset, text) for offset, text in stream.lines)
    run_options = RenderOptions(workers=workers, progress_stream=_progress_stream(), **options)
    summary = render_lines(lines, stream.total, output_dir, plan_file, stream.writer.sha256, Shard(), run_options)
    click.echo(f"Planned {counted(stream.stats.records, 'image')} into {plan_file}.")
    _report_resampling(stream.stats.resampled)
    _report_render(summary, output_dir, Shard())


def _warn_if_plan_changed(config: Path, dirs: AssetDirs, plan_file: Path, seed: int | None, count: int | None) -> None:
    """Resuming keeps the plan on disk; plan again aside and warn when the config or assets changed since."""
    fresh = plan_file.with_name(".plans.resume-check.jsonl")
    try:
        make_plan(config, dirs, fresh, seed, count)
        if fresh.read_bytes() != plan_file.read_bytes():
            click.echo(
                f"Warning: the config or assets changed since {plan_file} was planned; resuming with the plan "
                "on disk. Start a new output dir to use the new config.",
                err=True,
            )
    finally:
        fresh.unlink(missing_ok=True)
        fresh.with_name(fresh.name + ".stats.json").unlink(missing_ok=True)


@main.command()
@click.argument("which", type=click.Choice(sorted(SCHEMAS)))
def schema(which: str) -> None:
    """Print the JSON Schema of the batch config, the plan record or the label."""
    click.echo(json.dumps(SCHEMAS[which].json_schema(), indent=2, ensure_ascii=False))


@main.command()
def effects() -> None:
    """Print every effect, plugins' too, in the order they apply: what each does, its keys, defaults and bounds."""
    from ocrgen.schemas.effects.catalogue import EFFECTS
    from ocrgen.schemas.effects.tables import markdown_tables

    click.echo(markdown_tables(EFFECTS), nl=False)


def _sheet_output(ctx: click.Context, param: click.Parameter, value: Path) -> Path:
    """Checked before a record is rendered: a format Pillow writes, a path that can be written."""
    sheet_format(value)
    return writable_file(value)


@main.command()
@_plan_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    callback=_sheet_output,
    help="Image to write (.png, .jpg, .webp, …).",
)
@click.option("--count", type=click.IntRange(min=1), default=24, show_default=True, help="Records to show.")
@click.option(
    "--boxes",
    type=click.Choice(BOX_KINDS),
    multiple=True,
    help="Label geometry to draw over the images (repeat for several).",
)
@click.option("--columns", type=click.IntRange(min=1), default=4, show_default=True)
@_dir_option("--font-dir", "Where the plan's 'fonts' root is on this machine.")
@_dir_option("--background-dir", "Where the plan's 'backgrounds' root is on this machine.")
def preview(
    plan_file: Path,
    output: Path,
    count: int,
    boxes: tuple[str, ...],
    columns: int,
    font_dir: Path | None,
    background_dir: Path | None,
) -> None:
    """Render a contact sheet of records spread evenly over the plan, to look before spending compute."""
    total = count_records(plan_file)
    shown = min(count, total)
    wanted = {i * total // shown for i in range(shown)}
    records = (
        parse_record(plan_file, line) for number, line in enumerate(shard_lines(plan_file, Shard())) if number in wanted
    )
    roots = asset_roots(font_dir, background_dir)
    save_sheet(contact_sheet(records, boxes, columns, AssetResolver(roots)), output)
    click.echo(f"Wrote {counted(len(wanted), 'record')} to {output}.")


_plan_parts_argument = click.argument(
    "plan_files",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    callback=lambda ctx, param, values: tuple(_plan_file(ctx, param, value) for value in values),
)


@main.command()
@_plan_parts_argument
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of tables (with --charset: a list).")
@click.option(
    "--charset",
    is_flag=True,
    help="Print the characters of the plan's texts instead: each once, sorted by code point, on one line "
    "(a leading space is the space character; line breaks are left out), for a recognizer's vocabulary.",
)
def inspect(plan_files: tuple[Path, ...], as_json: bool, charset: bool) -> None:
    """Summarise a plan (counts, value quantiles, effects, resampling) in one streaming pass.

    Several files are the parts of one plan made with `plan --shard K/N`, read as the whole.

    \b
    ocrgen inspect plans.jsonl --charset > charset.txt   one line of characters
    ocrgen inspect plans.jsonl --charset --json          a JSON list of them
    ocrgen inspect part-*.jsonl                          the parts of one plan
    """
    if charset:
        from ocrgen.charset import plan_characters

        characters = "".join(sorted(set().union(*(plan_characters(path) for path in plan_files))))
        click.echo(json.dumps(list(characters), ensure_ascii=False) if as_json else characters)
        return
    from ocrgen.inspection import format_report, inspect_plan

    report = inspect_plan(*plan_files)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False) if as_json else format_report(list(plan_files), report))


@main.command()
@_plan_argument
@click.argument("index", type=click.IntRange(min=0))
def show(plan_file: Path, index: int) -> None:
    """Print the record with INDEX, pretty."""
    from ocrgen.inspection import find_record

    click.echo(json.dumps(find_record(plan_file, index), indent=2, ensure_ascii=False))


@main.command()
@_plan_parts_argument
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    callback=_output_file,
    help="The whole plan; its .stats.json file is written beside it.",
)
def join(plan_files: tuple[Path, ...], output: Path) -> None:
    """Join the parts of a plan made with `plan --shard K/N` into the plan one run would have written.

    The parts may be given in any order (part-*.jsonl); their statistics files say which part
    each is, and a missing, repeated or foreign part is refused before anything is written.
    """
    from ocrgen.planner.parts import join_parts

    stats = join_parts(plan_files, output)
    click.echo(f"Joined {counted(len(plan_files), 'part')} ({counted(stats.records, 'record')}) into {output}.")


@main.command()
@click.argument("output_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--writer", "writer_name", type=click.Choice(sorted(MERGERS)), required=True)
def merge(output_dir: Path, writer_name: str) -> None:
    """Merge the `--shard K/N` containers of WRITER in OUTPUT_DIR into one, as an unsharded render writes it."""
    check_writer(writer_name)
    _lock_output(output_dir, Shard())  # what an unsharded render would write, so one merge or render at a time
    count = merge_shards(writer_name, output_dir)
    click.echo(
        f"Merged {counted(count, 'record')} into {writer_name} in {output_dir}; the shard containers are left in place."
    )
