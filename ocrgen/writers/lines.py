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

A page gives every line of every text on it, in reading order, each rectified: the quadrilateral
of its polygon (its four corners; for a curved line, the ends of its top and bottom edges) is
mapped by a perspective transform onto an upright rectangle that reads left to right, so a
turned, sheared or vertical line comes out level, as a detector's crop is before recognition.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
from PIL import Image

from ocrgen.renderer.output import EncodedSample, encode_image
from ocrgen.schemas.label import LABELS, BBox, CharBox, Label, PageLabel

_TURNS = {"top_to_bottom": Image.Transpose.ROTATE_90, "bottom_to_top": Image.Transpose.ROTATE_270}


class LineImage(NamedTuple):
    """One line: `suffix` is "" for the record's own image as it is, else `_l<k>`."""

    suffix: str
    image: bytes
    text: str
    line: int
    width: int
    height: int


def line_images(image: bytes, label: Label | PageLabel, image_format: str, upright: bool = False) -> list[LineImage]:
    """The record itself when it has one line, else each non-empty line cropped to its box (see above)
    (`_l<k>`, k counting from 0 over all lines). `upright` turns vertical lines to read left to right.
    A page always gives its lines, rectified."""
    if isinstance(label, PageLabel):
        return _page_lines(image, label, image_format)
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
    """A rendered record as the samples `--split-lines` makes of it (and a page always): one per line, upright."""
    return line_images(sample.image, LABELS.validate_json(sample.label), image_format, upright=True)


def _page_lines(image: bytes, label: PageLabel, image_format: str) -> list[LineImage]:
    decoded = Image.open(io.BytesIO(image)).convert("RGB")
    lines = [line for text in label.instances for line in text.lines]
    crops = []
    for k, line in enumerate(lines):
        if not line.text.strip():
            continue
        crop = rectified(decoded, reading_quad(line.polygon))
        crops.append(LineImage(f"_l{k}", encode_image(np.asarray(crop), image_format), line.text, k, *crop.size))
    return crops


Point = tuple[float, float]


def reading_quad(polygon: Sequence[Point]) -> tuple[Point, Point, Point, Point]:
    """The four corners of a polygon that runs clockwise from the top-left as the text reads: its own,
    or for a curved one (the top edge, then back along the bottom) the ends of both edges."""
    half = len(polygon) // 2
    return polygon[0], polygon[half - 1], polygon[half], polygon[-1]


def rectified(image: Image.Image, quad: tuple[Point, Point, Point, Point]) -> Image.Image:
    """The quadrilateral `quad` (top-left, top-right, bottom-right, bottom-left as the text reads) of `image`,
    mapped onto an upright rectangle as long and as high as its longer edges."""
    top_left, top_right, bottom_right, bottom_left = (np.asarray(p, np.float64) for p in quad)
    width = max(1, round(max(np.hypot(*(top_right - top_left)), np.hypot(*(bottom_right - bottom_left)))))
    height = max(1, round(max(np.hypot(*(bottom_left - top_left)), np.hypot(*(bottom_right - top_right)))))
    corners = ((0, 0), (width, 0), (width, height), (0, height))
    # PIL's perspective maps each output (x, y) to ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (...)).
    rows, values = [], []
    for (x, y), (u, v) in zip(corners, (top_left, top_right, bottom_right, bottom_left), strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        values += [u, v]
    coefficients = np.linalg.solve(np.asarray(rows, np.float64), np.asarray(values, np.float64))
    return image.transform(
        (width, height), Image.Transform.PERSPECTIVE, tuple(coefficients.tolist()), Image.Resampling.BILINEAR
    )


def line_label(index: int, line: LineImage) -> dict[str, Any]:
    """What a sample of one line carries beside its image and text: where it comes from, and its size."""
    return {"text": line.text, "width": line.width, "height": line.height, "index": index, "line": line.line}
