"""Line images of a record, for writers whose consumers train on one line per image.

Recognisers read a line left to right. Turned upright, a vertical line is rotated to read so:
a top-to-bottom line a quarter turn counter-clockwise (its top goes left), a bottom-to-top line
a quarter turn clockwise. Text set sideways in the column (Latin, Arabic... by default) then
stands upright; text stacked upright (CJK) lies on its side, as in the crops PaddleOCR's own
pipeline makes of vertical text.
"""

from __future__ import annotations

import io
from typing import Any, NamedTuple

import numpy as np
from PIL import Image

from ocrgen.renderer.output import EncodedSample, encode_image
from ocrgen.schemas.label import Label

_TURNS = {"top_to_bottom": Image.Transpose.ROTATE_90, "bottom_to_top": Image.Transpose.ROTATE_270}


class LineImage(NamedTuple):
    """One line: `suffix` is "" for the record's own image as it is, else `_l<k>`."""

    suffix: str
    image: bytes
    text: str
    line: int
    width: int
    height: int


def line_images(image: bytes, label: Label, image_format: str, upright: bool = False) -> list[LineImage]:
    """The record itself when it has one line, else each non-empty line cropped to its bbox
    (`_l<k>`, k counting from 0 over all lines). `upright` turns vertical lines to read left to right."""
    turn = _TURNS.get(label.plan.direction) if upright else None
    if len(label.lines) == 1 and turn is None:
        return [LineImage("", image, label.text, 0, label.width, label.height)]
    decoded = Image.open(io.BytesIO(image)).convert("RGB")
    crops = []
    for k, line in enumerate(label.lines):
        x0, y0, x1, y1 = line.bbox
        if len(label.lines) > 1 and not (line.text.strip() and x1 > x0 and y1 > y0):
            continue
        crop = decoded if len(label.lines) == 1 else decoded.crop(line.bbox)
        if turn is not None:
            crop = crop.transpose(turn)
        encoded = encode_image(np.asarray(crop), image_format)
        crops.append(LineImage(f"_l{k}", encoded, line.text, k, crop.width, crop.height))
    return crops


def split_lines(sample: EncodedSample, image_format: str) -> list[LineImage]:
    """A rendered record as the samples `--split-lines` makes of it: one per line, each upright."""
    return line_images(sample.image, Label.model_validate_json(sample.label), image_format, upright=True)


def line_label(index: int, line: LineImage) -> dict[str, Any]:
    """What a sample of one line carries beside its image and text: where it comes from, and its size."""
    return {"text": line.text, "width": line.width, "height": line.height, "index": index, "line": line.line}
