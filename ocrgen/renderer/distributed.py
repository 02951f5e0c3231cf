"""Render a plan on a Dask distributed cluster: each task renders one byte-range shard.

Shards are the same byte ranges as `render --shard K/N`, so the union of the tasks'
outputs is byte-identical to a local render, and a task that failed can be rerun
anywhere with `--shard K/N`. Workers read the plan and write the outputs through a
filesystem shared with this machine; only summaries travel through the scheduler.
"""

from __future__ import annotations

import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ocrgen.assets import file_sha256
from ocrgen.errors import OcrgenError
from ocrgen.renderer.planfile import Shard, shard_lines
from ocrgen.renderer.run import RenderSummary, render_plan

if TYPE_CHECKING:
    from distributed import Client

TASKS_PER_THREAD = 4
"""Several shards per worker thread, so a slow shard or a lost worker costs little at the end."""

CONNECT_TIMEOUT = "30s"
WORKER_WAIT_SECONDS = 120


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
) -> DaskRun:
    """Submit `tasks` shards of `plan` to the cluster at `scheduler`, gathering them as they finish.

    Paths are made absolute here, because workers do not share this process's working
    directory. `report` receives one line per finished or failed task; the plan is counted
    once here, for those lines.
    """
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise DaskSetupError(
            "--dask-scheduler needs Dask's distributed package: install ocrgen[dask] (pip install 'ocrgen[dask]')."
        ) from None
    plan, out_dir = plan.resolve(), out_dir.resolve()
    absolute_roots = {name: path.resolve() for name, path in (roots or {}).items()}
    total = sum(1 for _ in shard_lines(plan, Shard()))
    plan_sha256 = file_sha256(plan)
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise DaskSetupError(f"Cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        count = tasks or _default_tasks(client, scheduler)
        run_id = uuid.uuid4().hex[:8]  # two runs sharing a scheduler must not share task keys
        futures = {
            client.submit(
                render_plan,
                plan,
                out_dir,
                shard=Shard(k, count),
                workers=1,
                image_format=image_format,
                roots=absolute_roots,
                plan_sha256=plan_sha256,
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
                summary: RenderSummary = future.result()
            except Exception as error:  # one lost shard must not stop the others; it is reported and rerunnable
                run.failed_tasks.append(_failure(shard, error))
                report(f"task {finished}/{count}: shard {shard.index}/{count} FAILED: {run.failed_tasks[-1].reason}")
                continue
            run.summary.rendered += summary.rendered
            run.summary.failed += summary.failed
            run.summary.reasons.update(summary.reasons)
            done = run.summary.rendered + run.summary.failed
            report(f"task {finished}/{count}: shard {shard.index}/{count} done; {done}/{total} records")
    return run


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
