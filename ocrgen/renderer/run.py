"""Render plan records into an output directory: a plan file (or one shard of it), or lines as they are planned.

Workers each parse, render and encode their own records and hand the bytes to a few
I/O threads of their own, so the parent only moves small line buffers and outcomes;
at most `chunk_size` records are in flight.
"""

from __future__ import annotations

import logging
import math
import os
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import TextIO, TypeVar

import numpy as np
import orjson

from ocrgen.assets import AssetResolver
from ocrgen.atomic import write_atomic
from ocrgen.destinations import writable_file
from ocrgen.digests import file_sha256
from ocrgen.errors import AssetError, OcrgenError, OutputError, PlanFileError
from ocrgen.plural import counted
from ocrgen.renderer.lock import output_lock
from ocrgen.renderer.output import EncodedSample, encode_sample
from ocrgen.renderer.planfile import PlanLine, Shard, count_records, parse_record, shard_lines
from ocrgen.renderer.progress import Progress
from ocrgen.renderer.render import PIXELS_VERSION, render_pixels
from ocrgen.renderer.resume import Checkpoint, StaleTemporaries, check_plan, checkpoint_name
from ocrgen.schemas.config import DEFAULT_MAX_IMAGE_PIXELS
from ocrgen.schemas.label import AnyLabelData
from ocrgen.schemas.plan import Record
from ocrgen.worker_process import become_worker
from ocrgen.writers.base import Writer, WriterSpec
from ocrgen.writers.registry import open_writer, writer_class

log = logging.getLogger(__name__)

IN_FLIGHT_PER_WORKER = 32
# The checkpoint reports progress; the outputs themselves decide what resume skips, so once a second is plenty.
CHECKPOINT_SECONDS = 1.0
ATTEMPTS = 2  # a record that fails is tried once more before it counts as failed
WORKER_LOST = "WorkerLost"
_Done = TypeVar("_Done")


@dataclass
class RenderSummary:
    rendered: int = 0
    skipped: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    unsaved_failures: list[bytes] = field(default_factory=list)  # the failures file could not be written ...
    unsaved_because: str = ""  # ... for this reason


@dataclass(frozen=True)
class _Job:
    plan: Path
    out_dir: Path
    image_format: str
    roots: dict[str, Path]
    skip_complete: bool
    writer: WriterSpec
    shard: Shard
    max_pixels: int

    @classmethod
    def of(cls, plan: Path, out_dir: Path, shard: Shard, options: RenderOptions) -> _Job:
        return cls(
            plan=plan,
            out_dir=out_dir,
            image_format=options.image_format,
            roots=options.roots,
            skip_complete=options.resume,
            writer=options.writer,
            shard=shard,
            max_pixels=options.max_pixels,
        )


@dataclass(frozen=True, slots=True)
class _Outcome:
    offset: int
    index: int | None
    error: str | None = None
    reason: str | None = None
    skipped: bool = False
    sample: EncodedSample | None = None  # for the parent to write, when the writer is not `in_worker`


_worker: tuple[AssetResolver, ThreadPoolExecutor | None] | None = None


def _io_threads(io_workers: int) -> ThreadPoolExecutor | None:
    """Threads that write while the process renders on, or None to write in the rendering thread itself.

    Each file write hands the GIL back and forth a few times; on a local disk that costs the
    renderer more than the write overlaps, so threads pay off only on slow, far storage.
    """
    return ThreadPoolExecutor(io_workers, thread_name_prefix="ocrgen-io") if io_workers > 0 else None


def _start_worker(roots: dict[str, Path], io_workers: int, parent: int) -> None:
    """Each pool process checks asset hashes once and keeps its I/O threads for the whole run."""
    global _worker
    become_worker(parent)
    _worker = AssetResolver(roots), _io_threads(io_workers)


def _render_batch_in_worker(job: _Job, lines: list[PlanLine]) -> list[_Outcome]:
    assert _worker is not None, "pool started without _start_worker"
    return _render_batch(job, lines, *_worker)


