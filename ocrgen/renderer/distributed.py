"""Render a plan on a Dask distributed cluster: each task renders one byte-range shard.

Shards are the same byte ranges as `render --shard K/N`, so the union of the tasks'
outputs is what `--shard K/N` renders (byte-identical to a local render for the files
writer), and a task that failed can be rerun anywhere with `--shard K/N`. Workers read
the plan and write the outputs through a filesystem shared with this machine; only
summaries travel through the scheduler.
"""

from __future__ import annotations

import logging
import socket
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ocrgen.digests import file_sha256
from ocrgen.errors import OcrgenError
from ocrgen.renderer.planfile import Shard, count_records
from ocrgen.renderer.resume import check_plan, checkpoint_name
from ocrgen.renderer.run import RenderSummary, render_plan
from ocrgen.schemas.config import DEFAULT_MAX_IMAGE_PIXELS
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.shards import SHARD_NAME

if TYPE_CHECKING:
    from distributed import Client

log = logging.getLogger(__name__)

TASKS_PER_THREAD = 4
"""Several shards per worker thread, so a slow shard or a lost worker costs little at the end."""

CONNECT_TIMEOUT = "30s"
PROBE_SECONDS = 10.0
WORKER_WAIT_SECONDS = 120
TCP_SCHEMES = ("tcp", "tls", "ws", "wss")  # the schemes probed with a plain TCP connect first


class DaskSetupError(OcrgenError):
    """Dask is not installed, or the scheduler cannot be reached or has no workers."""

    exit_code = 2


@dataclass(frozen=True)
class TaskFailure:
    """A task that raised: its shard was not (fully) rendered."""

    shard: Shard
    reason: str
    exit_code: int


@dataclass
class DaskRun:
    summary: RenderSummary = field(default_factory=RenderSummary)
    tasks: int = 0
    failed_tasks: list[TaskFailure] = field(default_factory=list)
    workers: Counter[str] = field(default_factory=Counter)
    """Finished tasks by the name of the worker that ran them."""

    @property
    def exit_code(self) -> int:
        """As for a local render: 2 for bad input (a missing asset, a bad plan line), 1 for failed records."""
        codes = [failure.exit_code for failure in self.failed_tasks]
        return max([*codes, 1 if self.summary.failed else 0])


