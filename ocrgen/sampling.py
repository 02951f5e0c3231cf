"""The one sampler behind every `{min, max, distribution}` range, and weighted choices.

Every random choice in a plan goes through here, from a numpy Generator seeded
per record (`record_seeds`), so a record is reproducible from the config seed and its index.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from typing import TypeVar

import numpy as np

from ocrgen.schemas.ranges import ColorRange, Range

T = TypeVar("T")

_MAX_REDRAWS = 64
PLAN_DECIMALS = 4  # of a drawn float, as the plan holds it: finer than any pixel effect needs, and short


def plan_float(value: float, decimals: int = PLAN_DECIMALS) -> float:
    """`value` as the plan writes it: rounded to `decimals`, and never -0.0."""
    return round(float(value), decimals) + 0.0


def sample(r: Range, rng: np.random.Generator) -> float:
    """Draw one value of `r`; the result always lies within [min, max]."""
    if r.is_fixed:
        return r.min
    low, high, width = r.min, r.max, r.max - r.min
    if r.distribution == "uniform":
        return float(rng.uniform(low, high))
    if r.distribution == "beta":
        return low + width * float(rng.beta(r.alpha or 2.0, r.beta or 2.0))
    if r.distribution == "normal":
        value = rng.normal(_mean(r), r.std or width / 6)
        return float(min(max(value, low), high))
    draw = {
        "truncated_normal": lambda: rng.normal(_mean(r), r.std or width / 6),
        "exponential": lambda: low + rng.exponential(r.scale or width / 3),
        "lognormal": lambda: low + rng.lognormal(r.mu if r.mu is not None else math.log(width / 4), r.sigma or 0.5),
    }[r.distribution]
    for _ in range(_MAX_REDRAWS):
        value = float(draw())
        if low <= value <= high:
            return value
    return float(min(max(value, low), high))


def _mean(r: Range) -> float:
    return r.mean if r.mean is not None else (r.min + r.max) / 2


def sample_float(r: Range, rng: np.random.Generator, decimals: int = PLAN_DECIMALS) -> float:
    """Draw one value of `r` as the plan writes it (`plan_float`)."""
    return plan_float(sample(r, rng), decimals)


def sample_int(r: Range, rng: np.random.Generator) -> int:
    """Draw a whole number: every integer in [ceil(min), floor(max)] can come out."""
    low, high = math.ceil(r.min), math.floor(r.max)
    if low > high:  # no whole number inside: the nearest one to the middle
        return round((r.min + r.max) / 2)
    if low == high:
        return low
    if r.distribution == "uniform":
        return int(rng.integers(low, high + 1))
    value = sample(r.model_copy(update={"min": low - 0.5, "max": high + 0.5}), rng)
    return min(max(round(value), low), high)


def sample_color(c: ColorRange, rng: np.random.Generator) -> tuple[int, int, int]:
    r, g, b = (sample_int(channel, rng) for channel in c.channels)
    return (r, g, b)


def choose(items: Sequence[T], weights: Sequence[float], rng: np.random.Generator) -> T:
    """Pick one item with probability proportional to its weight."""
    if len(items) == 1:
        return items[0]
    cumulative = list(accumulate(map(float, weights)))
    position = rng.random() * cumulative[-1]
    return items[min(bisect_right(cumulative, position), len(items) - 1)]
