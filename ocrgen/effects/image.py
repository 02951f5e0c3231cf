"""Image effects: degradations of the finished picture (after the text meets the background).

They change pixels only; the label (text, polygons, boxes) is left exactly as it is.
Even `cutout` keeps the label: the text is still there, only hidden.

They apply in this order, a realistic path from a printed page to a stored file:

1. ``brightness_contrast`` - exposure and contrast of the capture;
2. ``illumination`` - uneven light or a soft shadow across the page;
3. ``dilation``, ``erosion`` - ink spread or thinned (grey morphology of the image);
4. ``motion_blur`` - the camera or page moving during the exposure;
5. ``gaussian_blur`` - defocus;
6. ``gaussian_noise`` - sensor noise;
7. ``salt_and_pepper`` - dust and dead pixels;
8. ``cutout`` - something lying over the page;
9. ``low_resolution`` - a low-resolution capture, scaled back up;
10. ``binarize`` - the scanner's or the OCR pipeline's black-and-white conversion, of the
    picture as it was captured (blurred, noisy, unevenly lit, low-resolution);
11. ``jpeg`` - compression when the file is saved, always last.

Units: intensities are on the 0-255 scale, sizes in pixels unless said otherwise,
angles in degrees clockwise from the +x axis (0 points right, 90 points down,
as in image coordinates).

Grey morphology names follow the image, not the ink. ``erosion`` is a min filter:
bright areas shrink, so dark ink on a light background gets *thicker*.
``dilation`` is a max filter: bright areas grow, so dark ink gets *thinner*.
(Light text on a dark background does the opposite.)
"""

from __future__ import annotations

import io
import math
import typing
from typing import Annotated, Literal

import numpy as np
from PIL import Image, ImageFilter
from pydantic import Field, model_validator

from ocrgen.effects.base import Effect, EffectConfig, EffectParams, Scene
from ocrgen.sampling import choose, sample_float, sample_int
from ocrgen.schemas.ranges import RGB, ColorRange, Range, within

# Upper bounds shared by each config range and its plan field. Window and kernel sizes set how many
# passes over the image an effect takes; the rest are past the point where the picture stops changing.
MAX_CONTRAST = 10
CENTER_RANGE = (-1.0, 2.0)  # illumination centre, in image sizes: up to one image size outside
MAX_WINDOW = 15  # px, dilation and erosion
MAX_MOTION = 64  # px
MAX_BLUR = 32  # px
MAX_NOISE = 128  # intensity levels
MAX_CUTOUTS = 32
MAX_LOW_RES = 16
MAX_BINARIZE_WINDOW = 255  # px; integral images make any window cost the same


