"""The label written beside each image."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypedDict

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter

from ocrgen.schemas.config import Direction
from ocrgen.schemas.plan import PageRecord, PlanRecord


class CharBox(BaseModel):
    """One character of `Label.text`. Pixels x0 <= x < x1 and y0 <= y < y1 of the final image."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    char: str = Field(min_length=1, max_length=1)
    x0: int
    y0: int
    x1: int
    y1: int
    line_index: int = Field(ge=0)


Polygon = tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
BBox = tuple[int, int, int, int]


class Character(BaseModel):
    """One character; `polygon` runs clockwise from the top-left corner as the text reads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    char: str = Field(min_length=1, max_length=1)
    polygon: Polygon
    bbox: BBox = Field(description="x0, y0, x1, y1: pixels x0 <= x < x1, y0 <= y < y1, inside the image.")


class Segment(BaseModel):
    """A word or a line: its text in logical order, a polygon and a bbox.

    The polygon runs clockwise from the top-left corner as the text reads: 4
    points for straight text; on a curve, the top edge through every cluster
    and back along the bottom edge, so it follows the curve.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    polygon: list[tuple[float, float]] = Field(min_length=4)
    bbox: BBox


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="Logical order.")
    width: int
    height: int
    bboxes: list[CharBox] = Field(description="One per character of `text`, spaces included, in logical order.")
    characters: list[Character] = Field(description="One per character of `text`, in logical order.")
    words: list[Segment] = Field(description="Runs of characters between whitespace, in logical order.")
    lines: list[Segment] = Field(description="The lines of `text` (split at '\\n'), in order.")
    plan: PlanRecord


class InstanceLabel(BaseModel):
    """One text of a page, with its shapes in page pixels."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="Logical order.")
    direction: Direction
    characters: list[Character] = Field(description="One per character of `text`, in logical order.")
    words: list[Segment] = Field(description="Runs of characters between whitespace, in logical order.")
    lines: list[Segment] = Field(description="The lines of `text` (split at '\\n'), in order.")


class PageLabel(BaseModel):
    """The label of a page: its texts in reading order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="The instances' texts in reading order, one after another, split by '\\n'.")
    width: int
    height: int
    instances: list[InstanceLabel]
    plan: PageRecord


# A label as plain JSON-ready data, keys in `Label`'s field order: what the renderer makes on its hot path,
# where building dozens of small models per image would cost more than drawing it. mypy checks its shape;
# tests/test_label_data.py holds it to `Label`.


class CharBoxData(TypedDict):
    char: str
    x0: int
    y0: int
    x1: int
    y1: int
    line_index: int


class CharacterData(TypedDict):
    char: str
    polygon: Sequence[tuple[float, float]]
    bbox: BBox


class SegmentData(TypedDict):
    text: str
    polygon: Sequence[tuple[float, float]]
    bbox: BBox


class ShapesData(TypedDict):
    bboxes: list[CharBoxData]
    characters: list[CharacterData]
    words: list[SegmentData]
    lines: list[SegmentData]


class LabelData(ShapesData):
    text: str
    width: int
    height: int
    plan: dict[str, Any]


class InstanceLabelData(TypedDict):
    text: str
    direction: str
    characters: list[CharacterData]
    words: list[SegmentData]
    lines: list[SegmentData]


class PageLabelData(TypedDict):
    text: str
    width: int
    height: int
    instances: list[InstanceLabelData]
    plan: dict[str, Any]


def label_texts(label: Label | PageLabel) -> list[Label] | list[InstanceLabel]:
    """The texts a label holds: a single text's label itself, or each text of a page."""
    return label.instances if isinstance(label, PageLabel) else [label]


AnyLabelData = LabelData | PageLabelData  # the label of a single text or of a page


def _kind(label: Any) -> str:
    return "page" if "instances" in (label if isinstance(label, dict) else vars(label)) else "text"


# A label file: a single text's, or a page's (which lists `instances`).
LABELS: TypeAdapter[Label | PageLabel] = TypeAdapter(
    Annotated[Annotated[Label, Tag("text")] | Annotated[PageLabel, Tag("page")], Discriminator(_kind)]
)
