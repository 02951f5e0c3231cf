"""`break_lines`: where multi-line text is cut, by words or by characters.

- by words, only spaces become line breaks, and the text is otherwise unchanged;
- by characters, a newline is inserted between two characters, never inside a grapheme cluster
  (before a combining mark, after a joiner, or inside an Indic conjunct);
- never more lines than asked for, as many as there are places to break, and about equal lengths.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textcases import corpus_lines, corpus_words

from ocrgen.planner.linebreak import break_lines

SETTINGS = settings(max_examples=150, deadline=None)

LINES = st.integers(1, 6)

# Words of several scripts, from the bundled corpus and made up.
CORPUS_WORDS = st.sampled_from(
    [
        *corpus_words("en", "NotoSans-Regular.ttf")[:150],
        *corpus_words("ar", "NotoSansArabic-Regular.ttf")[:150],
        *corpus_words("hi", "NotoSansDevanagari-Regular.ttf")[:150],
        *corpus_words("he", "NotoSansHebrew-Regular.ttf")[:150],
    ]
)
WORD = st.one_of(CORPUS_WORDS, st.text(alphabet="abcdefghijklmnopqrstuvwxyzé-,.", min_size=1, max_size=14))
# What the corpus gives the planner: words joined by single spaces.
SENTENCE = st.lists(WORD, min_size=1, max_size=14).map(tuple)

# Grapheme clusters: a base letter and its marks (or a Devanagari conjunct), never split by a break.
BASES = (
    "abcdeগঘকगघचजटडतदनपबमयरलवसह" + "กขคงจฉชซญดตถทนบปผพมยรลวสห" + "今天早上下了一场小雨图书馆" + "بتثجحخسشصضطظعغفقكلمنهي"
)
MARKS = (
    "\u0301\u0308\u0323"  # Latin combining accents
    + "\u093f\u0940\u0947\u0948\u094b\u0902\u0901\u093c"  # Devanagari matras, anusvara, nukta
    + "\u0e31\u0e34\u0e35\u0e38\u0e39\u0e48\u0e49"  # Thai vowels and tones above and below
    + "\u064e\u064f\u0650\u0651\u0652"  # Arabic harakat
)
DEVANAGARI_CONSONANTS = "कखगघचजटडतदनपबमयरलवसह"
VIRAMA = "\u094d"

LETTER = st.builds(lambda b, m: b + "".join(m), st.sampled_from(BASES), st.lists(st.sampled_from(MARKS), max_size=2))
CLUSTER = st.one_of(
    LETTER,
    # A conjunct: consonant, virama, consonant (and maybe a matra).
    st.builds(
        lambda a, b, m: a + VIRAMA + b + m,
        st.sampled_from(DEVANAGARI_CONSONANTS),
        st.sampled_from(DEVANAGARI_CONSONANTS),
        st.sampled_from(["", "\u093f", "\u0947", "\u094b"]),
    ),
    # Joiners bind the characters around them.
    st.builds(lambda a, b: a + "\u200d" + b, st.sampled_from(DEVANAGARI_CONSONANTS), st.sampled_from(BASES)),
)
# Text without spaces, as clusters: CJK, Thai, and long Devanagari or Latin runs.
UNSPACED = st.lists(CLUSTER, min_size=1, max_size=30).map(tuple)
# The same without conjuncts, whose breaks are checked on their own.
UNSPACED_SIMPLE = st.lists(LETTER, min_size=1, max_size=30).map(tuple)


def is_mark(char: str) -> bool:
    return unicodedata.category(char) in ("Mn", "Mc", "Me")


def _newlines(text: str) -> list[tuple[int, str, str]]:
    """(index, character before, character after) of every newline."""
    return [
        (i, text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else "") for i, c in enumerate(text) if c == "\n"
    ]


def breaks_off_a_mark(text: str) -> list[int]:
    """Indexes of newlines that part a letter from its marks, or the characters around a joiner."""
    joiners = ("\u200c", "\u200d")
    return [i for i, before, after in _newlines(text) if is_mark(after or "a") or before in joiners or after in joiners]


def breaks_a_conjunct(text: str) -> list[int]:
    """Indexes of newlines between a virama and the consonant it joins: one cluster by UAX #29 rule GB9c."""
    return [i for i, before, after in _newlines(text) if before == VIRAMA and after in DEVANAGARI_CONSONANTS]