def _render_batch(
    job: _Job, lines: list[PlanLine], resolver: AssetResolver, io: ThreadPoolExecutor | None
) -> list[_Outcome]:
    """Draw a few records, encode them, then write them (or hand them to the I/O threads); return once all are written.

    Each phase runs over the whole batch before the next starts: drawing (Python), compressing (libdeflate)
    and writing (the kernel) each stay warm in the CPU caches, measured 20 % faster on one core than
    doing all three record by record. A writer that is not `in_worker` gets the encoded samples back
    in the outcomes, to write in the parent.
    """
    outcomes: list[_Outcome] = []
    writer: Writer | None = None
    if writer_class(job.writer.name).in_worker:
        writer = open_writer(job.writer, job.out_dir, job.shard, job.image_format)
    drawn: list[tuple[PlanLine, Record, np.ndarray, AnyLabelData]] = []
    for line in lines:
        record = parse_record(job.plan, line)
        if writer is not None and job.skip_complete and writer.is_complete(record.index):
            outcomes.append(_Outcome(line.offset, record.index, skipped=True))
            continue
        picture = _with_retry(line, record, partial(render_pixels, record, resolver, job.max_pixels))
        if isinstance(picture, _Outcome):
            outcomes.append(picture)
        else:
            drawn.append((line, record, *picture))
    writes: list[tuple[PlanLine, Record, EncodedSample, Callable[[], object]]] = []
    for line, record, pixels, label in drawn:
        sample = _with_retry(
            line, record, partial(encode_sample, job.out_dir, record.index, pixels, label, job.image_format)
        )
        if isinstance(sample, _Outcome):
            outcomes.append(sample)
        elif writer is None:
            outcomes.append(_Outcome(line.offset, record.index, sample=sample))
        else:
            attempt: Callable[[], object] = (
                partial(writer.write, sample) if io is None else io.submit(writer.write, sample).result
            )
            writes.append((line, record, sample, attempt))
    for line, record, sample, attempt in writes:
        assert writer is not None
        outcomes.append(_written(writer, line, record, sample, attempt))
    return outcomes


def _written(
    writer: Writer, line: PlanLine, record: Record, sample: EncodedSample, attempt: Callable[[], object]
) -> _Outcome:
    """The outcome of `attempt`ing to write `sample`; a write that fails is tried once more before it counts."""
    try:
        attempt()
    except OSError:
        try:
            writer.write(sample)
        except OSError as error:
            return _failure(line, record, error)
    return _Outcome(line.offset, record.index)


def _with_retry(line: PlanLine, record: Record, work: Callable[[], _Done]) -> _Done | _Outcome:
    """Errors that are the record's own come back as an outcome after the last attempt; asset errors stop the run."""
    error: Exception | None = None
    for _ in range(ATTEMPTS):
        try:
            return work()
        except AssetError:
            raise
        except Exception as caught:  # one bad record must not stop a million-record run
            error = caught
            log.debug("record %s failed (%s)", record.index, caught)
    assert error is not None
    return _failure(line, record, error)


def _failure(line: PlanLine, record: Record, error: Exception) -> _Outcome:
    if isinstance(error, OcrgenError):
        detail = str(error)
    else:
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
    return _Outcome(line.offset, record.index, detail, type(error).__name__)


def render_plan(
    plan: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    shard: Shard | None = None,
    workers: int = 1,
    image_format: str = "png",
    roots: dict[str, Path] | None = None,
    *,
    resume: bool = False,
    strict: bool = False,
    io_workers: int = 0,
    chunk_size: int | None = None,
    io_batch_size: int | None = None,
    progress_stream: TextIO | None = None,
    writer: WriterSpec | None = None,
    plan_sha256: str | None = None,
    max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
) -> RenderSummary:
    """Render every record of `shard` of a plan file on disk (see `render_lines`).

    With `resume`, a checkpoint written for another plan file warns, or with `strict` refuses.
    `plan_sha256` saves hashing the whole plan again when the caller already has it (one
    Dask task per shard would otherwise each read the full file).
    """
    plan, out_dir = Path(plan), Path(out_dir)
    shard = shard or Shard()
    plan_sha256 = plan_sha256 or file_sha256(plan)
    if resume:
        check_plan(out_dir, shard, plan, plan_sha256, strict)
    options = RenderOptions(
        workers=workers,
        image_format=image_format,
        roots=dict(roots or {}),
        resume=resume,
        io_workers=io_workers,
        chunk_size=chunk_size,
        io_batch_size=io_batch_size,
        progress_stream=progress_stream,
        writer=writer or WriterSpec(),
        max_pixels=max_pixels,
    )
    lines = shard_lines(plan, shard)
    return render_lines(lines, count_records(plan, shard), out_dir, plan, lambda: plan_sha256, shard, options)


