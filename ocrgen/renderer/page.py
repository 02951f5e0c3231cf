"""One page record in, one image and its label out: each text drawn as a record's text is, laid at its place,
then the page's own geometric effects (moving every polygon), its background, and its image effects."""

from __future__ import annotations

import numpy as np

from ocrgen.assets import AssetResolver
from ocrgen.effects.base import Scene
from ocrgen.effects.registry import apply_effect, apply_geometry, effect_of
from ocrgen.errors import RenderError
from ocrgen.record_json import record_data
from ocrgen.renderer.backgrounds import background_pixels
from ocrgen.renderer.labels import LabelShapes
from ocrgen.renderer.picture import composite, draw_picture
from ocrgen.schemas.label import InstanceLabelData, PageLabelData
from ocrgen.schemas.plan import PageRecord

# Streams of the record seed: the background draws from 0, the page's effects from 1, text i's from (2, i).
_PAGE_STREAM = 1
_TEXT_STREAM = 2


def render_page(record: PageRecord, resolver: AssetResolver) -> tuple[np.ndarray, PageLabelData]:
    """Draw `record`, once `render_pixels` has held it to the pixel limit."""
    width, height = record.canvas.width, record.canvas.height
    text = np.zeros((height, width, 4), np.float32)
    shapes = []
    for number, instance in enumerate(record.instances):
        picture = draw_picture(instance, (record.seed, _TEXT_STREAM, number), resolver, record.roots)
        rgba = picture.rgba()
        x, y = instance.offset.x, instance.offset.y
        rows, cols = rgba.shape[:2]
        if x < 0 or y < 0 or x + cols > width or y + rows > height:
            raise RenderError(
                f"text {number} of page {record.index} ({cols}x{rows} px at {x},{y}) reaches outside the "
                f"{width}x{height} page; the plan does not fit these fonts"
            )
        under = text[y : y + rows, x : x + cols]
        under *= 1 - rgba[:, :, 3:]
        under += rgba
        shapes.append(picture.shapes.cut(-x, -y, width, height))

    scene = Scene(seed=(record.seed, _PAGE_STREAM), text=text)
    geometry = [params for params in record.effects if effect_of(params).stage == "geometry"]
    if geometry:
        points = [s.points() for s in shapes]
        scene.points = np.concatenate(points) if points else np.empty((0, 2))
        apply_geometry(geometry, scene)
        shapes = _moved(shapes, [len(p) for p in points], scene.points, scene.size)
    width, height = scene.size
    pixels = background_pixels(record.background, record.seed, resolver, record.roots, width, height)
    assert scene.text is not None
    scene.image = composite(pixels, scene.text, scene.text_ink())
    for params in record.effects:
        if effect_of(params).stage == "image":
            apply_effect(params, scene)
    instances = [_instance_label(instance.direction, s) for instance, s in zip(record.instances, shapes, strict=True)]
    label: PageLabelData = {
        "text": "\n".join(instance.text for instance in record.instances),
        "width": width,
        "height": height,
        "instances": instances,
        "plan": record_data(record),
    }
    return scene.image, label


def _moved(
    shapes: list[LabelShapes], counts: list[int], points: np.ndarray, size: tuple[int, int]
) -> list[LabelShapes]:
    """Each text's shapes with its share (`counts`) of the page's points, in the order `points()` gave them."""
    moved, cursor = [], 0
    for text, count in zip(shapes, counts, strict=True):
        moved.append(text.moved(points[cursor : cursor + count], *size))
        cursor += count
    return moved


def _instance_label(direction: str, shapes: LabelShapes) -> InstanceLabelData:
    fields = shapes.label_fields()
    return {
        "text": "".join(c.text for c in shapes.characters),
        "direction": direction,
        "characters": fields["characters"],
        "words": fields["words"],
        "lines": fields["lines"],
    }
