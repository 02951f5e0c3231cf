"""Make plan records, one at a time, each from its own seeded generator.

Record i depends only on the config, the assets and (seed, i), so planning
streams with flat memory and always gives the same file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from typing import Any

import numpy as np

from ocrgen.effects.registry import plugin_packages, sample_effects
from ocrgen.planner.allocation import RecordOrder, allocate
from ocrgen.planner.pages import plan_page
from ocrgen.planner.resources import Resources, SpecResources
from ocrgen.planner.text_plan import ink_colors, plan_text
from ocrgen.record_seeds import record_rngs
from ocrgen.schemas.config import BatchConfig, PageSpecification, Specification
from ocrgen.schemas.plan import PLAN_SCHEMA_VERSION, PlanRecord, RecordData, without_unset

# Records whose generators are seeded in one go: enough to spread the batch's numpy calls thin, few enough
# that `generate` renders its first image as soon as ever.
_SEEDED_TOGETHER = 256


@dataclass
class PlanStats:
    """What planning had to redo, by reason; nothing is skipped without being counted here."""

    records: int = 0
    per_spec: Counter[str] = field(default_factory=Counter)
    resampled: Counter[str] = field(default_factory=Counter)
    part: PlanPart | None = None  # which part of a plan planned with --shard these stats are of

    def add(self, other: PlanStats) -> None:
        """Count `other`'s records and redraws in too: the stats of a plan made in parts."""
        self.records += other.records
        self.per_spec.update(other.per_spec)
        self.resampled.update(other.resampled)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "records": self.records,
            "per_spec": dict(sorted(self.per_spec.items())),
            "resampled": dict(sorted(self.resampled.items())),
        }
        if self.part is not None:
            data["part"] = asdict(self.part)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PlanStats:
        """Stats as `to_dict` wrote them; KeyError or TypeError when `data` is not such stats."""
        part = data.get("part")
        return cls(
            records=int(data["records"]),
            per_spec=Counter({str(k): int(v) for k, v in data["per_spec"].items()}),
            resampled=Counter({str(k): int(v) for k, v in data["resampled"].items()}),
            part=None if part is None else PlanPart(**part),
        )


@dataclass(frozen=True)
class PlanPart:
    """Part `index` of `count` of a plan of `total` records: the records [first, stop).

    `config` identifies what the plan was made from: a hash of the validated config and the seed.
    """

    index: int
    count: int
    first: int
    stop: int
    total: int
    config: str


def plan_records(config: BatchConfig, resources: Resources, seed: int, stats: PlanStats) -> Iterator[RecordData]:
    """Every record of the plan, in index order; `stats` fills in as they are made."""
    return stride_records(config, resources, seed, stats, stop=config.total_images)


def stride_records(
    config: BatchConfig,
    resources: Resources,
    seed: int,
    stats: PlanStats,
    start: int = 0,
    step: int = 1,
    stop: int | None = None,
    order: RecordOrder | None = None,
) -> Iterator[RecordData]:
    """Records start, start + step, start + 2 step, ... below `stop`, or without end when it is None.

    Record i is the record a plan of `config` holds at i. Past `total_images` the specifications
    go on in the plan's interleaved order, again every `total_images` records, so any stretch of
    the stream mixes them as a plan does. A training process plans its own share of an endless
    stream this way: each record it skips costs only its turn in that order, not its planning.
    A process that plans several stretches passes its `order` along, to go on where it stopped.
    """
    order = order or record_order(config)
    texts, pages, max_pixels = resources.specs, resources.pages, config.max_image_pixels
    turns = islice(order.starting_at(start), 0, None if stop is None else max(stop - start, 0), step)
    while batch := list(islice(turns, _SEEDED_TOGETHER)):
        for (index, kind), rng in zip(batch, record_rngs(seed, [index for index, _ in batch]), strict=True):
            if kind < len(texts):
                data = _plan_one(texts[kind], index, rng, resources.roots, stats, max_pixels)
            else:
                page = plan_page(pages[kind - len(texts)], index, rng, resources.roots, stats.resampled, max_pixels)
                data = page.data()
            stats.records += 1
            stats.per_spec[data["spec"]] += 1
            yield data


def record_order(config: BatchConfig) -> RecordOrder:
    """Which specification (or page, numbered after them) each record of `config`'s plan comes from."""
    kinds: list[Specification | PageSpecification] = [*config.specifications, *config.pages]
    return RecordOrder(allocate(config.total_images, [kind.proportion for kind in kinds]))


def _plan_one(
    res: SpecResources, index: int, rng: np.random.Generator, roots: dict[str, str], stats: PlanStats, max_pixels: int
) -> RecordData:
    spec = res.spec
    # Effects first: glyph_overlap changes the layout that sizes the canvas.
    effects = sample_effects(spec.effects, rng)
    planned = plan_text(res, rng, effects, max_pixels, stats.resampled)
    width, height = planned.picture
    # The background first, at the final size, so the colours of the text can keep their contrast against it.
    background = res.backgrounds.draw(spec, width, height, rng)
    luminance = res.backgrounds.luminance(background) if spec.min_contrast > 1 else []
    text_color, effects = ink_colors(spec, luminance, effects, rng, stats.resampled)
    data = {
        "schema_version": PLAN_SCHEMA_VERSION,
        "index": index,
        "spec": spec.name,
        "seed": int(rng.integers(2**63 - 1)),
        **planned.fields(),
        "text_color": text_color,
        "background": background,
        "effects": effects,
        "crop": planned.crop,
        "roots": roots,
        "plugins": plugin_packages(effects),
    }
    return without_unset(data, PlanRecord.unset_when)