@dataclass(frozen=True)
class RenderOptions:
    """How a shard is rendered; which records, from which plan and into which dir, `render_lines` is told.

    `chunk_size` records are in flight and a checkpoint is rewritten after each chunk, at most once
    a second (default: 32 per worker). Each render task takes `io_batch_size` records (default:
    half of a worker's share of a chunk, at least 1) and returns once they are all written.
    Progress goes to `progress_stream` as a bar, or to the log at intervals when it is None.
    `writer` says how samples are stored. A record whose image would be larger than `max_pixels`
    fails without being drawn.
    """

    workers: int = 1
    image_format: str = "png"
    roots: dict[str, Path] = field(default_factory=dict)
    resume: bool = False
    io_workers: int = 0
    chunk_size: int | None = None
    io_batch_size: int | None = None
    progress_stream: TextIO | None = None
    writer: WriterSpec = field(default_factory=WriterSpec)
    max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS

    @property
    def in_flight(self) -> int:
        return self.chunk_size or self.workers * IN_FLIGHT_PER_WORKER

    @property
    def batch_size(self) -> int:
        return self.io_batch_size or max(1, self.in_flight // (2 * self.workers))


def render_lines(
    lines: Iterable[PlanLine],
    total: int,
    out_dir: Path,
    plan: Path,
    plan_sha256: Callable[[], str | None],
    shard: Shard | None = None,
    options: RenderOptions | None = None,
) -> RenderSummary:
    """Render `lines` of `plan` (`total` of them) as they come; failed records go to the failures file, with why.

    The lines may be read from a file or be written to it while this runs, so the plan's hash
    is asked for at every checkpoint: None until it is known, then kept in the final one.
    With `options.resume`, records whose label and image exist are skipped. The writer is
    closed, finalising its outputs, once all lines are done.
    """
    shard, options = shard or Shard(), options or RenderOptions()
    with output_lock(out_dir, shard):  # one run per output dir and shard: they would share temporaries
        job = _Job.of(plan, out_dir, shard, options)
        run = _ShardRun(job, total, plan_sha256, options)
        log.debug(
            "rendering %s of %s (shard %d/%d) into %s: %s, %s in flight, %s a task, writer %s",
            counted(total, "record"), plan, shard.index, shard.count, out_dir,
            counted(options.workers, "process", "processes"), options.in_flight, options.batch_size, options.writer,
        )  # fmt: skip
        try:
            _render_batches(job, _batches(lines, options.batch_size), run, options, total)
        except KeyboardInterrupt:
            run.save()  # what is on disk stays valid: resume reads the outputs, the checkpoint only reports
            _abort(run.output)
            raise
        except BaseException:
            _abort(run.output)  # no container is left half built; those of earlier runs stay
            raise
        finally:
            run.progress.close()
        return run.finish()


def _render_batches(
    job: _Job, batches: Iterator[list[PlanLine]], run: _ShardRun, options: RenderOptions, total: int
) -> None:
    """Every batch of the `total` records, in this process or in a pool of `options.workers`, each outcome
    `collect`ed in plan order. The pool has no more processes than batches: each would load its assets
    for nothing."""
    if options.workers <= 1:
        resolver = AssetResolver(job.roots)
        with _io_threads(options.io_workers) or nullcontext() as io:
            for batch in batches:
                run.collect(_render_batch(job, batch, resolver, io))
        return
    pool = _Pool(job, min(options.workers, max(1, math.ceil(total / options.batch_size))), options.io_workers)
    try:
        most = math.ceil(options.in_flight / options.batch_size)
        _render_in_pool(pool, batches, most, run.collect, lambda: run.stale.find(job.out_dir, job.shard))
    except KeyboardInterrupt:
        _stop_workers(pool.executor)
        raise
    finally:
        pool.executor.shutdown(cancel_futures=True)


class _ShardRun:
    """One shard's run as the parent sees it: the writer, the tally, the failures, progress and the checkpoint."""

    def __init__(self, job: _Job, total: int, plan_sha256: Callable[[], str | None], options: RenderOptions) -> None:
        self.job, self.plan_sha256, self.in_flight = job, plan_sha256, options.in_flight
        out_dir, shard, spec = job.out_dir, job.shard, job.writer
        self.checkpoint = Checkpoint(
            str(job.plan), plan_sha256(), f"{shard.index}/{shard.count}", total, spec.name, spec.subdirs,
            job.image_format, PIXELS_VERSION,
        )  # fmt: skip
        self.failures_path = out_dir / failures_name(shard)
        self.stale = StaleTemporaries()
        try:
            for path in (self.failures_path, out_dir / checkpoint_name(shard)):
                writable_file(path, "move it away")
            if job.skip_complete:
                self.stale.find(out_dir, shard)
            self.checkpoint.save(out_dir, shard)  # before any output: a shard starting beside this one sees whose
            self.output = open_writer(spec, out_dir, shard, job.image_format)
        except OSError as error:
            raise OutputError(f"into {out_dir}", error) from None
        self.progress = Progress(total, options.progress_stream)
        self.summary = RenderSummary()
        self.failures: list[bytes] = []
        self.saved_at = time.monotonic()

    def save(self) -> None:
        """Rewrite the checkpoint with the tally so far; it only reports, so a failed write only warns."""
        checkpoint, summary = self.checkpoint, self.summary
        self.saved_at = time.monotonic()
        checkpoint.plan_sha256, checkpoint.done = self.plan_sha256(), self.progress.done
        checkpoint.rendered, checkpoint.skipped, checkpoint.failed = summary.rendered, summary.skipped, summary.failed
        try:
            checkpoint.save(self.job.out_dir, self.job.shard)
        except OSError as error:  # resume reads the outputs themselves
            log.warning("could not update %s (%s)", checkpoint_name(self.job.shard), error.strerror)

    def collect(self, outcomes: list[_Outcome]) -> None:
        """Write what the parent writes, count every outcome, and checkpoint after each chunk."""
        summary = self.summary
        for outcome in outcomes:
            self.stale.release(outcome.index)
            if outcome.sample is not None:
                _write_or_stop(self.output, outcome.sample, self.job.writer, self.job.out_dir)
            if outcome.skipped:
                summary.skipped += 1
            elif outcome.error is None:
                summary.rendered += 1
            else:
                summary.failed += 1
                summary.reasons[outcome.reason or "error"] += 1
                self.failures.append(
                    orjson.dumps({"index": outcome.index, "reason": outcome.reason, "error": outcome.error})
                )
                log.warning("record %s failed twice, skipped: %s", outcome.index, outcome.error)
            self.progress.advance(worked=not outcome.skipped)
        chunk_done = self.progress.done - self.checkpoint.done >= self.in_flight
        if chunk_done and time.monotonic() - self.saved_at >= CHECKPOINT_SECONDS:
            self.save()

    def finish(self) -> RenderSummary:
        """Close the writer, keep the failures list, and write the final checkpoint."""
        out_dir, summary = self.job.out_dir, self.summary
        try:
            self.output.close()
        except Exception as error:
            _abort(self.output)
            raise OutputError(
                f"the {self.job.writer.name} output in {out_dir}", error, "run again with --resume"
            ) from None
        try:
            if self.failures:
                write_atomic(self.failures_path, b"\n".join(self.failures) + b"\n")
            else:
                self.failures_path.unlink(missing_ok=True)  # left by an earlier run whose failures now rendered
        except OSError as error:  # the list is not lost: the caller shows it
            summary.unsaved_failures, summary.unsaved_because = self.failures, error.strerror or str(error)
        self.checkpoint.finished = True
        self.save()
        return summary


def _abort(output: Writer) -> None:
    """Drop the unfinished output; a disk too full even for that must not hide the error that stopped the run."""
    try:
        output.abort()
    except Exception as error:
        log.warning("could not clean up the unfinished output: %s", error)


def _write_or_stop(output: Writer, sample: EncodedSample, spec: WriterSpec, out_dir: Path) -> None:
    """A writer of the parent holds one output per shard: when it cannot write, the run stops (--resume goes on)."""
    try:
        output.write(sample)
    except Exception as error:
        raise OutputError(f"the {spec.name} output in {out_dir}", error, "run again with --resume") from None


def _batches(lines: Iterable[PlanLine], size: int) -> Iterator[list[PlanLine]]:
    iterator = iter(lines)
    while batch := list(islice(iterator, size)):
        yield batch


def failures_name(shard: Shard) -> str:
    return shard.file_name("failures", ".jsonl")


_InFlight = tuple[Future[list[_Outcome]], list[PlanLine]]


def _render_in_pool(
    pool: _Pool,
    batches: Iterable[list[PlanLine]],
    most: int,
    collect: Callable[[list[_Outcome]], None],
    after_death: Callable[[], None],
) -> None:
    """Keep at least one and about `most` batches in flight, and `collect` their outcomes in plan order.

    When a process dies, the pool cannot tell whose batch killed it: a new pool runs each batch
    that was in flight alone (see `_Pool.alone`), after `after_death` (which clears what the dead
    process was writing).
    """
    pending: deque[_InFlight] = deque()

    def recover(orphans: list[_InFlight]) -> None:
        log.warning("a render process died (killed, e.g. out of memory); starting a new one")
        pool.restart()
        after_death()
        for orphan in orphans:
            collect(pool.alone(*orphan))

    def settle(future: Future[list[_Outcome]], batch: list[PlanLine]) -> None:
        try:
            collect(_result(future, pool.executor))
        except BrokenProcessPool:
            orphans = [(future, batch), *pending]
            pending.clear()
            recover(orphans)

    for batch in batches:
        try:
            future = pool.submit(batch)
        except BrokenProcessPool:  # seen broken before a result said so
            orphans = [*pending]
            pending.clear()
            recover(orphans)
            future = pool.submit(batch)
        pending.append((future, batch))
        if len(pending) >= most:
            settle(*pending.popleft())
    while pending:
        settle(*pending.popleft())


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Ctrl-C: end the workers now, not after their batches (they ignore SIGINT); each file is whole or absent."""
    processes = list((pool._processes or {}).values())  # no public way to end workers before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join()


def _result(future: Future[list[_Outcome]], pool: ProcessPoolExecutor) -> list[_Outcome]:
    try:
        return future.result()
    except (PlanFileError, AssetError):
        pool.shutdown(cancel_futures=True)
        raise


def _index(job: _Job, line: PlanLine) -> int:
    return parse_record(job.plan, line).index


class _Pool:
    """The render processes; started again when one dies, so the run goes on without the records it held."""

    def __init__(self, job: _Job, workers: int, io_workers: int) -> None:
        self.job, self.workers, self.io_workers = job, workers, io_workers
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        initargs = (self.job.roots, self.io_workers, os.getpid())
        return ProcessPoolExecutor(self.workers, initializer=_start_worker, initargs=initargs)

    def submit(self, batch: list[PlanLine]) -> Future[list[_Outcome]]:
        return self.executor.submit(_render_batch_in_worker, self.job, batch)

    def restart(self) -> None:
        self.executor.shutdown(cancel_futures=True)
        self.executor = self._start()

    def alone(self, future: Future[list[_Outcome]], batch: list[PlanLine]) -> list[_Outcome]:
        """The outcomes of a batch in flight when a process died: its result if it had one, else it runs
        again by itself, so a batch that kills its process once more is the one whose records fail."""
        if future.done() and not future.cancelled() and future.exception() is None:
            return future.result()
        try:
            return _result(self.submit(batch), self.executor)
        except BrokenProcessPool:
            self.restart()
            error = "its render process died twice (killed by a signal, e.g. the out-of-memory killer)"
            return [_Outcome(line.offset, _index(self.job, line), error, WORKER_LOST) for line in batch]
