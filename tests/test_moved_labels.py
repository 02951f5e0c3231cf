"""Moving label shapes for every point at once gives, bit for bit, what moving them one by one gives."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.renderer.labels import LabelShapes, Shape, _clip, _hundredths, _rounded
from ocrgen.text.layout import Box

_COORDINATE = st.floats(-1e4, 1e4, allow_nan=False)


def _near_halves(draw: st.DrawFn) -> float:
    """A value whose 100 x falls on or beside a half: where rint(100 x) could round the other way."""
    half = (draw(st.one_of(st.integers(-(10**6), 10**6), st.integers(-(10**13), 10**13))) + 0.5) / 100
    return float(np.nextafter(half, math.inf if draw(st.booleans()) else -math.inf)) if draw(st.booleans()) else half


_FAR_OUT = st.floats(-1e13, 1e13, allow_nan=False)  # past the points rint is trusted with
_VALUES = st.one_of(_COORDINATE, st.composite(_near_halves)(), st.integers(-5000, 5000).map(float), _FAR_OUT)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.tuples(_VALUES, _VALUES), min_size=1, max_size=40))
def test_hundredths_round_as_round_does(values: list[tuple[float, float]]) -> None:
    got = _hundredths(np.array(values, np.float64))
    expected = np.array(_rounded(values), np.float64)
    assert np.array_equal(got.view(np.uint64), expected.view(np.uint64))


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(3, 9), min_size=1, max_size=12),
    split=st.tuples(st.integers(0, 12), st.integers(0, 12)),
    data=st.data(),
    width=st.integers(1, 300),
    height=st.integers(1, 300),
)
def test_moved_shapes_are_the_shapes_moved_one_by_one(
    sizes: list[int], split: tuple[int, int], data: st.DataObject, width: int, height: int
) -> None:
    shapes = [Shape(str(n), [(0.0, 0.0)] * size, Box(0, 0, 1, 1), n % 3) for n, size in enumerate(sizes)]
    first, second = sorted(min(s, len(shapes)) for s in split)
    label = LabelShapes(shapes[:first], shapes[first:second], shapes[second:])
    points = np.array(
        data.draw(st.lists(st.tuples(_VALUES, _VALUES), min_size=sum(sizes), max_size=sum(sizes))), np.float64
    )
    moved = label.moved(points, width, height)

    cursor = 0
    for group, moved_group in zip(label, moved, strict=True):
        assert len(group) == len(moved_group)
        for shape, got in zip(group, moved_group, strict=True):
            polygon = _rounded([(float(x), float(y)) for x, y in points[cursor : cursor + len(shape.polygon)]])
            cursor += len(shape.polygon)
            assert got == Shape(shape.text, polygon, _clip(Box.around(polygon), (width, height)), shape.line)
            assert all(type(v) is int for v in got.bbox)
            assert [math.copysign(1, v) for p in got.polygon for v in p] == [
                math.copysign(1, v) for p in polygon for v in p
            ]
