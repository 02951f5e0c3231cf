"""Geometric effects: they move the text's pixels and every label polygon point by the same map.

They work on the text layer before it meets the background, so the background
is never warped or left with empty corners; each one grows the canvas so that
no text leaves it.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field

from ocrgen.effects.base import Effect, EffectConfig, EffectParams, Scene
from ocrgen.effects.warp import fitted, project, warp_projective
from ocrgen.schemas.ranges import Range


class RotationConfig(EffectConfig):
    angle: Range = Field(description="Degrees, clockwise.")


class Rotation(EffectParams):
    name: Literal["rotation"] = "rotation"
    angle: float

    def is_noop(self) -> bool:
        return self.angle == 0

    def matrix(self, width: int, height: int) -> tuple[np.ndarray, int, int]:
        """Turn about the canvas centre, then fit the turned canvas."""
        c, s = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
        cx, cy = width / 2, height / 2
        turn = np.array([[c, -s, cx - c * cx + s * cy], [s, c, cy - s * cx - c * cy], [0.0, 0.0, 1.0]])
        return fitted(turn, width, height)


def _apply_projective(params: Rotation, scene: Scene) -> None:
    assert scene.text is not None and scene.points is not None
    width, height = scene.size
    matrix, new_width, new_height = params.matrix(width, height)
    scene.text = warp_projective(scene.text, matrix, new_width, new_height)
    xs, ys = project(matrix, scene.points[:, 0], scene.points[:, 1])
    scene.points = np.stack([xs, ys], axis=1)


def _size(params: Rotation, width: int, height: int) -> tuple[int, int]:
    _, new_width, new_height = params.matrix(width, height)
    return new_width, new_height


EFFECTS = [
    Effect("rotation", "geometry", RotationConfig, Rotation, _apply_projective, output_size=_size),
]
