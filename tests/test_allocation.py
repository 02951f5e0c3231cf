"""How total_images is shared among specifications (`allocate`) and the order of records (`interleave`)."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from ocrgen.planner.allocation import RecordOrder, allocate, interleave
from ocrgen.schemas.config import BatchConfig

# The tolerance BatchConfig allows on the sum of the proportions.
SUM_TOLERANCE = 1e-6


@st.composite
def normalised_proportions(draw: st.DrawFn) -> list[float]:
    """Proportions that sum to 1 up to float rounding, zeros allowed."""
    parts = draw(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=8).filter(any))
    total = sum(parts)
    return [p / total for p in parts]


@st.composite
def dyadic_proportions(draw: st.DrawFn) -> list[Fraction]:
    """Proportions k / 2**n that sum to exactly 1, so float arithmetic on them is exact."""
    n = draw(st.integers(min_value=1, max_value=10))
    k = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=2**n), min_size=k - 1, max_size=k - 1)))
    bounds = [0, *cuts, 2**n]
    return [Fraction(b - a, 2**n) for a, b in itertools.pairwise(bounds)]


def largest_remainder(total: int, proportions: list[Fraction]) -> list[int]:
    """The documented rule in exact arithmetic: floors, then leftovers to the largest remainders, ties earlier."""
    exact = [total * p for p in proportions]
    counts = [math.floor(x) for x in exact]
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


@settings(max_examples=300, deadline=None)
@given(total=st.integers(min_value=1, max_value=10**7), proportions=normalised_proportions())
def test_allocate_sums_to_total_and_each_is_within_one_of_its_share(total: int, proportions: list[float]) -> None:
    counts = allocate(total, proportions)
    assert len(counts) == len(proportions)
    assert sum(counts) == total
    for count, p in zip(counts, proportions, strict=True):
        assert count >= 0
        assert abs(count - total * p) <= 1, (count, total * p)
        if p == 0:
            assert count == 0


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=10**8),
    proportions=normalised_proportions(),
    error=st.floats(min_value=-0.9 * SUM_TOLERANCE, max_value=0.9 * SUM_TOLERANCE),
)
def test_allocate_sums_to_total_for_every_config_that_validates(
    total: int, proportions: list[float], error: float
) -> None:
    """BatchConfig accepts proportions summing to 1 +- 1e-6; the plan must still hold exactly total_images."""
    proportions = [*proportions[:-1], max(0.0, proportions[-1] + error)]
    specs = [{"name": f"s{i}", "proportion": p, "corpus": "x.txt"} for i, p in enumerate(proportions)]
    try:
        BatchConfig.model_validate({"total_images": total, "specifications": specs})
    except ValidationError:
        assume(False)  # only configs that validate are promised anything
    assert sum(allocate(total, proportions)) == total


def test_allocate_with_proportions_slightly_above_one_keeps_the_total() -> None:
    """A minimal case of the property above: 0.7000005 + 0.3 passes validation."""
    assert sum(allocate(4_000_000, [0.7000005, 0.3])) == 4_000_000


@settings(max_examples=300, deadline=None)
@given(total=st.integers(min_value=1, max_value=5000), proportions=dyadic_proportions())
def test_allocate_gives_leftovers_to_the_largest_remainders_ties_to_the_earlier(
    total: int, proportions: list[Fraction]
) -> None:
    assert allocate(total, [float(p) for p in proportions]) == largest_remainder(total, proportions)


@pytest.mark.parametrize(
    ("total", "proportions", "expected"),
    [
        (100, [0.7, 0.3], [70, 30]),
        (10, [0.7, 0.3], [7, 3]),
        (5, [0.5, 0.5], [3, 2]),  # a tie goes to the earlier specification
        (7, [0.25, 0.25, 0.25, 0.25], [2, 2, 2, 1]),
        (10, [0.15, 0.05, 0.8], [2, 0, 8]),  # 1.5 beats 0.5; 8 is exact
        (1, [0.25, 0.75], [0, 1]),  # the larger remainder wins over the earlier position
        (3, [0.0, 1.0], [0, 3]),
    ],
)
def test_allocate_examples(total: int, proportions: list[float], expected: list[int]) -> None:
    assert allocate(total, proportions) == expected


@settings(max_examples=50, deadline=None)
@given(total=st.integers(min_value=1, max_value=10**6), proportions=normalised_proportions())
def test_allocate_is_deterministic(total: int, proportions: list[float]) -> None:
    assert allocate(total, proportions) == allocate(total, list(proportions))


counts_lists = st.lists(st.integers(min_value=0, max_value=120), min_size=1, max_size=8).filter(any)


@settings(max_examples=200, deadline=None)
@given(counts=counts_lists)
def test_interleave_yields_exactly_the_counts(counts: list[int]) -> None:
    order = list(interleave(counts))
    assert len(order) == sum(counts)
    tally = Counter(order)
    assert [tally[i] for i in range(len(counts))] == counts


@settings(max_examples=200, deadline=None)
@given(counts=counts_lists)
def test_interleave_keeps_every_prefix_near_its_share(counts: list[int]) -> None:
    """Any prefix (a shard, a partial run) mixes the specifications in proportion."""
    total = sum(counts)
    done = [0] * len(counts)
    for position, spec in enumerate(interleave(counts), start=1):
        done[spec] += 1
        for i, count in enumerate(counts):
            assert abs(done[i] - position * count / total) < 2, (counts, position, i, done)


@settings(max_examples=200, deadline=None)
@given(a=st.integers(min_value=0, max_value=300), b=st.integers(min_value=0, max_value=300))
def test_interleave_of_two_specs_stays_within_one(a: int, b: int) -> None:
    total = a + b
    if total == 0:
        return
    done = [0, 0]
    for position, spec in enumerate(interleave([a, b]), start=1):
        done[spec] += 1
        assert abs(done[0] - position * a / total) < 1, (a, b, position, done)


def test_interleave_mixes_instead_of_running_in_blocks() -> None:
    order = list(interleave([7, 3]))
    assert order[:4].count(1) >= 1, order
    # No long run of one spec when the other still has records left.
    assert "0000" not in "".join(map(str, order))


def test_interleave_is_deterministic() -> None:
    assert list(interleave([5, 3, 2])) == list(interleave([5, 3, 2]))
    assert list(interleave([2, 2])) == [0, 1, 0, 1], "ties go to the earlier specification"


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4).filter(lambda c: sum(c) > 0),
    reads=st.lists(
        st.tuples(st.integers(min_value=0, max_value=80), st.integers(min_value=0, max_value=15)), max_size=8
    ),
)
def test_record_order_reads_any_stretch_as_the_whole_order_has_it(
    counts: list[int], reads: list[tuple[int, int]]
) -> None:
    """Stretches read forwards, backwards or overlapping, and stopped part way, as a planning process reads chunks."""
    whole = list(itertools.islice(itertools.chain.from_iterable(interleave(counts) for _ in range(100)), 200))
    order = RecordOrder(counts)
    for start, length in reads:
        stretch = list(itertools.islice(order.starting_at(start), length))
        assert stretch == [(index, whole[index]) for index in range(start, start + length)]


def test_one_specification_is_every_record() -> None:
    assert list(interleave([5])) == [0] * 5