def render_on_dask(
    plan: Path,
    out_dir: Path,
    scheduler: str,
    tasks: int | None = None,
    image_format: str = "png",
    roots: dict[str, Path] | None = None,
    report: Callable[[str], None] = print,
    *,
    resume: bool = False,
    strict: bool = False,
    io_workers: int = 0,
    chunk_size: int | None = None,
    io_batch_size: int | None = None,
    writer: WriterSpec | None = None,
    max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
) -> DaskRun:
    """Submit `tasks` shards of `plan` to the cluster at `scheduler`, gathering them as they finish.

    Each task is `render_plan` of one shard in one worker process, with the options given
    here. Paths are made absolute here, because workers do not share this process's working
    directory. With `resume` and no `tasks`, the shard count of the checkpoints already in
    `out_dir` is kept, so each task finds its own; a plan mismatch is checked here, before
    any task starts. `report` receives one line per finished or failed task; the plan is
    counted once here, for those lines.
    """
    check_scheduler(scheduler)
    from distributed import Client, as_completed

    plan, out_dir = plan.resolve(), out_dir.resolve()
    total = count_records(plan)
    plan_sha256 = file_sha256(plan)
    options: dict[str, Any] = {
        "image_format": image_format,
        "roots": {name: path.resolve() for name, path in (roots or {}).items()},
        "resume": resume,
        "strict": strict,
        "io_workers": io_workers,
        "chunk_size": chunk_size,
        "io_batch_size": io_batch_size,
        "writer": writer,
        "plan_sha256": plan_sha256,
        "max_pixels": max_pixels,
    }
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise DaskSetupError(f"Cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        count = tasks or (_checkpointed_count(out_dir) if resume else None) or _default_tasks(client, scheduler)
        if resume:
            for k in range(count):  # --strict refuses here, at the first shard rendered from another plan
                if not check_plan(out_dir, Shard(k, count), plan, plan_sha256, strict):
                    break
        run_id = uuid.uuid4().hex[:8]  # two runs sharing a scheduler must not share task keys
        futures = {
            client.submit(
                _render_task,
                plan,
                out_dir,
                Shard(k, count),
                options,
                key=f"ocrgen-render-{k:05d}-of-{count:05d}-{run_id}",
            ): Shard(k, count)
            for k in range(count)
        }
        run = DaskRun(tasks=count)
        finished = 0
        for future in as_completed(futures):
            shard = futures.pop(future)
            finished += 1
            try:
                worker, summary = future.result()
            except Exception as error:  # one lost shard must not stop the others; it is reported and rerunnable
                run.failed_tasks.append(_failure(shard, error))
                report(f"task {finished}/{count}: shard {shard.index}/{count} FAILED: {run.failed_tasks[-1].reason}")
                continue
            run.workers[worker] += 1
            run.summary.rendered += summary.rendered
            run.summary.skipped += summary.skipped
            run.summary.failed += summary.failed
            run.summary.reasons.update(summary.reasons)
            done = run.summary.rendered + run.summary.skipped + run.summary.failed
            report(f"task {finished}/{count}: shard {shard.index}/{count} done on {worker}; {done}/{total} records")
    return run


def _render_task(plan: Path, out_dir: Path, shard: Shard, options: dict[str, Any]) -> tuple[str, RenderSummary]:
    """One task, on a worker: render a shard in the worker's process, and say which worker that was.

    The render options travel as one argument: as keywords of `client.submit` Dask would
    take `workers=`, `resources=` and the like as its own placement options.
    """
    from distributed import get_worker

    return str(get_worker().name), render_plan(plan, out_dir, shard=shard, **options)


def check_scheduler(scheduler: str) -> None:
    """Refuse a missing Dask, an address that is not a scheduler's, or one where nothing listens: one line, in seconds.

    Dask itself raises a traceback for the second and retries the third until its timeout.
    """
    try:
        from distributed import comm  # the package itself first, so that a missing one is noticed
        from distributed.comm.registry import get_backend
    except ImportError:
        raise DaskSetupError(
            "--dask-scheduler needs Dask's distributed package: install ocrgen[dask] (pip install 'ocrgen[dask]')."
        ) from None

    try:
        scheme, location = comm.parse_address(scheduler)
        get_backend(scheme)
        if scheme not in TCP_SCHEMES:
            return
        host, port = comm.parse_host_port(location)
    except ValueError as error:
        raise DaskSetupError(
            f"--dask-scheduler {scheduler!r} is not a scheduler address: {error}. "
            "Give tcp://HOST:PORT, as `dask scheduler` prints it."
        ) from None
    try:
        socket.create_connection((host, port), timeout=PROBE_SECONDS).close()
    except (OSError, OverflowError) as error:
        reason = getattr(error, "strerror", None) or error
        raise DaskSetupError(
            f"Cannot reach the Dask scheduler at {scheduler}: {reason}; start it with `dask scheduler`, "
            "or fix the host and port."
        ) from None


def _checkpointed_count(out_dir: Path) -> int | None:
    """The shard count of the checkpoints an earlier sharded run left in `out_dir`, when they agree on one."""
    stem, suffix = checkpoint_name(Shard()).removesuffix(".json"), ".json"
    counts = {
        int(match[2])
        for path in out_dir.glob(f"{stem}.shard-*{suffix}")
        if (match := SHARD_NAME.fullmatch(path.name[len(stem) : len(path.name) - len(suffix)]))
    }
    return counts.pop() if len(counts) == 1 else None


def _default_tasks(client: Client, scheduler: str) -> int:
    """TASKS_PER_THREAD shards per worker thread, waiting for a first worker if none has joined yet."""
    if not client.nthreads():
        try:
            client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError:
            raise DaskSetupError(
                f"No Dask worker joined {scheduler} within {WORKER_WAIT_SECONDS} s; start `dask worker {scheduler}`, "
                "or pass --dask-tasks to queue the shards until workers arrive."
            ) from None
    return max(1, TASKS_PER_THREAD * sum(client.nthreads().values()))


def _failure(shard: Shard, error: BaseException) -> TaskFailure:
    reason = "".join(traceback.format_exception_only(type(error), error)).strip()
    return TaskFailure(shard, reason, error.exit_code if isinstance(error, OcrgenError) else 1)
