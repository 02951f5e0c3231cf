"""Plan with several processes, or only one shard of the records, and write what one process would.

Record i depends only on the config, the assets and (seed, i) (see `records`), so records can
be planned anywhere and in any order, then put back in index order. Workers plan chunks of
consecutive records into plan lines; the parent takes the chunks in order, with at most a few
per worker in flight, so memory stays flat whatever the plan's size. A shard is a contiguous
run of indices, so the shards' files, concatenated in shard order, are the whole plan.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ocrgen.errors import OcrgenError
from ocrgen.planner.allocation import RecordOrder
from ocrgen.planner.records import PlanStats, record_order, stride_records
from ocrgen.planner.resources import AssetDirs, Resources
from ocrgen.record_json import record_line
from ocrgen.renderer.planfile import Shard
from ocrgen.schemas.config import BatchConfig
from ocrgen.worker_process import become_worker

CHUNK = 512  # records a worker plans at a time, at most: large enough that handing them over costs little
TAPER = 4  # near the end, a chunk is at most the records left over this many per worker
AHEAD = 2  # chunks in flight per worker

_worker: tuple[BatchConfig, Resources, int, RecordOrder] | None = None


class PlanningProcessLost(OcrgenError):
    """A worker process ended without its chunk: the machine's doing, not the config's."""


def shard_range(total: int, shard: Shard) -> tuple[int, int]:
    """The indices [start, stop) of `shard`: equal contiguous runs, in order."""
    return total * shard.index // shard.count, total * (shard.index + 1) // shard.count


def plan_lines(
    config: BatchConfig,
    dirs: AssetDirs,
    resources: Resources,
    seed: int,
    stats: PlanStats,
    indices: tuple[int, int],
    workers: int,
) -> Iterator[bytes]:
    """The plan lines of records [start, stop), in order, in blocks of one or more whole lines (a worker's chunk
    stays one block, which the parent writes and hashes at once); `stats` holds every planned record's once they
    are out. Fewer records than two chunks are planned here, without starting processes.
    """
    start, stop = indices
    if workers <= 1 or stop - start < 2 * CHUNK:
        for record in stride_records(config, resources, seed, stats, start=start, stop=stop):
            yield record_line(record)
        return
    workers = min(workers, (stop - start) // CHUNK)  # more processes would start, load the assets and sit idle
    chunks = chunk_ranges(start, stop, workers)
    pool = ProcessPoolExecutor(workers, initializer=_start_worker, initargs=(config, dirs, seed, os.getpid()))
    try:
        pending: deque[Future[tuple[bytes, PlanStats]]] = deque()

        def submit_next() -> None:
            chunk = next(chunks, None)
            if chunk is not None:
                pending.append(pool.submit(_plan_chunk, *chunk))

        try:
            for _ in range(workers * AHEAD):
                submit_next()
            while pending:
                lines, chunk_stats = pending.popleft().result()
                submit_next()  # raises too when the pool broke after that result came
                stats.add(chunk_stats)
                yield lines
        except BrokenProcessPool:
            raise PlanningProcessLost(
                "a planning process died (killed by a signal, e.g. the out-of-memory killer), so the plan was "
                "not written; run the command again, with fewer --workers if memory is short"
            ) from None
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def chunk_ranges(start: int, stop: int, workers: int) -> Iterator[tuple[int, int]]:
    """[start, stop) in consecutive chunks of at most `CHUNK` records, smaller towards the end, so that the
    workers finish together: the last chunk, which one worker plans while the others may already be idle, is
    an eighth of `CHUNK` at most."""
    smallest = max(1, CHUNK // 8)
    while start < stop:
        size = min(CHUNK, max(smallest, (stop - start) // (workers * TAPER)))
        yield start, min(start + size, stop)
        start += size


def _start_worker(config: BatchConfig, dirs: AssetDirs, seed: int, parent: int) -> None:
    """Each process loads the resources once (the parent has checked them already), and keeps its place in
    the order of specifications from chunk to chunk."""
    global _worker
    become_worker(parent)
    _worker = config, Resources.of(config, dirs), seed, record_order(config)


def _plan_chunk(start: int, stop: int) -> tuple[bytes, PlanStats]:
    assert _worker is not None, "pool started without _start_worker"
    config, resources, seed, order = _worker
    stats = PlanStats()
    records = stride_records(config, resources, seed, stats, start=start, stop=stop, order=order)
    lines = b"".join(record_line(r) for r in records)
    return lines, stats
