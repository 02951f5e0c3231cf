"""Text without text effects is blended only inside the window its glyphs inked, taken from the drawing itself."""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from ocrgen.assets import AssetResolver
from ocrgen.effects.base import TextLayers
from ocrgen.planner import AssetDirs, iter_plan, validate
from ocrgen.renderer.picture import text_layout
from ocrgen.renderer.text import draw_text

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


STROKED = """
total_images: 20
specifications:
  - name: outlined
    proportion: 1
    corpus: ["*/*.txt"]
    lines: {min: 1, max: 2}
    stroke: {p: 1, width: {min: 1, max: 3}}
"""


@pytest.mark.parametrize("example", ["contact_sheet.yaml", "all_effects.yaml", "stroked"])
def test_drawn_ink_bounds_are_the_inked_window(example: str, write_config: Callable[[str], Path]) -> None:
    """Every script, direction, curve and stroke: the glyph ink boxes bound exactly the pixels with coverage."""
    config, _ = validate(write_config(STROKED) if example == "stroked" else EXAMPLES / example, AssetDirs())
    resolver = AssetResolver()
    strokes = 0
    for record in islice(iter_plan(config, AssetDirs()), 42):
        layout = text_layout(record, resolver, record.roots)
        drawn = draw_text(layout, record.origin.x, record.origin.y, record.canvas.width, record.canvas.height)
        layers = TextLayers(fill=drawn.coverage, fill_color=np.zeros(3, np.uint8), stroke=drawn.stroke)
        assert drawn.ink_window() == layers.ink_window(), record.index
        strokes += drawn.stroke is not None
    assert example != "stroked" or strokes == 20
