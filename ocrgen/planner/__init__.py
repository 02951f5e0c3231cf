"""Stage one: turn a batch config and assets into plan records, making every random choice."""

from __future__ import annotations

import hashlib
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ocrgen.errors import ConfigError
from ocrgen.planner.parallel import plan_lines, shard_range
from ocrgen.planner.records import PlanPart, PlanStats, plan_records, stride_records
from ocrgen.planner.resources import AssetDirs, Resources
from ocrgen.planner.validation import load_config, valid_specifications
from ocrgen.planner.writer import PlanWriter
from ocrgen.renderer.planfile import Shard
from ocrgen.schemas.config import BatchConfig
from ocrgen.schemas.plan import Record, record_of

__all__ = [
    "AssetDirs",
    "PlanStats",
    "PlanStream",
    "Resources",
    "iter_plan",
    "load_config",
    "make_plan",
    "planning_seed",
    "stream_plan",
    "stride_records",
    "validate",
]


def validate(
    config_path: str | os.PathLike[str], dirs: AssetDirs, read_all: bool = False
) -> tuple[BatchConfig, Resources]:
    """Check the config and every resource it names; raises ConfigError with all problems.

    When the config itself has mistakes, the files of its valid specifications are
    still checked, so one run reports everything there is to fix. `read_all` also reads
    every background and corpus file whole (see `Resources.load`).
    """
    config_path = Path(config_path)
    try:
        config = load_config(config_path)
    except ConfigError as schema_error:
        try:
            Resources.load(valid_specifications(config_path), dirs, read_all)
        except ConfigError as resource_error:
            raise ConfigError(schema_error.problems + resource_error.problems) from None
        raise
    return config, Resources.of(config, dirs, read_all)


def iter_plan(
    config: BatchConfig,
    dirs: AssetDirs,
    seed: int | None = None,
    stats: PlanStats | None = None,
    count: int | None = None,
) -> Iterator[Record]:
    """Plan records one by one; `seed` overrides the config's seed (default 0), `count` its total_images.

    Resources are checked before this returns, so a bad config fails here, not mid-stream.
    """
    resources = Resources.of(config, dirs)
    config = _counted(config, count)
    planned = plan_records(config, resources, planning_seed(config, seed), stats if stats is not None else PlanStats())
    return map(record_of, planned)


def _counted(config: BatchConfig, count: int | None) -> BatchConfig:
    """The config with `count` images instead of its total_images (`--count`, as trdg's `-c`)."""
    return config if count is None else config.model_copy(update={"total_images": count})


def planning_seed(config: BatchConfig, override: int | None = None) -> int:
    """The seed a plan of `config` is made with: `override` (`--seed`), else the config's, else 0."""
    if override is not None:
        return override
    return config.seed if config.seed is not None else 0


@dataclass
class PlanStream:
    """A plan being written: its lines as they are made; stats and hash are whole once `lines` is exhausted."""

    config: BatchConfig
    lines: Iterator[tuple[int, bytes]]
    stats: PlanStats
    writer: PlanWriter
    total: int  # records this stream writes: the whole plan's, or its shard's


def stream_plan(
    config_path: str | os.PathLike[str],
    dirs: AssetDirs,
    output: str | os.PathLike[str] | None,
    seed: int | None = None,
    count: int | None = None,
    workers: int = 1,
    shard: Shard | None = None,
) -> PlanStream:
    """Validate, then plan lazily: each (offset, line) is on its way to `output` (None: stdout) when it is yielded.

    The file gets its final name, with its statistics beside it, only after the last line.
    `seed` and `count` override the config's seed and total_images. `workers` processes plan
    it, and the file is the same for any number; `shard` plans only that contiguous part of it.
    """
    config, resources = validate(config_path, dirs)
    config = _counted(config, count)
    stats = PlanStats()
    writer = PlanWriter(None if output is None else Path(output))
    shard = shard or Shard()
    indices = shard_range(config.total_images, shard)
    seed = planning_seed(config, seed)
    if shard.count > 1:
        identity = hashlib.sha256(f"{config.model_dump_json()} {seed}".encode()).hexdigest()[:16]
        stats.part = PlanPart(shard.index, shard.count, *indices, config.total_images, identity)
    planned = plan_lines(config, dirs, resources, seed, stats, indices, workers)
    return PlanStream(config, writer.lines(planned, stats), stats, writer, indices[1] - indices[0])


def make_plan(
    config_path: str | os.PathLike[str],
    dirs: AssetDirs,
    output: str | os.PathLike[str] | None,
    seed: int | None = None,
    count: int | None = None,
    workers: int = 1,
) -> PlanStats:
    """Validate, then write the whole plan to `output` and its statistics beside it; None writes the lines to stdout."""
    stream = stream_plan(config_path, dirs, output, seed, count, workers)
    deque(stream.lines, maxlen=0)
    return stream.stats
