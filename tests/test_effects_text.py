"""Text effects: each changes the pixels as it claims, the text's own ink stays inside its boxes, renders repeat.

Most cases draw black text on white, so ink is every pixel that is not white, and
shadows in pure red, so a shadow pixel is a blend of white and red (R = 255, G = B).
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from pydantic import ValidationError
from textcases import ARABIC, CJK, LATIN, box_mask, dilate, ink_mask, make_record, render

from ocrgen.assets import AssetResolver
from ocrgen.effects.base import Scene, TextLayers
from ocrgen.effects.registry import apply_effect, effect_of, sample_effects
from ocrgen.effects.text import effective_layout, ink_kept
from ocrgen.planner import AssetDirs, iter_plan
from ocrgen.renderer.glyphs import glyph_bitmap
from ocrgen.renderer.output import encode_image, encode_label
from ocrgen.renderer.picture import layers_of, text_layout
from ocrgen.renderer.text import draw_text
from ocrgen.schemas.config import BatchConfig
from ocrgen.schemas.effects.base import EffectParams
from ocrgen.schemas.effects.catalogue import EFFECTS, EffectsConfig
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
from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import Layout, PlanRecord, ProceduralBackground, Stroke
from tests.effect_examples import EXAMPLES

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
RED = (255, 0, 0)
TEXT = "HIMNU HUNK"
PALETTE = [(230, 20, 20), (20, 150, 20), (20, 40, 230)]


def make(
    effects: list[EffectParams],
    text: str = TEXT,
    font: str = LATIN,
    size: int = 32,
    direction: str = "left_to_right",
    layout: Layout | None = None,
    padding: int = 12,
    colour: tuple[int, int, int] = BLACK,
) -> PlanRecord:
    """A record like the planner's: the canvas sized on the effective layout, the record keeping its own layout."""
    base = layout or Layout()
    sized = make_record(font, text, size, direction, effective_layout(base, effects), padding, WHITE, colour)
    data = sized.model_dump(mode="json")
    data.update(layout=base.model_dump(mode="json"), effects=[e.model_dump(mode="json") for e in effects])
    return PlanRecord.model_validate(data)


def pixels(record: PlanRecord) -> tuple[np.ndarray, Label]:
    image, label = render(record)
    return np.asarray(image).astype(np.int32), label


def text_layers(record: PlanRecord, apply: bool = True) -> TextLayers:
    """The text stage of the renderer on its own: the layers after every text effect (or before, without `apply`)."""
    layout = text_layout(record, AssetResolver(), record.roots)
    drawn = draw_text(layout, record.origin.x, record.origin.y, record.canvas.width, record.canvas.height)
    scene = Scene(seed=(0,), layers=layers_of(record, drawn))
    for params in record.effects if apply else []:
        apply_effect(params, scene)
    assert scene.layers is not None
    return scene.layers


def boxes(label: Label, shape: tuple[int, ...], grow: int = 1) -> np.ndarray:
    return dilate(box_mask(shape, [c.bbox for c in label.characters]), grow)


def overlapping_pairs(label: Label) -> int:
    """How many neighbouring visible characters have boxes that overlap along the line (left to right)."""
    chars = [c for c in label.characters if not c.char.isspace()]
    return sum(a.bbox[2] > b.bbox[0] for a, b in pairwise(chars))


