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
from ocrgen.effects.registry import apply_effect, effect_of, size_after_geometry
from ocrgen.errors import ImageTooLargeError
from ocrgen.record_json import record_data
from ocrgen.renderer.backgrounds import background_pixels
from ocrgen.renderer.framing import alpha_window, frame, with_neighbours
from ocrgen.renderer.heap import collect_cycles_less_often, keep_freed_memory
from ocrgen.renderer.page import render_page
from ocrgen.renderer.picture import composite, draw_picture
from ocrgen.schemas.config import DEFAULT_MAX_IMAGE_PIXELS
from ocrgen.schemas.label import AnyLabelData, Label, LabelData
from ocrgen.schemas.plan import PageRecord, PlanRecord, Record

# The generator stream of the record seed that effects draw their noise from (the background uses stream 0).
_EFFECT_STREAM = 1

# Which pixels this renderer draws for a record, raised whenever a record would come out with other pixels:
# an output dir holds one version only (`ocrgen.renderer.outdir`), so no run resumes or joins a render it would
# mix with. 2: noise drawn as whole levels (`ocrgen.pixels.with_normal_noise`), text of one colour warped as
# its alpha alone (`ocrgen.effects.warp.apply_warps`).
PIXELS_VERSION = 2


def render_record(record: PlanRecord, resolver: AssetResolver | None = None) -> tuple[Image.Image, Label]:
    """Draw `record`; the same record always gives the same pixels and label."""
    pixels, label = render_pixels(record, resolver)
    return Image.fromarray(pixels, "RGB"), Label.model_validate(label)


def render_pixels(
    record: Record, resolver: AssetResolver | None = None, max_pixels: int = DEFAULT_MAX_IMAGE_PIXELS
) -> tuple[np.ndarray, AnyLabelData]:
    """`render_record` for the hot path: an H x W x 3 array and the label as JSON-ready data.

    Encoders take both as they are; building and dumping a `Label` model per image would cost
    a fifth of a single-word render. The tests hold this data to the `Label` model. A record
    larger than `max_pixels`, before or after its geometric effects, is refused before any
    pixel is allocated.
    """
    keep_freed_memory()
    collect_cycles_less_often()
    resolver = resolver or AssetResolver()
    width, height = record.canvas.width, record.canvas.height
    final = size_after_geometry(record.effects, width, height)
    if max(width * height, final[0] * final[1]) > max_pixels:
        raise ImageTooLargeError(
            f"record {record.index} is {width}x{height} px ({final[0]}x{final[1]} after its effects), over the "
            f"{max_pixels:,}-pixel limit; pass --max-image-pixels to render larger images"
        )
    if isinstance(record, PageRecord):
        return render_page(record, resolver)
    picture = draw_picture(record, (record.seed, _EFFECT_STREAM), resolver, record.roots)
    scene, shapes, layers = picture.scene, picture.shapes, picture.scene.layers
    assert layers is not None
    width, height = scene.size

    pixels = background_pixels(record.background, record.seed, resolver, record.roots, width, height)
    if record.crop is not None and record.crop.neighbours and scene.text is None:
        scene.text = layers.flatten()  # the neighbours are copies of the whole picture of the text
    if scene.text is not None:
        ink = alpha_window(scene.text) if record.crop else None
        if record.crop is not None and record.crop.neighbours:
            scene.text = with_neighbours(scene.text, record.crop.neighbours)
        scene.image = composite(pixels, scene.text, scene.text_ink())
    else:  # the text stays where it was drawn and is transparent outside its ink: only that window is blended
        ink = layers.ink_window() if picture.text_effects else picture.drawn.ink_window()
        scene.image = layers.over(pixels, ink)
    if record.crop is not None and ink is not None:
        scene.image, shapes = frame(scene.image, shapes, ink, record.crop)
        height, width = scene.image.shape[:2]
    for params in record.effects:
        if effect_of(params).stage == "image":
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
        "plan": record_data(record),
    }
    return scene.image, label
