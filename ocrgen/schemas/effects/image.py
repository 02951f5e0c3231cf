"""Image effects as data: how each one is configured and what the plan records of it.

`ocrgen.effects.image` applies them to the finished picture, and says in what order and why.
"""

from __future__ import annotations

import typing
from typing import Annotated, Literal

from pydantic import Field, model_validator

from ocrgen.schemas.effects.base import Effect, EffectConfig, EffectParams
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


class BrightnessContrastConfig(EffectConfig):
    """out = (in - 127.5) x contrast + 127.5 + 255 x brightness."""

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


IlluminationKind = Literal["linear", "radial"]
CenterRange = Annotated[Range, within(*CENTER_RANGE)]
Center = Annotated[float, Field(ge=CENTER_RANGE[0], le=CENTER_RANGE[1])]


class IlluminationConfig(EffectConfig):
    """Multiplies by a smooth light map: linear along `angle` or radial around a centre; 1 - strength at the
    darkest point."""

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


WindowRange = Annotated[Range, within(1, MAX_WINDOW)]


class MorphologyConfig(EffectConfig):
    size: WindowRange = Field(
        default_factory=lambda: Range(min=2, max=3),
        description=f"Side of the square window, in pixels, 1 to {MAX_WINDOW} (whole numbers; 1 changes nothing).",
    )


class DilationConfig(MorphologyConfig):
    """Grey max filter: dark ink on a light page gets thinner."""

    size: WindowRange = Field(
        default_factory=lambda: Range(min=2, max=2),
        description=f"Side of the square window, in pixels, 1 to {MAX_WINDOW} (whole numbers; 1 changes nothing). "
        "Dark strokes lose size - 1 px of width, so 3 or more can erase thin strokes of small text.",
    )


class ErosionConfig(MorphologyConfig):
    """Grey min filter: dark ink on a light page gets thicker."""


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


class MotionBlurConfig(EffectConfig):
    """Convolution with an anti-aliased line."""

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


class GaussianBlurConfig(EffectConfig):
    """Gaussian blur."""

    radius: Annotated[Range, within(0, MAX_BLUR)] = Field(
        default_factory=lambda: Range(min=0.3, max=1.5), description=f"Standard deviation in pixels, 0 to {MAX_BLUR}."
    )


class GaussianBlur(EffectParams):
    name: Literal["gaussian_blur"] = "gaussian_blur"
    radius: float = Field(ge=0, le=MAX_BLUR)

    def is_noop(self) -> bool:
        return self.radius <= 0


class GaussianNoiseConfig(EffectConfig):
    """Zero-mean normal noise per pixel and channel, from the record's seed."""

    sigma: Annotated[Range, within(0, MAX_NOISE)] = Field(
        default_factory=lambda: Range(min=2, max=12),
        description=f"Standard deviation of the noise, in intensity levels (0-255 scale), 0 to {MAX_NOISE}.",
    )


class GaussianNoise(EffectParams):
    name: Literal["gaussian_noise"] = "gaussian_noise"
    sigma: float = Field(ge=0, le=MAX_NOISE)

    def is_noop(self) -> bool:
        return self.sigma == 0


class SaltAndPepperConfig(EffectConfig):
    """That fraction of pixels turns black or white."""

    amount: Annotated[Range, within(0, 1)] = Field(
        default_factory=lambda: Range(min=0.002, max=0.02),
        description="Fraction of pixels hit (0 to 1); half of them turn white, half black.",
    )


class SaltAndPepper(EffectParams):
    name: Literal["salt_and_pepper"] = "salt_and_pepper"
    amount: float = Field(ge=0, le=1)

    def is_noop(self) -> bool:
        return self.amount == 0


class CutoutConfig(EffectConfig):
    """Solid squares hide part of the text (the image's mean colour by default); the label keeps the hidden
    text."""

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


class LowResolutionConfig(EffectConfig):
    """Downscale by `factor`, then back up: same size, detail lost."""

    factor: Annotated[Range, within(1, MAX_LOW_RES)] = Field(
        default_factory=lambda: Range(min=1.5, max=3),
        description=f"Downscale factor, 1 to {MAX_LOW_RES} (1 changes nothing); the image is scaled back to its size.",
    )


class LowResolution(EffectParams):
    name: Literal["low_resolution"] = "low_resolution"
    factor: float = Field(ge=1, le=MAX_LOW_RES)

    def is_noop(self) -> bool:
        return self.factor <= 1


BinarizeMethod = Literal["global", "otsu", "sauvola"]
# Sauvola's R: the largest standard deviation of 8-bit grey levels, to which a window's deviation is compared.
SAUVOLA_RANGE = 128.0


class BinarizeConfig(EffectConfig):
    """Pure black and white, as scanned lines usually are: each pixel's grey level (ITU-R 601 luma) against a
    threshold, the same in all three channels. `global`: brighter than `threshold` turns white. `otsu`: the
    threshold that best splits the image's histogram in two. `sauvola`: a threshold per pixel, mean x (1 + k x
    (deviation / 128 - 1)) over a `window` x `window` neighbourhood (integral images: any window costs the
    same), so uneven light, which blackens one side under a single threshold, stays paper; it is made for dark
    ink, so light text is thresholded in the negative and stays light. After blur, noise and low resolution,
    before JPEG."""

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


class JpegConfig(EffectConfig):
    """One JPEG round trip: 8x8 blocks, ringing, chroma loss. Always last."""

    quality: Annotated[Range, within(1, 95)] = Field(
        default_factory=lambda: Range(min=20, max=90), description="JPEG quality, 1 (worst) to 95."
    )


class Jpeg(EffectParams):
    name: Literal["jpeg"] = "jpeg"
    quality: int = Field(ge=1, le=95)


_CODE = "ocrgen.effects.image:"

# Catalogue order within the image stage; `ocrgen.effects.image` says why.
EFFECTS = (
    Effect(
        "brightness_contrast",
        "image",
        BrightnessContrastConfig,
        BrightnessContrast,
        apply=_CODE + "apply_brightness_contrast",
    ),
    Effect(
        "illumination",
        "image",
        IlluminationConfig,
        Illumination,
        apply=_CODE + "apply_illumination",
        sampler=_CODE + "sample_illumination",
    ),
    Effect("dilation", "image", DilationConfig, Dilation, apply=_CODE + "apply_dilation"),
    Effect("erosion", "image", ErosionConfig, Erosion, apply=_CODE + "apply_erosion"),
    Effect("motion_blur", "image", MotionBlurConfig, MotionBlur, apply=_CODE + "apply_motion_blur"),
    Effect("gaussian_blur", "image", GaussianBlurConfig, GaussianBlur, apply=_CODE + "apply_gaussian_blur"),
    Effect("gaussian_noise", "image", GaussianNoiseConfig, GaussianNoise, apply=_CODE + "apply_gaussian_noise"),
    Effect("salt_and_pepper", "image", SaltAndPepperConfig, SaltAndPepper, apply=_CODE + "apply_salt_and_pepper"),
    Effect("cutout", "image", CutoutConfig, Cutout, apply=_CODE + "apply_cutout"),
    Effect("low_resolution", "image", LowResolutionConfig, LowResolution, apply=_CODE + "apply_low_resolution"),
    Effect(
        "binarize", "image", BinarizeConfig, Binarize, apply=_CODE + "apply_binarize", sampler=_CODE + "sample_binarize"
    ),
    Effect("jpeg", "image", JpegConfig, Jpeg, apply=_CODE + "apply_jpeg"),
)
