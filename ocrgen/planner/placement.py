"""Where the texts of a page go: `scatter` puts each one at a random free place, apart from the others;
`document` stacks them in columns, as paragraphs.

A text's place is the box of its whole picture (its canvas after its own geometric effects), so
texts `gap` pixels apart are apart in ink, in polygons, and in every pixel their effects touch.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

Box = tuple[int, int, int, int]  # x0, y0, x1, y1: pixels x0 <= x < x1, y0 <= y < y1

PLACE_TRIES = 30  # random places tried for one picture before the page counts as full for it
MISSES = 3  # paragraphs in a row too high for what is left of a column before it counts as full
SCATTER_MISSES = 30  # pictures in a row that found no free place before a scattered page counts as full


class Placement(Protocol):
    def place(self, width: int, height: int, rng: np.random.Generator) -> Box | None:
        """A free box of that size, now taken; None when there is no room for it."""

    def reading_key(self, x: int, y: int) -> tuple[int, int]:
        """Sorts the boxes taken, by their top-left corners, in the order they read."""

    @property
    def full(self) -> bool:
        """No box of any size fits any more."""


class Scatter:
    """The boxes taken on a `width` x `height` page so far; a new one keeps `gap` pixels from each."""

    def __init__(self, width: int, height: int, gap: int) -> None:
        self.width, self.height, self.gap = width, height, gap
        self._taken = np.empty((0, 4), np.int64)
        self.misses = 0

    def place(self, width: int, height: int, rng: np.random.Generator) -> Box | None:
        """A free box of that size at a random place, now taken; None when none of the places tried is free."""
        if width <= self.width and height <= self.height:
            for _ in range(PLACE_TRIES):
                x = int(rng.integers(0, self.width - width + 1))
                y = int(rng.integers(0, self.height - height + 1))
                box = (x, y, x + width, y + height)
                if self.is_free(box):
                    self._taken = np.vstack([self._taken, box])
                    self.misses = 0
                    return box
        self.misses += 1
        return None

    def reading_key(self, x: int, y: int) -> tuple[int, int]:
        """Top to bottom by their top edges, then left to right."""
        return y, x

    @property
    def full(self) -> bool:
        """So many pictures in a row found no place that the page is taken as full: planning more is wasted."""
        return self.misses >= SCATTER_MISSES

    def is_free(self, box: Box) -> bool:
        """Whether `box` stays at least `gap` pixels from every box taken."""
        x0, y0, x1, y1 = box
        taken, gap = self._taken, self.gap
        beside = (taken[:, 2] + gap <= x0) | (x1 + gap <= taken[:, 0])
        above_or_below = (taken[:, 3] + gap <= y0) | (y1 + gap <= taken[:, 1])
        return bool((beside | above_or_below).all())


class Columns:
    """Paragraphs in `columns` equal columns inside `margin` pixels of empty page, `column_gap` apart: each
    paragraph under the one before, `gap` below it, at the column's left edge; a full column passes to the next.
    A shorter paragraph may still fill the end of a column that a long one did not fit.
    """

    def __init__(self, width: int, height: int, columns: int, margin: int, gap: int, column_gap: int) -> None:
        self.margin, self.gap, self.bottom = margin, gap, height - margin
        self.columns = columns
        self.pitch = max(1, (width - 2 * margin + column_gap) // columns)  # a column's width and the gap after it
        self.width = self.pitch - column_gap
        self.column, self.top, self.misses = 0, margin, 0

    def place(self, width: int, height: int, rng: np.random.Generator) -> Box | None:
        """Under the last paragraph; None for a paragraph wider than a column, or too high for what is left
        of it. After MISSES paragraphs too high in a row the column counts as full and the next one is tried."""
        if width > self.width or self.column >= self.columns:
            return None
        if self.top + height > self.bottom:
            self.misses += 1
            if self.misses < MISSES:
                return None
            self.column, self.top, self.misses = self.column + 1, self.margin, 0
            return self.place(width, height, rng)
        x = self.margin + self.column * self.pitch
        box = (x, self.top, x + width, self.top + height)
        self.top, self.misses = self.top + height + self.gap, 0
        return box

    def reading_key(self, x: int, y: int) -> tuple[int, int]:
        """Column by column, then top to bottom."""
        return (x - self.margin) // self.pitch, y

    @property
    def full(self) -> bool:
        return self.column >= self.columns
