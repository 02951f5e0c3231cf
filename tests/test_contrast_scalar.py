"""One colour is checked in plain floats, many at once in numpy; both must give the very same numbers."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ocrgen.planner.contrast import worst_contrast, worst_contrasts
from ocrgen.planner.luminance import luminance_map, relative_luminance

channel = st.integers(0, 255)
unit = st.floats(0, 1, allow_nan=False)
span = st.tuples(unit, unit).map(sorted).map(tuple)


@given(st.tuples(channel, channel, channel))
def test_one_colour_has_the_luminance_of_the_map(color: tuple[int, int, int]) -> None:
    assert relative_luminance(color) == float(luminance_map(np.array([[color]], np.uint8))[0, 0])


@given(unit, st.lists(span, min_size=1, max_size=40))
def test_one_luminance_has_the_worst_contrast_of_the_array(text: float, spans: list[tuple[float, float]]) -> None:
    """Below, above and inside spans, with few spans (plain floats) and many (numpy)."""
    assert worst_contrast(text, spans) == float(worst_contrasts(np.asarray([text]), spans)[0])
