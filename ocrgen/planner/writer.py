"""Write a plan file: one JSON line per record, plus the planning statistics beside it."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson

from ocrgen.atomic import write_atomic
from ocrgen.schemas.plan import PlanRecord


def stats_path(plan: Path) -> Path:
    return plan.with_name(plan.name + ".stats.json")


def record_line(record: PlanRecord) -> bytes:
    return orjson.dumps(record.model_dump(mode="json")) + b"\n"


def write_plan(records: Iterable[PlanRecord], plan: Path) -> int:
    """Stream records to a temporary file and rename it into place once complete."""
    plan.parent.mkdir(parents=True, exist_ok=True)
    temporary = plan.with_name(f".{plan.name}.tmp")
    count = 0
    with open(temporary, "wb") as handle:
        for record in records:
            handle.write(record_line(record))
            count += 1
    temporary.replace(plan)
    return count


def write_stats(plan: Path, stats: dict[str, object]) -> None:
    write_atomic(stats_path(plan), orjson.dumps(stats, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