def _to_uint8(pixels: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


# --- brightness_contrast --------------------------------------------------------------------------


class BrightnessContrastConfig(EffectConfig):
    brightness: Annotated[Range, within(-1, 1)] = Field(
        default_factory=lambda: Range(min=-0.15, max=0.15),
        description="Offset added to every channel, as a fraction of 255 (-1 to 1; 0.1 adds 25.5).",
    )
    contrast: Annotated[Range, within(0, MAX_CONTRAST)] = Field(
        default_factory=lambda: Range(min=0.7, max=1.3),
        description=f"Factor, 0 to {MAX_CONTRAST}, that stretches (above 1) or flattens (below 1) "
        "intensities around mid-grey 127.5.",
    )


class BrightnessContrast(EffectParams):
    name: Literal["brightness_contrast"] = "brightness_contrast"
    brightness: float = Field(ge=-1, le=1)
    contrast: float = Field(ge=0, le=MAX_CONTRAST)

    def is_noop(self) -> bool:
        return self.brightness == 0 and self.contrast == 1


def _brightness_contrast(params: BrightnessContrast, scene: Scene) -> None:
    """out = (in - 127.5) * contrast + 127.5 + 255 * brightness, clipped to 0-255."""
    assert scene.image is not None
    pixels = scene.image.astype(np.float32)
    scene.image = _to_uint8((pixels - 127.5) * params.contrast + 127.5 + 255 * params.brightness)


# --- illumination ---------------------------------------------------------------------------------

IlluminationKind = Literal["linear", "radial"]
CenterRange = Annotated[Range, within(*CENTER_RANGE)]
Center = Annotated[float, Field(ge=CENTER_RANGE[0], le=CENTER_RANGE[1])]


class IlluminationConfig(EffectConfig):
    strength: Annotated[Range, within(0, 1)] = Field(
        default_factory=lambda: Range(min=0.2, max=0.6),
        description="Share of the light lost at the darkest point (0 to 1); the brightest point keeps all of it.",
    )
    kinds: dict[IlluminationKind, Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: dict.fromkeys(typing.get_args(IlluminationKind), 1.0),
        description="Weights of a linear gradient and a radial fall-off around a bright centre.",
    )
    angle: Range = Field(
        default_factory=lambda: Range(min=0, max=360),
        description="linear: the direction the light falls off towards, degrees clockwise from +x.",
    )
    center_x: CenterRange = Field(
        default_factory=lambda: Range(min=0, max=1),
        description=f"radial: x of the brightest point, as a fraction of the width, {CENTER_RANGE[0]:g} to "
        f"{CENTER_RANGE[1]:g}.",
    )
    center_y: CenterRange = Field(
        default_factory=lambda: Range(min=0, max=1),
        description=f"radial: y of the brightest point, as a fraction of the height, {CENTER_RANGE[0]:g} to "
        f"{CENTER_RANGE[1]:g}.",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> IlluminationConfig:
        if not any(weight > 0 for weight in self.kinds.values()):
            raise ValueError("give `linear` or `radial` in `kinds` a weight above 0")
        return self


class Illumination(EffectParams):
    name: Literal["illumination"] = "illumination"
    kind: IlluminationKind
    strength: float = Field(ge=0, le=1)
    angle: float | None = None
    center_x: Center | None = None
    center_y: Center | None = None

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Illumination:
        if self.kind == "linear" and self.angle is None:
            raise ValueError("a linear illumination needs `angle`")
        if self.kind == "radial" and (self.center_x is None or self.center_y is None):
            raise ValueError("a radial illumination needs `center_x` and `center_y`")
        return self

    def is_noop(self) -> bool:
        return self.strength == 0

    def light(self, width: int, height: int) -> np.ndarray:
        """The factor (H, W) each pixel is multiplied by: 1 at the brightest point, 1 - strength at the darkest."""
        x = (np.arange(width, dtype=np.float32) + 0.5)[None, :]
        y = (np.arange(height, dtype=np.float32) + 0.5)[:, None]
        if self.kind == "linear":
            assert self.angle is not None
            dx, dy = math.cos(math.radians(self.angle)), math.sin(math.radians(self.angle))
            along = x * dx + y * dy
            low, high = along.min(), along.max()
            shade = (along - low) / (high - low) if high > low else np.zeros_like(along)
        else:
            assert self.center_x is not None and self.center_y is not None
            cx, cy = self.center_x * width, self.center_y * height
            squared = (x - cx) ** 2 + (y - cy) ** 2
            shade = squared / squared.max() if squared.max() > 0 else np.zeros_like(squared)
        return 1 - self.strength * np.broadcast_to(shade, (height, width))


def _sample_illumination(config: IlluminationConfig, rng: np.random.Generator) -> Illumination:
    """The kind first, then the strength, then only the fields that kind uses, so the record is fully resolved."""
    kinds = {kind: config.kinds.get(kind, 0.0) for kind in typing.get_args(IlluminationKind)}  # a fixed order
    kinds = {kind: weight for kind, weight in kinds.items() if weight > 0}
    kind = choose(list(kinds), list(kinds.values()), rng)
    strength = sample_float(config.strength, rng)
    if kind == "linear":
        return Illumination(kind=kind, strength=strength, angle=sample_float(config.angle, rng))
    center_x = sample_float(config.center_x, rng)
    center_y = sample_float(config.center_y, rng)
    return Illumination(kind=kind, strength=strength, center_x=center_x, center_y=center_y)


def _illumination(params: Illumination, scene: Scene) -> None:
    """Multiply the image by a smooth light map: linear across the image, or falling with the squared distance."""
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    scene.image = _to_uint8(scene.image.astype(np.float32) * params.light(width, height)[:, :, None])


# --- dilation and erosion -------------------------------------------------------------------------


WindowRange = Annotated[Range, within(1, MAX_WINDOW)]


class MorphologyConfig(EffectConfig):
    size: WindowRange = Field(
        default_factory=lambda: Range(min=2, max=3),
        description=f"Side of the square window, in pixels, 1 to {MAX_WINDOW} (whole numbers; 1 changes nothing).",
    )


class DilationConfig(MorphologyConfig):
    """Max filter over the image: dark ink on a light background gets thinner."""

    size: WindowRange = Field(
        default_factory=lambda: Range(min=2, max=2),
        description=f"Side of the square window, in pixels, 1 to {MAX_WINDOW} (whole numbers; 1 changes nothing). "
        "Dark strokes lose size - 1 px of width, so 3 or more can erase thin strokes of small text.",
    )


class ErosionConfig(MorphologyConfig):
    """Min filter over the image: dark ink on a light background gets thicker."""


class Dilation(EffectParams):
    """Max filter: bright areas grow, dark ink on a light background gets thinner."""

    name: Literal["dilation"] = "dilation"
    size: int = Field(ge=1, le=MAX_WINDOW)

    def is_noop(self) -> bool:
        return self.size <= 1


class Erosion(EffectParams):
    """Min filter: bright areas shrink, dark ink on a light background gets thicker."""

    name: Literal["erosion"] = "erosion"
    size: int = Field(ge=1, le=MAX_WINDOW)

    def is_noop(self) -> bool:
        return self.size <= 1


def _rank_filter(image: np.ndarray, size: int, darkest: bool) -> np.ndarray:
    """Each channel's min (or max) over a size x size window.

    Pillow's rank filters take odd sizes only; an even size is the odd size below it
    followed by a 2 x 2 window (square windows of sides a and b chain to a + b - 1),
    so an even window reaches one pixel further right and down than left and up.
    """
    odd = size if size % 2 else size - 1
    out = image
    if odd > 1:
        pil_filter = ImageFilter.MinFilter(odd) if darkest else ImageFilter.MaxFilter(odd)
        out = np.asarray(Image.fromarray(image).filter(pil_filter))
    if size % 2 == 0:
        padded = np.pad(out, ((0, 1), (0, 1), (0, 0)), mode="edge")
        reduce = np.minimum if darkest else np.maximum
        out = reduce.reduce([padded[:-1, :-1], padded[1:, :-1], padded[:-1, 1:], padded[1:, 1:]])
    return out


def _dilation(params: Dilation, scene: Scene) -> None:
    assert scene.image is not None
    scene.image = _rank_filter(scene.image, params.size, darkest=False)


def _erosion(params: Erosion, scene: Scene) -> None:
    assert scene.image is not None
    scene.image = _rank_filter(scene.image, params.size, darkest=True)


# --- motion_blur ----------------------------------------------------------------------------------


class MotionBlurConfig(EffectConfig):
    length: Annotated[Range, within(0, MAX_MOTION)] = Field(
        default_factory=lambda: Range(min=3, max=9),
        description=f"Length of the smear in pixels, 0 to {MAX_MOTION} (1 or less changes nothing).",
    )
    angle: Range = Field(
        default_factory=lambda: Range(min=0, max=180),
        description="Direction of the motion, degrees clockwise from +x (0 horizontal, 90 vertical).",
    )


class MotionBlur(EffectParams):
    name: Literal["motion_blur"] = "motion_blur"
    length: float = Field(ge=0, le=MAX_MOTION)
    angle: float

    def is_noop(self) -> bool:
        return self.length <= 1

    def kernel(self) -> np.ndarray:
        """A normalised, anti-aliased line of `length` pixels through the centre of a square odd-sized kernel.

        Points spaced a quarter pixel apart from -(length-1)/2 to +(length-1)/2 along the angle are
        splatted bilinearly, so a length of 1 or less is a single tap (the identity).
        """
        half = max(0.0, (self.length - 1) / 2)
        radius = math.ceil(half) + 1
        steps = max(2, math.ceil(self.length * 4))
        t = np.linspace(-half, half, steps)
        x = t * math.cos(math.radians(self.angle)) + radius
        y = t * math.sin(math.radians(self.angle)) + radius
        x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
        fx, fy = x - x0, y - y0
        kernel = np.zeros((2 * radius + 1, 2 * radius + 1))
        corners = ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)), (1, 0, (1 - fx) * fy), (1, 1, fx * fy))
        for dy, dx, weight in corners:
            np.add.at(kernel, (y0 + dy, x0 + dx), weight)
        return kernel / kernel.sum()


