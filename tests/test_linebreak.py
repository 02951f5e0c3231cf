# ruff: noqa: RUF001 -- the texts are CJK and Thai on purpose.
"""`break_lines`: where multi-line text is cut, by words or by characters.

- by words, spaces become line breaks where Unicode's line-breaking rules (UAX #14) allow one, and
  the text is otherwise unchanged; scripts without spaces break between their words: Chinese and
  Japanese at almost any character, Thai at its dictionary word boundaries;
- by characters, a newline is inserted between two characters, never inside a grapheme cluster
  (before a combining mark, after a joiner, or inside an Indic conjunct);
- in both, no line starts with closing punctuation (。、」 ! ?) nor ends with opening punctuation (「);
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
# Punctuation ends a made-up word: a word that opens with "," or "." may not start a line (UAX #14).
MADE_UP_WORD = st.builds(
    str.__add__,
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=12),
    st.sampled_from(["", "-", ",", "."]),
)
WORD = st.one_of(CORPUS_WORDS, MADE_UP_WORD)
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


IDEOGRAPH_LINES = [line for line in (corpus_lines("zh") + corpus_lines("ja")) if "\u4e00" <= line[0] <= "\u9fff"]


@SETTINGS
@given(text=st.sampled_from(IDEOGRAPH_LINES), lines=st.integers(2, 4), mode=st.sampled_from(["words", "characters"]))
def test_cjk_ideographs_split_evenly(text: str, lines: int, mode: str) -> None:
    """Every ideograph is a place to break, so line lengths differ by at most one.

    Ideographs only: punctuation and small kana may not start a line, which moves a break.
    """
    text = "".join(c for c in text if "\u4e00" <= c <= "\u9fff")
    result = break_lines(text, lines, mode)
    lengths = [len(line) for line in result.split("\n")]
    assert len(lengths) == lines
    assert max(lengths) - min(lengths) <= 1, (text, result)


# Never at the start of a line in Chinese and Japanese (kinsoku): closing brackets and quotes,
# stops and commas, iteration marks, small kana, the prolonged sound mark; never at the end: opening ones.
NOT_FIRST = "。、，．・：；？！）」』】〕〉》”’ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
NOT_LAST = "（「『【〔〈《“‘"
CJK_TEXT = st.text(
    alphabet="今天早上下了一场小雨空气变得格外清新本は面白いです" + NOT_FIRST + NOT_LAST, min_size=1, max_size=40
)


def breaks_kinsoku(text: str) -> list[str]:
    """The lines of `text` that start with a character that may not start one, or end with one that may not end one."""
    lines = text.split("\n")
    return [
        line
        for k, line in enumerate(lines)
        if (k > 0 and line[:1] in NOT_FIRST) or (k + 1 < len(lines) and line[-1:] in NOT_LAST)
    ]


@SETTINGS
@given(
    text=st.one_of(st.sampled_from(corpus_lines("zh") + corpus_lines("ja")), CJK_TEXT),
    lines=st.integers(2, 6),
    mode=st.sampled_from(["words", "characters"]),
)
def test_cjk_lines_never_start_with_closing_punctuation(text: str, lines: int, mode: str) -> None:
    result = break_lines(text, lines, mode)
    assert result.replace("\n", "") == text
    assert result.count("\n") + 1 <= lines
    assert not breaks_kinsoku(result), (text, result)


@pytest.mark.parametrize(
    ("text", "lines", "modes", "expected"),
    [
        ("想象中还要美。小区里的孩子", 2, ["words", "characters"], "想象中还要美。\n小区里的孩子"),
        ("早上好。晚上好", 2, ["words", "characters"], "早上好。\n晚上好"),
        ("天气「很好」啊", 3, ["words", "characters"], "天气\n「很\n好」啊"),
        ("价格上涨了50%，明天", 3, ["words"], "价格上涨\n了50%，\n明天"),
        # Between characters, digits break like ideographs (CSS's break-all); % still stays with its number.
        ("价格上涨了50%，明天", 3, ["characters"], "价格上涨\n了5\n0%，明天"),
    ],
)
def test_cjk_examples(text: str, lines: int, modes: list[str], expected: str) -> None:
    """The even spot falls before 。 or 」, or inside 50%: the break moves to the nearest place allowed."""
    for mode in modes:
        assert break_lines(text, lines, mode) == expected, mode


# Punctuation French sets after a space: UAX #14 keeps it on the line of the word before.
FRENCH_PUNCTUATION = st.sampled_from(["!", "?", ":", ";", ")", "»"])


@SETTINGS
@given(
    tokens=st.lists(st.one_of(MADE_UP_WORD, FRENCH_PUNCTUATION), min_size=1, max_size=12),
    lines=st.integers(2, 5),
)
def test_words_mode_keeps_spaced_punctuation_on_its_line(tokens: list[str], lines: int) -> None:
    text = " ".join(tokens)
    result = break_lines(text, lines, "words")
    assert result.replace("\n", " ") == text
    assert not [line for line in result.split("\n")[1:] if line.split(" ")[0] in "!?:;)»"], result


@pytest.mark.parametrize(
    "words",
    [
        ["แม่", "ของ", "ฉัน", "ชอบ", "ปลูก", "ต้นไม้", "ไว้", "ที่", "ระเบียง", "และ", "รดน้ำ", "ทุก", "เช้า"],
        ["นักเรียน", "ทุก", "คน", "ต้อง", "ส่ง", "การบ้าน", "ภายใน", "วัน", "ศุกร์", "นี้"],
    ],
)
@pytest.mark.parametrize("lines", [2, 3, 4, 5, 6])
def test_words_mode_breaks_thai_between_words(words: list[str], lines: int) -> None:
    """Thai writes no spaces between words; a line still breaks only where a word ends, as in a real text engine."""
    text = "".join(words)
    result = break_lines(text, lines, "words")
    assert result.replace("\n", "") == text
    assert result.count("\n") + 1 == lines
    junctions = {len("".join(words[:k])) for k in range(1, len(words))}
    breaks = {i - k for k, i in enumerate(i for i, c in enumerate(result) if c == "\n")}
    assert breaks <= junctions, result


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
