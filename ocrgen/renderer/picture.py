"""A text's picture: its glyphs drawn on its canvas, through its text and geometric effects, with its label shapes.

A record of its own and each text of a page are drawn alike; what they are laid on differs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ocrgen.assets import AssetResolver
from ocrgen.compiled import compiled
from ocrgen.effects.base import Scene, TextLayers
from ocrgen.effects.registry import apply_effect, apply_geometry, effect_of
from ocrgen.effects.text import effective_layout, layout_jitter
from ocrgen.renderer.labels import LabelShapes, measure_shapes
from ocrgen.renderer.text import DrawnText, draw_text
from ocrgen.schemas.plan import PageInstance, PlanRecord
from ocrgen.text.layout import StyleSpan, TextLayout, TextRequest, layout_text

TextBlock = PlanRecord | PageInstance


@dataclass
class TextPicture:
    """What drawing a text gives: the scene after its geometric effects, its shapes, and how it was drawn.

    `scene.text` and `scene.points` are set only when a geometric effect ran; before that the text
    is its layers alone, and `drawn` knows where its ink is without a scan.
    """

    scene: Scene
    shapes: LabelShapes
    drawn: DrawnText
    text_effects: bool  # a text effect ran: the ink may reach past the glyphs' boxes

    def rgba(self) -> np.ndarray:
        """The picture as premultiplied RGBA (see `TextLayers.flatten`)."""
        if self.scene.text is None:
            assert self.scene.layers is not None
            self.scene.text = self.scene.layers.flatten()
        return self.scene.text


def draw_picture(
    block: TextBlock, seed: tuple[int, ...], resolver: AssetResolver, roots: dict[str, str]
) -> TextPicture:
    """Draw `block`'s text, then apply its text and geometric effects (not its image effects) to pixels and shapes."""
    width, height = block.canvas.width, block.canvas.height
    layout = text_layout(block, resolver, roots)
    effects = [(effect_of(params), params) for params in block.effects]
    clusters = any(effect.reads_clusters for effect, _ in effects)
    drawn = draw_text(layout, block.origin.x, block.origin.y, width, height, clusters=clusters)
    shapes = measure_shapes(layout, drawn.ink, (block.origin.x, block.origin.y), (width, height))

    scene = Scene(seed=seed, layers=layers_of(block, drawn))
    text_effects = [params for effect, params in effects if effect.stage == "text"]
    for params in text_effects:
        apply_effect(params, scene)
    geometry = [params for effect, params in effects if effect.stage == "geometry"]
    if geometry:
        assert scene.layers is not None
        ink = scene.layers.ink_window() if text_effects else drawn.ink_window()
        color = scene.layers.solid_color()
        scene.text = scene.layers.flatten(ink) if color is None else scene.layers.alpha(ink)
        scene.points = shapes.points()
        apply_geometry(geometry, scene, ink, color)
        shapes = shapes.moved(scene.points, *scene.size)
    return TextPicture(scene, shapes, drawn, bool(text_effects))


def layers_of(block: TextBlock, drawn: DrawnText) -> TextLayers:
    """The drawn glyphs as the layers text effects work on, in the block's colours."""
    stroke = block.layout.stroke
    return TextLayers(
        fill=drawn.coverage,
        fill_color=np.asarray(block.text_color, np.uint8),
        stroke=drawn.stroke,
        stroke_color=np.asarray(stroke.color, np.uint8) if stroke else None,
        clusters=drawn.clusters,
    )


def text_layout(block: TextBlock, resolver: AssetResolver, roots: dict[str, str]) -> TextLayout:
    """The block's glyph run, with glyph_overlap's spacing and glyph_jitter in it, as the planner sized the canvas."""
    font_path = resolver.path(block.font.asset, roots)
    params, jitter = effective_layout(block.layout, block.effects), layout_jitter(block.effects)
    font = block.font
    styles = [
        StyleSpan(run.start, run.end, str(resolver.path(run.asset, roots)), run.face_index) for run in block.styles
    ]
    return layout_text(
        TextRequest(str(font_path), font.face_index, font.size, block.text, block.direction, params, jitter, styles)
    )


def composite(background: np.ndarray, text: np.ndarray, inked: np.ndarray | None = None) -> np.ndarray:
    """Lay premultiplied RGBA text of the background's size over it (see `TextLayers.flatten`).

    Where the text has no bit set (alpha and colour 0) the blend gives the background back exactly,
    so only the other pixels are blended: the ink of a turned line covers a seventh of its canvas.
    `inked`, when given, holds the flat index of every pixel with a bit set (`Scene.text_ink`), which
    saves scanning for them.
    """
    pixels = np.ascontiguousarray(text).reshape(-1, 4)
    if inked is None:
        words = pixels.view(np.uint64)
        inked = np.flatnonzero((words[:, 0] | words[:, 1]) != 0)
    out = background.copy()
    _blend_at(out.reshape(-1, 3), pixels, inked)
    return out


@compiled
def _blend_at(out: np.ndarray, text: np.ndarray, inked: np.ndarray) -> None:
    """Each channel of the `inked` pixels of `out` (N, 3, uint8) becomes itself times 1 - alpha plus the text's
    colour (N, 4, float32) times 255, rounded (halves to even) and held to 0..255: in float32, as numpy did it."""
    one, full = np.float32(1), np.float32(255)
    for pixel in inked:
        keep = one - text[pixel, 3]
        for channel in range(3):
            blended = np.float32(out[pixel, channel]) * keep + text[pixel, channel] * full
            out[pixel, channel] = min(max(np.rint(blended), np.float32(0)), full)
