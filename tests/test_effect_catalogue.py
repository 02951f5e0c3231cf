"""What every effect of the catalogue must do, checked from one table of examples (tests/effect_examples.py)."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from ocrgen.effects.registry import sample_effects, size_after_geometry
from ocrgen.renderer.output import encode_label
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.catalogue import BY_NAME, EFFECTS, AppliedEffect, EffectsConfig
from ocrgen.schemas.plan import PlanRecord
from tests.effect_examples import EXAMPLES
from tests.textcases import LATIN, dilate, ink_mask, make_record, polygon_mask, render

NAMES = [effect.name for effect in EFFECTS]
GEOMETRIC = [effect.name for effect in EFFECTS if effect.stage == "geometry"]
APPLIED = TypeAdapter(AppliedEffect)


def record_with(*effects: EffectParams) -> PlanRecord:
    return make_record(LATIN, "Quick brown fox 0123", size=32, padding=10, effects=effects)


def test_every_registered_effect_has_an_example() -> None:
    assert sorted(EXAMPLES) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_the_example_is_its_effect_and_round_trips_through_the_plan_schema(name: str) -> None:
    params = EXAMPLES[name]
    assert params.name == name and isinstance(params, BY_NAME[name].params) and not params.is_noop()
    assert APPLIED.validate_json(APPLIED.dump_json(params)) == params


@pytest.mark.parametrize("name", NAMES)
def test_rendering_is_a_pure_function_of_the_record(name: str) -> None:
    """The same record gives the same bytes, and the effect changes them."""
    record = record_with(EXAMPLES[name])
    first, second = render_pixels(record), render_pixels(record)
    assert first[0].tobytes() == second[0].tobytes() and encode_label(first[1]) == encode_label(second[1])
    plain = render_pixels(record_with())[0]
    assert plain.shape != first[0].shape or not np.array_equal(plain, first[0])


@pytest.mark.parametrize("name", NAMES)
def test_an_effect_with_p_zero_never_applies(name: str) -> None:
    config = EffectsConfig.model_validate({name: {"p": 0}})
    assert not any(sample_effects(config, np.random.default_rng(seed)) for seed in range(50))
    sure = EffectsConfig.model_validate({name: {"p": 1}})
    assert any(p.name == name for seed in range(20) for p in sample_effects(sure, np.random.default_rng(seed)))


@pytest.mark.parametrize("name", GEOMETRIC)
def test_a_geometric_effect_keeps_the_ink_inside_its_polygons(name: str) -> None:
    record = record_with(EXAMPLES[name])
    image, label = render(record)
    assert image.size == size_after_geometry(record.effects, record.canvas.width, record.canvas.height)
    ink = ink_mask(image)
    inside = dilate(polygon_mask(ink.shape, [c.polygon for c in label.characters]), 2)
    assert (ink & inside).sum() >= 0.99 * ink.sum() > 0
