"""Value ranges: the one shape every sampled number in a config takes.

A range is written ``{min, max, distribution}`` plus optional shape parameters,
or as a bare number for a fixed value. `ocrgen.sampling` draws from it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

Distribution = Literal["uniform", "normal", "truncated_normal", "exponential", "beta", "lognormal"]

# Shape parameters and the distributions they belong to.
_PARAMETERS: dict[str, tuple[str, ...]] = {
    "mean": ("normal", "truncated_normal"),
    "std": ("normal", "truncated_normal"),
    "scale": ("exponential",),
    "alpha": ("beta",),
    "beta": ("beta",),
    "mu": ("lognormal",),
    "sigma": ("lognormal",),
}


class Range(BaseModel):
    """A number drawn per image between `min` and `max` (both inclusive).

    Shape parameters default to values that fit the interval: normal draws use
    the midpoint and a sixth of the width; exponential and lognormal draws start
    at `min`; beta defaults to alpha = beta = 2. Draws never leave the interval.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    min: float
    max: float
    distribution: Distribution = "uniform"
    mean: float | None = None
    std: float | None = None
    scale: float | None = None
    alpha: float | None = None
    beta: float | None = None
    mu: float | None = None
    sigma: float | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number_is_fixed(cls, data: Any) -> Any:
        if isinstance(data, (int, float)) and not isinstance(data, bool):
            return {"min": data, "max": data}
        return data

    @model_validator(mode="after")
    def _check(self) -> Range:
        if self.min > self.max:
            raise ValueError(f"min ({_num(self.min)}) is greater than max ({_num(self.max)}); swap them")
        if math.isinf(self.max - self.min):
            raise ValueError(f"min ({_num(self.min)}) and max ({_num(self.max)}) are too far apart to draw from")
        for name, owners in _PARAMETERS.items():
            if getattr(self, name) is not None and self.distribution not in owners:
                raise ValueError(
                    f"'{name}' only applies to distribution {' or '.join(owners)}, not {self.distribution}"
                )
        for name in ("std", "scale", "alpha", "beta", "sigma"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise ValueError(f"'{name}' must be above 0, got {_num(value)}")
        return self

    @property
    def is_fixed(self) -> bool:
        return self.min == self.max


def _num(value: float) -> str:
    return f"{value:g}"


def _non_negative(r: Range) -> Range:
    if r.min < 0:
        raise ValueError(f"min must be 0 or more, got {_num(r.min)}")
    return r


def _positive(r: Range) -> Range:
    if r.min <= 0:
        raise ValueError(f"min must be above 0, got {_num(r.min)}")
    return r


@dataclass(frozen=True)
class Bounds:
    """Where every draw of a range must lie: the validator `within` attaches, kept readable for the docs."""

    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False

    def __call__(self, r: Range) -> Range:
        for value in (r.min, r.max):
            below = value <= self.low if self.low_open else value < self.low
            above = value >= self.high if self.high_open else value > self.high
            if below or above:
                raise ValueError(f"values must be {self.phrase()}, got {_num(value)}")
        return r

    def phrase(self) -> str:
        if math.isinf(self.low):
            return f"{'below' if self.high_open else 'at most'} {self.high:g}"
        if math.isinf(self.high):
            return f"{'above' if self.low_open else 'at least'} {self.low:g}"
        return f"in {self.interval()}"

    def interval(self) -> str:
        """`[0, 64]`: 0 to 64; a round bracket leaves that end out."""
        return f"{'(' if self.low_open else '['}{self.low:g}, {self.high:g}{')' if self.high_open else ']'}"


def within(
    low: float = -math.inf, high: float = math.inf, low_open: bool = False, high_open: bool = False
) -> AfterValidator:
    """A range whose draws all lie in [low, high] (open ends where told), so no drawn value is refused later."""
    return AfterValidator(Bounds(low, high, low_open, high_open))


NonNegativeRange = Annotated[Range, AfterValidator(_non_negative)]
PositiveRange = Annotated[Range, AfterValidator(_positive)]


def _channel(value: int) -> int:
    if not 0 <= value <= 255:
        raise ValueError(f"colour channels go from 0 to 255, got {value}")
    return value


Channel = Annotated[int, AfterValidator(_channel)]


RGB = tuple[Channel, Channel, Channel]


class ColorRange(BaseModel):
    """An RGB colour drawn per image, each channel from its own [min, max].

    A bare ``[r, g, b]`` means that fixed colour.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    min: RGB
    max: RGB
    distribution: Distribution = "uniform"

    @model_validator(mode="before")
    @classmethod
    def _bare_colour_is_fixed(cls, data: Any) -> Any:
        if isinstance(data, (list, tuple)):
            return {"min": data, "max": data}
        return data

    @model_validator(mode="after")
    def _check(self) -> ColorRange:
        for channel, low, high in zip("rgb", self.min, self.max, strict=True):
            if low > high:
                raise ValueError(f"channel {channel}: min ({low}) is greater than max ({high})")
        return self

    @cached_property
    def channels(self) -> tuple[Range, Range, Range]:
        """One `Range` per channel, so colours go through the common sampler; made once per colour range."""
        red, green, blue = (
            Range(min=low, max=high, distribution=self.distribution)
            for low, high in zip(self.min, self.max, strict=True)
        )
        return red, green, blue