def longest_line(text: str) -> int:
    return max(len(line) for line in text.split("\n"))


def best_longest_line(pieces: tuple[str, ...], lines: int, joiner: str) -> int:
    """The shortest possible longest line when `pieces` are set on exactly `lines` lines."""

    @cache
    def best(start: int, count: int) -> int:
        if count == 1:
            return len(joiner.join(pieces[start:]))
        return min(
            max(len(joiner.join(pieces[start:end])), best(end, count - 1))
            for end in range(start + 1, len(pieces) - count + 2)
        )

    return best(0, min(lines, len(pieces)))


# --- words ---------------------------------------------------------------------------------------


@SETTINGS
@given(words=SENTENCE, lines=LINES)
def test_words_mode_turns_spaces_into_newlines(words: tuple[str, ...], lines: int) -> None:
    text = " ".join(words)
    result = break_lines(text, lines, "words")
    assert len(result) == len(text)
    assert result.replace("\n", " ") == text
    for index, (old, new) in enumerate(zip(text, result, strict=True)):
        assert old == new or (old == " " and new == "\n"), (index, text, result)


@SETTINGS
@given(words=SENTENCE, lines=LINES)
def test_words_mode_gives_as_many_lines_as_it_can(words: tuple[str, ...], lines: int) -> None:
    """Never more lines than asked for; fewer only when the text has too few spaces. No line is empty."""
    text = " ".join(words)
    result = break_lines(text, lines, "words")
    assert result.count("\n") + 1 == min(max(lines, 1), len(words))
    assert all(result.split("\n")), result
    assert result.split("\n") == [" ".join(words[a:b]) for a, b in _spans(result, words)]


def _spans(result: str, words: tuple[str, ...]) -> list[tuple[int, int]]:
    """Which words each line of `result` holds (as index ranges)."""
    spans, start = [], 0
    for line in result.split("\n"):
        count = len(line.split(" "))
        spans.append((start, start + count))
        start += count
    assert start == len(words)
    return spans


@SETTINGS
@given(words=SENTENCE, lines=st.integers(2, 5))
def test_words_mode_balances_line_lengths(words: tuple[str, ...], lines: int) -> None:
    """The longest line is at most one word longer than in the best possible split."""
    text = " ".join(words)
    result = break_lines(text, lines, "words")
    best = best_longest_line(words, lines, " ")
    assert longest_line(result) <= best + max(len(w) for w in words) + 1, (text, result, best)


@pytest.mark.parametrize("mode", ["words", "characters"])
@pytest.mark.parametrize("lines", [0, 1])
def test_one_line_leaves_the_text_alone(mode: str, lines: int) -> None:
    text = "The morning train left late"
    assert break_lines(text, lines, mode) == text


def test_words_mode_examples() -> None:
    assert (
        break_lines("The morning train left ten minutes late", 2, "words") == "The morning train\nleft ten minutes late"
    )
    assert break_lines("one two three", 3, "words") == "one\ntwo\nthree"
    assert break_lines("one two", 5, "words") == "one\ntwo"
    # A script that writes no spaces has no words to break between: it breaks between characters.
    assert break_lines("今天早上下了一场小雨", 2, "words") == "今天早上下\n了一场小雨"


# --- characters ----------------------------------------------------------------------------------


@SETTINGS
@given(clusters=UNSPACED, lines=LINES)
def test_characters_mode_inserts_newlines_between_clusters(clusters: tuple[str, ...], lines: int) -> None:
    text = "".join(clusters)
    result = break_lines(text, lines, "characters")
    assert result.replace("\n", "") == text
    assert result.count("\n") + 1 <= max(lines, 1)
    assert all(result.split("\n")), result
    assert not breaks_off_a_mark(result), (text, result)


