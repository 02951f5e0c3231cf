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

import numpy as np
from PIL import Image, ImageFilter

from ocrgen.effects.base import Scene
from ocrgen.effects.gaussian import gaussian_blur
from ocrgen.pixels import to_uint8, with_normal_noise
from ocrgen.sampling import choose, sample_float, sample_int
from ocrgen.schemas.effects.image import (
    SAUVOLA_RANGE,
    Binarize,
    BinarizeConfig,
    BinarizeMethod,
    BrightnessContrast,
    Cutout,
    Dilation,
    Erosion,
    GaussianBlur,
    GaussianNoise,
    Illumination,
    IlluminationConfig,
    IlluminationKind,
    Jpeg,
    LowResolution,
    MotionBlur,
    SaltAndPepper,
)

# --- brightness_contrast --------------------------------------------------------------------------


def apply_brightness_contrast(params: BrightnessContrast, scene: Scene) -> None:
    """out = (in - 127.5) * contrast + 127.5 + 255 * brightness, clipped to 0-255."""
    assert scene.image is not None
    pixels = scene.image.astype(np.float32)
    scene.image = to_uint8((pixels - 127.5) * params.contrast + 127.5 + 255 * params.brightness)


# --- illumination ---------------------------------------------------------------------------------


def sample_illumination(config: IlluminationConfig, rng: np.random.Generator) -> Illumination:
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


def apply_illumination(params: Illumination, scene: Scene) -> None:
    """Multiply the image by a smooth light map: linear across the image, or falling with the squared distance."""
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    scene.image = to_uint8(scene.image.astype(np.float32) * illumination_light(params, width, height)[:, :, None])


# --- dilation and erosion -------------------------------------------------------------------------


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


def apply_dilation(params: Dilation, scene: Scene) -> None:
    assert scene.image is not None
    scene.image = _rank_filter(scene.image, params.size, darkest=False)


def apply_erosion(params: Erosion, scene: Scene) -> None:
    assert scene.image is not None
    scene.image = _rank_filter(scene.image, params.size, darkest=True)


# --- motion_blur ----------------------------------------------------------------------------------


def apply_motion_blur(params: MotionBlur, scene: Scene) -> None:
    """Convolve with the line kernel: a weighted sum of shifted copies, one per tap; borders repeat the edge."""
    assert scene.image is not None
    kernel = motion_kernel(params)
    radius = kernel.shape[0] // 2
    height, width = scene.image.shape[:2]
    padded = np.pad(scene.image.astype(np.float32), ((radius, radius), (radius, radius), (0, 0)), mode="edge")
    out = np.zeros(scene.image.shape, np.float32)
    for ky, kx in zip(*np.nonzero(kernel > 1e-9), strict=True):
        out += np.float32(kernel[ky, kx]) * padded[ky : ky + height, kx : kx + width]
    scene.image = to_uint8(out)


# --- gaussian_blur --------------------------------------------------------------------------------


def apply_gaussian_blur(params: GaussianBlur, scene: Scene) -> None:
    assert scene.image is not None
    scene.image = gaussian_blur(scene.image, params.radius)


# --- gaussian_noise -------------------------------------------------------------------------------


def apply_gaussian_noise(params: GaussianNoise, scene: Scene) -> None:
    """Add zero-mean normal noise, drawn independently for every pixel and channel, then clip."""
    assert scene.image is not None
    scene.image = with_normal_noise(scene.image, params.sigma, scene.rng)


# --- salt_and_pepper ------------------------------------------------------------------------------


def apply_salt_and_pepper(params: SaltAndPepper, scene: Scene) -> None:
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


def apply_cutout(params: Cutout, scene: Scene) -> None:
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
        fill = to_uint8(scene.image.reshape(-1, 3).mean(axis=0))
    out = scene.image.copy()
    for _ in range(params.count):
        x0 = int(scene.rng.integers(0, width - side + 1))
        y0 = int(scene.rng.integers(0, height - side + 1))
        out[y0 : y0 + side, x0 : x0 + side] = fill
    scene.image = out


# --- low_resolution -------------------------------------------------------------------------------


def apply_low_resolution(params: LowResolution, scene: Scene) -> None:
    """Shrink by `factor` with area averaging (a coarser sensor), then enlarge back bilinearly."""
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    small_size = (max(1, round(width / params.factor)), max(1, round(height / params.factor)))
    small = Image.fromarray(scene.image).resize(small_size, Image.Resampling.BOX)
    scene.image = np.asarray(small.resize((width, height), Image.Resampling.BILINEAR))


# --- binarize -------------------------------------------------------------------------------------


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


def sample_binarize(config: BinarizeConfig, rng: np.random.Generator) -> Binarize:
    """The method first, then only the values it uses, so the record is fully resolved."""
    methods = {method: config.methods.get(method, 0.0) for method in typing.get_args(BinarizeMethod)}
    methods = {method: weight for method, weight in methods.items() if weight > 0}
    method = choose(list(methods), list(methods.values()), rng)
    if method == "global":
        return Binarize(method=method, threshold=sample_int(config.threshold, rng))
    if method == "sauvola":
        return Binarize(method=method, window=sample_int(config.window, rng), k=sample_float(config.k, rng))
    return Binarize(method=method)


