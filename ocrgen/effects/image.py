"""Image effects: degradations of the finished picture (after the text meets the background).

They change pixels only; label geometry is left as it is.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
from PIL import Image, ImageFilter
from pydantic import Field

from ocrgen.effects.base import Effect, EffectConfig, EffectParams, Scene
from ocrgen.schemas.ranges import Range


class GaussianBlurConfig(EffectConfig):
    radius: Range = Field(description="Standard deviation in pixels.")


class GaussianBlur(EffectParams):
    name: Literal["gaussian_blur"] = "gaussian_blur"
    radius: float

    def is_noop(self) -> bool:
        return self.radius <= 0


def _gaussian_blur(params: GaussianBlur, scene: Scene) -> None:
    assert scene.image is not None
    image = Image.fromarray(scene.image).filter(ImageFilter.GaussianBlur(params.radius))
    scene.image = np.asarray(image)


class JpegConfig(EffectConfig):
    quality: Range = Field(description="JPEG quality, 1 (worst) to 95.")


class Jpeg(EffectParams):
    name: Literal["jpeg"] = "jpeg"
    quality: int = Field(ge=1, le=95)


def _jpeg(params: Jpeg, scene: Scene) -> None:
    """Encode and decode once, leaving JPEG's block and ringing artifacts in the pixels."""
    assert scene.image is not None
    buffer = io.BytesIO()
    Image.fromarray(scene.image).save(buffer, "JPEG", quality=params.quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        scene.image = np.asarray(decoded.convert("RGB"))


EFFECTS = [
    Effect("gaussian_blur", "image", GaussianBlurConfig, GaussianBlur, _gaussian_blur),
    Effect("jpeg", "image", JpegConfig, Jpeg, _jpeg),
]
