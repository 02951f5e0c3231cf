"""What effects work on (`TextLayers`, `Scene`), and the default sampler of their params.

The planner samples (numbers only, from the record's generator); the renderer
applies (pixels, and the label polygons with them). Any randomness inside an
apply function, such as noise pixels, comes from `Scene.rng`, which the record's
seed drives.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

from ocrgen.sampling import sample_color, sample_float, sample_int
from ocrgen.schemas.effects.base import EffectConfig, EffectParams
from ocrgen.schemas.ranges import RGB, ColorRange, Range

# Rows and columns of a part of the canvas.
Window = tuple[slice, slice]


@dataclass
class TextLayers:
    """The text before it meets the background: coverage masks (0-255) and colours, back to front."""

    fill: np.ndarray
    fill_color: np.ndarray
    stroke: np.ndarray | None = None
    stroke_color: np.ndarray | None = None
    clusters: np.ndarray | None = None
    under: list[tuple[np.ndarray, np.ndarray]] = field(default_factory=list)

    def flatten(self, window: Window | None = None) -> np.ndarray:
        """Premultiplied RGBA (float32, 0-1) of all layers: shadows, outline, then fill on top.

        Only `window` (by default `ink_window()`), which must hold every inked pixel, is worked
        out: outside it every layer is transparent, which flattens to zero bits. Channel by channel,
        like `over`: numpy runs a loop along the pixels then, not one per pixel along 3.
        """
        if window is None:
            window = self.ink_window()
        out = np.zeros((*self.fill.shape, 4), np.float32)
        part = out[window]
        first = True
        for coverage, color in self._stack():
            alpha = coverage[window] * np.float32(1 / 255)
            paint = np.asarray(color, np.float32)
            rgb = (paint[window] if paint.ndim == 3 else paint) * np.float32(1 / 255)
            if first:  # over nothing (transparent black) a layer stays exactly itself
                for channel in range(3):
                    part[:, :, channel] = rgb[..., channel] * alpha
                part[:, :, 3] = alpha
                first = False
            else:
                below = 1 - alpha
                for channel in range(3):
                    part[:, :, channel] = rgb[..., channel] * alpha + part[:, :, channel] * below
                part[:, :, 3] = alpha + part[:, :, 3] * below
        return out

    def alpha(self, window: Window) -> np.ndarray:
        """The alpha channel (H, W, 1) that `flatten` gives text of one layer of one colour (`solid_color`), which
        is all a warp needs of it: inside `window`, which must hold every inked pixel, the fill's coverage."""
        out = np.zeros((*self.fill.shape, 1), np.float32)
        out[window][:, :, 0] = self.fill[window] * np.float32(1 / 255)
        return out

    def over(self, background: np.ndarray, window: Window) -> np.ndarray:
        """The layers laid over `background` (uint8 RGB, changed in place and returned) inside `window`.

        The same blend as compositing `flatten()`, without building the RGBA picture:
        text that is not warped afterwards goes straight onto its background. Each blend
        stays between its two colours, so the result needs rounding but no clipping.
        """
        layers = []
        for coverage, color in self._stack():
            paint = np.asarray(color, np.float32)
            layers.append((coverage[window] * np.float32(1 / 255), paint[window] if paint.ndim == 3 else paint))
        under = background[window]
        for channel in range(3):
            blended = under[:, :, channel].astype(np.float32)
            for alpha, paint in layers:
                blended += (paint[..., channel] - blended) * alpha
            under[:, :, channel] = np.rint(blended, out=blended)
        return background

    def solid_color(self) -> np.ndarray | None:
        """The colour (float32 RGB, 0-1, as `flatten` scales it) of text that is one layer of one colour, whose
        flattened RGB is that colour times its alpha; None for an outline, shadows or a colour per pixel."""
        paint = np.asarray(self.fill_color, np.float32)
        if self.under or self.stroke is not None or paint.ndim != 1:
            return None
        return paint * np.float32(1 / 255)

    def _stack(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(coverage, colour as RGB or H x W x RGB) of each layer, back to front."""
        layers = [*self.under]
        if self.stroke is not None and self.stroke_color is not None:
            layers.append((self.stroke, self.stroke_color))
        layers.append((self.fill, self.fill_color))
        return layers

    def fill_luma(self) -> float:
        """How light the text itself is: the luma (0-255, ITU-R 601) of the fill's colour, averaged over the
        pixels it covers when it varies per pixel (a palette, a gradient)."""
        color = np.asarray(self.fill_color, np.float64)
        if color.ndim == 3:
            covered = self.fill > 0
            color = (color[covered] if covered.any() else color.reshape(-1, 3)).mean(axis=0)
        return float(color @ np.array([0.299, 0.587, 0.114]))

    def ink_window(self) -> Window:
        """The smallest (rows, columns) window holding every inked pixel of every layer (empty if none is)."""
        inked = self.fill != 0
        if self.stroke is not None:
            inked |= self.stroke != 0
        for coverage, _ in self.under:
            inked |= coverage != 0
        rows = np.flatnonzero(inked.any(axis=1))
        if rows.size == 0:
            return slice(0, 0), slice(0, 0)
        cols = np.flatnonzero(inked.any(axis=0))
        return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


@dataclass(frozen=True, eq=False)
class Inked:
    """Where a picture may hold ink: every bit of `picture` outside `pixels` (flat indices, ascending) is zero.

    What a warp knows of its result; blending it by these pixels skips a scan of the whole picture.
    """

    picture: np.ndarray
    pixels: np.ndarray


@dataclass
class Scene:
    """What effects work on, one stage after another.

    - text stage: `layers`, on the layout canvas;
    - geometry stage: `text` (premultiplied RGBA) and `points`, the label polygons' points,
      which every geometric effect moves exactly as it moves pixels (left None when a record
      has no geometric effect);
    - image stage: `image`, the composited RGB picture (`layers` still says what colour the text is).

    `inked` is what the last warp knew of where `text` holds ink; a `text` set since then makes it moot.

    `seed` seeds `rng`, the only source of randomness an apply function may use.
    """

    seed: tuple[int, ...]
    layers: TextLayers | None = None
    text: np.ndarray | None = None
    points: np.ndarray | None = None
    image: np.ndarray | None = None
    inked: Inked | None = None
    _rng: np.random.Generator | None = field(default=None, init=False, repr=False)

    @property
    def rng(self) -> np.random.Generator:
        """Made on first use: seeding costs as much as drawing a word, and most records draw no noise."""
        if self._rng is None:
            self._rng = np.random.default_rng(list(self.seed))
        return self._rng

    def text_ink(self) -> np.ndarray | None:
        """The flat indices outside which `text` is all zero bits, when known (`inked` said so of this very `text`)."""
        return self.inked.pixels if self.inked is not None and self.inked.picture is self.text else None

    @property
    def size(self) -> tuple[int, int]:
        array = self.image if self.image is not None else self.text if self.text is not None else None
        if array is None:
            assert self.layers is not None
            array = self.layers.fill
        return array.shape[1], array.shape[0]


ColorPicker = Callable[[ColorRange], RGB]


def sample_ranges(config: EffectConfig, params_type: type[EffectParams], rng: np.random.Generator) -> EffectParams:
    """Fill every params field from the config field of the same name, through the one range sampler.

    Integer fields draw whole numbers; float fields are rounded to 4 decimals to keep plans
    readable; colour fields draw each channel from their `ColorRange`.
    """
    hints = _field_types(params_type)
    values: dict[str, Any] = {}
    for name in params_type.model_fields:
        source = config.__dict__.get(name)  # not getattr: a params field the config lacks would raise inside pydantic
        if isinstance(source, Range):
            values[name] = sample_int(source, rng) if hints[name] is int else sample_float(source, rng)
        elif isinstance(source, ColorRange):
            values[name] = sample_color(source, rng)
    return params_type(**values)


@lru_cache(maxsize=256)  # one entry per effect's params type; resolving hints costs as much as planning a record
def _field_types(params_type: type[EffectParams]) -> dict[str, Any]:
    return typing.get_type_hints(params_type)