def apply_binarize(params: Binarize, scene: Scene) -> None:
    """Each pixel's grey level (ITU-R 601 luma, as Pillow's "L") against the method's threshold (`Binarize.white`).

    The ink is dark when the text's fill is no lighter than the picture's mean: the picture mixes
    ink and page, so its mean lies between them, however much of it the ink covers. The result
    is pure 0 or 255, the same in all three channels.
    """
    assert scene.image is not None
    grey = np.asarray(Image.fromarray(scene.image).convert("L"))
    dark_ink = scene.layers is None or scene.layers.fill_luma() <= float(grey.mean())
    white = binarize_white(params, grey, dark_ink)
    scene.image = np.repeat(np.where(white, np.uint8(255), np.uint8(0))[:, :, None], 3, axis=2)


# --- jpeg -----------------------------------------------------------------------------------------


def apply_jpeg(params: Jpeg, scene: Scene) -> None:
    """Encode and decode once, leaving JPEG's block and ringing artifacts in the pixels.

    Decoded straight by the JPEG decoder into an RGB picture of the size it was: opening the file
    as an image would parse its markers in Python first, a third of the decoding's time.
    """
    assert scene.image is not None
    height, width = scene.image.shape[:2]
    buffer = io.BytesIO()
    Image.fromarray(scene.image).save(buffer, "JPEG", quality=params.quality)
    scene.image = np.asarray(Image.frombytes("RGB", (width, height), buffer.getvalue(), "jpeg", "RGB", ""))


def illumination_light(params: Illumination, width: int, height: int) -> np.ndarray:
    """The factor (H, W) each pixel is multiplied by: 1 at the brightest point, 1 - strength at the darkest."""
    x = (np.arange(width, dtype=np.float32) + 0.5)[None, :]
    y = (np.arange(height, dtype=np.float32) + 0.5)[:, None]
    if params.kind == "linear":
        assert params.angle is not None
        dx, dy = math.cos(math.radians(params.angle)), math.sin(math.radians(params.angle))
        along = x * dx + y * dy
        low, high = along.min(), along.max()
        shade = (along - low) / (high - low) if high > low else np.zeros_like(along)
    else:
        assert params.center_x is not None and params.center_y is not None
        cx, cy = params.center_x * width, params.center_y * height
        squared = (x - cx) ** 2 + (y - cy) ** 2
        shade = squared / squared.max() if squared.max() > 0 else np.zeros_like(squared)
    return 1 - params.strength * np.broadcast_to(shade, (height, width))


def motion_kernel(params: MotionBlur) -> np.ndarray:
    """A normalised, anti-aliased line of `length` pixels through the centre of a square odd-sized kernel.

    Points spaced a quarter pixel apart from -(length-1)/2 to +(length-1)/2 along the angle are
    splatted bilinearly, so a length of 1 or less is a single tap (the identity).
    """
    half = max(0.0, (params.length - 1) / 2)
    radius = math.ceil(half) + 1
    steps = max(2, math.ceil(params.length * 4))
    t = np.linspace(-half, half, steps)
    x = t * math.cos(math.radians(params.angle)) + radius
    y = t * math.sin(math.radians(params.angle)) + radius
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    kernel = np.zeros((2 * radius + 1, 2 * radius + 1))
    corners = ((0, 0, (1 - fx) * (1 - fy)), (0, 1, fx * (1 - fy)), (1, 0, (1 - fx) * fy), (1, 1, fx * fy))
    for dy, dx, weight in corners:
        np.add.at(kernel, (y0 + dy, x0 + dx), weight)
    return kernel / kernel.sum()


def binarize_white(params: Binarize, grey: np.ndarray, dark_ink: bool = True) -> np.ndarray:
    """Which pixels of an 8-bit grey picture turn white.

    Global and Otsu: those brighter than the threshold, whatever the text's colour. Sauvola's
    threshold, mean x (1 + k (deviation / R - 1)), drops below the local mean where the
    neighbourhood is flat, which makes flat areas page: it is made for dark ink on a lighter
    page. For light ink (`dark_ink` False) the negative is thresholded and turned back, so light
    ink stays light.
    """
    if params.method == "global":
        assert params.threshold is not None
        return grey > params.threshold
    if params.method == "otsu":
        return grey > _otsu(grey)
    assert params.window is not None and params.k is not None
    levels = grey.astype(np.float64) if dark_ink else 255 - grey.astype(np.float64)
    mean, deviation = _local_mean_and_deviation(grey, params.window)
    if not dark_ink:
        mean = 255 - mean
    ink = levels <= mean * (1 + params.k * (deviation / SAUVOLA_RANGE - 1))
    return ~ink if dark_ink else ink
