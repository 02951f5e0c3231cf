"""How well a recognizer read a set of lines: character error rate and line accuracy.

CER is the sum of the edit distances over the sum of the ground-truth lengths, so long lines
weigh more than short ones, as the field reports it (not a mean of per-line rates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest insertions, deletions and substitutions that turn `a` into `b`."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


@dataclass(frozen=True)
class Scores:
    errors: int
    characters: int
    lines: int
    exact: int

    @property
    def cer(self) -> float:
        return self.errors / self.characters if self.characters else 0.0

    @property
    def line_accuracy(self) -> float:
        return self.exact / self.lines if self.lines else 0.0


def score(pairs: Iterable[tuple[str, str]]) -> Scores:
    """Scores of (prediction, truth) pairs."""
    errors = characters = lines = exact = 0
    for predicted, truth in pairs:
        distance = edit_distance(predicted, truth)
        errors += distance
        characters += len(truth)
        lines += 1
        exact += distance == 0
    return Scores(errors, characters, lines, exact)


def confusions(pairs: Iterable[tuple[str, str]]) -> Counter[tuple[str, str]]:
    """How often each stretch of the truth was read as something else: (truth, read) -> count.

    A stretch is what the alignment of the two lines replaced, dropped ("" read) or added ("" truth),
    so the counts say which mistakes a model makes, not only how many.
    """
    counts: Counter[tuple[str, str]] = Counter()
    for predicted, truth in pairs:
        matcher = SequenceMatcher(None, truth, predicted, autojunk=False)
        for kind, t0, t1, p0, p1 in matcher.get_opcodes():
            if kind != "equal":
                counts[truth[t0:t1], predicted[p0:p1]] += 1
    return counts


def cer_interval(
    pairs: Iterable[tuple[str, str]], share: float = 0.95, rounds: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """The range that holds `share` of the CERs of the same number of lines drawn again from these, with repeats.

    It says how far the CER of a few dozen lines could move with other lines of the same kind:
    two models whose ranges overlap widely are not told apart by these lines.
    """
    counts = np.array([(edit_distance(p, t), len(t)) for p, t in pairs], dtype=np.float64).reshape(-1, 2)
    if len(counts) == 0:
        return 0.0, 0.0
    drawn = np.random.default_rng(seed).integers(len(counts), size=(rounds, len(counts)))
    sums = counts[drawn].sum(axis=1)
    rates = np.divide(sums[:, 0], sums[:, 1], out=np.zeros(rounds), where=sums[:, 1] > 0)
    low, high = np.quantile(rates, [(1 - share) / 2, (1 + share) / 2])
    return float(low), float(high)
