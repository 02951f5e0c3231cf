# ruff: noqa: RUF001 -- the texts are Arabic, Hebrew and CJK on purpose.
"""Labels stay in logical order, while the boxes sit where each direction and the bidi algorithm put the ink.

- `text`, `bboxes` and `characters` follow the record's text character by character, lines by line;
- letters of a right-to-left run go leftwards, top-to-bottom text goes down, bottom-to-top text goes up;
- lines stack downwards, vertical CJK columns run right to left;
- numbers inside right-to-left text keep their left-to-right order and sit where the Unicode bidi
  algorithm puts them.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textcases import (
    ARABIC,
    CJK,
    DEVANAGARI,
    HEBREW,
    LATIN,
    NASKH,
    THAI,
    corpus_lines,
    corpus_words,
    is_blank,
    make_record,
    render,
)

from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import Layout

UPRIGHT = Layout(orientation="upright")
RANDOM = settings(max_examples=12, deadline=None)

Box = tuple[int, int, int, int]


def draw(font: str, text: str, direction: str = "left_to_right", layout: Layout | None = None, size: int = 32) -> Label:
    record = make_record(font, text, size, direction, layout)
    _, label = render(record)
    return label


def x_centre(box: Box) -> float:
    return (box[0] + box[2]) / 2


def y_centre(box: Box) -> float:
    return (box[1] + box[3]) / 2


def clusters(label: Label, start: int = 0, end: int | None = None) -> list[tuple[str, Box]]:
    """The visible clusters of text[start:end] in logical order: (their characters, their shared bbox).

    The characters of one cluster share its box, so consecutive equal boxes are one cluster.
    """
    out: list[tuple[str, Box]] = []
    for char in label.characters[start:end]:
        if is_blank(char.char):
            continue
        if out and out[-1][1] == char.bbox:
            out[-1] = (out[-1][0] + char.char, char.bbox)
        else:
            out.append((char.char, char.bbox))
    return out


def letter_runs(text: str) -> list[tuple[int, int, int]]:
    """(start, end, sign) of each word-internal run of letters (with their marks) of one direction.

    sign is -1 for right-to-left letters (bidi class R or AL) and 1 for left-to-right ones (L);
    digits, punctuation and spaces end a run.
    """
    runs: list[tuple[int, int, int]] = []
    start, sign = None, 0
    for index, char in enumerate([*text, " "]):
        kind = unicodedata.bidirectional(char)
        mark = unicodedata.category(char)[0] == "M" and start is not None
        own = -1 if kind in ("R", "AL") else 1 if kind == "L" and unicodedata.category(char)[0] == "L" else 0
        if mark:
            continue
        if start is not None and own != sign:
            runs.append((start, index, sign))
            start = None
        if own and start is None:
            start, sign = index, own
    return runs


def assert_monotonic(values: list[float], sign: int, what: str) -> None:
    """Strictly increasing (sign 1) or decreasing (sign -1)."""
    assert all(sign * (b - a) > 0 for a, b in pairwise(values)), f"{what}: {values}"


# --- the label follows the text ------------------------------------------------------------------

CASES = {
    "latin": (LATIN, "Hello, world 42!", "left_to_right", Layout()),
    "arabic": (ARABIC, "مُحَمَّدٌ في البيت", "right_to_left", Layout()),
    "hebrew": (HEBREW, "הרכבת לחיפה יוצאת", "right_to_left", Layout()),
    "devanagari": (DEVANAGARI, "प्रतिष्ठित कक्षा", "left_to_right", Layout()),
    "thai": (THAI, "ปู่ย่า เช้านี้", "left_to_right", Layout()),
    "cjk-ttb": (CJK, "今天早上\n下了一场", "top_to_bottom", UPRIGHT),
    "latin-btt": (LATIN, "Please return\nthe books", "bottom_to_top", Layout()),
    "arabic-3-lines": (NASKH, "استيقظت مبكرًا\nهذا الصباح\nالساعة 9:30", "right_to_left", Layout()),
    "latin-ttb-3-lines": (LATIN, "one\ntwo\nthree", "top_to_bottom", Layout(alignment="center")),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_label_follows_the_text(case: str) -> None:
    font, text, direction, layout = CASES[case]
    label = draw(font, text, direction, layout)
    assert label.text == text
    assert [b.char for b in label.bboxes] == list(text)
    assert [c.char for c in label.characters] == list(text)
    assert [line.text for line in label.lines] == text.split("\n")
    assert [word.text for word in label.words] == text.split()
    for index, box in enumerate(label.bboxes):
        if box.char != "\n":
            assert box.line_index == text[:index].count("\n"), (index, box)
    indexes = [box.line_index for box in label.bboxes]
    assert indexes == sorted(indexes)
    assert indexes[-1] == text.count("\n")


# --- right to left --------------------------------------------------------------------------------


def assert_runs_leftwards(label: Label) -> None:
    """Within every word, each right-to-left letter cluster lies left of the one before it,
    and each left-to-right letter cluster right of the one before it."""
    for start, end, sign in letter_runs(label.text):
        run = clusters(label, start, end)
        way = "leftwards" if sign < 0 else "rightwards"
        assert_monotonic([x_centre(box) for _, box in run], sign, f"{label.text[start:end]!r} does not run {way}")


RTL = {
    "arabic": (ARABIC, "استيقظت مبكرًا هذا الصباح"),
    "arabic-harakat": (ARABIC, "مُحَمَّدٌ رسول"),
    "naskh": (NASKH, "وشربت فنجانًا من القهوة"),
    "naskh-lam-alef": (NASKH, "لا إله إلا الله"),
    "hebrew": (HEBREW, "הרכבת לחיפה יוצאת"),
    "hebrew-niqqud": (HEBREW, "שָׁלוֹם בְּרֵאשִׁית"),
}


@pytest.mark.parametrize("case", list(RTL), ids=list(RTL))
def test_rtl_letters_run_leftwards(case: str) -> None:
    font, text = RTL[case]
    label = draw(font, text, "right_to_left")
    assert label.text == text
    assert_runs_leftwards(label)
    # And the words follow one another leftwards.
    assert_monotonic([x_centre(w.bbox) for w in label.words], -1, "words do not run leftwards")


@RANDOM
@given(data=st.data(), font=st.sampled_from([ARABIC, NASKH, HEBREW]), size=st.integers(12, 64))
def test_random_rtl_words_run_leftwards(data: st.DataObject, font: str, size: int) -> None:
    lang = "he" if font == HEBREW else "ar"
    rtl_words = [w for w in corpus_words(lang, font) if unicodedata.bidirectional(w[0]) in ("R", "AL")]
    words = data.draw(st.lists(st.sampled_from(rtl_words), min_size=1, max_size=4), label="words")
    text = " ".join(words)
    label = draw(font, text, "right_to_left", size=size)
    assert label.text == text
    assert_runs_leftwards(label)
    assert_monotonic([x_centre(w.bbox) for w in label.words], -1, "words do not run leftwards")


LTR = {
    "latin": (LATIN, "Quick brown fox"),
    "devanagari": (DEVANAGARI, "प्रतिष्ठित कक्षा में"),
    "thai": (THAI, "ปู่ย่า เช้านี้ฝนตก"),
    "cjk": (CJK, "今天早上下了一场小雨"),
}


@pytest.mark.parametrize("case", list(LTR), ids=list(LTR))
def test_ltr_clusters_run_rightwards(case: str) -> None:
    font, text = LTR[case]
    label = draw(font, text)
    for start, end, _ in letter_runs(text):
        run = clusters(label, start, end)
        assert_monotonic([x_centre(box) for _, box in run], 1, f"{text[start:end]!r} does not run rightwards")


# --- vertical --------------------------------------------------------------------------------------

VERTICAL = {
    "cjk-ttb-upright": (CJK, "今天早上下了一场小雨，", "top_to_bottom", UPRIGHT, 1),
    "japanese-ttb-upright": (CJK, "図書館は午前9時から", "top_to_bottom", UPRIGHT, 1),
    "latin-ttb-rotated": (LATIN, "Jolly gjpq", "top_to_bottom", Layout(), 1),
    "latin-ttb-upright": (LATIN, "ABCgjq", "top_to_bottom", UPRIGHT, 1),
    "devanagari-ttb-rotated": (DEVANAGARI, "प्रतिष्ठित", "top_to_bottom", Layout(), 1),
    "latin-btt": (LATIN, "Jolly gjpq", "bottom_to_top", Layout(), -1),
    "cjk-btt": (CJK, "奶奶喜欢在阳台上种花", "bottom_to_top", Layout(), -1),
}


@pytest.mark.parametrize("case", list(VERTICAL), ids=list(VERTICAL))
def test_vertical_text_runs_down_or_up(case: str) -> None:
    """y increases along top-to-bottom text and decreases along bottom-to-top text."""
    font, text, direction, layout, sign = VERTICAL[case]
    label = draw(font, text, direction, layout)
    assert label.text == text
    ys = [y_centre(box) for _, box in clusters(label)]
    assert_monotonic(ys, sign, f"{text!r} in {direction}")


@RANDOM
@given(
    text=st.sampled_from(corpus_lines("zh") + corpus_lines("ja")),
    length=st.integers(2, 12),
    size=st.integers(12, 64),
    direction=st.sampled_from(["top_to_bottom", "bottom_to_top"]),
)
def test_random_vertical_cjk(text: str, length: int, size: int, direction: str) -> None:
    text = text[:length]
    layout = UPRIGHT if direction == "top_to_bottom" else Layout()
    label = draw(CJK, text, direction, layout, size=size)
    assert label.text == text
    ys = [y_centre(box) for _, box in clusters(label)]
    assert_monotonic(ys, 1 if direction == "top_to_bottom" else -1, f"{text!r} in {direction}")


# --- lines and columns ----------------------------------------------------------------------------


def line_boxes(label: Label) -> list[Box]:
    """The union of the visible character boxes of each line."""
    boxes: dict[int, Box] = {}
    for box in label.bboxes:
        if is_blank(box.char):
            continue
        old = boxes.get(box.line_index, (box.x0, box.y0, box.x1, box.y1))
        boxes[box.line_index] = (
            min(old[0], box.x0),
            min(old[1], box.y0),
            max(old[2], box.x1),
            max(old[3], box.y1),
        )
    return [boxes[i] for i in sorted(boxes)]


STACKS = {
    # name: (font, text, direction, layout, where each next line goes)
    "latin": (LATIN, "The morning\ntrain left\nlate", "left_to_right", Layout(), "below"),
    "arabic": (ARABIC, "استيقظت مبكرًا\nهذا الصباح", "right_to_left", Layout(), "below"),
    "hebrew": (HEBREW, "קניתי בשוק\nתפוזים\nולחם טרי", "right_to_left", Layout(), "below"),
    "cjk-ttb-2-columns": (CJK, "今天早上下了\n一场小雨", "top_to_bottom", UPRIGHT, "left"),
    "cjk-ttb-3-columns": (
        CJK,
        "今天早上\n下了一场\n小雨",
        "top_to_bottom",
        Layout(orientation="upright", alignment="center"),
        "left",
    ),
    "latin-ttb-rotated": (LATIN, "Jolly\ngjpq", "top_to_bottom", Layout(), "left"),
    "latin-btt": (LATIN, "Please return\nthe books", "bottom_to_top", Layout(), "right"),
}


@pytest.mark.parametrize("case", list(STACKS), ids=list(STACKS))
def test_lines_stack_in_order(case: str) -> None:
    """Each next line lies wholly below the last (horizontal), or beside it (vertical: CJK columns go left)."""
    font, text, direction, layout, towards = STACKS[case]
    label = draw(font, text, direction, layout)
    boxes = line_boxes(label)
    assert len(boxes) == text.count("\n") + 1
    for (ax0, ay0, ax1, ay1), (bx0, by0, bx1, _) in pairwise(boxes):
        if towards == "below":
            assert by0 >= ay1 - 1 and by0 > ay0, (text, boxes)
        elif towards == "left":
            assert bx1 <= ax0, (text, boxes)
        else:
            assert bx0 >= ax1, (text, boxes)
    if direction == "right_to_left":
        assert_runs_leftwards(label)


# --- bidi ------------------------------------------------------------------------------------------


def positions(label: Label, chars: str) -> list[float]:
    """x centres of the clusters whose characters are among `chars`, in logical order."""
    return [x_centre(box) for text, box in clusters(label) if all(c in chars for c in text)]


DIGITS = "0123456789٠١٢٣٤٥٦٧٨٩"


def test_arabic_clock_keeps_its_digits_in_order_left_of_the_word() -> None:
    """'الساعة 9:30': 9:30 reads left to right, and comes after (left of) the Arabic word."""
    text = "الساعة 9:30"
    label = draw(NASKH, text, "right_to_left")
    digits = positions(label, "0123456789")
    assert len(digits) == 3
    assert_monotonic(digits, 1, "the digits of 9:30 are not in left-to-right order")
    letters = clusters(label, 0, text.index(" "))
    assert max(box[2] for _, box in clusters(label, text.index("9"))) <= min(box[0] for _, box in letters)
    assert_runs_leftwards(label)


def test_number_between_arabic_words_sits_between_them() -> None:
    """'الساعة 9:30 صباحًا' reads (left to right on the image) 'صباحًا', '9:30', 'الساعة'."""
    text = "الساعة 9:30 صباحًا"
    label = draw(ARABIC, text, "right_to_left")
    first, number, last = label.words
    assert number.text == "9:30"
    assert last.bbox[2] <= number.bbox[0] and number.bbox[2] <= first.bbox[0], [w.bbox for w in label.words]
    assert_monotonic(positions(label, DIGITS), 1, "9:30 is not in left-to-right order")


@pytest.mark.parametrize(
    ("font", "text", "number"),
    [
        (ARABIC, "عام ٢٠٢٤", "٢٠٢٤"),  # Arabic-Indic digits (bidi class AN)
        (NASKH, "السعر 12.50 دولار", "12.50"),  # a decimal number: the full stop stays inside it
        (NASKH, "غرفة 12", "12"),
        (HEBREW, "שנת 2024", "2024"),
        (HEBREW, "קניתי 3 קילו תפוזים", "3"),
    ],
)
def test_numbers_in_rtl_text_read_left_to_right(font: str, text: str, number: str) -> None:
    label = draw(font, text, "right_to_left")
    assert label.text == text
    start = text.index(number)
    digits = clusters(label, start, start + len(number))
    assert len(digits) == len(number)
    assert_monotonic([x_centre(box) for _, box in digits], 1, f"{number!r} in {text!r} is not left to right")
    # Words before the number lie right of it, words after it left of it.
    spans = list(re.finditer(r"\S+", text))
    number_box = next(w.bbox for w, m in zip(label.words, spans, strict=True) if m.start() == start)
    for word, match in zip(label.words, spans, strict=True):
        if match.start() < start:
            assert word.bbox[0] >= number_box[2], (word.text, word.bbox, number_box)
        elif match.start() > start:
            assert word.bbox[2] <= number_box[0], (word.text, word.bbox, number_box)
    assert_runs_leftwards(label)


def test_rtl_word_inside_ltr_text() -> None:
    """'123 مرحبا 456' in a left-to-right line shows as '123', '456', then the Arabic word.

    By the bidi algorithm, 123 becomes L (rule W7: the paragraph start is L), while 456 follows an
    Arabic letter and becomes AN (rule W2), so it joins the right-to-left run and is drawn before
    (left of) the Arabic word. Each number still reads left to right; the word reads right to left.
    """
    text = "123 مرحبا 456"
    label = draw(ARABIC, text, "left_to_right")
    first, word, last = label.words
    assert first.bbox[2] <= last.bbox[0] and last.bbox[2] <= word.bbox[0], [w.bbox for w in label.words]
    assert_runs_leftwards(label)
    assert_monotonic(positions(label, "123"), 1, "123 is not left to right")
    assert_monotonic(positions(label, "456"), 1, "456 is not left to right")


def test_number_after_an_rtl_word_in_ltr_text() -> None:
    """Even in a left-to-right line, 'مرحبا 2024' puts the number (AN by rule W2) left of the word."""
    text = "مرحبا 2024"
    label = draw(ARABIC, text, "left_to_right")
    word, number = label.words
    assert number.bbox[2] <= word.bbox[0], [w.bbox for w in label.words]
    assert_monotonic(positions(label, "2024"), 1, "2024 is not left to right")


def test_isolated_number_in_rtl_text() -> None:
    """Isolates (LRI ... PDI, common in web text) keep the number left to right, between the words.

    The bidi algorithm treats the isolate as one neutral character between two Arabic words.
    """
    text = "السعر \u2066123\u2069 دولار"
    label = draw(ARABIC, text, "right_to_left")
    assert label.text == text
    price, number, currency = label.words
    assert currency.bbox[2] <= number.bbox[0] and number.bbox[2] <= price.bbox[0], [w.bbox for w in label.words]
    assert_monotonic(positions(label, "123"), 1, "123 is not left to right")
    assert_runs_leftwards(label)


def test_brackets_around_ltr_text_in_rtl_line() -> None:
    """A bracket pair takes the direction of the text around it (bidi rule N0, Unicode 6.3 and later).

    In the right-to-left line 'קובץ PDF (v2) חדש', 'PDF (v2)' is one left-to-right run between the two
    Hebrew words: P, D, F, (, v, 2 and ) go left to right.
    """
    text = "קובץ PDF (v2) חדש"
    label = draw(HEBREW, text, "right_to_left")
    start, end = text.index("P"), text.index(")") + 1
    run = [x_centre(label.characters[i].bbox) for i in range(start, end) if text[i] != " "]
    assert_monotonic(run, 1, "'PDF (v2)' is not one left-to-right run")
    first, last = clusters(label, 0, 4), clusters(label, end + 1)
    assert max(box[2] for _, box in last) <= label.words[1].bbox[0]
    assert label.words[2].bbox[2] <= min(box[0] for _, box in first)


def test_latin_word_in_arabic_text() -> None:
    """'أرسل التقرير بصيغة PDF قبل الظهر': PDF reads left to right, between the words around it."""
    text = "أرسل التقرير بصيغة PDF قبل الظهر"
    label = draw(ARABIC, text, "right_to_left")
    assert label.text == text
    assert_runs_leftwards(label)
    words = label.words
    assert [w.text for w in words][3] == "PDF"
    assert_monotonic([x_centre(w.bbox) for w in words], -1, "the words do not run leftwards")
    assert words[3].bbox[2] <= words[2].bbox[0] and words[4].bbox[2] <= words[3].bbox[0]
