"""The renderer's hot path writes labels as plain data; the `Label` model stays their definition.

Every record of the effect gallery and of the all-scripts contact sheet gives label data
that the model accepts unchanged and that encodes to the very bytes the model would write.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import pytest

from ocrgen.assets import AssetResolver
from ocrgen.planner import AssetDirs, iter_plan, validate
from ocrgen.renderer.output import encode_label
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.label import Label

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
