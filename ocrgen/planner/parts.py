"""A plan planned in parts (`ocrgen plan --shard K/N`): check that the parts make one whole, and join them.

Each part's statistics file says which part it is and which records it holds, so a missing,
repeated or foreign part is found before anything is written. The joined file is the parts'
bytes in shard order, which is the plan one process would have written, and its statistics
are their sums.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import orjson

from ocrgen.atomic import StreamedFile
from ocrgen.errors import OcrgenError, OutputError
from ocrgen.planner.records import PlanStats
from ocrgen.planner.writer import stats_path, write_stats

COPY_BLOCK = 1 << 20


class PlanPartsError(OcrgenError):
    """Plan parts that are not the parts of one plan."""

    exit_code = 2


def part_stats(plan: Path) -> PlanStats:
    """The statistics beside `plan`; PlanPartsError naming the file when they are missing or unreadable."""
    sidecar = stats_path(plan)
    try:
        return PlanStats.from_dict(orjson.loads(sidecar.read_bytes()))
    except FileNotFoundError:
        raise PlanPartsError(
            f"{plan} has no statistics file beside it ({sidecar.name}); plan each part with "
            "`ocrgen plan --shard K/N -o FILE`, which writes it"
        ) from None
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        raise PlanPartsError(f"{sidecar} is not a plan's statistics file; plan that part again") from None


def whole_stats(parts: Iterable[Path]) -> tuple[list[Path], PlanStats]:
    """The parts in shard order and the whole plan's statistics; PlanPartsError when they are not one plan's parts."""
    found = [(part, part_stats(part)) for part in parts]
    if not found:
        raise PlanPartsError("no plan parts given")
    unsplit = [str(path) for path, stats in found if stats.part is None]
    if unsplit:
        if len(found) == 1:
            return [found[0][0]], found[0][1]
        raise PlanPartsError(f"{', '.join(unsplit)} is a whole plan, not a part; give only parts made with --shard")
    found.sort(key=lambda item: item[1].part.index if item[1].part else 0)
    first = found[0][1].part
    assert first is not None
    indices = [stats.part.index for _, stats in found if stats.part]
    wanted = list(range(first.count))
    if indices != wanted:
        missing = sorted(set(wanted) - set(indices))
        repeated = sorted({k for k in indices if indices.count(k) > 1})
        problem = f"missing part(s) {missing}" if missing else f"part(s) {repeated} given twice"
        raise PlanPartsError(
            f"the parts of a plan in {first.count} parts are 0/{first.count} … {first.count - 1}/{first.count}: "
            f"{problem}"
        )
    whole = PlanStats()
    stop = 0
    for path, stats in found:
        part = stats.part
        assert part is not None
        if (part.count, part.total, part.config) != (first.count, first.total, first.config) or part.first != stop:
            raise PlanPartsError(
                f"{path} is part {part.index}/{part.count} of a plan of {part.total:,} records (config and seed "
                f"{part.config}), records {part.first:,} to {part.stop:,}; it does not follow the other parts (part 0: "
                f"a plan of {first.total:,} in {first.count} parts, config and seed {first.config}). Plan every part "
                "with the same config, seed and count"
            )
        stop = part.stop
        whole.add(stats)
    return [path for path, _ in found], whole


def join_parts(parts: Iterable[Path], output: Path) -> PlanStats:
    """Write the parts, in shard order, as one plan at `output`, with its statistics; the parts stay."""
    ordered, stats = whole_stats(parts)
    try:
        joined = StreamedFile(output)
        try:
            for part in ordered:
                with open(part, "rb") as handle:
                    while block := handle.read(COPY_BLOCK):
                        joined.write(block)
            write_stats(output, stats.to_dict())
            joined.commit()
        except BaseException:
            joined.discard()
            raise
    except OSError as error:
        raise OutputError(f"the joined plan {output}", error) from None
    return stats
