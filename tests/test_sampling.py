"""The one sampler behind every range: draws stay in range, are reproducible and have the right shape."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.sampling import choose, plan_float, sample, sample_color, sample_float, sample_int
from ocrgen.schemas.ranges import ColorRange, Range

DISTRIBUTIONS = ["uniform", "normal", "truncated_normal", "exponential", "beta", "lognormal"]

_finite = {"allow_nan": False, "allow_infinity": False, "allow_subnormal": False}
_positive = st.floats(min_value=1e-3, max_value=1e3, **_finite)


@st.composite
def ranges(draw: st.DrawFn, max_width: float = 1e4) -> Range:
    """A valid Range of any distribution, with or without its own shape parameters."""
    low = draw(st.floats(min_value=-1e4, max_value=1e4, **_finite))
    width = draw(st.floats(min_value=0, max_value=max_width, **_finite))
    distribution = draw(st.sampled_from(DISTRIBUTIONS))
    params: dict[str, Any] = {}
    if draw(st.booleans()):
        if distribution in ("normal", "truncated_normal"):
            params = {"mean": draw(st.floats(min_value=-2e4, max_value=2e4, **_finite)), "std": draw(_positive)}
        elif distribution == "exponential":
            params = {"scale": draw(_positive)}
        elif distribution == "beta":
            params = {"alpha": draw(_positive), "beta": draw(_positive)}
        elif distribution == "lognormal":
            params = {"mu": draw(st.floats(min_value=-5, max_value=5, **_finite)), "sigma": draw(_positive)}
    return Range(min=low, max=low + width, distribution=distribution, **params)


def draws(r: Range, n: int, seed: int = 0) -> np.ndarray:
    """`n` float draws of `r` from one fixed generator, for shape checks."""
    rng = np.random.default_rng(seed)
    return np.array([sample(r, rng) for _ in range(n)])


@settings(max_examples=300, deadline=None)
@given(r=ranges(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_sample_stays_within_min_and_max(r: Range, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value = sample(r, rng)
        assert r.min <= value <= r.max, (r, value)


@settings(max_examples=300, deadline=None)
@given(r=ranges(max_width=200), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_sample_int_stays_within_the_whole_numbers_of_the_range(r: Range, seed: int) -> None:
    low, high = math.ceil(r.min), math.floor(r.max)
    if low > high:  # no whole number in the range; nothing to require here
        return
    rng = np.random.default_rng(seed)
    for _ in range(20):
        value = sample_int(r, rng)
        assert isinstance(value, int)
        assert low <= value <= high, (r, value)


@settings(max_examples=100, deadline=None)
@given(value=st.floats(min_value=-1e6, max_value=1e6, **_finite), seed=st.integers(0, 1000))
def test_a_bare_number_is_a_fixed_value(value: float, seed: int) -> None:
    r = Range.model_validate(value)
    assert (r.min, r.max) == (value, value)
    rng = np.random.default_rng(seed)
    assert all(sample(r, rng) == value for _ in range(5))


@settings(max_examples=50, deadline=None)
@given(value=st.integers(min_value=-1000, max_value=1000), seed=st.integers(0, 1000))
def test_a_bare_whole_number_is_a_fixed_whole_number(value: int, seed: int) -> None:
    r = Range.model_validate(value)
    rng = np.random.default_rng(seed)
    assert all(sample_int(r, rng) == value for _ in range(5))


@settings(max_examples=50, deadline=None)
@given(value=st.floats(min_value=-1e6, max_value=1e6, **_finite), decimals=st.integers(0, 6))
def test_plan_float_rounds_and_never_writes_minus_zero(value: float, decimals: int) -> None:
    rounded = plan_float(value, decimals)
    assert rounded == round(value, decimals)
    assert math.copysign(1.0, rounded) > 0 or rounded != 0


@given(r=ranges(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_sample_float_is_the_sample_as_the_plan_writes_it(r: Range, seed: int) -> None:
    assert sample_float(r, np.random.default_rng(seed)) == plan_float(sample(r, np.random.default_rng(seed)))


@settings(max_examples=200, deadline=None)
@given(
    weights=st.lists(st.sampled_from([0.0, 0.0, 1e-9, 0.5, 1.0, 3.0, 1e6]), min_size=1, max_size=8).filter(
        lambda ws: any(w > 0 for w in ws)
    ),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_choose_never_picks_a_zero_weight_item(weights: list[float], seed: int) -> None:
    rng = np.random.default_rng(seed)
    items = list(range(len(weights)))
    for _ in range(50):
        picked = choose(items, weights, rng)
        assert weights[picked] > 0, (weights, picked)


def test_choose_picks_in_proportion_to_weights() -> None:
    weights = [1.0, 0.0, 2.0, 3.0, 4.0]
    rng = np.random.default_rng(12345)
    n = 20_000
    counts = Counter(choose("abcde", weights, rng) for _ in range(n))
    assert counts["b"] == 0
    for item, weight in zip("abcde", weights, strict=True):
        expected = weight / sum(weights)
        assert abs(counts[item] / n - expected) < 0.015, (item, counts[item] / n, expected)


@pytest.mark.parametrize("distribution", DISTRIBUTIONS)
def test_sample_int_reaches_both_ends(distribution: str) -> None:
    """Every whole number in [ceil(min), floor(max)] can come out, the ends included."""
    r = Range(min=0.5, max=3.5, distribution=distribution)
    rng = np.random.default_rng(2024)
    seen = Counter(sample_int(r, rng) for _ in range(5000))
    assert set(seen) == {1, 2, 3}, seen


def test_uniform_sample_int_is_flat() -> None:
    r = Range(min=3, max=7)
    rng = np.random.default_rng(99)
    seen = Counter(sample_int(r, rng) for _ in range(10_000))
    assert set(seen) == {3, 4, 5, 6, 7}
    assert all(abs(count / 10_000 - 0.2) < 0.02 for count in seen.values()), seen


def test_uniform_covers_the_whole_interval() -> None:
    values = draws(Range(min=0, max=100), 5000)
    assert abs(values.mean() - 50) < 2
    assert values.min() < 2 and values.max() > 98
    assert abs(values.std() - 100 / math.sqrt(12)) < 2


def test_normal_is_centred_on_the_midpoint_with_a_sixth_of_the_width() -> None:
    values = draws(Range(min=0, max=100, distribution="normal"), 5000)
    assert abs(values.mean() - 50) < 1.5
    assert abs(values.std() - 100 / 6) < 1.5
    within_one_std = np.mean(np.abs(values - 50) < 100 / 6)
    assert 0.63 < within_one_std < 0.73


def test_normal_follows_its_mean_and_std() -> None:
    values = draws(Range(min=0, max=100, distribution="normal", mean=30, std=5), 5000)
    assert abs(values.mean() - 30) < 0.5
    assert abs(values.std() - 5) < 0.5


def test_truncated_normal_is_centred_and_stays_inside() -> None:
    values = draws(Range(min=10, max=20, distribution="truncated_normal", std=4), 5000)
    assert abs(np.median(values) - 15) < 0.3
    assert values.min() >= 10 and values.max() <= 20
    # Redrawn, not clamped: the ends must not pile up.
    assert np.mean(values == 10) + np.mean(values == 20) == 0


def test_exponential_leans_towards_min() -> None:
    values = draws(Range(min=0, max=90, distribution="exponential"), 5000)
    assert np.median(values) < 45
    assert np.mean(values < 30) > 0.5
    assert values.max() > 60, "the tail still reaches towards max"


def test_lognormal_leans_towards_min() -> None:
    values = draws(Range(min=0, max=100, distribution="lognormal"), 5000)
    assert np.median(values) < 50
    assert np.mean(values < 50) > 0.8


def test_beta_defaults_to_a_symmetric_hump() -> None:
    values = draws(Range(min=0, max=100, distribution="beta"), 5000)
    assert abs(values.mean() - 50) < 1.5
    # beta(2, 2) has standard deviation sqrt(1/20) of the width.
    assert abs(values.std() - 100 * math.sqrt(1 / 20)) < 1.5


def test_beta_follows_alpha_and_beta() -> None:
    values = draws(Range(min=0, max=100, distribution="beta", alpha=5, beta=1), 5000)
    assert abs(values.mean() - 100 * 5 / 6) < 1.5


@st.composite
def colour_ranges(draw: st.DrawFn) -> ColorRange:
    """A valid colour range: per channel min <= max, in 0..255."""
    lows, highs = [], []
    for _ in range(3):
        a, b = sorted(draw(st.lists(st.integers(0, 255), min_size=2, max_size=2)))
        lows.append(a)
        highs.append(b)
    return ColorRange(min=tuple(lows), max=tuple(highs), distribution=draw(st.sampled_from(DISTRIBUTIONS)))


@settings(max_examples=200, deadline=None)
@given(c=colour_ranges(), seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_sample_color_stays_within_each_channel(c: ColorRange, seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(10):
        colour = sample_color(c, rng)
        assert len(colour) == 3
        for value, low, high in zip(colour, c.min, c.max, strict=True):
            assert isinstance(value, int)
            assert low <= value <= high, (c, colour)


def test_a_bare_colour_is_fixed() -> None:
    c = ColorRange.model_validate([12, 34, 56])
    rng = np.random.default_rng(0)
    assert {sample_color(c, rng) for _ in range(20)} == {(12, 34, 56)}
