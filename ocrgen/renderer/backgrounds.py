"""Background pixels for a record: a crop of an image, or a procedural surface."""

from __future__ import annotations

import math
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PIL import Image

from ocrgen.assets import AssetResolver
from ocrgen.errors import RenderError
from ocrgen.pixels import to_uint8, with_normal_noise
from ocrgen.schemas.plan import ImageBackground, ProceduralBackground

_DECODED_LIMIT = 16
_decoded: OrderedDict[Path, Image.Image] = OrderedDict()


def decoded_image(path: Path) -> Image.Image:
    """A background decoded to RGB once per process; the most recently used few are kept."""
    image = _decoded.get(path)
    if image is not None:
        _decoded.move_to_end(path)
        return image
    try:
        with Image.open(path) as source:
            image = source.convert("RGB")
    except (OSError, ValueError) as error:
        raise RenderError(f"cannot decode background image {path}: {error}") from None
    _decoded[path] = image
    if len(_decoded) > _DECODED_LIMIT:
        _decoded.popitem(last=False)
    return image


def background_pixels(
    background: ImageBackground | ProceduralBackground,
    seed: int,
    resolver: AssetResolver,
    roots: dict[str, str],
    width: int,
    height: int,
) -> np.ndarray:
    """The record's background as a `width` x `height` RGB array; procedural grain comes from `seed`."""
    if isinstance(background, ImageBackground):
        return image_background(background, resolver.path(background.asset, roots), width, height)
    return procedural_background(background, seed, width, height)


def image_background(background: ImageBackground, path: Path, width: int, height: int) -> np.ndarray:
    image = decoded_image(path)
    crop = image.crop(background.crop)
    if crop.size != (width, height):
        crop = crop.resize((width, height), Image.Resampling.BILINEAR)
    return np.array(crop, dtype=np.uint8)  # a writable copy: the text is blended into it


def procedural_background(background: ProceduralBackground, seed: int, width: int, height: int) -> np.ndarray:
    """Solid colour, gradient, paper (soft mottling and fine grain) or plain noise; grain comes from the record seed."""
    if background.style == "gradient":
        return gradient(background, width, height)
    base = solid(background.color, width, height)
    if background.style == "solid":
        return base
    rng = np.random.default_rng(seed)
    if background.style != "paper":
        return with_normal_noise(base, 10.0, rng)
    cell = 8
    coarse = rng.normal(0.0, 5.0, (height // cell + 2, width // cell + 2)).astype(np.float32)
    mottling = _smooth_upsample(coarse, cell)[:height, :width]
    grain = rng.normal(0.0, 2.5, (height, width)).astype(np.float32)
    return to_uint8(base + (mottling + grain)[:, :, None])


def solid(color: tuple[int, int, int], width: int, height: int) -> np.ndarray:
    """One colour everywhere, filled a whole row at a time (filling pixel by pixel is several times slower), the row
    made by repeating the colour's three bytes (a quarter of `np.tile`'s time on a word's canvas)."""
    pixels = np.empty((height, width * 3), np.uint8)
    pixels[:] = np.frombuffer(bytes(color) * width, np.uint8)
    return pixels.reshape(height, width, 3)


def gradient(background: ProceduralBackground, width: int, height: int) -> np.ndarray:
    """`color` blending linearly (in sRGB values) into `end_color` along `angle`, corner to corner.

    The angle turns clockwise on screen: 0° runs left to right, 90° top to bottom. The
    canvas corners that come first and last along that direction get the two pure colours.
    """
    if background.end_color is None or background.angle is None:
        raise RenderError("a gradient background needs `end_color` and `angle`")
    radians = math.radians(background.angle)
    dx, dy = math.cos(radians), math.sin(radians)
    xs = (np.arange(width, dtype=np.float64) + 0.5) * dx
    ys = (np.arange(height, dtype=np.float64) + 0.5) * dy
    ends = [x * dx + y * dy for x in (0, width) for y in (0, height)]
    low, span = min(ends), max(ends) - min(ends)
    t = (ys[:, None] + xs[None, :] - low) / span
    start = np.asarray(background.color, np.float64)
    end = np.asarray(background.end_color, np.float64)
    pixels = start + t[:, :, None] * (end - start)
    return to_uint8(pixels)


def _smooth_upsample(values: np.ndarray, factor: int) -> np.ndarray:
    """Bilinear upsampling by a whole factor, in numpy so it is the same on every machine."""
    steps = (np.arange(factor, dtype=np.float32) + 0.5) / factor
    rows = values[:-1, None, :] * (1 - steps)[None, :, None] + values[1:, None, :] * steps[None, :, None]
    rows = rows.reshape(-1, values.shape[1])
    cols = rows[:, :-1, None] * (1 - steps)[None, None, :] + rows[:, 1:, None] * steps[None, None, :]
    return cols.reshape(rows.shape[0], -1)
