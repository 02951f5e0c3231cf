"""Break a text into lines of about equal length, between words or between characters."""

from __future__ import annotations

from ocrgen.text.scripts import ends_cluster_open, is_mark, leans_forward, writes_without_spaces


def break_lines(text: str, lines: int, mode: str) -> str:
    """`text` with newlines at the breaks; fewer lines when there are not enough places to break.

    Between words, the space at a break becomes the newline; text in a script that
    writes no spaces breaks between characters instead. Between characters, a
    newline is inserted, never between a letter and its marks nor inside a conjunct.
    """
    if lines <= 1:
        return text
    if mode == "words" and not writes_without_spaces(text):
        places = [i for i, c in enumerate(text) if c == " "]
    else:
        places = [i for i in range(1, len(text)) if _can_break_before(text, i)]
    taken: set[int] = set()
    for k in range(1, lines):
        target = len(text) * k / lines
        free = [p for p in places if p not in taken]
        if not free:
            break
        taken.add(min(free, key=lambda p: (abs(p - target), p)))
    chosen = sorted(taken)
    if mode == "words" and not writes_without_spaces(text):
        characters = list(text)
        for place in chosen:
            characters[place] = "\n"
        return "".join(characters)
    pieces = [text[a:b] for a, b in zip([0, *chosen], [*chosen, len(text)], strict=True)]
    return "\n".join(pieces)


def _can_break_before(text: str, index: int) -> bool:
    char, before = text[index], text[index - 1]
    if char.isspace() or before.isspace():
        return False
    return (
        not is_mark(char)
        and before not in "\u200c\u200d"
        and not ends_cluster_open(before)
        and not leans_forward(before)
    )