def _motion_blur(params: MotionBlur, scene: Scene) -> None:
    """Convolve with the line kernel: a weighted sum of shifted copies, one per tap; borders repeat the edge."""
    assert scene.image is not None
    kernel = params.kernel()
    radius = kernel.shape[0] // 2
    height, width = scene.image.shape[:2]
    padded = np.pad(scene.image.astype(np.float32), ((radius, radius), (radius, radius), (0, 0)), mode="edge")
    out = np.zeros(scene.image.shape, np.float32)
    for ky, kx in zip(*np.nonzero(kernel > 1e-9), strict=True):
        out += np.float32(kernel[ky, kx]) * padded[ky : ky + height, kx : kx + width]
    scene.image = _to_uint8(out)


# --- gaussian_blur --------------------------------------------------------------------------------


class GaussianBlurConfig(EffectConfig):
    radius: Annotated[Range, within(0, MAX_BLUR)] = Field(
        default_factory=lambda: Range(min=0.3, max=1.5), description=f"Standard deviation in pixels, 0 to {MAX_BLUR}."
    )


class GaussianBlur(EffectParams):
    name: Literal["gaussian_blur"] = "gaussian_blur"
    radius: float = Field(ge=0, le=MAX_BLUR)

    def is_noop(self) -> bool:
        return self.radius <= 0


