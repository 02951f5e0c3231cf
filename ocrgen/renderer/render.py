"""One plan record in, one image and its label out: a pure function of the record and its assets."""

from __future__ import annotations

import numpy as np
from PIL import Image

from ocrgen.assets import AssetResolver
from ocrgen.errors import RenderError
from ocrgen.renderer.backgrounds import image_background, procedural_background
from ocrgen.renderer.labels import label_geometry
from ocrgen.renderer.text import draw_text
from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import ImageBackground, PlanRecord
from ocrgen.text.layout import layout_text


def render_record(record: PlanRecord, resolver: AssetResolver | None = None) -> tuple[Image.Image, Label]:
    """Draw `record`; the same record always gives the same pixels and label."""
    resolver = resolver or AssetResolver()
    if record.effects:
        names = ", ".join(str(effect.get("name", "?")) for effect in record.effects)
        raise RenderError(f"record {record.index} asks for effects this ocrgen version cannot apply: {names}")
    width, height = record.canvas.width, record.canvas.height
    font_path = resolver.path(record.font.asset, record.roots)
    layout = layout_text(
        str(font_path), record.font.face_index, record.font.size, record.text, record.direction, record.layout
    )
    drawn = draw_text(layout, record.origin.x, record.origin.y, width, height)
    geometry = label_geometry(layout, drawn.ink, (record.origin.x, record.origin.y), (width, height))

    background = record.background
    if isinstance(background, ImageBackground):
        pixels = image_background(background, resolver.path(background.asset, record.roots), width, height)
    else:
        pixels = procedural_background(background, record.seed, width, height)
    stroke = record.layout.stroke
    if stroke is not None and drawn.stroke is not None:
        pixels = _composite(pixels, drawn.stroke, stroke.color)
    image = Image.fromarray(_composite(pixels, drawn.coverage, record.text_color), "RGB")

    label = Label(
        text=record.text,
        width=width,
        height=height,
        bboxes=geometry.bboxes,
        characters=geometry.characters,
        words=geometry.words,
        lines=geometry.lines,
        plan=record,
    )
    return image, label


def _composite(background: np.ndarray, coverage: np.ndarray, color: tuple[int, int, int]) -> np.ndarray:
    """Lay the text colour over the background by coverage, in integers so every machine agrees."""
    alpha = coverage.astype(np.uint32)[:, :, None]
    ink = np.asarray(color, np.uint32)[None, None, :]
    blended = (background.astype(np.uint32) * (255 - alpha) + ink * alpha + 127) // 255
    return blended.astype(np.uint8)
