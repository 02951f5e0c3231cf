"""Text effects as data: how each one is configured and what the plan records of it.

`ocrgen.effects.text` inks them, and says in what order and why.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ocrgen.schemas.effects.base import Effect, EffectConfig, EffectParams
from ocrgen.schemas.ranges import RGB, ColorRange, Range, within

FractionRange = Annotated[Range, within(0, 1)]

# Upper bounds of the parameters, shared by each config range and its plan field: what a shadow
# or the bleed reaches grows the canvas, and each pixel of depth or colour costs a pass.
MAX_OVERLAP = 64  # px of negative spacing
MAX_BLEED_RADIUS = 8  # px; the 3x3 kernel is flat long before
MAX_PALETTE = 64  # colours
MAX_SHADOW_DEPTH = 64  # px
MAX_SHADOW_OFFSET = 64  # px, either way
MAX_SHADOW_BLUR = 32  # px
MAX_JITTER_BASELINE = 0.25  # of the font size: a quarter em either way already scrambles a line
MAX_JITTER_SCALE = 0.25  # of the font size, either way
MAX_INK_SCALE = 32  # px; the field's blur takes 6 scale passes over the canvas


class GlyphOverlapConfig(EffectConfig):
    """Negative spacing between clusters, so neighbouring glyphs overlap (word spaces and joined Arabic are left
    alone). Applied in the layout: the canvas is sized with it."""

    spacing: Annotated[Range, within(-MAX_OVERLAP, 0)] = Field(
        default_factory=lambda: Range(min=-6, max=-1),
        description=f"Pixels added between clusters, -{MAX_OVERLAP} to 0: negative, so neighbouring glyphs overlap.",
    )


class GlyphOverlap(EffectParams):
    name: Literal["glyph_overlap"] = "glyph_overlap"
    spacing: int = Field(ge=-MAX_OVERLAP, le=0)

    def is_noop(self) -> bool:
        return self.spacing == 0


class GlyphJitterConfig(EffectConfig):
    """Each cluster moves across the line by up to `baseline` x size either way, and is drawn at its own size,
    within 1 ± `scale` (to the nearest whole px per em; its advance scales with it, so nothing collides). Joined
    letters (Arabic) and words under a headline (Devanagari, Bengali, Gurmukhi) move and size as one. The record
    holds the two amplitudes and a seed; the layout draws each cluster's values from it, so the canvas and the
    label boxes follow the glyphs."""

    baseline: Annotated[Range, within(0, MAX_JITTER_BASELINE)] = Field(
        default_factory=lambda: Range(min=0.01, max=0.04),
        description="Most a cluster moves off the baseline, either way, as a fraction of the font size "
        f"(0.03 at 32 px: 0.96 px), 0 to {MAX_JITTER_BASELINE}.",
    )
    scale: Annotated[Range, within(0, MAX_JITTER_SCALE)] = Field(
        default_factory=lambda: Range(min=0, max=0.03),
        description="Most a cluster's size differs from the font size, either way, as a fraction, "
        f"0 to {MAX_JITTER_SCALE}.",
    )


class GlyphJitter(EffectParams):
    """The image's amplitudes, and the seed that draws each cluster's own offset and size within them."""

    name: Literal["glyph_jitter"] = "glyph_jitter"
    baseline: float = Field(ge=0, le=MAX_JITTER_BASELINE)
    scale: float = Field(ge=0, le=MAX_JITTER_SCALE)
    seed: int = Field(ge=0, le=2**64 - 1, description="Seeds the per-cluster draws in `layout_text`; 64 bits.")

    def is_noop(self) -> bool:
        return self.baseline == 0 and self.scale == 0


class InkBleedConfig(EffectConfig):
    """Ink spreads into the paper: fill and outline are blurred and screened back; edges darken and soften, at
    most 1 px thicker."""

    radius: Annotated[Range, within(0, MAX_BLEED_RADIUS)] = Field(
        default_factory=lambda: Range(min=0.5, max=1.0),
        description=f"Softness: the Gaussian's sigma in pixels, 0 to {MAX_BLEED_RADIUS} "
        "(the spread stops 1 px from the ink).",
    )
    strength: FractionRange = Field(
        default_factory=lambda: Range(min=0.3, max=0.8), description="How much of the blurred ink is added, 0-1."
    )


class InkBleed(EffectParams):
    name: Literal["ink_bleed"] = "ink_bleed"
    radius: float = Field(ge=0, le=MAX_BLEED_RADIUS)
    strength: float = Field(ge=0, le=1)

    def is_noop(self) -> bool:
        return self.strength == 0


class UnevenInkConfig(EffectConfig):
    """Ink laid unevenly: fill and outline keep a share of their coverage set by a smooth random field from the
    record's seed (Gaussian-blurred noise, `scale` its blur). Half the text keeps all of its ink; the rest fades
    linearly to 1 - `strength` where the field is 2 standard deviations deep (about 2 % of the area), so
    strength near 1 breaks strokes, most of all once binarised. Takes ink away, adds none; the label keeps every
    character."""

    strength: FractionRange = Field(
        default_factory=lambda: Range(min=0.2, max=0.6),
        description="Share of the ink lost where the field is deepest (0 to 1); 1 breaks the strokes there.",
    )
    scale: Annotated[Range, within(0, MAX_INK_SCALE, low_open=True)] = Field(
        default_factory=lambda: Range(min=1.5, max=4),
        description=f"Size of the patches: the field's Gaussian blur, in pixels, above 0 and at most {MAX_INK_SCALE}.",
    )


class UnevenInk(EffectParams):
    """The field itself is drawn at render time from the record's seed (`Scene.rng`)."""

    name: Literal["uneven_ink"] = "uneven_ink"
    strength: float = Field(ge=0, le=1)
    scale: float = Field(gt=0, le=MAX_INK_SCALE)

    def is_noop(self) -> bool:
        return self.strength == 0