def _gaussian_blur(params: GaussianBlur, scene: Scene) -> None:
    assert scene.image is not None
    image = Image.fromarray(scene.image).filter(ImageFilter.GaussianBlur(params.radius))
    scene.image = np.asarray(image)


# --- gaussian_noise -------------------------------------------------------------------------------


class GaussianNoiseConfig(EffectConfig):
    sigma: Annotated[Range, within(0, MAX_NOISE)] = Field(
        default_factory=lambda: Range(min=2, max=12),
        description=f"Standard deviation of the noise, in intensity levels (0-255 scale), 0 to {MAX_NOISE}.",
    )


class GaussianNoise(EffectParams):
    name: Literal["gaussian_noise"] = "gaussian_noise"
    sigma: float = Field(ge=0, le=MAX_NOISE)

    def is_noop(self) -> bool:
        return self.sigma == 0


def _gaussian_noise(params: GaussianNoise, scene: Scene) -> None:
    """Add zero-mean normal noise, drawn independently for every pixel and channel, then clip."""
    assert scene.image is not None
    noise = scene.rng.standard_normal(scene.image.shape, dtype=np.float32) * np.float32(params.sigma)
    scene.image = _to_uint8(scene.image.astype(np.float32) + noise)


# --- salt_and_pepper ------------------------------------------------------------------------------


class SaltAndPepperConfig(EffectConfig):
    amount: Annotated[Range, within(0, 1)] = Field(
        default_factory=lambda: Range(min=0.002, max=0.02),
        description="Fraction of pixels hit (0 to 1); half of them turn white, half black.",
    )


class SaltAndPepper(EffectParams):
    name: Literal["salt_and_pepper"] = "salt_and_pepper"
    amount: float = Field(ge=0, le=1)

    def is_noop(self) -> bool:
        return self.amount == 0


