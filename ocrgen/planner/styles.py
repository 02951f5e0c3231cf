"""Mixed styles: a run of words of a text set in another face of its font's family, as print sets a term apart."""

from __future__ import annotations

import re

import numpy as np

from ocrgen.planner.fonts import FontFile, needed_codepoints
from ocrgen.sampling import choose, sample_int
from ocrgen.schemas.config import MixedStyles
from ocrgen.schemas.plan import StyleRun
from ocrgen.text.layout import StyleSpan

_WORD = re.compile(r"\S+")
NO_OTHER_STYLE = "no_other_style"  # the stats' count of texts left in one face


def plan_styles(
    styles: MixedStyles,
    text: str,
    font: FontFile,
    fonts: list[tuple[FontFile, float]],
    rng: np.random.Generator,
) -> tuple[list[StyleRun], list[StyleSpan]] | None:
    """The run of words that `p` gives this text, if any, for the record and for the layout.

    None when the text draws a run but its font has no other face in `fonts` of its family that
    draws it: the text stays in one face, and the caller counts it.
    """
    if rng.random() >= styles.p:
        return [], []
    words = [match.span() for match in _WORD.finditer(text)]
    if not words:
        return [], []
    count = min(max(1, sample_int(styles.words, rng)), len(words))
    first = int(rng.integers(len(words) - count + 1))
    start, end = words[first][0], words[first + count - 1][1]
    needed = needed_codepoints(text[start:end])
    family = font.family
    others = [
        (face, weight)
        for face, weight in fonts
        if face != font and family is not None and face.family == family and face.covers(needed)
    ]
    if not others:
        return None
    other = choose([face for face, _ in others], [weight for _, weight in others], rng)
    run = StyleRun(start=start, end=end, asset=other.ref, face_index=other.face_index)
    return [run], [StyleSpan(start, end, str(other.path), other.face_index)]
