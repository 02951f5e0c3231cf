"""One example of every effect in the catalogue: clearly visible values, none a no-op.

The generic effect tests (tests/test_effect_catalogue.py) run over this table, and one of them
fails when an effect is registered without an example here.
"""

from __future__ import annotations

from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.geometric import (
    Elastic,
    GridDistortion,
    OpticalDistortion,
    Perspective,
    Rescale,
    Rotation,
    Shear,
)
from ocrgen.schemas.effects.image import (
    Binarize,
    BrightnessContrast,
    Cutout,
    Dilation,
    Erosion,
    GaussianBlur,
    GaussianNoise,
    Illumination,
    Jpeg,
    LowResolution,
    MotionBlur,
    SaltAndPepper,
)
from ocrgen.schemas.effects.text import (
    BlockShadow,
    ColorGradient,
    DropShadow,
    GlyphJitter,
    GlyphOverlap,
    GlyphPalette,
    InkBleed,
    UnevenInk,
)

RED = (255, 0, 0)
PALETTE = [(230, 20, 20), (20, 150, 20), (20, 40, 230)]
TILT = Perspective(corners=((0.1, 0.06), (-0.12, 0.08), (0.05, -0.11), (0.12, -0.04)))

EXAMPLES: dict[str, EffectParams] = {
    "glyph_overlap": GlyphOverlap(spacing=-3),
    "glyph_jitter": GlyphJitter(baseline=0.04, scale=0.03, seed=7),
    "ink_bleed": InkBleed(radius=1.2, strength=1.0),
    "uneven_ink": UnevenInk(strength=0.7, scale=3),
    "glyph_palette": GlyphPalette(colors=PALETTE),
    "color_gradient": ColorGradient(start=(0, 120, 0), end=(0, 0, 90), angle=30),
    "block_shadow": BlockShadow(depth=6, angle=120, color=RED),
    "drop_shadow": DropShadow(offset_x=3, offset_y=3, blur=1.5, opacity=0.8, color=RED),
    "rescale": Rescale(scale=0.6),
    "shear": Shear(angle=15),
    "rotation": Rotation(angle=8),
    "perspective": TILT,
    "elastic": Elastic(alpha=8, sigma=3),
    "grid_distortion": GridDistortion(x=(0.3, -0.3, 0.25, -0.2), y=(0.3, -0.3, 0.2, -0.25)),
    "optical_distortion": OpticalDistortion(k=0.3),
    "brightness_contrast": BrightnessContrast(brightness=0.15, contrast=1.4),
    "illumination": Illumination(kind="linear", strength=0.6, angle=20),
    "dilation": Dilation(size=2),
    "erosion": Erosion(size=3),
    "motion_blur": MotionBlur(length=9, angle=30),
    "gaussian_blur": GaussianBlur(radius=1.5),
    "gaussian_noise": GaussianNoise(sigma=12),
    "salt_and_pepper": SaltAndPepper(amount=0.05),
    "cutout": Cutout(count=2, size=0.4),
    "low_resolution": LowResolution(factor=3),
    "binarize": Binarize(method="sauvola", window=25, k=0.3),
    "jpeg": Jpeg(quality=10),
}
