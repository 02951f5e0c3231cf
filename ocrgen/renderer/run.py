"""Render the records of a plan file (or one shard of it) into an output directory.

Workers each parse, render and write their own records, so the parent only
moves small line buffers; at most a few records per worker are in flight.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ocrgen.assets import AssetResolver
from ocrgen.atomic import write_atomic
from ocrgen.errors import AssetError, OcrgenError, PlanFileError
from ocrgen.renderer.output import write_sample
from ocrgen.renderer.planfile import PlanLine, Shard, parse_record, shard_lines
from ocrgen.renderer.render import render_record

log = logging.getLogger(__name__)

_IN_FLIGHT_PER_WORKER = 8


@dataclass
class RenderSummary:
    rendered: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class _Job:
    plan: Path
    out_dir: Path
    image_format: str
    roots: dict[str, Path]


@dataclass(frozen=True)
class _Outcome:
    offset: int
    index: int | None
    error: str | None = None
    reason: str | None = None


_worker_resolver: AssetResolver | None = None


def _start_worker(roots: dict[str, Path]) -> None:
    """Each pool process checks asset hashes once, for the lifetime of one render run."""
    global _worker_resolver
    _worker_resolver = AssetResolver(roots)


def _render_in_worker(job: _Job, line: PlanLine) -> _Outcome:
    assert _worker_resolver is not None, "pool started without _start_worker"
    return _render_line(job, line, _worker_resolver)


def _render_line(job: _Job, line: PlanLine, resolver: AssetResolver) -> _Outcome:
    """Parse, render and write one record; errors that are the record's own come back as an outcome."""
    record = parse_record(job.plan, line)
    try:
        image, label = render_record(record, resolver)
        write_sample(job.out_dir, record.index, image, label, job.image_format)
    except AssetError:
        raise
    except OcrgenError as error:
        return _Outcome(line.offset, record.index, str(error), type(error).__name__)
    except Exception as error:  # one bad record must not stop a million-record run
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        return _Outcome(line.offset, record.index, detail, type(error).__name__)
    return _Outcome(line.offset, record.index)


def render_plan(
    plan: Path,
    out_dir: Path,
    shard: Shard | None = None,
    workers: int = 1,
    image_format: str = "png",
    roots: dict[str, Path] | None = None,
    progress: Callable[[int], None] | None = None,
) -> RenderSummary:
    """Render every record of `shard`; failed records go to failures.jsonl with their reason."""
    shard = shard or Shard()
    out_dir.mkdir(parents=True, exist_ok=True)
    job = _Job(plan, out_dir, image_format, dict(roots or {}))
    summary = RenderSummary()
    failures: list[bytes] = []

    def collect(outcome: _Outcome) -> None:
        if outcome.error is None:
            summary.rendered += 1
        else:
            summary.failed += 1
            summary.reasons[outcome.reason or "error"] += 1
            failures.append(orjson.dumps({"index": outcome.index, "reason": outcome.reason, "error": outcome.error}))
            log.warning("record %s failed: %s", outcome.index, outcome.error)
        if progress:
            progress(1)

    lines = shard_lines(plan, shard)
    if workers <= 1:
        resolver = AssetResolver(job.roots)
        for line in lines:
            collect(_render_line(job, line, resolver))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(job.roots,)) as pool:
            pending: deque[Future[_Outcome]] = deque()
            for line in lines:
                pending.append(pool.submit(_render_in_worker, job, line))
                if len(pending) >= workers * _IN_FLIGHT_PER_WORKER:
                    collect(_result(pending.popleft(), pool))
            while pending:
                collect(_result(pending.popleft(), pool))
    if failures:
        write_atomic(out_dir / failures_name(shard), b"\n".join(failures) + b"\n")
    return summary


def failures_name(shard: Shard) -> str:
    """Each shard logs its failures to its own file, so shards sharing a directory never collide."""
    if shard.count == 1:
        return "failures.jsonl"
    return f"failures.shard-{shard.index:05d}-of-{shard.count:05d}.jsonl"


def _result(future: Future[_Outcome], pool: ProcessPoolExecutor) -> _Outcome:
    try:
        return future.result()
    except (PlanFileError, AssetError):
        pool.shutdown(cancel_futures=True)
        raise
