"""One plan record in, one image and its label out: a pure function of the record and its assets.

The text is drawn on its own layers, goes through the text effects, then the
geometric effects (which move the label polygons with the pixels), meets the
background, and last goes through the image effects.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocrgen.assets import AssetResolver
from ocrgen.effects.base import EVERYWHERE, Scene, TextLayers, Window
from ocrgen.effects.geometric import apply_geometry
from ocrgen.effects.registry import effect_of
from ocrgen.effects.text import effective_layout
from ocrgen.renderer.backgrounds import image_background, procedural_background
from ocrgen.renderer.labels import measure_shapes
from ocrgen.renderer.text import draw_text
from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import ImageBackground, PlanRecord
from ocrgen.text.layout import layout_text

# The generator stream of the record seed that effects draw their noise from (the background uses stream 0).
_EFFECT_STREAM = 1


def render_record(record: PlanRecord, resolver: AssetResolver | None = None) -> tuple[Image.Image, Label]:
    """Draw `record`; the same record always gives the same pixels and label."""
    resolver = resolver or AssetResolver()
    width, height = record.canvas.width, record.canvas.height
    font_path = resolver.path(record.font.asset, record.roots)
    layout = layout_text(
        str(font_path),
        record.font.face_index,
        record.font.size,
        record.text,
        record.direction,
        effective_layout(record.layout, record.effects),  # with glyph_overlap's spacing, as the planner sized it
    )
    drawn = draw_text(layout, record.origin.x, record.origin.y, width, height)
    shapes = measure_shapes(layout, drawn.ink, (record.origin.x, record.origin.y), (width, height))

    stroke = record.layout.stroke
    scene = Scene(
        rng=np.random.default_rng([record.seed, _EFFECT_STREAM]),
        layers=TextLayers(
            fill=drawn.coverage,
            fill_color=np.asarray(record.text_color, np.uint8),
            stroke=drawn.stroke,
            stroke_color=np.asarray(stroke.color, np.uint8) if stroke else None,
            clusters=drawn.clusters,
        ),
    )
    stages = {"text": [], "geometry": [], "image": []}
    for params in record.effects:
        stages[effect_of(params).stage].append(params)

    for params in stages["text"]:
        effect_of(params).apply(params, scene)
    layers = scene.layers
    assert layers is not None
    if stages["geometry"]:
        scene.text = layers.flatten()
        scene.points = shapes.points()
        apply_geometry(stages["geometry"], scene)
        width, height = scene.size
        shapes = shapes.moved(scene.points, width, height)
        window, text = EVERYWHERE, scene.text
    else:
        # The text stays where it was drawn, and is transparent outside its ink: only that window is blended.
        window = layers.ink_window()
        text = layers.flatten(window)

    background = record.background
    if isinstance(background, ImageBackground):
        pixels = image_background(background, resolver.path(background.asset, record.roots), width, height)
    else:
        pixels = procedural_background(background, record.seed, width, height)
    scene.image = _composite(pixels, text, window)
    for params in stages["image"]:
        effect_of(params).apply(params, scene)

    label = Label(text=record.text, width=width, height=height, plan=record, **shapes.label_fields())
    return Image.fromarray(scene.image, "RGB"), label


def _composite(background: np.ndarray, text: np.ndarray, window: Window) -> np.ndarray:
    """Lay premultiplied text, which covers `window` of the background, over it."""
    image = background.copy()
    alpha = text[:, :, 3:]
    blended = background[window].astype(np.float32) * (1 - alpha) + text[:, :, :3] * 255
    image[window] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)
    return image
