"""What an effect declares: its config model, its sampled-params model, and the paths to its code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

Stage = Literal["text", "geometry", "image"]
STAGES: tuple[Stage, ...] = ("text", "geometry", "image")  # the order effects apply in
BUILT_IN_PACKAGE = "ocrgen"


class EffectConfig(BaseModel):
    """Config of one effect: `p`, the chance it applies to an image, plus its parameter ranges."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    p: float = Field(1.0, ge=0, le=1, description="Chance that the effect applies to an image.")


class EffectParams(BaseModel):
    """The resolved parameters of one applied effect, as written in the plan record."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    if TYPE_CHECKING:  # each effect's params declare their own `name` literal, which tells them apart
        name: str

    def is_noop(self) -> bool:
        """True when these values would leave the image unchanged; such an effect is left out of the record."""
        return False


@dataclass(frozen=True)
class Effect:
    """One entry of the catalogue, built in or from a plugin: its models, and its code as "module:function" paths.

    - `apply(params, scene)`: text and image effects change the `Scene` in place;
    - `warp(params, width, height, rng)`: geometric effects return an `ocrgen.effects.warp.Warp`, the
      map that moves pixels and label points alike;
    - `output_size(params, width, height)`: the size a geometric effect leaves (default: unchanged);
    - `sampler(config, rng)`: draws the params (default: each params field from the config range of
      the same name, through the one range sampler).
    """

    name: str
    stage: Stage
    config: type[EffectConfig]
    params: type[EffectParams]
    apply: str | None = None
    warp: str | None = None
    output_size: str | None = None
    sampler: str | None = None
    # Params fields that colour the text itself (a colour, or a list of them), each drawn from the config
    # field of the same name; the planner draws them again once the background is known, for contrast.
    ink_colors: tuple[str, ...] = ()
    # True when `apply` reads `TextLayers.clusters`, the per-pixel cluster map, which is only drawn for such effects.
    reads_clusters: bool = False
    # The distribution that provides the effect: what a render machine without it must install.
    package: str = BUILT_IN_PACKAGE

    def __post_init__(self) -> None:
        code = self.warp if self.stage == "geometry" else self.apply
        if code is None:
            needed = "warp" if self.stage == "geometry" else "apply"
            raise ValueError(f"effect {self.name!r} ({self.stage} stage) declares no {needed} function")
