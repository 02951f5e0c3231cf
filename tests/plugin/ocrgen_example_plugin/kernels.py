"""The example plugin's pixel code, imported only when an image is drawn."""

from __future__ import annotations

import math

import numpy as np

from ocrgen.effects.base import Scene
from ocrgen.effects.warp import Warp
from ocrgen_example_plugin import Moire, Stretch


def apply_moire(params: Moire, scene: Scene) -> None:
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    turn = math.radians(params.angle)
    phase = (x * math.cos(turn) + y * math.sin(turn)) * (2 * math.pi / params.period)
    light = 1 - params.strength * (0.5 + 0.5 * np.sin(phase))
    scene.image = np.clip(np.rint(scene.image * light[:, :, None]), 0, 255).astype(np.uint8)


def stretch_size(params: Stretch, width: int, height: int) -> tuple[int, int]:
    return max(1, round(width * params.factor)), height


def stretch_warp(params: Stretch, width: int, height: int, rng: np.random.Generator) -> Warp:
    new_width, _ = stretch_size(params, width, height)
    ratio = new_width / width

    def source(xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return xs / ratio, ys  # where each output pixel reads from

    def forward(points: np.ndarray) -> np.ndarray:
        return points * np.array([ratio, 1.0])  # where each label point goes

    return Warp(new_width, height, source, forward)
