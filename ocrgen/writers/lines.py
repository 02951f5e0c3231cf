"""Line crops of a multi-line record, for writers whose consumers train on one line per image."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from ocrgen.renderer.output import encode_image
from ocrgen.schemas.label import Label


def line_images(image: bytes, label: Label, image_format: str) -> list[tuple[str, bytes, str]]:
    """(name suffix, encoded image, text) per image: the record itself when it has one line,
    else each non-empty line cropped to its bbox as `_l<k>` (k counting from 0 over all lines)."""
    if len(label.lines) == 1:
        return [("", image, label.text)]
    decoded = Image.open(io.BytesIO(image))
    crops = []
    for k, line in enumerate(label.lines):
        x0, y0, x1, y1 = line.bbox
        if line.text.strip() and x1 > x0 and y1 > y0:
            crop = np.asarray(decoded.crop(line.bbox).convert("RGB"))
            crops.append((f"_l{k}", encode_image(crop, image_format), line.text))
    return crops
