"""The effects' code, found through the catalogue by name: sampling at plan time, applying at render time.

`ocrgen.schemas.effects.catalogue` lists every effect, built in or from a plugin, with the
"module:function" paths of its code; this module imports that code on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from ocrgen.effects.base import ColorPicker, Scene, Window, sample_ranges
from ocrgen.effects.warp import Warp, apply_warps
from ocrgen.plugins import load_target
from ocrgen.schemas.effects.base import BUILT_IN_PACKAGE, Effect, EffectConfig, EffectParams
from ocrgen.schemas.effects.catalogue import BY_NAME, EFFECTS

WarpFunction = Callable[[Any, int, int, np.random.Generator], Warp]


@cache
def _code(path: str) -> Any:
    return load_target(path)


def effect_of(params: EffectParams) -> Effect:
    return BY_NAME[params.name]


def plugin_packages(effects: list[EffectParams]) -> dict[str, str]:
    """The package of each plugin effect among `effects`, for the plan record to name (`PlanRecord.plugins`)."""
    return {p.name: effect_of(p).package for p in effects if effect_of(p).package != BUILT_IN_PACKAGE}


def sample_params(effect: Effect, config: EffectConfig, rng: np.random.Generator) -> EffectParams:
    """One draw of `effect`'s params: its own sampler, or each range field drawn by name."""
    if effect.sampler is not None:
        params: EffectParams = _code(effect.sampler)(config, rng)
        return params
    return sample_ranges(config, effect.params, rng)


def sample_effects(config: Any, rng: np.random.Generator) -> list[EffectParams]:
    """The effects one image gets: each configured effect applies with its chance `p`, in catalogue order.

    An effect whose drawn values change nothing is left out of the record.
    """
    chosen = []
    configured = config.__dict__ if config else {}
    for effect in EFFECTS:
        effect_config: EffectConfig | None = configured.get(effect.name)
        if effect_config is None or rng.random() >= effect_config.p:
            continue
        params = sample_params(effect, effect_config, rng)
        if not params.is_noop():
            chosen.append(params)
    return chosen


def recolor_effects(config: Any, effects: list[EffectParams], pick: ColorPicker) -> list[EffectParams]:
    """The effects with every colour they ink the text with drawn again by `pick`, from the same config ranges.

    `sample_effects` runs before the background exists; the planner calls this once it does,
    so that those colours, like the text colour, can keep their contrast against it.
    """
    recolored = []
    for params in effects:
        effect, effect_config = effect_of(params), getattr(config, params.name)
        update: dict[str, Any] = {}
        for name in effect.ink_colors:
            colors, value = getattr(effect_config, name), getattr(params, name)
            update[name] = [pick(colors) for _ in value] if isinstance(value, list) else pick(colors)
        recolored.append(params.model_copy(update=update) if update else params)
    return recolored


def size_after_geometry(effects: list[EffectParams], width: int, height: int) -> tuple[int, int]:
    """The image size once every geometric effect has grown or shrunk the canvas."""
    for params in effects:
        output_size = effect_of(params).output_size
        if output_size is not None:
            width, height = _code(output_size)(params, width, height)
    return width, height


def apply_effect(params: EffectParams, scene: Scene) -> None:
    """Apply one effect to `scene`; the renderer applies a record's geometric effects together (`apply_geometry`)."""
    effect = effect_of(params)
    if effect.apply is None:
        apply_geometry([params], scene)
    else:
        _code(effect.apply)(params, scene)


def apply_geometry(
    effects: list[EffectParams], scene: Scene, ink: Window | None = None, color: np.ndarray | None = None
) -> None:
    """Every geometric effect of a record, in order, resampling the text once (not once per effect,
    which would blur it a little more each time); only a shrinking rescale resamples on its own.

    `ink`, when the caller knows it, is a window holding every pixel of `scene.text` that is not zero;
    `color`, the text's one colour when it has one (see `apply_warps`).
    """
    width, height = scene.size
    warps = []
    for params in effects:
        warp = warp_of(params)(params, width, height, scene.rng)
        warps.append(warp)
        width, height = warp.width, warp.height
    apply_warps(scene, warps, ink, color)


def warp_of(params: EffectParams) -> WarpFunction:
    """The function that gives a geometric effect's `Warp` for a canvas size."""
    effect = effect_of(params)
    assert effect.warp is not None, f"{effect.name} is not a geometric effect"
    warp: WarpFunction = _code(effect.warp)
    return warp
