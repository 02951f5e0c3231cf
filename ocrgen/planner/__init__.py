"""Stage one: turn a batch config and assets into plan records, making every random choice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ocrgen.planner.records import PlanStats, plan_records
from ocrgen.planner.resources import AssetDirs, Resources
from ocrgen.planner.validation import load_config
from ocrgen.planner.writer import write_plan, write_stats
from ocrgen.schemas.config import BatchConfig
from ocrgen.schemas.plan import PlanRecord

__all__ = ["AssetDirs", "PlanStats", "iter_plan", "load_config", "make_plan", "validate"]


def validate(config_path: Path, dirs: AssetDirs) -> tuple[BatchConfig, Resources]:
    """Check the config and every resource it names; raises ConfigError with all problems."""
    config = load_config(config_path)
    return config, Resources.load(config, dirs)


def iter_plan(
    config: BatchConfig, dirs: AssetDirs, seed: int | None = None, stats: PlanStats | None = None
) -> Iterator[PlanRecord]:
    """Plan records one by one; `seed` overrides the config's seed (default 0).

    Resources are checked before this returns, so a bad config fails here, not mid-stream.
    """
    resources = Resources.load(config, dirs)
    chosen = seed if seed is not None else (config.seed if config.seed is not None else 0)
    return plan_records(config, resources, chosen, stats if stats is not None else PlanStats())


def make_plan(config_path: Path, dirs: AssetDirs, output: Path, seed: int | None = None) -> PlanStats:
    """Validate, then write the whole plan to `output` and its statistics beside it."""
    config = load_config(config_path)
    stats = PlanStats()
    write_plan(iter_plan(config, dirs, seed, stats), output)
    write_stats(output, stats.to_dict())
    return stats