@SETTINGS
@given(clusters=UNSPACED_SIMPLE, lines=st.integers(2, 5))
def test_characters_mode_balances_line_lengths(clusters: tuple[str, ...], lines: int) -> None:
    """As many lines as there are clusters allow, the longest at most one cluster longer than the best split."""
    text = "".join(clusters)
    result = break_lines(text, lines, "characters")
    assert result.count("\n") + 1 == min(lines, len(clusters))
    best = best_longest_line(clusters, lines, "")
    assert longest_line(result) <= best + max(len(c) for c in clusters), (text, result, best)


@SETTINGS
@given(text=st.sampled_from(corpus_lines("zh") + corpus_lines("ja")), lines=st.integers(2, 4))
def test_characters_mode_splits_cjk_evenly(text: str, lines: int) -> None:
    """Every CJK character is a place to break, so line lengths differ by at most one."""
    text = "".join(text.split())
    result = break_lines(text, lines, "characters")
    lengths = [len(line) for line in result.split("\n")]
    assert len(lengths) == lines
    assert max(lengths) - min(lengths) <= 1, (text, result)


@SETTINGS
@given(text=st.sampled_from(corpus_lines("hi") + corpus_lines("th") + corpus_lines("ar")), lines=LINES)
def test_characters_mode_on_corpus_lines(text: str, lines: int) -> None:
    """Whole corpus lines, with spaces, marks and joiners: never a break before a mark or at a joiner."""
    result = break_lines(text, lines, "characters")
    assert result.replace("\n", "") == text
    assert result.count("\n") + 1 <= max(lines, 1)
    assert not breaks_off_a_mark(result), (text, result)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("ปู่ย่าตายาย", 3),
        ("مُحَمَّدٌرسول", 3),
        ("ÅÉÎe\u0301e\u0308o\u0323", 3),
        ("क\u200dषक", 2),
    ],
)
def test_characters_mode_keeps_marks_with_their_letter(text: str, lines: int) -> None:
    result = break_lines(text, lines, "characters")
    assert result.replace("\n", "") == text
    assert result.count("\n") + 1 == lines
    assert not breaks_off_a_mark(result), f"{result!r} breaks at {breaks_off_a_mark(result)}"


CONJUNCTS = st.lists(
    st.one_of(
        st.sampled_from(DEVANAGARI_CONSONANTS),
        st.builds(lambda a, b: a + VIRAMA + b, *[st.sampled_from(DEVANAGARI_CONSONANTS)] * 2),
    ),
    min_size=2,
    max_size=12,
).map("".join)


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("प्रतिष्ठित", 4),  # pra-ti-ṣṭhi-ta
        ("स्टेशन से हमारी ट्रेन", 4),
        ("क्षत्रिय", 3),
        ("अपने प्रिय त्योहार", 2),
    ],
)
def test_characters_mode_keeps_conjuncts_whole(text: str, lines: int) -> None:
    """Consonant + virama + consonant is one grapheme cluster (UAX #29 GB9c): cutting it shows a stray virama."""
    result = break_lines(text, lines, "characters")
    assert result.replace("\n", "") == text
    assert not breaks_a_conjunct(result), f"{result!r} splits a conjunct at {breaks_a_conjunct(result)}"


@SETTINGS
@given(text=CONJUNCTS, lines=st.integers(2, 5))
def test_characters_mode_never_splits_random_conjuncts(text: str, lines: int) -> None:
    result = break_lines(text, lines, "characters")
    assert result.replace("\n", "") == text
    assert not breaks_a_conjunct(result), (text, result)


def test_characters_mode_keeps_a_preposed_vowel_with_its_letter() -> None:
    text = "เมเมเมเมเมเม"
    for lines in range(2, 6):
        assert all(not line.endswith("เ") for line in break_lines(text, lines, "characters").split("\n"))
