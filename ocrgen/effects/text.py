"""Text effects: they change how the text itself is inked, before it meets the background.

They work on `TextLayers`: the fill and outline coverage of the text, their colours,
the shadow layers drawn under them, and the cluster map (which cluster owns each
pixel). None of them moves the drawn ink by more than 1 px, so the label boxes,
measured on the glyph bitmaps, stay true; shadows are separate layers under the text.
The two layout effects move glyphs further, but before they are drawn, so the bitmaps
and the boxes measured on them hold the move.
`uneven_ink` takes ink away and adds none: a box may then hold fainter or broken strokes,
and the label keeps the character, as a hidden one behind a `cutout` is kept.

Order (fixed, whatever order the config names them in):

1. `glyph_overlap`: negative spacing, and `glyph_jitter`: each cluster off the baseline
   and sized a little apart. They change the layout itself, so they act before anything
   is drawn, through `effective_layout` and `layout_jitter`, which the planner (to size
   the canvas, `measure_text`) and the renderer (to draw, `layout_text`) both put in the
   same `TextRequest`; their apply steps do nothing.
2. `ink_bleed`: the ink spreads into the paper, before anything is coloured or copied,
   so the palette, the gradient and the shadows all see the bled shape.
3. `uneven_ink`: the press or toner laid the ink unevenly: a smooth random field fades
   fill and outline in patches, down to broken strokes; the bled edges fade with them.
4. `glyph_palette`: each cluster its own colour (a colour mode).
5. `color_gradient`: the fill colour varies along an angle (a colour mode). If both
   colour modes are drawn for one image, the gradient comes last and replaces the palette.
6. `block_shadow`: a 3-D extrusion of the (bled) text, under it.
7. `drop_shadow`: the shadow that the whole object, extrusion included, casts on the
   paper; it goes under every other layer.

The shadows reach beyond the text's ink; `margins` says by how much, and the planner
grows the canvas by that, so no shadow is cut off at the image border.

The palette's colours and the gradient's ends ink the text itself (their `ink_colors`):
effects are sampled before the background exists, so the planner draws those colours
again once it does, keeping `min_contrast` against it as it does for the text colour.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ocrgen.effects.base import Scene, TextLayers, Window
from ocrgen.effects.gaussian import gaussian_blur
from ocrgen.effects.warp import smooth_noise
from ocrgen.pixels import to_uint8
from ocrgen.sampling import sample_color, sample_float, sample_int
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.text import (
    BlockShadow,
    ColorGradient,
    DropShadow,
    GlyphJitter,
    GlyphJitterConfig,
    GlyphOverlap,
    GlyphPalette,
    GlyphPaletteConfig,
    InkBleed,
    UnevenInk,
)
from ocrgen.schemas.plan import Layout

Margins = tuple[int, int, int, int]  # left, top, right, bottom


def shifted(mask: np.ndarray, dx: int, dy: int, fill: int = 0) -> np.ndarray:
    """`mask` moved by (dx, dy) pixels; what moves off the canvas is lost, what moves in is `fill`."""
    out = np.full_like(mask, fill)
    target, source = _shift_windows(mask.shape, dx, dy)
    out[target] = mask[source]
    return out


def _shift_windows(shape: tuple[int, ...], dx: int, dy: int) -> tuple[Window, Window]:
    """Where a canvas of `shape` moved by (dx, dy) lands, and the part of it that lands there (both empty if none)."""
    height, width = shape[:2]
    if abs(dx) >= width or abs(dy) >= height:
        return (slice(0, 0), slice(0, 0)), (slice(0, 0), slice(0, 0))
    target = slice(max(dy, 0), height + min(dy, 0)), slice(max(dx, 0), width + min(dx, 0))
    return target, (slice(max(-dy, 0), height + min(-dy, 0)), slice(max(-dx, 0), width + min(-dx, 0)))


def _nearest_pixel(value: float) -> int:
    """Half away from zero, so offsets along an angle are symmetric (Python's round() is banker's)."""
    return int(math.copysign(math.floor(abs(value) + 0.5), value))


def _steps(angle: float, depth: int) -> list[tuple[int, int]]:
    """The whole-pixel offsets 1..depth px along `angle` (degrees clockwise from +x, y down), without gaps."""
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    steps = dict.fromkeys((_nearest_pixel(k * c), _nearest_pixel(k * s)) for k in range(1, depth + 1))
    steps.pop((0, 0), None)
    return list(steps)


# --- glyph_overlap -------------------------------------------------------------------------------


def effective_layout(layout: Layout, effects: Iterable[EffectParams]) -> Layout:
    """The layout the text is really set with: the record's own, plus the spacing of `glyph_overlap`.

    The planner sizes the canvas with it and the renderer draws with it; the overlap is
    stored once, in the effect, and this is the only place it is added.
    """
    extra = sum(params.spacing for params in effects if isinstance(params, GlyphOverlap))
    if extra == 0:
        return layout
    return layout.model_copy(update={"character_spacing": layout.character_spacing + extra})


def apply_glyph_overlap(params: GlyphOverlap, scene: Scene) -> None:
    """Nothing left to do: the overlap is in the layout already (`effective_layout`).

    It has to be: the spacing moves glyphs, and so the canvas size the planner chose and the
    character boxes of the label. Spacing the drawn pixels again here would count it twice.
    """


# --- glyph_jitter --------------------------------------------------------------------------------


def sample_glyph_jitter(config: GlyphJitterConfig, rng: np.random.Generator) -> GlyphJitter:
    """Two amplitudes and a seed: the record stays short whatever the length of the text."""
    baseline, scale = sample_float(config.baseline, rng), sample_float(config.scale, rng)
    return GlyphJitter(baseline=baseline, scale=scale, seed=int(rng.integers(2**63 - 1)))


def layout_jitter(effects: Iterable[EffectParams]) -> GlyphJitter | None:
    """The jitter `layout_text` sets the text with, if the record has one (a record holds each effect once)."""
    return next((params for params in effects if isinstance(params, GlyphJitter)), None)


def apply_glyph_jitter(params: GlyphJitter, scene: Scene) -> None:
    """Nothing left to do: the offsets and sizes are in the layout already (`layout_jitter`).

    The planner sized the canvas with them and the label boxes are measured on the jittered
    bitmaps, so moving pixels here would part the label from the ink.
    """


# --- ink_bleed -----------------------------------------------------------------------------------


def _bleed(coverage: np.ndarray, radius: float, strength: float) -> np.ndarray:
    """Blur with a 3x3 Gaussian and screen it over the original: edges darken and grow by 1 px at most."""
    side = math.exp(-1 / (2 * radius * radius)) if radius > 0 else 0.0
    weights = np.array([side, 1.0, side], np.float32) / (1 + 2 * side)
    ink = coverage.astype(np.float32) / 255
    padded = np.pad(ink, 1)
    rows = weights[0] * padded[:-2] + weights[1] * padded[1:-1] + weights[2] * padded[2:]
    blurred = weights[0] * rows[:, :-2] + weights[1] * rows[:, 1:-1] + weights[2] * rows[:, 2:]
    bled = ink + strength * blurred * (1 - ink)
    return to_uint8(bled * 255)


def _grow_clusters(clusters: np.ndarray, inked: np.ndarray) -> np.ndarray:
    """Give each newly inked pixel the cluster of a neighbour (first in a fixed order), so colours follow the bleed."""
    out = clusters.copy()
    for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, -1), (-1, 1), (1, 1)):
        neighbour = shifted(clusters, dx, dy, fill=-1)
        np.copyto(out, neighbour, where=(out < 0) & (neighbour >= 0) & inked)
    return out


def apply_ink_bleed(params: InkBleed, scene: Scene) -> None:
    assert scene.layers is not None
    layers = scene.layers
    layers.fill = _bleed(layers.fill, params.radius, params.strength)
    if layers.stroke is not None:
        layers.stroke = _bleed(layers.stroke, params.radius, params.strength)
    if layers.clusters is not None:
        inked = layers.fill > 0 if layers.stroke is None else (layers.fill > 0) | (layers.stroke > 0)
        layers.clusters = _grow_clusters(layers.clusters, inked)


# --- uneven_ink ----------------------------------------------------------------------------------


def apply_uneven_ink(params: UnevenInk, scene: Scene) -> None:
    """Multiply fill and outline coverage by one field, so an outlined stroke fades as a whole."""
    assert scene.layers is not None
    layers = scene.layers
    height, width = layers.fill.shape
    kept = ink_kept(params, scene.rng, width, height)

    def faded(coverage: np.ndarray) -> np.ndarray:
        return np.rint(coverage * kept).astype(np.uint8)

    layers.fill = faded(layers.fill)
    if layers.stroke is not None:
        layers.stroke = faded(layers.stroke)


# --- glyph_palette -------------------------------------------------------------------------------


def sample_glyph_palette(config: GlyphPaletteConfig, rng: np.random.Generator) -> GlyphPalette:
    """A palette of `count` colours; the number of clusters is not known yet, so they are used in turn."""
    count = max(1, sample_int(config.count, rng))
    return GlyphPalette(colors=[sample_color(config.colors, rng) for _ in range(count)])


def _per_pixel(layers: TextLayers) -> np.ndarray:
    """The fill colour as an H x W x 3 array, whatever shape it has now."""
    height, width = layers.fill.shape
    return np.broadcast_to(np.asarray(layers.fill_color, np.uint8), (height, width, 3))


def apply_glyph_palette(params: GlyphPalette, scene: Scene) -> None:
    assert scene.layers is not None
    layers = scene.layers
    if layers.clusters is None:
        raise ValueError("glyph_palette needs the cluster map of the drawn text (TextLayers.clusters)")
    clusters = layers.clusters
    palette = np.asarray(params.colors, np.uint8)
    count = int(clusters.max()) + 1
    lookup = palette[np.arange(max(count, 1)) % len(palette)]
    owned = clusters >= 0
    colors = lookup[np.where(owned, clusters, 0)]
    layers.fill_color = np.where(owned[:, :, None], colors, _per_pixel(layers))


# --- color_gradient ------------------------------------------------------------------------------


def apply_color_gradient(params: ColorGradient, scene: Scene) -> None:
    """Mix start to end linearly along `angle`, from the first to the last inked pixel of the text."""
    assert scene.layers is not None
    layers = scene.layers
    height, width = layers.fill.shape
    rows, cols = np.nonzero(layers.fill)
    if rows.size == 0:
        return
    c, s = math.cos(math.radians(params.angle)), math.sin(math.radians(params.angle))
    corners = [c * x + s * y for x in (cols.min(), cols.max()) for y in (rows.min(), rows.max())]
    low, span = min(corners), max(corners) - min(corners)
    along = c * np.arange(width, dtype=np.float32)[None, :] + s * np.arange(height, dtype=np.float32)[:, None]
    t = np.clip((along - low) / span, 0, 1) if span > 0 else np.zeros_like(along)
    start, end = np.asarray(params.start, np.float32), np.asarray(params.end, np.float32)
    mixed = start + (end - start) * t[:, :, None]
    layers.fill_color = to_uint8(mixed)


# --- block_shadow --------------------------------------------------------------------------------


def apply_block_shadow(params: BlockShadow, scene: Scene) -> None:
    """The outermost ink (outline, else fill) copied at every pixel step along the angle, as one layer.

    One pass over the canvas per step (at most `MAX_SHADOW_DEPTH`), each taking the maximum in place.
    """
    assert scene.layers is not None
    layers = scene.layers
    source = layers.stroke if layers.stroke is not None else layers.fill
    extrusion = np.zeros_like(source)
    for dx, dy in _steps(params.angle, params.depth):
        target, window = _shift_windows(source.shape, dx, dy)
        np.maximum(extrusion[target], source[window], out=extrusion[target])
    layers.under.append((extrusion, np.asarray(params.color, np.uint8)))


# --- drop_shadow ---------------------------------------------------------------------------------


def apply_drop_shadow(params: DropShadow, scene: Scene) -> None:
    """The shadow of everything drawn so far (text and any extrusion), under all of it."""
    assert scene.layers is not None
    layers = scene.layers
    source = layers.stroke if layers.stroke is not None else layers.fill
    for coverage, _ in layers.under:
        source = np.maximum(source, coverage)
    shadow = shifted(source, params.offset_x, params.offset_y)
    if params.blur > 0:
        shadow = gaussian_blur(shadow, params.blur)
    shadow = np.rint(shadow.astype(np.float32) * params.opacity).astype(np.uint8)
    layers.under.insert(0, (shadow, np.asarray(params.color, np.uint8)))


# --- room for the shadows ------------------------------------------------------------------------


def margins(effects: Iterable[EffectParams]) -> Margins:
    """Pixels (left, top, right, bottom) the text effects may ink beyond the text's own ink.

    The planner adds them to the padding. They add up effect by effect, which is never less
    than what the effects reach together (a drop shadow of an extrusion reaches both lengths).
    """
    left = top = right = bottom = 0
    for params in effects:
        if isinstance(params, InkBleed):
            left, top, right, bottom = left + 1, top + 1, right + 1, bottom + 1
        elif isinstance(params, BlockShadow):
            steps = [(0, 0), *_steps(params.angle, params.depth)]
            left += max(-dx for dx, _ in steps)
            right += max(dx for dx, _ in steps)
            top += max(-dy for _, dy in steps)
            bottom += max(dy for _, dy in steps)
        elif isinstance(params, DropShadow):
            reach = math.ceil(3 * params.blur)
            left += max(0, reach - params.offset_x)
            right += max(0, reach + params.offset_x)
            top += max(0, reach - params.offset_y)
            bottom += max(0, reach + params.offset_y)
    return left, top, right, bottom


def ink_kept(params: UnevenInk, rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """The share of ink each pixel keeps: 1 where the field z (in standard deviations) is below 0,
    falling linearly to 1 - strength at z = 2 and beyond (about 2 % of the area)."""
    field = smooth_noise(rng, width, height, params.scale)[:, :, 0]
    spread = float(field.std())
    z = field / spread if spread > 0 else np.zeros_like(field)
    return (1 - params.strength * np.clip(z / 2, 0, 1)).astype(np.float32)