class GlyphPaletteConfig(EffectConfig):
    """`count` colours per image; glyph i in logical order takes colour i mod `count`."""

    colors: ColorRange = Field(
        default_factory=lambda: ColorRange(min=(0, 0, 0), max=(180, 180, 180)),
        description="Where each palette colour is drawn from.",
    )
    count: Annotated[Range, within(0, MAX_PALETTE, low_open=True)] = Field(
        default_factory=lambda: Range(min=2, max=5),
        description=f"How many colours the palette has, at most {MAX_PALETTE}.",
    )


class GlyphPalette(EffectParams):
    name: Literal["glyph_palette"] = "glyph_palette"
    colors: list[RGB] = Field(
        min_length=1, max_length=MAX_PALETTE, description="Cluster i (in logical order) takes colour i mod len."
    )


class ColorGradientConfig(EffectConfig):
    """The fill runs from `start` to `end` across the text along `angle` (0 = left to right, 90 = top to
    bottom). Replaces a palette if both apply."""

    start: ColorRange = Field(
        default_factory=lambda: ColorRange(min=(0, 0, 0), max=(100, 100, 100)), description="Colour at the start."
    )
    end: ColorRange = Field(
        default_factory=lambda: ColorRange(min=(0, 0, 0), max=(200, 200, 200)), description="Colour at the end."
    )
    angle: Range = Field(
        default_factory=lambda: Range(min=0, max=360),
        description="Direction from start to end colour, degrees clockwise from left-to-right.",
    )


class ColorGradient(EffectParams):
    name: Literal["color_gradient"] = "color_gradient"
    start: RGB
    end: RGB
    angle: float


class BlockShadowConfig(EffectConfig):
    """A 3-D extrusion: the outline (or fill) repeated 1 to `depth` px along `angle`, under the text."""

    depth: Annotated[Range, within(0, MAX_SHADOW_DEPTH)] = Field(
        default_factory=lambda: Range(min=2, max=6),
        description=f"Length of the extrusion, in pixels, at most {MAX_SHADOW_DEPTH}.",
    )
    angle: Range = Field(
        default_factory=lambda: Range(min=20, max=70),
        description="Direction of the extrusion, degrees clockwise from left-to-right (45: down and right).",
    )
    color: ColorRange = Field(
        default_factory=lambda: ColorRange(min=(80, 80, 80), max=(160, 160, 160)),
        description="Colour of the extrusion.",
    )


