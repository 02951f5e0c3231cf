"""Line images of a record, for writers whose consumers train on one line per image.

Recognisers read a line left to right. Turned upright, a vertical line is rotated to read so:
a top-to-bottom line a quarter turn counter-clockwise (its top goes left), a bottom-to-top line
a quarter turn clockwise. Text set sideways in the column (Latin, Arabic... by default) then
stands upright; text stacked upright (CJK) lies on its side, as in the crops PaddleOCR's own
pipeline makes of vertical text.

A line of a record with `framing` is cut as the record was: to the line's ink (the boxes of
its characters that ink, so not a space's slot at full line height) plus the record's margins,
clipped to the image; margins larger than the gap between lines take in parts of the
neighbouring lines, as a real line segmenter's crops do. Without framing a line is cut to
its bbox.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any, NamedTuple

import numpy as np
from PIL import Image

from ocrgen.renderer.output import EncodedSample, encode_image
from ocrgen.schemas.label import BBox, CharBox, Label

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
    """The record itself when it has one line, else each non-empty line cropped to its box (see above)
    (`_l<k>`, k counting from 0 over all lines). `upright` turns vertical lines to read left to right."""
    turn = _TURNS.get(label.plan.direction) if upright else None
    if len(label.lines) == 1 and turn is None:
        return [LineImage("", image, label.text, 0, label.width, label.height)]
    decoded = Image.open(io.BytesIO(image)).convert("RGB")
    crops = []
    boxes = _line_boxes(label)
    for k, line in enumerate(label.lines):
        x0, y0, x1, y1 = line.bbox
        if len(label.lines) > 1 and not (line.text.strip() and x1 > x0 and y1 > y0):
            continue
        crop = decoded if len(label.lines) == 1 else decoded.crop(boxes[k])
        if turn is not None:
            crop = crop.transpose(turn)
        encoded = encode_image(np.asarray(crop), image_format)
        crops.append(LineImage(f"_l{k}", encoded, line.text, k, crop.width, crop.height))
    return crops


def _line_boxes(label: Label) -> list[BBox]:
    """Each line's bbox, or with framing its ink box grown by the record's margins and clipped to the image."""
    crop = label.plan.crop
    if crop is None:
        return [line.bbox for line in label.lines]
    by_line: dict[int, list[CharBox]] = {}
    for box in label.bboxes:
        by_line.setdefault(box.line_index, []).append(box)
    indices = [i for i, text in enumerate(label.text.split("\n")) if text]  # `lines` skips empty lines
    out = []
    for index in indices:
        inked = [b for b in by_line[index] if not _blank(b.char)] or by_line[index]
        out.append(
            (
                max(min(b.x0 for b in inked) - crop.left, 0),
                max(min(b.y0 for b in inked) - crop.top, 0),
                min(max(b.x1 for b in inked) + crop.right, label.width),
                min(max(b.y1 for b in inked) + crop.bottom, label.height),
            )
        )
    return out


def _blank(char: str) -> bool:
    """A character that inks nothing: its box is a slot along the line, not ink."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def split_lines(sample: EncodedSample, image_format: str) -> list[LineImage]:
    """A rendered record as the samples `--split-lines` makes of it: one per line, each upright."""
    return line_images(sample.image, Label.model_validate_json(sample.label), image_format, upright=True)


def line_label(index: int, line: LineImage) -> dict[str, Any]:
    """What a sample of one line carries beside its image and text: where it comes from, and its size."""
    return {"text": line.text, "width": line.width, "height": line.height, "index": index, "line": line.line}