def _salt_and_pepper(params: SaltAndPepper, scene: Scene) -> None:
    """Each pixel is hit with chance `amount`; a hit pixel becomes white or black (all channels), evenly."""
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    hit = scene.rng.random((height, width)) < params.amount
    salt = scene.rng.random((height, width)) < 0.5
    out = scene.image.copy()
    out[hit & salt] = 255
    out[hit & ~salt] = 0
    scene.image = out


# --- cutout ---------------------------------------------------------------------------------------


class CutoutConfig(EffectConfig):
    count: Annotated[Range, within(0, MAX_CUTOUTS)] = Field(
        default_factory=lambda: Range(min=1, max=3),
        description=f"How many squares (whole numbers), 0 to {MAX_CUTOUTS}.",
    )
    size: Annotated[Range, within(0, 1)] = Field(
        default_factory=lambda: Range(min=0.1, max=0.3),
        description="Side of each square, as a fraction of the image's shorter side (0 to 1).",
    )
    color: ColorRange | None = Field(
        None, description="Fill colour, drawn per image; left out, the squares take the image's mean colour."
    )


class Cutout(EffectParams):
    name: Literal["cutout"] = "cutout"
    count: int = Field(ge=0, le=MAX_CUTOUTS)
    size: float = Field(ge=0, le=1)
    color: RGB | None = None

    def is_noop(self) -> bool:
        return self.count == 0 or self.size == 0


def _cutout(params: Cutout, scene: Scene) -> None:
    """Paint `count` solid squares, each wholly inside the image at a position drawn from the record's seed.

    The side is `size` times the shorter side (at least 1 px when `size` is above 0). Without a `color`, the fill is
    the mean colour of the image before any square is painted. Squares may overlap.
    """
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    if params.is_noop():
        return
    side = min(max(1, round(params.size * min(width, height))), width, height)
    if params.color is not None:
        fill = np.asarray(params.color, np.uint8)
    else:
        fill = _to_uint8(scene.image.reshape(-1, 3).mean(axis=0))
    out = scene.image.copy()
    for _ in range(params.count):
        x0 = int(scene.rng.integers(0, width - side + 1))
        y0 = int(scene.rng.integers(0, height - side + 1))
        out[y0 : y0 + side, x0 : x0 + side] = fill
    scene.image = out


# --- low_resolution -------------------------------------------------------------------------------


class LowResolutionConfig(EffectConfig):
    factor: Annotated[Range, within(1, MAX_LOW_RES)] = Field(
        default_factory=lambda: Range(min=1.5, max=3),
        description=f"Downscale factor, 1 to {MAX_LOW_RES} (1 changes nothing); the image is scaled back to its size.",
    )


class LowResolution(EffectParams):
    name: Literal["low_resolution"] = "low_resolution"
    factor: float = Field(ge=1, le=MAX_LOW_RES)

    def is_noop(self) -> bool:
        return self.factor <= 1


def _low_resolution(params: LowResolution, scene: Scene) -> None:
    """Shrink by `factor` with area averaging (a coarser sensor), then enlarge back bilinearly."""
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    small_size = (max(1, round(width / params.factor)), max(1, round(height / params.factor)))
    small = Image.fromarray(scene.image).resize(small_size, Image.Resampling.BOX)
    scene.image = np.asarray(small.resize((width, height), Image.Resampling.BILINEAR))


# --- binarize -------------------------------------------------------------------------------------

BinarizeMethod = Literal["global", "otsu", "sauvola"]
# Sauvola's R: the largest standard deviation of 8-bit grey levels, to which a window's deviation is compared.
_SAUVOLA_RANGE = 128.0


