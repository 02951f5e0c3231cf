"""The label written beside each image."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ocrgen.schemas.plan import PlanRecord


class CharBox(BaseModel):
    """One character of `Label.text`. Pixels x0 <= x < x1 and y0 <= y < y1 of the final image."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    char: str = Field(min_length=1, max_length=1)
    x0: int
    y0: int
    x1: int
    y1: int
    line_index: int = Field(ge=0)


class Label(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="Logical order.")
    width: int
    height: int
    bboxes: list[CharBox] = Field(description="One per character of `text`, spaces included, in logical order.")
    plan: PlanRecord
