"""Plan a page: many texts, each planned as a record's text is, laid apart on one canvas.

The page draws, from its record's generator: its effects, its size, its background (at the size
its geometric effects give it), the number of texts; then for each text a specification, the
text itself (as `plan_text` plans a record's, on a canvas just large enough for its ink), a free
place for its picture, and colours that keep their contrast against the background under it.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from ocrgen.effects.registry import plugin_packages, sample_effects, size_after_geometry
from ocrgen.planner.placement import Box, Columns, Placement, Scatter
from ocrgen.planner.resources import PageResources, SpecResources
from ocrgen.planner.text_plan import PlannedText, ink_colors, plan_text
from ocrgen.sampling import choose, sample_int
from ocrgen.schemas.config import PageSpecification
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.catalogue import stage_of
from ocrgen.schemas.plan import Canvas, PageInstance, PageRecord, Point

TEXT_TRIES = 3  # texts drawn for one instance, each tried at several places, before the page counts as full
NO_ROOM = "page_no_room"  # an instance dropped: none of its texts found a free place


def plan_page(
    res: PageResources,
    index: int,
    rng: np.random.Generator,
    roots: dict[str, str],
    resampled: Counter[str],
    max_pixels: int,
) -> PageRecord:
    """Record `index` of the plan, a page of `res.spec` drawn from `rng`; instances that find no room are counted
    in `resampled`."""
    spec = res.spec
    effects = sample_effects(spec.effects, rng)
    width, height = max(1, sample_int(spec.width, rng)), max(1, sample_int(spec.height, rng))
    final = size_after_geometry(effects, width, height)
    background = res.backgrounds.draw(spec, *final, rng)
    placement = _placement(spec, width, height, rng)
    weights = [spec.specifications[text.spec.name] for text in res.texts]
    # The page's geometric effects move the texts; centred growth is where a rotation takes them.
    shift = ((final[0] - width) // 2, (final[1] - height) // 2)
    instances = []
    for _ in range(max(1, sample_int(spec.instances, rng))):
        if placement.full:  # no text is planned for a slot that cannot hold one
            resampled[NO_ROOM] += 1
            continue
        source = choose(res.texts, weights, rng)
        instance = _place(source, placement, rng, resampled, max_pixels)
        if instance is None:
            resampled[NO_ROOM] += 1
            continue
        planned, text_effects, box = instance
        under = (box[0] + shift[0], box[1] + shift[1], box[2] + shift[0], box[3] + shift[1])
        part = (_clipped(under, final), final)
        luminance = res.backgrounds.luminance(background, part) if source.spec.min_contrast > 1 else []
        text_color, text_effects = ink_colors(source.spec, luminance, text_effects, rng, resampled)
        instances.append(
            PageInstance(
                spec=source.spec.name,
                **planned.fields(),
                text_color=text_color,
                effects=text_effects,
                offset=Point(x=box[0], y=box[1]),
            )
        )
    instances.sort(key=lambda instance: placement.reading_key(instance.offset.x, instance.offset.y))
    every_effect = [*effects, *(effect for instance in instances for effect in instance.effects)]
    return PageRecord(
        index=index,
        spec=spec.name,
        seed=int(rng.integers(2**63 - 1)),
        canvas=Canvas(width=width, height=height),
        background=background,
        effects=effects,
        instances=instances,
        roots=roots,
        plugins=plugin_packages(every_effect),
    )


def _place(
    source: SpecResources, placement: Placement, rng: np.random.Generator, resampled: Counter[str], max_pixels: int
) -> tuple[PlannedText, list[EffectParams], Box] | None:
    """A text of `source`, its text and geometric effects, and the free place its picture takes."""
    for _ in range(TEXT_TRIES):
        effects = [e for e in sample_effects(source.spec.effects, rng) if stage_of(e.name) != "image"]
        planned = plan_text(source, rng, effects, max_pixels, resampled, alone=False)
        box = placement.place(*planned.picture, rng)
        if box is not None:
            return planned, effects, box
    return None


def _placement(spec: PageSpecification, width: int, height: int, rng: np.random.Generator) -> Placement:
    if spec.placement == "scatter":
        return Scatter(width, height, spec.gap)
    columns, margin = max(1, sample_int(spec.columns, rng)), sample_int(spec.margin, rng)
    return Columns(width, height, columns, margin, spec.gap, spec.column_gap)


def _clipped(box: Box, size: tuple[int, int]) -> Box:
    x0, y0 = min(max(box[0], 0), size[0] - 1), min(max(box[1], 0), size[1] - 1)
    return x0, y0, max(min(box[2], size[0]), x0 + 1), max(min(box[3], size[1]), y0 + 1)
