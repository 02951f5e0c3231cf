"""The renderer's hot path writes labels as plain data; the `Label` model stays their definition.

Every record of the effect gallery and of the all-scripts contact sheet gives label data
that the model accepts unchanged and that encodes to the very bytes the model would write.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path
from typing import get_type_hints

import pytest
from pydantic import BaseModel

from ocrgen.assets import AssetResolver
from ocrgen.planner import AssetDirs, iter_plan, validate
from ocrgen.renderer.output import encode_label
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.label import (
    Character,
    CharacterData,
    CharBox,
    CharBoxData,
    Label,
    LabelData,
    Segment,
    SegmentData,
)

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("example", ["all_effects.yaml", "contact_sheet.yaml"])
def test_label_data_is_a_label(example: str) -> None:
    config, _ = validate(EXAMPLES / example, AssetDirs())
    resolver = AssetResolver()
    for record in islice(iter_plan(config, AssetDirs()), 24):
        pixels, data = render_pixels(record, resolver)
        label = Label.model_validate(data)
        assert encode_label(label.model_dump(mode="json")) == encode_label(data), record.index
        assert (label.width, label.height) == (pixels.shape[1], pixels.shape[0])


@pytest.mark.parametrize(
    ("data", "model"),
    [(LabelData, Label), (CharBoxData, CharBox), (CharacterData, Character), (SegmentData, Segment)],
)
def test_label_data_types_name_the_model_fields(data: type, model: type[BaseModel]) -> None:
    """The TypedDicts mypy checks the hot path with have exactly the keys of the models they stand for."""
    assert set(get_type_hints(data)) == data.__required_keys__ == set(model.model_fields)
