"""Make plan records, one at a time, each from its own seeded generator.

Record i depends only on the config, the assets and (seed, i), so planning
streams with flat memory and always gives the same file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import islice
from typing import Any

import numpy as np

from ocrgen.effects.registry import plugin_packages, recolor_effects, sample_effects, size_after_geometry
from ocrgen.effects.text import effective_layout, layout_jitter, margins
from ocrgen.errors import PlanningError
from ocrgen.planner.allocation import RecordOrder, allocate
from ocrgen.planner.contrast import pick_text_color
from ocrgen.planner.fonts import needed_codepoints
from ocrgen.planner.framing import canvas_padding, plan_crop
from ocrgen.planner.linebreak import break_lines
from ocrgen.planner.resources import Resources, SpecResources
from ocrgen.planner.styles import NO_OTHER_STYLE, plan_styles
from ocrgen.planner.text_augmentation import augment_text
from ocrgen.sampling import choose, record_rng, sample_color, sample_float, sample_int
from ocrgen.schemas.config import BatchConfig, Specification
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.plan import (
    Arc,
    Canvas,
    FontRef,
    ImageBackground,
    InkCrop,
    Layout,
    PlanRecord,
    Point,
    ProceduralBackground,
    Sine,
    Stroke,
)
from ocrgen.schemas.ranges import RGB
from ocrgen.text.layout import TextLayout, layout_text
from ocrgen.text.scripts import stands_upright

MAX_TEXT_TRIES = 100
LAYOUT_DECIMALS = 3  # plenty for line spacing and curves, and short plan lines


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


def plan_records(config: BatchConfig, resources: Resources, seed: int, stats: PlanStats) -> Iterator[PlanRecord]:
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
) -> Iterator[PlanRecord]:
    """Records start, start + step, start + 2 step, ... below `stop`, or without end when it is None.

    Record i is the record a plan of `config` holds at i. Past `total_images` the specifications
    go on in the plan's interleaved order, again every `total_images` records, so any stretch of
    the stream mixes them as a plan does. A training process plans its own share of an endless
    stream this way: each record it skips costs only its turn in that order, not its planning.
    A process that plans several stretches passes its `order` along, to go on where it stopped.
    """
    order = order or record_order(config)
    for index, spec_index in islice(order.starting_at(start), 0, None if stop is None else max(stop - start, 0), step):
        record = _plan_one(resources.specs[spec_index], index, seed, resources.roots, stats, config.max_image_pixels)
        stats.records += 1
        stats.per_spec[record.spec] += 1
        yield record


def record_order(config: BatchConfig) -> RecordOrder:
    """Which specification each record of `config`'s plan comes from."""
    return RecordOrder(allocate(config.total_images, [spec.proportion for spec in config.specifications]))


def _plan_one(
    res: SpecResources, index: int, seed: int, roots: dict[str, str], stats: PlanStats, max_pixels: int
) -> PlanRecord:
    spec = res.spec
    rng = record_rng(seed, index)
    tried: Counter[str] = Counter()
    # Effects first: glyph_overlap changes the layout that sizes the canvas.
    effects = sample_effects(spec.effects, rng)
    for _ in range(MAX_TEXT_TRIES):
        draw = res.corpus.draw(rng)
        tried.update(draw.passed_over)
        if draw.text is None:
            tried[draw.reason or "no_text"] += 1
            continue
        drawn = augment_text(draw.text, spec.text_augmentation, rng) if spec.text_augmentation else draw.text
        needed = needed_codepoints(drawn)
        fonts = [(font, weight) for font, weight in res.fonts if font.covers(needed)]
        if not fonts:
            tried["no_font_covers_text"] += 1
            continue
        font = choose([f for f, _ in fonts], [w for _, w in fonts], rng)
        size = max(1, sample_int(spec.font_size, rng))  # a range below 1 px rounds to 0
        directions = spec.directions.weights()
        direction = choose(list(directions), list(directions.values()), rng)
        text = break_lines(drawn, sample_int(spec.lines, rng), spec.line_break)
        params = _layout_params(spec, text, direction, rng)
        styled = plan_styles(spec.mixed_styles, text, font, fonts, rng) if spec.mixed_styles else ([], [])
        runs, spans = styled or ([], [])
        setting = effective_layout(params, effects)
        jitter = layout_jitter(effects)
        layout = layout_text(str(font.path), font.face_index, size, text, direction, setting, jitter, spans)
        if any(placed.glyph == 0 for placed in layout.placements):
            tried["notdef_glyph"] += 1
            continue
        canvas, origin, crop = _fit(layout, rng, res, effects)
        width, height = size_after_geometry(effects, canvas.width, canvas.height)
        if max(canvas.width * canvas.height, width * height) > max_pixels:
            tried["image_too_large"] += 1
            continue
        break
    else:
        stats.resampled.update(tried)
        reasons = ", ".join(f"{reason} x{count}" for reason, count in tried.most_common())
        fix = (
            "Lower its font_size, padding, text_length or lines, or raise max_image_pixels."
            if tried.most_common(1)[0][0] == "image_too_large"
            else "Check that its corpus suits its text_length and that its fonts cover the corpus script."
        )
        raise PlanningError(f"Specification '{spec.name}': no usable text in {MAX_TEXT_TRIES} tries ({reasons}). {fix}")
    stats.resampled.update(tried)
    if styled is None:
        stats.resampled[NO_OTHER_STYLE] += 1

    # The background first, at the final size, so the colours of the text can keep their contrast against it.
    background = res.backgrounds.draw(spec, width, height, rng)
    text_color, effects = _ink_colors(res, background, effects, rng, stats.resampled)
    return PlanRecord(
        index=index,
        spec=spec.name,
        seed=int(rng.integers(2**63 - 1)),
        text=text,
        font=FontRef(asset=font.ref, face_index=font.face_index, size=size),
        direction=direction,
        layout=params,
        styles=runs,
        canvas=canvas,
        origin=origin,
        text_color=text_color,
        background=background,
        effects=effects,
        crop=crop,
        roots=roots,
        plugins=plugin_packages(effects),
    )


