"""Where a point of the text frame lands on the canvas: straight, on an arc, on a sine, turned 90°.

Text is set in a frame where u runs along the line and v across it (down for
horizontal lines). A frame maps each cluster rigidly: the cluster turns about
its centre on the baseline to the curve's tangent, so glyph pixels and label
polygons move together.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from ocrgen.schemas.plan import Arc, Curve, Sine

# Glyph angles snap to this step (degrees) so rotated bitmaps can be cached.
ANGLE_STEP = 0.5


class Rigid(NamedTuple):
    """A rotation by `angle` (radians, clockwise on screen) about `pivot`, then a move to `to`."""

    pivot: tuple[float, float]
    to: tuple[float, float]
    angle: float

    def apply(self, u: float, v: float) -> tuple[float, float]:
        du, dv = u - self.pivot[0], v - self.pivot[1]
        if self.angle == 0:  # straight text: the same sums as below, without the trigonometry
            return self.to[0] + du, self.to[1] + dv
        c, s = math.cos(self.angle), math.sin(self.angle)
        return self.to[0] + c * du - s * dv, self.to[1] + s * du + c * dv


@dataclass(frozen=True)
class Frame:
    """Curve along u (optional), then a quarter turn of the whole block (`turns` quarter turns clockwise).

    `upright` keeps glyphs standing when the block is turned (stacked vertical CJK).
    """

    curve: Curve | None = None
    length: float = 0.0
    turns: int = 0
    upright: bool = False

    def cluster_transform(self, u: float, v: float) -> Rigid:
        """The rigid move of the cluster whose centre on the baseline is (u, v), before the block turn."""
        if self.curve is None:
            return Rigid((u, v), (u, v), 0.0)
        x, y, angle = _on_curve(self.curve, self.length, u)
        angle = math.radians(round(math.degrees(angle) / ANGLE_STEP) * ANGLE_STEP)
        # The baseline point moves to the curve; points off the baseline keep their distance across it.
        return Rigid((u, v), (x - math.sin(angle) * v, y + math.cos(angle) * v), angle)

    def to_canvas(self, x: float, y: float) -> tuple[float, float]:
        turns = self.turns % 4
        if turns == 0:
            return x, y
        return (-y, x) if turns == 1 else (-x, -y) if turns == 2 else (y, -x)

    def glyph_angle(self, rigid: Rigid) -> float:
        """Clockwise screen angle of the glyphs of a cluster, in degrees."""
        turn = 0 if self.upright else 90 * (self.turns % 4)
        return math.degrees(rigid.angle) + turn


def _on_curve(curve: Curve, length: float, u: float) -> tuple[float, float, float]:
    """Baseline point and tangent angle at arc length `u`; the middle of the line stays put."""
    if isinstance(curve, Arc):
        middle = length / 2
        theta = (u - middle) / curve.radius
        drop = curve.radius * (1 - math.cos(theta))
        x = middle + curve.radius * math.sin(theta)
        return (x, -drop, -theta) if curve.concave else (x, drop, theta)
    assert isinstance(curve, Sine)
    k = 2 * math.pi * curve.frequency / max(length, 1.0)
    y = curve.amplitude * math.sin(k * u + curve.phase)
    return u, y, math.atan(curve.amplitude * k * math.cos(k * u + curve.phase))
