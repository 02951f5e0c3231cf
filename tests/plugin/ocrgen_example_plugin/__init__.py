"""The effects of the example plugin, as data: ocrgen loads this module to build its config and plan models."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ocrgen.schemas.effects.base import Effect, EffectConfig, EffectParams
from ocrgen.schemas.ranges import Range


class MoireConfig(EffectConfig):
    strength: Range = Field(default_factory=lambda: Range(min=0.05, max=0.2), description="Darkening at the bands.")
    period: Range = Field(default_factory=lambda: Range(min=3, max=8), description="Pixels between bands.")
    angle: Range = Field(default_factory=lambda: Range(min=0, max=180), description="Degrees.")


class Moire(EffectParams):
    name: Literal["moire"] = "moire"
    strength: float = Field(ge=0, le=1)
    period: float = Field(gt=0)
    angle: float


class StretchConfig(EffectConfig):
    factor: Range = Field(default_factory=lambda: Range(min=0.8, max=1.25), description="Width factor.")


class Stretch(EffectParams):
    name: Literal["stretch"] = "stretch"
    factor: float = Field(ge=0.1, le=10)

    def is_noop(self) -> bool:
        return self.factor == 1


MOIRE = Effect("moire", "image", MoireConfig, Moire, apply="ocrgen_example_plugin.kernels:apply_moire")
STRETCH = Effect(
    "stretch",
    "geometry",
    StretchConfig,
    Stretch,
    warp="ocrgen_example_plugin.kernels:stretch_warp",
    output_size="ocrgen_example_plugin.kernels:stretch_size",
)