def _ink_colors(
    res: SpecResources,
    background: ImageBackground | ProceduralBackground,
    effects: list[EffectParams],
    rng: np.random.Generator,
    resampled: Counter[str],
) -> tuple[RGB, list[EffectParams]]:
    """The text colour, and the effects with the colours they ink the text with, all kept to `spec.min_contrast`.

    Each colour is picked by the one contrast rule against the background's luminances; rejected
    draws and fallbacks go into `resampled`. With the check off (`min_contrast` 1), the text
    colour is drawn plainly and the effects keep the colours they were sampled with.
    """
    spec = res.spec
    if spec.min_contrast <= 1:
        return sample_color(spec.text_color, rng), effects
    pick = partial(
        pick_text_color,
        background=res.backgrounds.luminance(background),
        min_contrast=spec.min_contrast,
        rng=rng,
        resampled=resampled,
    )
    return pick(spec.text_color), recolor_effects(spec.effects, effects, pick)


_ALIGNMENTS = {
    "left_to_right": ("left", "center", "right"),
    "right_to_left": ("left", "center", "right"),
    "top_to_bottom": ("top", "center", "bottom"),
    "bottom_to_top": ("top", "center", "bottom"),
}


def _layout_params(spec: Specification, text: str, direction: str, rng: np.random.Generator) -> Layout:
    """Everything about how the lines are set, drawn once so the renderer decides nothing."""
    upright = direction == "top_to_bottom" and (stands_upright(text) or spec.vertical_text == "upright")
    alignment = None
    if spec.alignment:
        allowed = {a: w for a, w in spec.alignment.items() if a in _ALIGNMENTS[direction] and w > 0}
        alignment = choose(list(allowed), list(allowed.values()), rng) if allowed else None
    curve: Arc | Sine | None = None
    if spec.curve and direction in ("left_to_right", "right_to_left") and rng.random() < spec.curve.p:
        kinds = spec.curve.weights()
        kind = choose(list(kinds), list(kinds.values()), rng)
        if kind == "arc" and spec.curve.arc:
            arc = spec.curve.arc
            curve = Arc(radius=sample_float(arc.radius, rng, LAYOUT_DECIMALS), concave=bool(rng.random() < arc.concave))
        elif spec.curve.sine:
            sine = spec.curve.sine
            curve = Sine(
                amplitude=sample_float(sine.amplitude, rng, LAYOUT_DECIMALS),
                frequency=sample_float(sine.frequency, rng, LAYOUT_DECIMALS),
                phase=sample_float(sine.phase, rng, LAYOUT_DECIMALS),
            )
    stroke = None
    if spec.stroke and rng.random() < spec.stroke.p:
        stroke = Stroke(width=sample_int(spec.stroke.width, rng), color=sample_color(spec.stroke.color, rng))
    return Layout(
        orientation="upright" if upright else "rotated",
        alignment=alignment,
        line_spacing=sample_float(spec.line_spacing, rng, LAYOUT_DECIMALS),
        character_spacing=sample_int(spec.character_spacing, rng),
        word_spacing=sample_int(spec.word_spacing, rng),
        curve=curve,
        stroke=stroke,
    )


def _fit(
    layout: TextLayout, rng: np.random.Generator, res: SpecResources, effects: list[EffectParams]
) -> tuple[Canvas, Point, InkCrop | None]:
    """A canvas that holds all of the text's ink and line box, with padding drawn for each side, and the crop.

    Without framing the padding is drawn from `padding`; with it, the padding is what the crop's
    margins need. Both get what text effects such as shadows ink beyond the text added to them.
    """
    framing = res.spec.framing
    crop = None if framing is None else plan_crop(framing, layout, effects, rng)
    padding = [sample_int(res.spec.padding, rng) for _ in range(4)] if crop is None else canvas_padding(crop, effects)
    left, top, right, bottom = (pad + extra for pad, extra in zip(padding, margins(effects), strict=True))
    extent = layout.extent()
    canvas = Canvas(width=extent.x1 - extent.x0 + left + right, height=extent.y1 - extent.y0 + top + bottom)
    return canvas, Point(x=left - extent.x0, y=top - extent.y0), crop
