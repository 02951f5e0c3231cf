"""Each word of a label as the four-point quadrilateral detection formats take."""

from __future__ import annotations

from ocrgen.schemas.label import Label, PageLabel, Segment, label_texts

Quad = list[list[float]]


def quad(word: Segment) -> Quad:
    """4-point polygons as they are (clockwise from the top-left as the text reads); a curved
    word's many-point polygon becomes its bbox corners, clockwise from the image's top-left."""
    if len(word.polygon) == 4:
        return [[x, y] for x, y in word.polygon]
    x0, y0, x1, y1 = word.bbox
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def words(label: Label | PageLabel) -> list[Segment]:
    """Every word of every text of the label, in reading order."""
    return [word for text in label_texts(label) for word in text.words]


def inside(points: Quad, width: int, height: int) -> bool:
    """Whether every corner lies on the image: a word a page's warp pushed past its edge is cut."""
    return all(0 <= x <= width and 0 <= y <= height for x, y in points)