class BlockShadow(EffectParams):
    name: Literal["block_shadow"] = "block_shadow"
    depth: int = Field(ge=0, le=MAX_SHADOW_DEPTH)
    angle: float
    color: RGB

    def is_noop(self) -> bool:
        return self.depth == 0


OffsetRange = Annotated[Range, within(-MAX_SHADOW_OFFSET, MAX_SHADOW_OFFSET)]


class DropShadowConfig(EffectConfig):
    """The shadow of the text and any extrusion, offset and blurred, under everything."""

    offset_x: OffsetRange = Field(
        default_factory=lambda: Range(min=1, max=4),
        description=f"Pixels to the right (negative: left), -{MAX_SHADOW_OFFSET} to {MAX_SHADOW_OFFSET}.",
    )
    offset_y: OffsetRange = Field(
        default_factory=lambda: Range(min=1, max=4),
        description=f"Pixels down (negative: up), -{MAX_SHADOW_OFFSET} to {MAX_SHADOW_OFFSET}.",
    )
    blur: Annotated[Range, within(0, MAX_SHADOW_BLUR)] = Field(
        default_factory=lambda: Range(min=0, max=2),
        description=f"Softness: the Gaussian's sigma in pixels, 0 to {MAX_SHADOW_BLUR}.",
    )
    opacity: FractionRange = Field(
        default_factory=lambda: Range(min=0.3, max=0.7), description="How dark the shadow is, 0 to 1."
    )
    color: ColorRange = Field(
        default_factory=lambda: ColorRange(min=(0, 0, 0), max=(60, 60, 60)), description="Colour of the shadow."
    )


class DropShadow(EffectParams):
    name: Literal["drop_shadow"] = "drop_shadow"
    offset_x: int = Field(ge=-MAX_SHADOW_OFFSET, le=MAX_SHADOW_OFFSET)
    offset_y: int = Field(ge=-MAX_SHADOW_OFFSET, le=MAX_SHADOW_OFFSET)
    blur: float = Field(ge=0, le=MAX_SHADOW_BLUR)
    opacity: float = Field(ge=0, le=1)
    color: RGB

    def is_noop(self) -> bool:
        return self.opacity == 0 or (self.offset_x == 0 and self.offset_y == 0 and self.blur == 0)


_CODE = "ocrgen.effects.text:"

# Catalogue order within the text stage; `ocrgen.effects.text` says why.
EFFECTS = (
    Effect("glyph_overlap", "text", GlyphOverlapConfig, GlyphOverlap, apply=_CODE + "apply_glyph_overlap"),
    Effect(
        "glyph_jitter",
        "text",
        GlyphJitterConfig,
        GlyphJitter,
        apply=_CODE + "apply_glyph_jitter",
        sampler=_CODE + "sample_glyph_jitter",
    ),
    Effect("ink_bleed", "text", InkBleedConfig, InkBleed, apply=_CODE + "apply_ink_bleed"),
    Effect("uneven_ink", "text", UnevenInkConfig, UnevenInk, apply=_CODE + "apply_uneven_ink"),
    Effect(
        "glyph_palette",
        "text",
        GlyphPaletteConfig,
        GlyphPalette,
        apply=_CODE + "apply_glyph_palette",
        sampler=_CODE + "sample_glyph_palette",
        ink_colors=("colors",),
        reads_clusters=True,
    ),
    Effect(
        "color_gradient",
        "text",
        ColorGradientConfig,
        ColorGradient,
        apply=_CODE + "apply_color_gradient",
        ink_colors=("start", "end"),
    ),
    Effect("block_shadow", "text", BlockShadowConfig, BlockShadow, apply=_CODE + "apply_block_shadow"),
    Effect("drop_shadow", "text", DropShadowConfig, DropShadow, apply=_CODE + "apply_drop_shadow"),
)
