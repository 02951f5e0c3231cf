"""Text effects: they change how the text itself is inked, before it meets the background."""

from __future__ import annotations

from typing import Literal

import numpy as np
from PIL import Image, ImageFilter
from pydantic import Field

from ocrgen.effects.base import Effect, EffectConfig, EffectParams, Scene
from ocrgen.schemas.ranges import RGB, ColorRange, Range


class DropShadowConfig(EffectConfig):
    offset_x: Range = Field(default_factory=lambda: Range(min=1, max=4), description="Pixels to the right.")
    offset_y: Range = Field(default_factory=lambda: Range(min=1, max=4), description="Pixels down.")
    blur: Range = Field(default_factory=lambda: Range(min=0, max=2), description="Softness, in pixels.")
    opacity: Range = Field(default_factory=lambda: Range(min=0.3, max=0.7))
    color: ColorRange = Field(default_factory=lambda: ColorRange(min=(0, 0, 0), max=(60, 60, 60)))


class DropShadow(EffectParams):
    name: Literal["drop_shadow"] = "drop_shadow"
    offset_x: int
    offset_y: int
    blur: float = Field(ge=0)
    opacity: float = Field(ge=0, le=1)
    color: RGB

    def is_noop(self) -> bool:
        return self.opacity == 0 or (self.offset_x == 0 and self.offset_y == 0 and self.blur == 0)


def shifted(mask: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """`mask` moved by (dx, dy) pixels; what moves off the canvas is lost, what moves in is empty."""
    out = np.zeros_like(mask)
    height, width = mask.shape
    out[max(dy, 0) : height + min(dy, 0), max(dx, 0) : width + min(dx, 0)] = mask[
        max(-dy, 0) : height + min(-dy, 0), max(-dx, 0) : width + min(-dx, 0)
    ]
    return out


def _drop_shadow(params: DropShadow, scene: Scene) -> None:
    assert scene.layers is not None
    layers = scene.layers
    source = layers.stroke if layers.stroke is not None else layers.fill
    shadow = shifted(source, params.offset_x, params.offset_y)
    if params.blur > 0:
        shadow = np.asarray(Image.fromarray(shadow).filter(ImageFilter.GaussianBlur(params.blur)))
    shadow = np.rint(shadow.astype(np.float32) * params.opacity).astype(np.uint8)
    layers.under.append((shadow, np.asarray(params.color, np.uint8)))


EFFECTS = [
    Effect("drop_shadow", "text", DropShadowConfig, DropShadow, _drop_shadow),
]
