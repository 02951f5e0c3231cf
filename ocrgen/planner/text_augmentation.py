"""Change a drawn corpus text so that rare characters, cases and letter sequences are seen often enough.

A corpus of prose has few digits, capitals and brackets, and never a word broken at the end of a
line, and a recognizer trained on it leans on its words. These changes happen at plan time; the
record holds the changed text, so the label is whatever was drawn.
"""

from __future__ import annotations

import numpy as np

from ocrgen.sampling import choose, sample, sample_int
from ocrgen.schemas.config import (
    CaseChange,
    CharacterSubstitution,
    Hyphenation,
    Punctuation,
    RandomText,
    TextAugmentation,
)


def augment_text(text: str, config: TextAugmentation, rng: np.random.Generator) -> str:
    """`text` after random text, punctuation, hyphenation, substitution and a case change.

    Each has its own chance, and they apply in that order.
    """
    if config.random_text and rng.random() < config.random_text.p:
        text = _random_text(config.random_text, rng)
    if config.punctuate and rng.random() < config.punctuate.p:
        text = _punctuate(text, config.punctuate, rng)
    if config.hyphenate and rng.random() < config.hyphenate.p:
        text = _hyphenate(text, config.hyphenate, rng)
    if config.substitute and rng.random() < config.substitute.p:
        text = _substitute(text, config.substitute, rng)
    if config.case and rng.random() < config.case.p:
        text = _change_case(text, config.case, rng)
    return text


def _random_text(config: RandomText, rng: np.random.Generator) -> str:
    """Characters drawn from the charset; runs of spaces become one, and none leads or trails."""
    length = max(1, sample_int(config.length, rng))
    charset = np.array(list(config.charset))
    drawn = "".join(charset[rng.integers(len(charset), size=length)])
    text = " ".join(drawn.split())
    return text or _first_visible(config.charset)


def _first_visible(charset: str) -> str:
    return next(c for c in charset if not c.isspace())


def _punctuate(text: str, config: Punctuation, rng: np.random.Generator) -> str:
    """Marks only on words of letters and digits alone, so no word ends up with two (`word.:`)."""
    words = text.split(" ")
    plain = [i for i, word in enumerate(words) if word.isalnum()]
    count = min(len(plain), round(sample(config.rate, rng) * len(plain)))
    if count == 0:
        return text
    marks = [*config.after, *config.around]
    for position, pick in zip(
        rng.choice(plain, size=count, replace=False), rng.integers(len(marks), size=count), strict=True
    ):
        mark = marks[pick]
        words[position] = words[position] + mark if len(mark) == 1 else mark[0] + words[position] + mark[1]
    return " ".join(words)


def _hyphenate(text: str, config: Hyphenation, rng: np.random.Generator) -> str:
    """The trailing word of letters cut after 2 to all but 2 of them, a hyphen after the cut; the rest dropped.

    A text of that one word stays whole: a printed line is never a lone broken word.
    """
    start = len(text)
    while start > 0 and text[start - 1].isalpha():
        start -= 1
    letters = len(text) - start
    if letters < config.min_letters or not text[:start].strip():
        return text
    return text[: start + int(rng.integers(2, letters - 1))] + "-"


def _substitute(text: str, config: CharacterSubstitution, rng: np.random.Generator) -> str:
    chars = list(text)
    candidates = [i for i, c in enumerate(chars) if not c.isspace()]
    count = min(len(candidates), round(sample(config.rate, rng) * len(candidates)))
    if count == 0:
        return text
    charset = list(config.charset)
    for position, pick in zip(
        rng.choice(candidates, size=count, replace=False), rng.integers(len(charset), size=count), strict=True
    ):
        chars[position] = charset[pick]
    return "".join(chars)


def _change_case(text: str, config: CaseChange, rng: np.random.Generator) -> str:
    weights = config.weights()
    change = choose(list(weights), list(weights.values()), rng)
    if change == "upper":
        return text.upper()
    if change == "lower":
        return text.lower()
    return " ".join(word[:1].upper() + word[1:].lower() for word in text.split(" "))
