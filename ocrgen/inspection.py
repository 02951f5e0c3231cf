"""Summarise a plan file before spending compute on it, in one streaming pass with flat memory.

Each line is validated as a `PlanRecord` or a `PageRecord`, exactly as `render` does, so a plan that inspects
cleanly also parses cleanly; the summary itself reads the line as a plain dict. Counts are
kept per distinct value (specs, fonts, directions, backgrounds: bounded by the assets),
and every numeric distribution goes through a fixed-size `Reservoir`.
"""

from __future__ import annotations

import os
import random
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

from ocrgen.errors import OcrgenError
from ocrgen.planner.parts import whole_stats
from ocrgen.planner.writer import stats_path
from ocrgen.renderer.planfile import Shard, parse_record, shard_lines

QUANTILES = {"min": 0.0, "p5": 0.05, "p25": 0.25, "median": 0.5, "p75": 0.75, "p95": 0.95, "max": 1.0}
RESERVOIR_SIZE = 4096
RECORD_NUMBERS = (  # listed first; effect parameters follow by name
    "font size",
    "text length",
    "page: texts",
    "page: width px",
    "page: height px",
    "page text: width px",
    "page text: height px",
)


class RecordNotFound(OcrgenError):
    """`show` asked for an index the plan does not hold."""

    exit_code = 2


class Reservoir:
    """A uniform sample of at most `size` values (Vitter's algorithm R), plus the exact min and max.

    Quantiles are exact while a metric has at most `size` values. Beyond that, a quantile
    q of the sample sits within about sqrt(q(1-q)/size) of q in rank: ±0.8 % of the
    records at the median for 4096 values (one standard deviation), ±0.34 % at p5 and p95.
    The RNG is seeded, so the same plan always gives the same report.
    """

    def __init__(self, size: int = RESERVOIR_SIZE, seed: int = 0) -> None:
        self.size, self.count = size, 0
        self.sample = array("d")
        self.low, self.high = float("inf"), float("-inf")
        self._rng = random.Random(seed)

    def add(self, value: float) -> None:
        self.count += 1
        self.low, self.high = min(self.low, value), max(self.high, value)
        if len(self.sample) < self.size:
            self.sample.append(value)
        else:
            slot = self._rng.randrange(self.count)
            if slot < self.size:
                self.sample[slot] = value

    def quantiles(self) -> dict[str, float]:
        """Linear interpolation between sample ranks (numpy's default), with the exact ends."""
        ordered = sorted(self.sample)
        result = {}
        for name, q in QUANTILES.items():
            position = q * (len(ordered) - 1)
            below = int(position)
            above = min(below + 1, len(ordered) - 1)
            result[name] = ordered[below] + (ordered[above] - ordered[below]) * (position - below)
        result["min"], result["max"] = self.low, self.high
        return {name: round(value, 4) for name, value in result.items()}


class PlanSummary:
    """What `ocrgen inspect` reports, filled in one record at a time."""

    def __init__(self) -> None:
        self.records = 0
        self.texts = 0  # a record's one text, or each text of a page
        self.specs: Counter[str] = Counter()
        self.fonts: Counter[str] = Counter()
        self.directions: Counter[str] = Counter()
        self.backgrounds: Counter[str] = Counter()
        self.background_images: defaultdict[str, set[str]] = defaultdict(set)
        self.effects: Counter[str] = Counter()
        self.numbers: dict[str, Reservoir] = {}

    def add(self, record: dict[str, Any]) -> None:
        self.records += 1
        self.specs[record["spec"]] += 1
        self._background(record["background"])
        if record.get("kind") == "page":
            self._number("page: texts", len(record["instances"]))
            self._number("page: width px", record["canvas"]["width"])
            self._number("page: height px", record["canvas"]["height"])
            self._effects(record.get("effects", ()))
            for instance in record["instances"]:
                self._text(instance)
                self._number("page text: width px", instance["canvas"]["width"])
                self._number("page text: height px", instance["canvas"]["height"])
            return
        self._text(record)
        crop = record.get("crop") or {}
        for side in ("left", "top", "right", "bottom"):
            if side in crop:
                self._number(f"crop.{side} px", crop[side])
        if crop:
            self._number("crop.neighbours", len(crop.get("neighbours", ())))

    def _text(self, block: dict[str, Any]) -> None:
        """A record's text, or a page's: its font, direction, size, length and effects."""
        self.texts += 1
        font = block["font"]
        self.fonts[f"{font['asset']['root']}/{font['asset']['path']}#{font.get('face_index', 0)}"] += 1
        self.directions[block["direction"]] += 1
        self._number("font size", font["size"])
        self._number("text length", len(block["text"]))
        self._effects(block.get("effects", ()))

    def _background(self, background: dict[str, Any]) -> None:
        if background["kind"] == "image":
            asset = background["asset"]
            folder = asset["path"].rsplit("/", 1)[0] if "/" in asset["path"] else "."
            key = f"image {asset['root']}/{folder}"
            self.background_images[key].add(asset["path"])
        else:
            key = f"procedural {background['style']}"
        self.backgrounds[key] += 1

    def _effects(self, effects: Sequence[dict[str, Any]]) -> None:
        for effect in effects:
            self.effects[effect["name"]] += 1
            for param, value in effect.items():
                if param != "seed":  # a seed names a random stream; its values have no distribution to show
                    self._effect_param(f"{effect['name']}.{param}", value)

    def _effect_param(self, key: str, value: Any) -> None:
        """Numbers as they are; float lists (perspective corners, grid offsets) by their largest |value|.

        Lists of ints are RGB colours, and strings, flags and None are not distributions: skipped.
        """
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self._number(key, value)
        elif isinstance(value, list):
            leaves = list(_leaves(value))
            if leaves and any(isinstance(leaf, float) for leaf in leaves):
                self._number(f"{key} max|v|", max(abs(leaf) for leaf in leaves))

    def _number(self, key: str, value: float) -> None:
        reservoir = self.numbers.get(key)
        if reservoir is None:
            reservoir = self.numbers[key] = Reservoir()
        reservoir.add(value)

    def to_dict(self, planning: dict[str, Any] | None) -> dict[str, Any]:
        """The report with a stable key order: sections as below, counts by frequency then name."""
        return {
            "records": self.records,
            "texts": self.texts,
            "specs": _ranked(self.specs),
            "fonts": _ranked(self.fonts),
            "directions": _ranked(self.directions),
            "backgrounds": {
                key: {
                    "records": count,
                    **({"images": len(self.background_images[key])} if key.startswith("image") else {}),
                }
                for key, count in _ranked(self.backgrounds).items()
            },
            "effects": _ranked(self.effects),
            "distributions": {
                key: {"count": self.numbers[key].count, **self.numbers[key].quantiles()}
                for key in sorted(self.numbers, key=lambda key: (key not in RECORD_NUMBERS, key))
            },
            "planning": planning,
        }