class BinarizeConfig(EffectConfig):
    """Black and white: each pixel's grey level against a threshold, from one of three methods."""

    methods: dict[BinarizeMethod, Annotated[float, Field(ge=0)]] = Field(
        default_factory=lambda: dict.fromkeys(typing.get_args(BinarizeMethod), 1.0),
        description="Weights of a global threshold, Otsu's threshold (from the image's histogram) and Sauvola's "
        "adaptive threshold (from each pixel's neighbourhood).",
    )
    threshold: Annotated[Range, within(0, 255)] = Field(
        default_factory=lambda: Range(min=100, max=170),
        description="global: grey level (0-255, whole numbers); brighter pixels turn white, the rest black.",
    )
    window: Annotated[Range, within(1, MAX_BINARIZE_WINDOW)] = Field(
        default_factory=lambda: Range(min=15, max=45),
        description=f"sauvola: side of the square neighbourhood, in pixels, 1 to {MAX_BINARIZE_WINDOW} (whole "
        "numbers); best about a line's height. An even side reaches one pixel further right and down.",
    )
    k: Annotated[Range, within(0, 1)] = Field(
        default_factory=lambda: Range(min=0.2, max=0.5),
        description="sauvola: how far below the neighbourhood's mean the threshold drops where the "
        "neighbourhood is flat (0 to 1); higher keeps less faint ink.",
    )

    @model_validator(mode="after")
    def _one_method(self) -> BinarizeConfig:
        if not any(weight > 0 for weight in self.methods.values()):
            raise ValueError("give `global`, `otsu` or `sauvola` in `methods` a weight above 0")
        return self


class Binarize(EffectParams):
    name: Literal["binarize"] = "binarize"
    method: BinarizeMethod
    threshold: int | None = Field(None, ge=0, le=255)
    window: int | None = Field(None, ge=1, le=MAX_BINARIZE_WINDOW)
    k: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _fields_of_method(self) -> Binarize:
        wanted = {"global": {"threshold"}, "otsu": set(), "sauvola": {"window", "k"}}[self.method]
        given = {name for name in ("threshold", "window", "k") if getattr(self, name) is not None}
        if given != wanted:
            needs = ", ".join(f"`{name}`" for name in sorted(wanted)) or "no other field"
            raise ValueError(f"a {self.method} binarize takes {needs}; got {sorted(given) or 'none'}")
        return self

    def white(self, grey: np.ndarray, dark_ink: bool = True) -> np.ndarray:
        """Which pixels of an 8-bit grey picture turn white.

        Global and Otsu: those brighter than the threshold, whatever the text's colour. Sauvola's
        threshold, mean x (1 + k (deviation / R - 1)), drops below the local mean where the
        neighbourhood is flat, which makes flat areas page: it is made for dark ink on a lighter
        page. For light ink (`dark_ink` False) the negative is thresholded and turned back, so light
        ink stays light.
        """
        if self.method == "global":
            assert self.threshold is not None
            return grey > self.threshold
        if self.method == "otsu":
            return grey > _otsu(grey)
        assert self.window is not None and self.k is not None
        levels = grey.astype(np.float64) if dark_ink else 255 - grey.astype(np.float64)
        mean, deviation = _local_mean_and_deviation(grey, self.window)
        if not dark_ink:
            mean = 255 - mean
        ink = levels <= mean * (1 + self.k * (deviation / _SAUVOLA_RANGE - 1))
        return ~ink if dark_ink else ink


def _otsu(grey: np.ndarray) -> int:
    """The level that best splits the histogram in two (largest variance between the classes).

    An image of a single grey level has no split: -1, so that it all turns white, as a blank page does.
    """
    counts = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    below = np.cumsum(counts)
    weighted = np.cumsum(counts * np.arange(256))
    total, total_weighted = below[-1], weighted[-1]
    above = total - below
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (total_weighted * below - weighted * total) ** 2 / (below * above)
    between[~np.isfinite(between)] = -1
    return int(np.argmax(between)) if between.max() > 0 else -1


