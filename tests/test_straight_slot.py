"""A straight space's slot, summed inline, is what the general path through `TextLayout.quad` gives, bit for bit."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.renderer.labels import _clip, _measure, _moved, _rounded, _straight_slot
from ocrgen.text.frames import Frame, Rigid
from ocrgen.text.layout import Box, Cluster, Setting, TextLayout

_PIXELS = st.floats(-500, 500, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(
    pivot=st.tuples(_PIXELS, _PIXELS),
    to=st.tuples(_PIXELS, _PIXELS),
    advance=st.tuples(_PIXELS, _PIXELS, _PIXELS, _PIXELS),
    origin=st.tuples(st.integers(-50, 50), st.integers(-50, 50)),
    size=st.tuples(st.integers(1, 900), st.integers(1, 900)),
)
def test_straight_slot_is_the_quad_of_the_slot(
    pivot: tuple[float, float],
    to: tuple[float, float],
    advance: tuple[float, float, float, float],
    origin: tuple[int, int],
    size: tuple[int, int],
) -> None:
    nothing_set = Setting(lines=[], block=0.0, align=0.0, step=0.0, across=(0.0, 0.0), turn=0)
    layout = TextLayout(faces=(), size=32, text=" ", frame=Frame(), line_height=40.0, setting=nothing_set)
    cluster = Cluster(0, 1, 0, advance, None, Rigid(pivot, to, 0.0))
    quad = _moved(layout.quad(cluster.rigid, cluster.advance), origin)
    got = _straight_slot(cluster, origin, size)
    assert got == _measure(layout, cluster, None, origin, size)
    assert got.polygon == _rounded(quad)
    assert [math.copysign(1, v) for p in got.polygon for v in p] == [
        math.copysign(1, v) for p in _rounded(quad) for v in p
    ]
    assert got.bbox == _clip(Box.around(quad), size)