def _leaves(value: Any) -> Iterator[Any]:
    for item in value:
        if isinstance(item, list):
            yield from _leaves(item)
        else:
            yield item


def _ranked(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def inspect_plan(*paths: str | os.PathLike[str]) -> dict[str, Any]:
    """Stream the plan once and return the report; a line that render would refuse raises PlanFileError naming it.

    Several paths are the parts of one plan (`plan --shard`), read in shard order as the whole;
    PlanPartsError when they are not.
    """
    plans = [Path(path) for path in paths]
    planning: dict[str, Any] | None = None
    if len(plans) > 1:
        plans, stats = whole_stats(plans)
        planning = dict(sorted(stats.to_dict().items()))  # in the order of a statistics file's keys
    elif stats_path(plans[0]).exists():
        planning = orjson.loads(stats_path(plans[0]).read_bytes())
    summary = PlanSummary()
    for path in plans:
        for line in shard_lines(path, Shard()):  # the same checks as render's, so inspect passes no less
            parse_record(path, line)
            summary.add(orjson.loads(line.text))
    return summary.to_dict(planning)


def find_record(path: Path, index: int) -> dict[str, Any]:
    """The record with `index`, validated, found by streaming and stopping at it."""
    seen = 0
    for line in shard_lines(path, Shard()):
        seen += 1
        try:
            candidate = orjson.loads(line.text)
        except orjson.JSONDecodeError:
            candidate = None
        if not isinstance(candidate, dict) or candidate.get("index") == index:
            # parse_record raises for a line that is no record, naming it
            return parse_record(path, line).model_dump(mode="json")
    raise RecordNotFound(f"{path} has no record with index {index} ({seen} records).")


def format_report(plan: str | os.PathLike[str] | Sequence[Path], report: dict[str, Any]) -> str:
    """The report as aligned plain-text tables, one section per question; `plan`: the plan, or its parts."""
    total = report["records"] or 1
    paths = list(plan) if isinstance(plan, Sequence) and not isinstance(plan, str) else [Path(plan)]
    path = paths[0]
    named = str(path) if len(paths) == 1 else f"{path} and {len(paths) - 1} more parts"
    pages = f", {report['texts']} texts" if report["texts"] != report["records"] else ""
    lines = [f"{named}: {report['records']} records{pages}"]

    def section(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
        lines.extend(["", title])
        if not rows:
            lines.append("  (none)")
            return
        widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            cells = [row[0].ljust(widths[0])] + [
                cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
            ]
            lines.append("  " + "  ".join(cells).rstrip())

    def counted(counts: dict[str, int], whole: int = total) -> list[tuple[str, ...]]:
        return [(key, str(count), f"{100 * count / whole:.1f}") for key, count in counts.items()]

    # A page holds many texts: fonts and directions are shares of the texts, the rest of the records.
    texts = report["texts"] or 1
    section("Specifications", counted(report["specs"]), ("spec", "records", "%"))
    section("Fonts", counted(report["fonts"], texts), ("font#face", "texts", "%"))
    section("Directions", counted(report["directions"], texts), ("direction", "texts", "%"))
    section(
        "Backgrounds",
        [
            (key, str(value["records"]), f"{100 * value['records'] / total:.1f}", str(value.get("images", "")))
            for key, value in report["backgrounds"].items()
        ],
        ("background", "records", "%", "images"),
    )
    section("Effects", counted(report["effects"]), ("effect", "records", "%"))
    section(
        f"Distributions (exact up to {RESERVOIR_SIZE} values, then a {RESERVOIR_SIZE}-value reservoir sample)",
        [(key, str(row["count"]), *(f"{row[q]:g}" for q in QUANTILES)) for key, row in report["distributions"].items()],
        ("value", "n", *QUANTILES),
    )
    planning = report["planning"]
    if planning is None:
        lines.extend(["", f"Planning: no {stats_path(path).name} beside the plan, so no resampling counts."])
    else:
        resampled = planning.get("resampled", {})
        section(
            f"Planning ({stats_path(path).name if len(paths) == 1 else 'the statistics of the parts'}): "
            f"{planning.get('records', '?')} records planned, "
            f"{sum(resampled.values())} redrawn",
            [(reason, str(count)) for reason, count in resampled.items()],
            ("redrawn because", "times"),
        )
    return "\n".join(lines)
