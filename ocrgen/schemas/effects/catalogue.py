"""The catalogue: every effect, built in or from a plugin, in the order effects apply.

Order: text effects (on the text's own layers), then geometric effects (text pixels and label
polygons together), then image effects (the finished picture). Within a stage, the built-in
effects come in the order their modules list, then plugin effects by name, whatever order a
config names them in.

Plugins load when this module does, so the config and plan models built from the catalogue
(`EffectsConfig`, `AppliedEffect`) include their effects. A plugin that fails to load is left
out with a warning, and `missing_effect` says why when a config or plan names its effect.
"""

from __future__ import annotations

import logging
import operator
from dataclasses import replace
from functools import reduce
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, create_model

from ocrgen.plugins import EFFECT_GROUP, load_target, registered
from ocrgen.schemas.effects import geometric, image, text
from ocrgen.schemas.effects.base import STAGES, Effect, EffectParams

log = logging.getLogger(__name__)

BUILT_IN: tuple[Effect, ...] = (*text.EFFECTS, *geometric.EFFECTS, *image.EFFECTS)


def _plugins() -> tuple[tuple[Effect, ...], dict[str, str]]:
    """The plugins' effects, and for each one that failed to load, why."""
    taken = {effect.name for effect in BUILT_IN}
    loaded: list[Effect] = []
    problems: dict[str, str] = {}
    for plugin in registered(EFFECT_GROUP):
        try:
            effect = load_target(plugin.value)
            if not isinstance(effect, Effect):
                raise TypeError(f"{plugin.value} is not an ocrgen Effect (ocrgen.schemas.effects.base.Effect)")
            if effect.name != plugin.name:
                raise ValueError(f"its entry point is named {plugin.name!r} but the effect {effect.name!r}")
            if effect.name in taken:
                raise ValueError(f"the name {effect.name!r} is taken by another effect")
        except Exception as error:  # a broken plugin must not stop everything else
            problems[plugin.name] = f"the plugin package {plugin.package} failed to load it: {error}"
            log.warning("effect %r left out: %s", plugin.name, problems[plugin.name])
            continue
        taken.add(effect.name)
        loaded.append(replace(effect, package=plugin.package))
    return tuple(loaded), problems


_PLUGINS, _PROBLEMS = _plugins()
EFFECTS: tuple[Effect, ...] = tuple(
    effect
    for stage in STAGES
    for effect in (*BUILT_IN, *sorted(_PLUGINS, key=lambda e: e.name))
    if effect.stage == stage
)
BY_NAME = {effect.name: effect for effect in EFFECTS}


def stage_of(name: str) -> str:
    """The stage effect `name` acts in: text, geometry or image."""
    return BY_NAME[name].stage


def missing_effect(name: str) -> str:
    """Why effect `name` is not in the catalogue, and what to do, for an error message."""
    if name in _PROBLEMS:
        return f"effect {name!r} is not available: {_PROBLEMS[name]}"
    known = ", ".join(sorted(BY_NAME))
    return f"there is no effect {name!r} (known: {known}); if a plugin package provides it, install it"


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
