"""One plan record in, one image and its label out: a pure function of the record and its assets.

The text is drawn on its own layers, goes through the text effects, then the
geometric effects (which move the label polygons with the pixels), meets the
background (with copies of itself beneath it as the neighbouring lines, when the
crop has them), is cut to its own ink when the record has a crop, and last goes
through the image effects.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocrgen.assets import AssetResolver
from ocrgen.effects.base import Scene, TextLayers
from ocrgen.effects.registry import apply_effect, apply_geometry, effect_of, size_after_geometry
from ocrgen.effects.text import effective_layout, layout_jitter
from ocrgen.errors import ImageTooLargeError
from ocrgen.renderer.backgrounds import image_background, procedural_background
from ocrgen.renderer.framing import alpha_window, frame, with_neighbours
from ocrgen.renderer.heap import keep_freed_memory
from ocrgen.renderer.labels import measure_shapes
from ocrgen.renderer.text import draw_text
from ocrgen.schemas.config import DEFAULT_MAX_IMAGE_PIXELS
from ocrgen.schemas.label import Label, LabelData
from ocrgen.schemas.plan import ImageBackground, PlanRecord
from ocrgen.text.layout import StyleSpan, TextLayout, layout_text

# The generator stream of the record seed that effects draw their noise from (the background uses stream 0).
_EFFECT_STREAM = 1


def render_record(record: PlanRecord, resolver: AssetResolver | None = None) -> tuple[Image.Image, Label]:
    """Draw `record`; the same record always gives the same pixels and label."""
    pixels, label = render_pixels(record, resolver)
    return Image.fromarray(pixels, "RGB"), Label.model_validate(label)


def render_pixels(
    record: PlanRecord, resolver: AssetResolver | None = None, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
) -> tuple[np.ndarray, LabelData]:
    """`render_record` for the hot path: an H x W x 3 array and the label as JSON-ready data.

    Encoders take both as they are; building and dumping a `Label` model per image would cost
    a fifth of a single-word render. The tests hold this data to the `Label` model. A record
    larger than `max_pixels`, before or after its geometric effects, is refused before any
    pixel is allocated.
    """
    keep_freed_memory()
    resolver = resolver or AssetResolver()
    width, height = record.canvas.width, record.canvas.height
    final = size_after_geometry(record.effects, width, height)
    if max(width * height, final[0] * final[1]) > max_pixels:
        raise ImageTooLargeError(
            f"record {record.index} is {width}x{height} px ({final[0]}x{final[1]} after its effects), over the "
            f"{max_pixels:,}-pixel limit; pass --max-image-pixels to render larger images"
        )
    layout = record_layout(record, resolver)
    effects = [(effect_of(params), params) for params in record.effects]
    clusters = any(effect.reads_clusters for effect, _ in effects)
    drawn = draw_text(layout, record.origin.x, record.origin.y, width, height, clusters=clusters)
    shapes = measure_shapes(layout, drawn.ink, (record.origin.x, record.origin.y), (width, height))

    stroke = record.layout.stroke
    scene = Scene(
        seed=(record.seed, _EFFECT_STREAM),
        layers=TextLayers(
            fill=drawn.coverage,
            fill_color=np.asarray(record.text_color, np.uint8),
            stroke=drawn.stroke,
            stroke_color=np.asarray(stroke.color, np.uint8) if stroke else None,
            clusters=drawn.clusters,
        ),
    )
    text_effects = [(effect, params) for effect, params in effects if effect.stage == "text"]
    for _, params in text_effects:
        apply_effect(params, scene)
    layers = scene.layers
    assert layers is not None
    geometry = [params for effect, params in effects if effect.stage == "geometry"]
    if geometry:
        scene.text = layers.flatten()
        scene.points = shapes.points()
        apply_geometry(geometry, scene)
        width, height = scene.size
        shapes = shapes.moved(scene.points, width, height)

    background = record.background
    if isinstance(background, ImageBackground):
        pixels = image_background(background, resolver.path(background.asset, record.roots), width, height)
    else:
        pixels = procedural_background(background, record.seed, width, height)
    if record.crop is not None and record.crop.neighbours and scene.text is None:
        scene.text = layers.flatten()  # the neighbours are copies of the whole picture of the text
    if scene.text is not None:
        ink = alpha_window(scene.text) if record.crop else None
        if record.crop is not None and record.crop.neighbours:
            scene.text = with_neighbours(scene.text, record.crop.neighbours)
        scene.image = _composite(pixels, scene.text)
    else:  # the text stays where it was drawn and is transparent outside its ink: only that window is blended
        ink = layers.ink_window() if text_effects else drawn.ink_window()
        scene.image = layers.over(pixels, ink)
    if record.crop is not None and ink is not None:
        scene.image, shapes = frame(scene.image, shapes, ink, record.crop)
        height, width = scene.image.shape[:2]
    for effect, params in effects:
        if effect.stage == "image":
            apply_effect(params, scene)

    fields = shapes.label_fields()
    label: LabelData = {
        "text": record.text,
        "width": width,
        "height": height,
        "bboxes": fields["bboxes"],
        "characters": fields["characters"],
        "words": fields["words"],
        "lines": fields["lines"],
        "plan": record.model_dump(mode="json"),
    }
    return scene.image, label


def record_layout(record: PlanRecord, resolver: AssetResolver) -> TextLayout:
    """The record's glyph run, with glyph_overlap's spacing and glyph_jitter in it, as the planner sized the canvas."""
    font_path = resolver.path(record.font.asset, record.roots)
    params, jitter = effective_layout(record.layout, record.effects), layout_jitter(record.effects)
    font = record.font
    styles = [
        StyleSpan(run.start, run.end, str(resolver.path(run.asset, record.roots)), run.face_index)
        for run in record.styles
    ]
    return layout_text(
        str(font_path), font.face_index, font.size, record.text, record.direction, params, jitter, styles
    )


def _composite(background: np.ndarray, text: np.ndarray) -> np.ndarray:
    """Lay premultiplied RGBA text of the background's size over it, channel by channel (see `TextLayers.flatten`)."""
    keep = 1 - text[:, :, 3]
    out = np.empty_like(background)
    for channel in range(3):
        blended = background[:, :, channel].astype(np.float32) * keep + text[:, :, channel] * 255
        out[:, :, channel] = np.clip(np.rint(blended), 0, 255)
    return out