def centroid(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def is_red_shade(image: np.ndarray) -> np.ndarray:
    """Pixels that are white, red or a blend of the two: what a red shadow on white may look like."""
    return (image[..., 0] == 255) & (image[..., 1] == image[..., 2])


# --- sampling ------------------------------------------------------------------------------------


def test_catalogue_order() -> None:
    names = [effect.name for effect in EFFECTS if effect.stage == "text"]
    expected = ["glyph_overlap", "glyph_jitter", "ink_bleed", "uneven_ink", "glyph_palette", "color_gradient"]
    expected += ["block_shadow", "drop_shadow"]
    assert names == expected


def test_sampling_fills_every_effect_and_leaves_out_noops() -> None:
    rng = np.random.default_rng(3)
    active = EffectsConfig.model_validate(
        {
            "drop_shadow": {"p": 1},
            "block_shadow": {"p": 1, "depth": {"min": 3, "max": 5}, "angle": 30, "color": [200, 0, 0]},
            "color_gradient": {"p": 1, "start": [255, 0, 0], "end": [0, 0, 255], "angle": 90},
            "glyph_palette": {"p": 1, "colors": {"min": [0, 0, 0], "max": [99, 99, 99]}, "count": 4},
            "ink_bleed": {"p": 1, "radius": 0.8, "strength": {"min": 0.2, "max": 0.4}},
            "uneven_ink": {"p": 1, "scale": {"min": 2, "max": 3}},
            "glyph_overlap": {"p": 1},
            "glyph_jitter": {"p": 1, "baseline": 0.05},
        }
    )
    chosen = sample_effects(active, rng)
    assert [effect_of(params).name for params in chosen] == [e.name for e in EFFECTS if e.stage == "text"]
    overlap, jitter, bleed, uneven, palette, gradient, block, _ = chosen
    assert isinstance(overlap, GlyphOverlap) and -6 <= overlap.spacing <= -1
    assert isinstance(jitter, GlyphJitter) and jitter.baseline == 0.05 and 0 <= jitter.scale <= 0.03
    assert isinstance(bleed, InkBleed) and bleed.radius == 0.8 and 0.2 <= bleed.strength <= 0.4
    assert isinstance(uneven, UnevenInk) and 2 <= uneven.scale <= 3 and 0.2 <= uneven.strength <= 0.6
    assert isinstance(palette, GlyphPalette) and len(palette.colors) == 4
    assert all(max(color) <= 99 for color in palette.colors)
    assert isinstance(gradient, ColorGradient) and (gradient.start, gradient.end, gradient.angle) == (
        RED,
        (0, 0, 255),
        90,
    )
    assert isinstance(block, BlockShadow) and 3 <= block.depth <= 5 and block.color == (200, 0, 0)

    noops = EffectsConfig.model_validate(
        {
            "glyph_overlap": {"p": 1, "spacing": 0},
            "glyph_jitter": {"p": 1, "baseline": 0, "scale": 0},
            "ink_bleed": {"p": 1, "strength": 0},
            "block_shadow": {"p": 1, "depth": 0},
            "drop_shadow": {"p": 1, "opacity": 0},
            "uneven_ink": {"p": 1, "strength": 0},
        }
    )
    assert sample_effects(noops, rng) == []


def test_config_limits() -> None:
    with pytest.raises(ValidationError, match=r"values must be in \[-64, 0\], got 3"):
        EffectsConfig.model_validate({"glyph_overlap": {"spacing": {"min": -2, "max": 3}}})
    with pytest.raises(ValidationError, match=r"values must be in \[0, 1\], got 1.5"):
        EffectsConfig.model_validate({"ink_bleed": {"strength": 1.5}})
    with pytest.raises(ValidationError, match=r"values must be in \[0, 64\], got -1"):
        EffectsConfig.model_validate({"block_shadow": {"depth": -1}})


# --- the cluster map -----------------------------------------------------------------------------


@pytest.mark.parametrize("stroke", [None, Stroke(width=2, color=(200, 0, 0))])
def test_cluster_map_marks_each_clusters_ink(stroke: Stroke | None) -> None:
    record = make([], text="AVAWAY fi", layout=Layout(stroke=stroke))
    layout = text_layout(record, AssetResolver(), record.roots)
    drawn = draw_text(layout, record.origin.x, record.origin.y, record.canvas.width, record.canvas.height)
    assert drawn.clusters.dtype == np.int32 and drawn.clusters.shape == drawn.coverage.shape
    inked = drawn.coverage > 0 if drawn.stroke is None else (drawn.coverage > 0) | (drawn.stroke > 0)
    assert np.array_equal(drawn.clusters >= 0, inked)
    seen = set(np.unique(drawn.clusters[drawn.clusters >= 0]).tolist())
    assert seen == {i for i, c in enumerate(layout.clusters) if c.ink is not None}
    for index in seen:
        box = drawn.ink[layout.clusters[index].start]
        ys, xs = np.nonzero(drawn.clusters == index)
        assert box.x0 <= xs.min() and xs.max() < box.x1 and box.y0 <= ys.min() and ys.max() < box.y1


def test_cluster_map_follows_the_strongest_glyph() -> None:
    """Where overlapping glyphs share a pixel, the one covering it most owns it (the first drawn on a tie)."""
    record = make([GlyphOverlap(spacing=-8)], text="OWAVO")
    layout = text_layout(record, AssetResolver(), record.roots)
    height, width = record.canvas.height, record.canvas.width
    drawn = draw_text(layout, record.origin.x, record.origin.y, width, height)
    order = {cluster.start: index for index, cluster in enumerate(layout.clusters)}
    each = np.zeros((len(layout.clusters), height, width), np.uint8)
    for placed in layout.placements:
        bitmap = glyph_bitmap(layout.faces[placed.face], placed)
        if bitmap.ink is None:
            continue
        x, y = record.origin.x + placed.x + bitmap.left, record.origin.y + placed.y + bitmap.top
        rows, cols = bitmap.coverage.shape
        region = each[order[placed.cluster], y : y + rows, x : x + cols]
        np.maximum(region, bitmap.coverage, out=region)
    contested = ((each > 0).sum(axis=0) > 1).sum()
    assert contested > 20
    expected = np.where(each.max(axis=0) > 0, each.argmax(axis=0), -1)
    assert np.array_equal(drawn.clusters, expected)


# --- each effect does what it says ---------------------------------------------------------------


def test_glyph_overlap_moves_glyphs_together() -> None:
    _, apart = pixels(make([]))
    _, together = pixels(make([GlyphOverlap(spacing=-6)]))
    assert together.width < apart.width - 6 * 5

    assert overlapping_pairs(apart) == 0
    assert overlapping_pairs(together) >= 5


def test_glyph_overlap_apply_adds_nothing() -> None:
    """The spacing is in the layout already; applying the effect leaves the drawn layers as they are."""
    record = make([GlyphOverlap(spacing=-4)])
    assert np.array_equal(text_layers(record).fill, text_layers(record, apply=False).fill)


def test_ink_bleed_thickens_and_softens_edges() -> None:
    plain, label = pixels(make([], size=24))
    bled, _ = pixels(make([InkBleed(radius=1.0, strength=0.8)], size=24))
    before, after = plain.sum(axis=2) < 765, bled.sum(axis=2) < 765
    grown = after.sum() / before.sum()
    assert 1.05 < grown < 1.8, grown
    assert not (after & ~dilate(before, 1)).any(), "ink bleeds 1 px at most"
    assert not (before & ~after).any()
    darkness = lambda image: (765 - image.sum(axis=2)).sum()  # noqa: E731
    assert darkness(bled) > darkness(plain) * 1.1
    partial = lambda image: ((image.sum(axis=2) > 0) & (image.sum(axis=2) < 765)).sum()  # noqa: E731
    assert partial(bled) > partial(plain), "the new ring is soft: partly covered pixels"
    assert not (after & ~boxes(label, after.shape)).any()


def test_ink_bleed_carries_the_cluster_map_along() -> None:
    layers = text_layers(make([InkBleed(radius=1.0, strength=1.0)]))
    assert layers.clusters is not None
    assert np.array_equal(layers.clusters >= 0, layers.fill > 0)


def test_glyph_palette_colours_each_glyph() -> None:
    text = "HIMNUEHT"
    image, label = pixels(make([GlyphPalette(colors=PALETTE)], text=text, size=40))
    for index, char in enumerate(label.characters):
        x0, y0, x1, y1 = char.bbox
        region = image[y0:y1, x0:x1].reshape(-1, 3)
        inked = region[(region != 255).any(axis=1)]
        colours, counts = np.unique(inked, axis=0, return_counts=True)
        assert tuple(colours[counts.argmax()]) == PALETTE[index % 3], (index, char.char)


def test_glyph_palette_leaves_no_pixel_in_the_base_colour() -> None:
    layers = text_layers(make([InkBleed(radius=1.0, strength=1.0), GlyphPalette(colors=PALETTE)], text="Wave AV"))
    colour = np.broadcast_to(layers.fill_color, (*layers.fill.shape, 3))
    used = {tuple(c) for c in colour[layers.fill > 0].tolist()}
    assert used == set(PALETTE)


@pytest.mark.parametrize(("angle", "axis", "flip"), [(0, 1, False), (180, 1, True), (90, 0, False)])
def test_color_gradient_runs_along_its_angle(angle: float, axis: int, flip: bool) -> None:
    text = "HHHHHH" if axis == 1 else "H"
    image, _ = pixels(make([ColorGradient(start=RED, end=(0, 0, 255), angle=angle)], text=text, size=60))
    inked = (image != 255).any(axis=2)
    coords = np.nonzero(inked)[axis]
    low, high = coords.min(), coords.max()
    quarter = (high - low) / 4
    index = np.indices(inked.shape)[axis]
    redness = image[:, :, 0] - image[:, :, 2]
    first = redness[inked & (index <= low + quarter)].mean()
    last = redness[inked & (index >= high - quarter)].mean()
    if flip:
        first, last = last, first
    assert first > 100 and last < -100, (first, last)


@pytest.mark.parametrize("angle", [0, 45, 90, 180, 270, 200])
def test_block_shadow_extrudes_along_its_angle(angle: float) -> None:
    depth = 7
    plain, _ = pixels(make([]))
    extruded, _ = pixels(make([BlockShadow(depth=depth, angle=angle, color=RED)]))
    text = (plain != 255).any(axis=2)
    added = (extruded != plain).any(axis=2) & ~text
    assert added.sum() > 50
    assert is_red_shade(extruded[added]).all()
    direction = np.array([np.cos(np.radians(angle)), np.sin(np.radians(angle))])
    ys, xs = np.indices(text.shape)
    along = xs * direction[0] + ys * direction[1]
    reach = along[text | added].max() - along[text].max()
    assert depth - 1.5 <= reach <= depth + 1, reach
    assert along[added].min() >= along[text].min() - 1, "nothing on the far side"
    assert np.dot(centroid(added) - centroid(text), direction) > 1
    solid = (plain == 0).all(axis=2)
    assert (extruded[solid] == 0).all(), "the extrusion lies under the text"


@pytest.mark.parametrize(("dx", "dy"), [(3, 2), (-4, 1), (2, -3)])
def test_drop_shadow_falls_along_its_offset(dx: int, dy: int) -> None:
    plain, _ = pixels(make([]))
    shadowed, _ = pixels(make([DropShadow(offset_x=dx, offset_y=dy, blur=0.0, opacity=1.0, color=RED)]))
    text = (plain != 255).any(axis=2)
    added = (shadowed != plain).any(axis=2) & ~text
    assert added.sum() > 30
    assert is_red_shade(shadowed[added]).all()
    assert (shadowed[added] == RED).all(axis=1).sum() > 20, "a full-opacity shadow is its colour"
    shift = centroid(added) - centroid(text)
    assert np.sign(shift[0]) == np.sign(dx) and np.sign(shift[1]) == np.sign(dy)


def test_drop_shadow_lies_under_the_block_shadow() -> None:
    record = make(
        [
            BlockShadow(depth=5, angle=0, color=(0, 0, 255)),
            DropShadow(offset_x=2, offset_y=2, blur=1.0, opacity=1.0, color=RED),
        ]
    )
    layers = text_layers(record)
    (drop, drop_colour), (block, block_colour) = layers.under
    assert tuple(drop_colour) == RED and tuple(block_colour) == (0, 0, 255)
    assert ((drop > 0) & (block == 0) & (layers.fill == 0)).any()
    rgba = layers.flatten()
    solid = (block == 255) & (layers.fill == 0)
    assert solid.any() and np.allclose(rgba[solid], [0, 0, 1, 1])


# --- uneven_ink ------------------------------------------------------------------------------------


def test_uneven_ink_only_takes_ink_away() -> None:
    """Coverage never grows; it keeps at least 1 - strength of itself; about half the ink is untouched."""
    uneven = make([UnevenInk(strength=0.8, scale=3)], size=40)
    before, after = text_layers(uneven, apply=False).fill.astype(np.int32), text_layers(uneven).fill.astype(np.int32)
    inked = before > 0
    assert (after <= before).all()
    assert (after >= np.floor(0.2 * before) - 1).all()
    kept = after[inked] / before[inked]
    assert 0.3 < (kept > 0.995).mean() < 0.8
    assert (kept < 0.5).mean() > 0.02


def test_uneven_ink_fades_in_smooth_patches_sized_by_scale() -> None:
    """The share kept is a low-frequency field: it hardly changes from pixel to pixel, and larger `scale`
    makes larger patches (neighbours further apart still agree)."""

    def agreement(scale: float, lag: int) -> float:
        kept = ink_kept(UnevenInk(strength=1, scale=scale), np.random.default_rng(7), 400, 300)
        return float(np.corrcoef(kept[:, :-lag].ravel(), kept[:, lag:].ravel())[0, 1])

    assert agreement(3, 1) > 0.9
    assert agreement(1.5, 6) < agreement(3, 6) < agreement(8, 6)
    fine = ink_kept(UnevenInk(strength=1, scale=3), np.random.default_rng(7), 400, 300)
    assert fine.max() == 1 and fine.min() == 0 and 0.01 < (fine == 0).mean() < 0.05


def test_uneven_ink_fades_fill_and_outline_alike_from_the_seed() -> None:
    outlined = make([UnevenInk(strength=0.9, scale=2)], layout=Layout(stroke=Stroke(width=2, color=(200, 0, 0))))
    bare, inked = text_layers(outlined, apply=False), text_layers(outlined)
    assert bare.stroke is not None and inked.stroke is not None
    both = (bare.fill == 255) & (bare.stroke == 255)
    assert both.any() and np.array_equal(inked.fill[both], inked.stroke[both])
    first = pixels(outlined)[0]
    assert np.array_equal(pixels(outlined)[0], first)
    assert not np.array_equal(pixels(outlined.model_copy(update={"seed": 1}))[0], first)


def test_strong_uneven_ink_breaks_strokes() -> None:
    """At strength 1 some solid ink is gone: fully inked pixels that keep less than half their coverage."""
    solid = text_layers(make([], size=48), apply=False).fill == 255
    broken = text_layers(make([UnevenInk(strength=1, scale=3)], size=48)).fill < 128
    assert 0.02 < (broken & solid).sum() / solid.sum() < 0.4


# --- the text's own ink stays in its boxes --------------------------------------------------------

CASES = {
    "latin": (LATIN, "Bleed, glow & fade!", "left_to_right", Layout()),
    "latin-stroke": (LATIN, "Wavy AVA", "left_to_right", Layout(stroke=Stroke(width=2, color=(90, 90, 90)))),
    "arabic": (ARABIC, "مُحَمَّدٌ في البيت", "right_to_left", Layout()),
    "cjk-ttb": (CJK, "今天早上下了", "top_to_bottom", Layout(orientation="upright")),
}
TEXT_ONLY = [EXAMPLES[name] for name in ("glyph_overlap", "ink_bleed", "uneven_ink", "glyph_palette", "color_gradient")]
SHADOWS = [EXAMPLES["block_shadow"], EXAMPLES["drop_shadow"]]


@pytest.mark.parametrize("case", sorted(CASES))
def test_text_ink_stays_in_its_boxes(case: str) -> None:
    font, text, direction, layout = CASES[case]
    record = make([*TEXT_ONLY, *SHADOWS], text=text, font=font, direction=direction, layout=layout)
    image, label = pixels(record)
    allowed = boxes(label, image.shape)
    layers = text_layers(record)
    assert not ((layers.fill > 0) & ~allowed).any()
    assert layers.stroke is None or not ((layers.stroke > 0) & ~allowed).any()

    # In the picture: outside the boxes there is only red shadow; without shadows, nothing at all.
    assert is_red_shade(image[~allowed]).all()
    assert (
        ink_mask(render(make(TEXT_ONLY, text=text, font=font, direction=direction, layout=layout))[0])[~allowed].sum()
        == 0
    )
    # The label is the same with and without the shadows.
    _, bare = pixels(make(TEXT_ONLY, text=text, font=font, direction=direction, layout=layout))
    assert [c.bbox for c in bare.characters] == [c.bbox for c in label.characters]


# --- determinism ---------------------------------------------------------------------------------


def test_same_record_same_bytes() -> None:
    record = make([*TEXT_ONLY, *SHADOWS], layout=Layout(stroke=Stroke(width=1, color=(200, 200, 0))))
    again = PlanRecord.model_validate_json(record.model_dump_json())
    first, second = render(record), render(again)
    assert encode_image(np.asarray(first[0]), "png") == encode_image(np.asarray(second[0]), "png")
    assert encode_label(first[1].model_dump(mode="json")) == encode_label(second[1].model_dump(mode="json"))


# --- through the planner -------------------------------------------------------------------------


def plan(effects: dict[str, object], total: int = 6) -> list[PlanRecord]:
    config = BatchConfig.model_validate(
        {
            "total_images": total,
            "seed": 11,
            "specifications": [
                {
                    "name": "latin",
                    "proportion": 1,
                    "corpus": ["en/*.txt"],
                    "fonts": {"include": ["NotoSans-Regular*"]},
                    "text_length": {"min": 12, "max": 24},
                    "font_size": {"min": 24, "max": 32},
                    "padding": 1,
                    "effects": effects,
                }
            ],
        }
    )
    records = list(iter_plan(config, AssetDirs()))
    solid = ProceduralBackground(style="solid", color=WHITE)
    return [r.model_copy(update={"background": solid, "text_color": BLACK}) for r in records]


def border(image: np.ndarray) -> np.ndarray:
    ink = (image != 255).any(axis=2)
    return np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])


