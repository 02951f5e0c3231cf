"""What the planner needs to know about characters: marks, scripts without spaces, upright scripts."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Scripts that write no spaces between words; their text is cut where a line may break, not at spaces.
_NO_SPACE_BLOCKS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x9FFF),  # CJK radicals, punctuation, kana, ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF00, 0xFFEF),  # half- and full-width forms
    (0x20000, 0x3FFFF),  # CJK extensions
)

# Scripts whose characters stand upright in vertical lines.
_UPRIGHT_BLOCKS = (
    (0x1100, 0x11FF),  # Hangul jamo
    (0x2E80, 0x9FFF),
    (0xAC00, 0xD7AF),  # Hangul syllables
    (0xF900, 0xFAFF),
    (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)


def is_mark(char: str) -> bool:
    """A combining mark or joiner: it belongs to the letter before it and must not be split off."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or char in "\u200c\u200d"


@lru_cache(maxsize=1 << 14)  # a corpus uses a few thousand characters; each is looked up again and again
def _inside(char: str, blocks: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= ord(char) <= high for low, high in blocks)


def _mostly(text: str, blocks: tuple[tuple[int, int], ...]) -> bool:
    if text.isascii() and blocks[0][0] > 0x7F:  # the common case, at no cost per character (blocks are sorted)
        return False
    visible = [c for c in text[:200] if not c.isspace()]
    inside = sum(_inside(c, blocks) for c in visible)
    return bool(visible) and inside * 2 > len(visible)


def is_spaceless(char: str) -> bool:
    """A character of a script that writes no spaces between words, or of CJK punctuation."""
    return _inside(char, _NO_SPACE_BLOCKS)


def writes_without_spaces(text: str) -> bool:
    """Most visible characters belong to a script that writes no spaces between words."""
    return _mostly(text, _NO_SPACE_BLOCKS)


def closes_up(before: str, after: str) -> bool:
    """Whether a line break between `before` and `after` disappears when the lines are joined.

    It does between Han, kana, their punctuation and other wide East Asian characters, Hangul
    aside: Chinese and Japanese put no space there. Korean, Thai and the rest get a space, as
    they put one between phrases and sentences (the rule of CSS Text 3 for segment breaks).
    Quotes, dashes and ellipses of ambiguous width go by the character beyond them.
    """
    return _wide(reversed(before)) and _wide(after)


def _wide(chars: Iterable[str]) -> bool:
    for char in chars:
        width = unicodedata.east_asian_width(char)
        if width != "A" or not unicodedata.category(char).startswith("P"):
            return width in ("F", "W", "H") and not unicodedata.name(char, "").startswith("HANGUL")
    return False


def stands_upright(text: str) -> bool:
    """Most visible characters are CJK, which stands upright in vertical lines."""
    return _mostly(text, _UPRIGHT_BLOCKS)


def joins(char: str) -> bool:
    """A letter or mark of a script whose letters connect (Arabic, Syriac, N'Ko): spacing would cut it."""
    return unicodedata.bidirectional(char) == "AL" and (char.isalpha() or is_mark(char))


# Scripts whose letters hang from one headline (the shirorekha) that runs through a whole word.
_HEADLINE_BLOCKS = (
    (0x0900, 0x097F),  # Devanagari
    (0x0980, 0x09FF),  # Bengali
    (0x0A00, 0x0A7F),  # Gurmukhi
)


def touches(before: str, after: str) -> bool:
    """Whether the clusters these letters start are drawn as one shape: joined (Arabic) or under one headline.

    Moving one of them apart from the other would tear the word, which print never does.
    """
    if joins(before) and joins(after):
        return True
    return all(_inside(c, _HEADLINE_BLOCKS) and (c.isalpha() or is_mark(c)) for c in (before, after))


def ends_cluster_open(char: str) -> bool:
    """A virama: the consonant after it belongs to the same conjunct (Unicode's rule GB9c)."""
    return unicodedata.combining(char) == 9


# Thai and Lao vowels written before the consonant they follow in speech (Unicode's
# Logical_Order_Exception): they belong with the letter after them.
_PREPOSED = frozenset("\u0e40\u0e41\u0e42\u0e43\u0e44\u0ec0\u0ec1\u0ec2\u0ec3\u0ec4")


def leans_forward(char: str) -> bool:
    """A preposed vowel (Thai เ แ โ ใ ไ, Lao): a cut or line break must not fall right after it."""
    return char in _PREPOSED
