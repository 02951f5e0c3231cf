"""The effect catalogue, in the order effects apply: the one place an effect is registered.

Order: text effects (on the text's own layers), then geometric effects (text
pixels and label polygons together), then image effects (the finished picture).
Within a stage, effects apply in the order listed here, whatever order the
config names them in.
"""

from __future__ import annotations

import operator
from functools import reduce
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from pydantic import Field, create_model

from ocrgen.effects import geometric, image, text
from ocrgen.effects.base import ColorPicker, Effect, EffectConfig, EffectParams

EFFECTS: tuple[Effect, ...] = (*text.EFFECTS, *geometric.EFFECTS, *image.EFFECTS)
BY_NAME = {effect.name: effect for effect in EFFECTS}
_BY_PARAMS = {effect.params: effect for effect in EFFECTS}

# `effects:` in a specification: each key an effect name, each value its config.
EffectsConfig = create_model(  # type: ignore[call-overload]
    "EffectsConfig",
    __config__={"extra": "forbid", "frozen": True},
    __doc__="Effects of a specification, by name; an effect left out never applies.",
    **{effect.name: (effect.config | None, None) for effect in EFFECTS},
)

# One resolved effect in a plan record, told apart by its `name`; built from the catalogue, so a type checker
# sees only what every one of them is.
if TYPE_CHECKING:
    AppliedEffect = EffectParams
else:
    AppliedEffect = Annotated[reduce(operator.or_, (e.params for e in EFFECTS)), Field(discriminator="name")]


def effect_of(params: EffectParams) -> Effect:
    return _BY_PARAMS[type(params)]


def sample_effects(config: Any, rng: np.random.Generator) -> list[EffectParams]:
    """The effects one image gets: each configured effect applies with its chance `p`, in catalogue order.

    An effect whose drawn values change nothing is left out of the record.
    """
    chosen = []
    for effect in EFFECTS:
        effect_config: EffectConfig | None = getattr(config, effect.name, None) if config else None
        if effect_config is None or rng.random() >= effect_config.p:
            continue
        params = effect.sample(effect_config, rng)
        if not params.is_noop():
            chosen.append(params)
    return chosen


def recolor_effects(config: Any, effects: list[EffectParams], pick: ColorPicker) -> list[EffectParams]:
    """The effects with every colour they ink the text with drawn again by `pick`, from the same config ranges.

    `sample_effects` runs before the background exists; the planner calls this once it does,
    so that those colours, like the text colour, can keep their contrast against it.
    """
    return [effect_of(params).recolor(getattr(config, params.name), params, pick) for params in effects]


def size_after_geometry(effects: list[EffectParams], width: int, height: int) -> tuple[int, int]:
    """The image size once every geometric effect has grown or shrunk the canvas."""
    for params in effects:
        width, height = effect_of(params).size_after(params, width, height)
    return width, height