def test_planned_glyph_overlap_fits_the_canvas() -> None:
    records = plan({"glyph_overlap": {"p": 1, "spacing": -5}})
    assert records == plan({"glyph_overlap": {"p": 1, "spacing": -5}}), "plans repeat"
    for record in records:
        assert record.effects == [GlyphOverlap(spacing=-5)]
        assert record.layout.character_spacing == 0, "the overlap is stored once, in the effect"
        image, label = pixels(record)
        assert not border(image).any(), "the canvas holds all the ink"
        ink = (image != 255).any(axis=2)
        columns = np.nonzero(ink.any(axis=0))[0]
        assert columns.min() <= 6 and columns.max() >= image.shape[1] - 7, "the canvas is sized for the overlap"
        assert overlapping_pairs(label) >= len(label.text.replace(" ", "")) // 3


def test_planned_shadows_get_room_on_the_canvas() -> None:
    effects = {
        "block_shadow": {"p": 1, "depth": 8, "angle": 0, "color": [255, 0, 0]},
        "drop_shadow": {"p": 1, "offset_x": -3, "offset_y": 5, "blur": 1, "opacity": 1, "color": [255, 0, 0]},
    }
    for record in plan(effects, total=3):
        image, _ = pixels(record)
        assert not border(image).any(), "no shadow is cut off at the border"
