"""Break a text into lines of about equal length where a text engine would break it (Unicode's UAX #14).

The break opportunities come from ICU's line breaker, with its dictionaries for Thai, Lao, Khmer
and Myanmar, which write no spaces between words. Its version decides them, so it is pinned by
minor version: plans stay the same for a given install.
"""

from __future__ import annotations

import icu

from ocrgen.text.scripts import ends_cluster_open, is_mark, is_spaceless, leans_forward

# UAX #14 classes of letters and digits. Breaking between characters counts them as ideographs, as
# CSS's `word-break: break-all` does, so the rules for punctuation still hold.
_LETTER_CLASSES = frozenset({"AL", "HL", "NU", "SA", "AK", "AS"})

# A place to break: where the newline goes in the text, and whether it takes the place of a space there.
Place = tuple[int, int]


def break_lines(text: str, lines: int, mode: str) -> str:
    """`text` with newlines at the breaks; fewer lines when there are not enough places to break.

    Between words, a space at a break becomes the newline, and a newline goes between two
    words of a script that writes no spaces (Chinese, Japanese, Thai...). Between characters,
    a newline goes between any two grapheme clusters that no space separates. Either way no
    line starts with closing punctuation (。、」!) or ends with opening punctuation (「 ¿), and
    a number keeps its % sign.
    Other opportunities UAX #14 gives, such as after the hyphen of a Latin word, are not taken:
    apart from the newlines, the text stays as it was.
    """
    if lines <= 1:
        return text
    places = _between_words(text) if mode == "words" else _between_characters(text)
    taken: set[Place] = set()
    for k in range(1, lines):
        target = len(text) * k / lines
        free = [p for p in places if p not in taken]
        if not free:
            break
        taken.add(min(free, key=lambda p: (abs(p[0] - target), p[0])))
    pieces, start = [], 0
    for position, replaced in sorted(taken):
        pieces.append(text[start:position])
        start = position + replaced
    pieces.append(text[start:])
    return "\n".join(pieces)


def _between_words(text: str) -> list[Place]:
    places = []
    for index in opportunities(text):
        if text[index - 1] == " ":
            places.append((index - 1, 1))
        elif is_spaceless(text[index - 1]) or is_spaceless(text[index]):
            places.append((index, 0))
    return places


def _between_characters(text: str) -> list[Place]:
    as_ideographs = "".join(_as_ideograph(c) for c in text)
    return [(index, 0) for index in opportunities(as_ideographs) if _between_clusters(text, index)]


def _as_ideograph(char: str) -> str:
    """A letter or digit becomes an ideograph of the same UTF-16 length: ICU counts offsets in UTF-16."""
    kind = icu.Char.getIntPropertyValue(char, icu.UProperty.LINE_BREAK)
    if is_mark(char) or icu.Char.getPropertyValueName(icu.UProperty.LINE_BREAK, kind) not in _LETTER_CLASSES:
        return char
    return "\U00020000" if ord(char) > 0xFFFF else "\u4e00"


def opportunities(text: str) -> list[int]:
    """Indexes of `text` where UAX #14 lets a line start, but its first character, never inside a grapheme cluster."""
    engine = icu.BreakIterator.createLineInstance(icu.Locale.getRoot())
    engine.setText(text)
    index_of, units = {}, 0
    for index, char in enumerate(text):
        index_of[units] = index
        units += 2 if ord(char) > 0xFFFF else 1
    return [index_of[offset] for offset in engine if offset < units and not _splits_cluster(text, index_of[offset])]


def _between_clusters(text: str, index: int) -> bool:
    """Not next to a space, nor inside a grapheme cluster."""
    return not (text[index].isspace() or text[index - 1].isspace() or _splits_cluster(text, index))


def _splits_cluster(text: str, index: int) -> bool:
    """Before a mark; after a joiner, a virama or a preposed vowel: what the dictionaries may miss in odd text."""
    before = text[index - 1]
    return is_mark(text[index]) or before in "\u200c\u200d" or ends_cluster_open(before) or leans_forward(before)
