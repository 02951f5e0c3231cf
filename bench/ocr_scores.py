"""How well a recognizer read a set of lines: character error rate and line accuracy.

CER is the sum of the edit distances over the sum of the ground-truth lengths, so long lines
weigh more than short ones, as the field reports it (not a mean of per-line rates).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher


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