def _local_mean_and_deviation(grey: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of every pixel's window, clipped to the image, from two integral images.

    Sums of levels and of squared levels are exact in int64, so the cost per pixel is four
    look-ups whatever the window's size.
    """
    height, width = grey.shape
    levels = grey.astype(np.int64)
    sums = np.zeros((height + 1, width + 1), np.int64)
    squares = np.zeros((height + 1, width + 1), np.int64)
    sums[1:, 1:] = levels.cumsum(0).cumsum(1)
    squares[1:, 1:] = (levels * levels).cumsum(0).cumsum(1)
    before, after = window // 2, (window - 1) // 2  # an even window reaches one pixel further right and down
    rows, cols = np.arange(height), np.arange(width)
    y0, y1 = np.maximum(rows - before, 0), np.minimum(rows + after + 1, height)
    x0, x1 = np.maximum(cols - before, 0), np.minimum(cols + after + 1, width)

    def box(table: np.ndarray) -> np.ndarray:
        """Window sums: rows first, then columns."""
        strips = table[y1] - table[y0]
        return (strips[:, x1] - strips[:, x0]).astype(np.float64)

    area = np.outer(y1 - y0, x1 - x0).astype(np.float64)
    mean = box(sums) / area
    variance = np.maximum(box(squares) / area - mean * mean, 0)
    return mean, np.sqrt(variance)


def _sample_binarize(config: BinarizeConfig, rng: np.random.Generator) -> Binarize:
    """The method first, then only the values it uses, so the record is fully resolved."""
    methods = {method: config.methods.get(method, 0.0) for method in typing.get_args(BinarizeMethod)}
    methods = {method: weight for method, weight in methods.items() if weight > 0}
    method = choose(list(methods), list(methods.values()), rng)
    if method == "global":
        return Binarize(method=method, threshold=sample_int(config.threshold, rng))
    if method == "sauvola":
        return Binarize(method=method, window=sample_int(config.window, rng), k=sample_float(config.k, rng))
    return Binarize(method=method)


def _binarize(params: Binarize, scene: Scene) -> None:
    """Each pixel's grey level (ITU-R 601 luma, as Pillow's "L") against the method's threshold (`Binarize.white`).

    The ink is dark when the text's fill is no lighter than the picture's mean: the picture mixes
    ink and page, so its mean lies between them, however much of it the ink covers. The result
    is pure 0 or 255, the same in all three channels.
    """
    assert scene.image is not None
    grey = np.asarray(Image.fromarray(scene.image).convert("L"))
    dark_ink = scene.layers is None or scene.layers.fill_luma() <= float(grey.mean())
    white = params.white(grey, dark_ink)
    scene.image = np.repeat(np.where(white, np.uint8(255), np.uint8(0))[:, :, None], 3, axis=2)


# --- jpeg -----------------------------------------------------------------------------------------


class JpegConfig(EffectConfig):
    quality: Annotated[Range, within(1, 95)] = Field(
        default_factory=lambda: Range(min=20, max=90), description="JPEG quality, 1 (worst) to 95."
    )


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
    Effect("brightness_contrast", "image", BrightnessContrastConfig, BrightnessContrast, _brightness_contrast),
    Effect("illumination", "image", IlluminationConfig, Illumination, _illumination, _sample_illumination),
    Effect("dilation", "image", DilationConfig, Dilation, _dilation),
    Effect("erosion", "image", ErosionConfig, Erosion, _erosion),
    Effect("motion_blur", "image", MotionBlurConfig, MotionBlur, _motion_blur),
    Effect("gaussian_blur", "image", GaussianBlurConfig, GaussianBlur, _gaussian_blur),
    Effect("gaussian_noise", "image", GaussianNoiseConfig, GaussianNoise, _gaussian_noise),
    Effect("salt_and_pepper", "image", SaltAndPepperConfig, SaltAndPepper, _salt_and_pepper),
    Effect("cutout", "image", CutoutConfig, Cutout, _cutout),
    Effect("low_resolution", "image", LowResolutionConfig, LowResolution, _low_resolution),
    Effect("binarize", "image", BinarizeConfig, Binarize, _binarize, _sample_binarize),
    Effect("jpeg", "image", JpegConfig, Jpeg, _jpeg),
]
