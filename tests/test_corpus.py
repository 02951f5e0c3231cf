# ruff: noqa: RUF001 -- the texts are CJK, Thai and Korean on purpose.
"""Text samples straight from corpus files: whole words, whole lines, no-space scripts, flat memory."""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import tempfile
import tracemalloc
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import ocrgen.planner.corpus as corpus_module
from ocrgen.assets import BUNDLED_ROOTS
from ocrgen.errors import PlanningError
from ocrgen.planner.corpus import Corpus
from ocrgen.schemas.ranges import Range
from ocrgen.text.scripts import closes_up

CORPUS_DIR = BUNDLED_ROOTS["ocrgen:corpus"]

# Letters of scripts that write spaces, in 1- and 2-byte UTF-8 (Latin, Greek, Cyrillic).
SPACED_LETTERS = "abcdefghijklmnopqrstuvwxyzABCXYZ\u00e9\u00fc\u00f1\u00e7\u00df" + "".join(
    chr(c) for c in [*range(0x3B1, 0x3BA), *range(0x436, 0x43F)]
)
THAI_CONSONANTS = "กขคงจฉชซดตถทนบปผพฟมยรลวสหอฮ"
THAI_MARKS = "ิีึืุู่้๊๋ั็์"  # combining (Mn): never the first character of a sample
ZH_SOURCE = (CORPUS_DIR / "zh" / "daily.txt").read_text(encoding="utf-8")
CJK = "".join(sorted({c for c in ZH_SOURCE if "\u4e00" <= c <= "\u9fff"}))
CJK_PUNCTUATION = "\uff0c\u3002"  # full-width comma and full stop
KANA = "あいうえおかきくけこしたっての本はをんアイウエオカキクケコソテナ"
# Characters Chinese and Japanese write with no space between them, not even where a line ends.
CLOSES_UP = CJK + CJK_PUNCTUATION + KANA + "、「」（）"


def is_mark(char: str) -> bool:
    """Combining marks (and joiners) that belong to the character before them."""
    return unicodedata.category(char) in ("Mn", "Mc", "Me") or char in "\u200c\u200d"


def collapse(text: str) -> str:
    """Whitespace folded to single spaces: how a sample may look when it spans lines."""
    return " ".join(text.split())


def joined_lines(lines: list[str]) -> str:
    """Corpus lines as one text: a space where a line ends, except between two Chinese or Japanese characters."""
    text = lines[0]
    for line in lines[1:]:
        text += ("" if text[-1] in CLOSES_UP and line[0] in CLOSES_UP else " ") + line
    return text


def write_file(directory: Path, content: str | bytes, name: str = "corpus.txt") -> Path:
    """Write corpus content (str as UTF-8) and return the path."""
    path = directory / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8", newline="")
    else:
        path.write_bytes(content)
    return path


def sample_texts(corpus: Corpus, n: int, seed: int = 0) -> list[str | None]:
    """`n` draws from one fixed generator; None where the draw gave no text."""
    rng = np.random.default_rng(seed)
    return [corpus.draw(rng).text for _ in range(n)]


def words_corpus(path: Path, low: int, high: int) -> Corpus:
    """A words-mode corpus of one file with text_length {min: low, max: high}."""
    return Corpus([path], "words", Range(min=low, max=high))


def assert_whole_words(text: str, source: str) -> None:
    """`text` is a run of whole, consecutive words of `source`: no word is cut at either end."""
    assert text == collapse(text), f"whitespace not collapsed: {text!r}"
    assert f" {text} " in f" {collapse(source)} ", f"{text!r} is not a run of whole words of the source"


def assert_not_split_from_marks(text: str, source: str) -> None:
    """`text` occurs in `source` without leaving a base letter's marks behind on either side."""
    assert not is_mark(text[0]), f"starts with a combining mark: {text!r}"
    flat = collapse(source)
    start = flat.find(text)
    assert start >= 0, f"{text!r} is not in the source"
    ends_clean = []
    while start >= 0:
        after = start + len(text)
        ends_clean.append(after == len(flat) or not is_mark(flat[after]))
        start = flat.find(text, start + 1)
    assert any(ends_clean), f"{text!r} leaves a combining mark behind"


words = st.text(alphabet=SPACED_LETTERS, min_size=1, max_size=10)
separators = st.sampled_from([" ", " ", " ", "\n", "  ", "\t", " \n", "\r\n", "\n\n"])


@st.composite
def spaced_texts(draw: st.DrawFn) -> str:
    """Words of spaced scripts joined by ordinary whitespace."""
    chosen = draw(st.lists(words, min_size=1, max_size=150))
    parts = []
    for word in chosen:
        parts += [word, draw(separators)]
    if draw(st.booleans()):
        parts.pop()  # no whitespace at the very end of the file
    return "".join(parts)


@settings(max_examples=60, deadline=None, report_multiple_bugs=False)
@given(
    source=spaced_texts(),
    low=st.integers(min_value=1, max_value=15),
    extra=st.integers(min_value=0, max_value=40),
)
def test_words_mode_returns_whole_words_within_the_length(source: str, low: int, extra: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        corpus = words_corpus(write_file(Path(directory), source), low, low + extra)
        for text in sample_texts(corpus, 100):
            if text is None:
                continue
            assert low <= len(text) <= low + extra, text
            assert_whole_words(text, source)


def test_words_mode_does_not_cut_the_last_word_of_a_file(tmp_path: Path) -> None:
    """Near the end of a file the window holds a single long word; it is not a no-space script."""
    source = "the quick brown fox jumps over the lazy dog\n" * 20 + "extraordinary\n"
    corpus = words_corpus(write_file(tmp_path, source), 1, 8)
    texts = [t for t in sample_texts(corpus, 3000) if t is not None]
    assert texts
    for text in texts:
        assert_whole_words(text, source)


def test_a_single_word_longer_than_the_maximum_is_not_cut(tmp_path: Path) -> None:
    """The smallest case of the one above: a Latin word is never cut to fit, there is just no text."""
    corpus = words_corpus(write_file(tmp_path, "extraordinary\n"), 1, 8)
    assert sample_texts(corpus, 50) == [None] * 50


def test_words_mode_does_not_cut_a_word_at_the_end_of_its_window(tmp_path: Path) -> None:
    """A long run of whitespace must not let a word cut off by the read window into the sample."""
    source = ("alpha" + " " * 300 + "betagammadelta ") * 50
    corpus = words_corpus(write_file(tmp_path, source), 1, 20)
    texts = [t for t in sample_texts(corpus, 2000) if t is not None]
    assert texts
    for text in texts:
        assert_whole_words(text, source)


def test_words_mode_on_the_bundled_english_corpus() -> None:
    source = (CORPUS_DIR / "en" / "daily.txt").read_text(encoding="utf-8")
    corpus = words_corpus(CORPUS_DIR / "en" / "daily.txt", 20, 40)
    texts = sample_texts(corpus, 400, seed=3)
    found = [t for t in texts if t is not None]
    assert len(found) > 0.6 * len(texts), "most draws give a text"
    for text in found:
        assert 20 <= len(text) <= 40
        assert_whole_words(text, source)
    assert len(set(found)) > 0.9 * len(found), "samples come from all over the file"


def test_words_mode_collapses_whitespace(tmp_path: Path) -> None:
    source = "one\t two  three\r\nfour\n\n\nfive \t six   seven\neight nine\t\tten\n" * 30
    corpus = words_corpus(write_file(tmp_path, source), 5, 30)
    found = [t for t in sample_texts(corpus, 300) if t is not None]
    assert found
    for text in found:
        assert not any(c in text for c in "\t\r\n"), repr(text)
        assert "  " not in text and text == text.strip(), repr(text)
        assert_whole_words(text, source)
    assert any(" " in t for t in found), "samples span several words"


def test_words_mode_gives_a_reason_when_no_text_fits(tmp_path: Path) -> None:
    """Words longer than the maximum cannot be taken whole, so there is no text, and a reason."""
    source = "responsibility accountability understanding " * 40
    corpus = words_corpus(write_file(tmp_path, source), 1, 10)
    rng = np.random.default_rng(0)
    for _ in range(100):
        draw = corpus.draw(rng)
        assert draw.text is None, draw.text
        assert draw.reason


@settings(max_examples=30, deadline=None, report_multiple_bugs=False)
@given(
    lines=st.lists(
        st.lists(
            st.tuples(st.sampled_from(CJK), st.sampled_from(["", "", "", *CJK_PUNCTUATION])), min_size=20, max_size=80
        ).map(lambda pairs: "".join(c + p for c, p in pairs)),
        min_size=1,
        max_size=30,
    ),
    low=st.integers(min_value=1, max_value=10),
    extra=st.integers(min_value=0, max_value=10),
)
def test_chinese_is_cut_at_characters(lines: list[str], low: int, extra: int) -> None:
    source = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as directory:
        corpus = words_corpus(write_file(Path(directory), source), low, low + extra)
        texts = sample_texts(corpus, 100)
    found = [t for t in texts if t is not None]
    # A one-character target misses wherever its character must keep the punctuation after it (2 in 5 here),
    # so about half the draws give text then: a third is the bar, with room for chance.
    assert len(found) >= len(texts) // 3, "a script without spaces still gives text"
    for text in found:
        assert low <= len(text) <= low + extra, text
        assert text in "".join(lines)


def test_chinese_bundled_corpus_gives_texts_of_many_lengths() -> None:
    source = ZH_SOURCE
    corpus = words_corpus(CORPUS_DIR / "zh" / "daily.txt", 5, 15)
    found = [t for t in sample_texts(corpus, 300, seed=5) if t is not None]
    assert len(found) > 150
    for text in found:
        assert 5 <= len(text) <= 15
        assert text in "".join(source.split())
    assert len({len(t) for t in found}) >= 8, "cut to the sampled length, not at line ends"


def test_chinese_with_long_paragraphs_gives_text(tmp_path: Path) -> None:
    """One paragraph per line is the usual layout of a Chinese corpus; a sample may start anywhere in it."""
    text_of_paragraphs = "".join(ZH_SOURCE.split())
    source = "\n".join(text_of_paragraphs[i : i + 1000] for i in range(0, len(text_of_paragraphs), 1000)) + "\n"
    corpus = words_corpus(write_file(tmp_path, source), 5, 15)
    texts = sample_texts(corpus, 300, seed=8)
    found = [t for t in texts if t is not None]
    assert len(found) > 0.8 * len(texts), f"only {len(found)} of {len(texts)} draws gave text"
    for text in found:
        assert 5 <= len(text) <= 15
        assert text in text_of_paragraphs


cjk_lines = st.text(alphabet=CLOSES_UP, min_size=1, max_size=30)
spaced_lines = st.lists(
    st.one_of(words, st.text(alphabet=THAI_CONSONANTS, min_size=1, max_size=8), st.sampled_from(["한국어", "문장"])),
    min_size=1,
    max_size=6,
).map(" ".join)
line_ends = st.sampled_from(["\n", "\r\n", "\n\n", " \n", "\n "])


@settings(max_examples=60, deadline=None, report_multiple_bugs=False)
@given(
    chosen=st.lists(st.tuples(st.one_of(cjk_lines, spaced_lines), line_ends), min_size=2, max_size=40),
    low=st.integers(min_value=1, max_value=10),
    extra=st.integers(min_value=0, max_value=20),
)
def test_words_mode_joins_lines_without_a_space_inside_chinese_or_japanese(
    chosen: list[tuple[str, str]], low: int, extra: int
) -> None:
    """A sample that spans a line break between two CJK characters has no space there ("美。小", not "美。 小");
    between lines of Latin, Thai or Korean, and between CJK and those, the break is one space."""
    source = "".join(line + end for line, end in chosen)
    with tempfile.TemporaryDirectory() as directory:
        corpus = words_corpus(write_file(Path(directory), source), low, low + extra)
        texts = [t for t in sample_texts(corpus, 60) if t is not None]
    reference = joined_lines([line for line, _ in chosen])
    for text in texts:
        assert text in reference, (text, reference)


def test_bundled_japanese_sentences_join_without_a_space() -> None:
    corpus = words_corpus(CORPUS_DIR / "ja" / "daily.txt", 10, 30)
    found = [t for t in sample_texts(corpus, 300, seed=2) if t is not None]
    assert len(found) > 150
    assert not [t for t in found if " " in t]
    assert [t for t in found if "。" in t[:-1]], "some samples span a line break"


thai_syllables = st.builds(
    lambda base, marks: base + marks,
    st.sampled_from(THAI_CONSONANTS),
    st.text(alphabet=THAI_MARKS, max_size=2),
)


# No shrinking here: a failure depends on where random offsets fall, which makes shrinking take minutes.
@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(
    lines=st.lists(st.lists(thai_syllables, min_size=15, max_size=60).map("".join), min_size=1, max_size=20),
    low=st.integers(min_value=1, max_value=8),
    extra=st.integers(min_value=0, max_value=12),
)
def test_thai_samples_never_start_or_end_inside_a_cluster(lines: list[str], low: int, extra: int) -> None:
    source = "\n".join(lines) + "\n"
    with tempfile.TemporaryDirectory() as directory:
        corpus = words_corpus(write_file(Path(directory), source), low, low + extra)
        texts = sample_texts(corpus, 100)
    for text in texts:
        if text is not None:
            assert low <= len(text) <= low + extra, text
            assert_not_split_from_marks(text, source)


def test_bundled_thai_corpus_never_starts_with_a_mark() -> None:
    source = (CORPUS_DIR / "th" / "daily.txt").read_text(encoding="utf-8")
    corpus = words_corpus(CORPUS_DIR / "th" / "daily.txt", 3, 20)
    found = [t for t in sample_texts(corpus, 500, seed=11) if t is not None]
    assert len(found) > 100
    for text in found:
        assert_not_split_from_marks(text, source)


line_text = st.text(alphabet=SPACED_LETTERS + "  ", min_size=0, max_size=60)


@settings(max_examples=60, deadline=None, report_multiple_bugs=False)
@given(
    lines=st.lists(line_text, min_size=1, max_size=25),
    final_newline=st.booleans(),
)
def test_lines_mode_returns_exactly_whole_lines(lines: list[str], final_newline: bool) -> None:
    source = "\n".join(lines) + ("\n" if final_newline else "")
    if not source.strip():
        return  # nothing to sample; an all-blank corpus is rejected elsewhere
    whole_lines = {collapse(line) for line in lines} - {""}
    with tempfile.TemporaryDirectory() as directory:
        corpus = Corpus([write_file(Path(directory), source)], "lines", Range(min=1, max=1000))
        rng = np.random.default_rng(0)
        for _ in range(25):
            draw = corpus.draw(rng)
            assert draw.text in whole_lines, (draw.text, draw.reason, whole_lines)
            assert set(draw.passed_over) <= {"empty_line", "line_not_kept"}


def test_lines_mode_reaches_every_line_and_filters_by_length(tmp_path: Path) -> None:
    lines = ["short", "a line of medium length", "x" * 50, "the very last line"]
    path = write_file(tmp_path, "\n".join(lines))
    all_lines = {t for t in sample_texts(Corpus([path], "lines", Range(min=1, max=100)), 400) if t}
    assert all_lines == set(lines), "every line, the first and the last included, can come out"
    rng = np.random.default_rng(1)
    bounded = Corpus([path], "lines", Range(min=10, max=30))
    passed_over: Counter[str] = Counter()
    for _ in range(200):
        draw = bounded.draw(rng)
        assert draw.text in ("a line of medium length", "the very last line")
        passed_over.update(draw.passed_over)
    assert set(passed_over) == {"line_length_out_of_range", "line_not_kept"}, "lines passed over are counted"


def test_lines_mode_without_a_fitting_line_says_so(tmp_path: Path) -> None:
    corpus = Corpus([write_file(tmp_path, "short\nlines\n\nonly\n")], "lines", Range(min=20, max=30))
    draw = corpus.draw(np.random.default_rng(0))
    assert draw.text is None and draw.reason == "no_fitting_line"
    assert sum(draw.passed_over.values()) == 1000


def test_lines_mode_draws_every_fitting_line_equally_often(tmp_path: Path) -> None:
    """Paragraph openers after blank lines, lines after long ones and the last line (no newline) alike.

    An offset lands in a line in proportion to its length, so without the evening-out the
    200-character line would come out 20 times as often as the others, and each line after a
    blank one would hardly ever come out.
    """
    fitting = ["first opener", "x" * 200, "after the long one", "second opener", "the end, no newline"]
    source = f"{fitting[0]}\n{fitting[1]}\n{fitting[2]}\n\n\n{fitting[3]}\n\n{fitting[4]}"
    corpus = Corpus([write_file(tmp_path, source)], "lines", Range(min=10, max=300))
    rng = np.random.default_rng(5)
    counts = Counter(draw.text for draw in (corpus.draw(rng) for _ in range(5000)) if draw.text is not None)
    assert set(counts) == set(fitting)
    expected = sum(counts.values()) / len(fitting)
    chi_square = sum((counts[line] - expected) ** 2 / expected for line in fitting)
    assert chi_square < 18.5, counts  # 4 degrees of freedom: a uniform draw exceeds 18.5 once in a thousand


def test_lines_mode_collapses_whitespace_inside_a_line(tmp_path: Path) -> None:
    path = write_file(tmp_path, "  one \t two  \r\nthree   four\r\n")
    texts = {t for t in sample_texts(Corpus([path], "lines", Range(min=1, max=100)), 100) if t}
    assert texts == {"one two", "three four"}


@pytest.mark.parametrize("mode", ["words", "lines"])
def test_invalid_utf8_names_the_file(tmp_path: Path, mode: str) -> None:
    path = write_file(tmp_path, b"good words here \xff\xfe bad\n" * 200, name="latin1.txt")
    corpus = Corpus([path], mode, Range(min=1, max=40))
    rng = np.random.default_rng(0)
    with pytest.raises(PlanningError) as caught:
        for _ in range(20):
            corpus.draw(rng)
    assert str(path) in str(caught.value)
    assert "UTF-8" in str(caught.value)


NOT_UTF8 = {
    "utf-16-le": "4B on the road again\n".encode("utf-16-le") * 300,
    "utf-16-be": "4B on the road again\n".encode("utf-16-be") * 300,
    "utf-16-cyrillic": "слова и снова слова\n".encode("utf-16-le") * 300,  # no byte >= 0x80
    "utf-16-bom": "4B on the road again, слова и 中文\n".encode("utf-16") * 300,
    "binary": bytes(range(256)) * 40,
    "zeros": bytes(10_000),
}


@pytest.mark.parametrize("encoding", sorted(NOT_UTF8))
@pytest.mark.parametrize("mode", ["words", "lines"])
def test_utf16_and_binary_corpora_are_refused(tmp_path: Path, mode: str, encoding: str) -> None:
    """UTF-16 of ASCII decodes as UTF-8 with NULs between the letters; every draw must refuse it, naming the file."""
    path = write_file(tmp_path, NOT_UTF8[encoding], name=f"{encoding}.txt")
    corpus = Corpus([path], mode, Range(min=1, max=40))
    for seed in range(10):
        with pytest.raises(PlanningError) as caught:
            corpus.draw(np.random.default_rng(seed))
        assert str(path) in str(caught.value) and "UTF-8" in str(caught.value)


@pytest.mark.parametrize("encoding", sorted(NOT_UTF8))
def test_utf8_problem_finds_utf16_and_binary(tmp_path: Path, encoding: str) -> None:
    path = write_file(tmp_path, NOT_UTF8[encoding], name=f"{encoding}.txt")
    problem = corpus_module.utf8_problem(path)
    assert problem is not None and str(path) in problem and "UTF-8" in problem


@settings(max_examples=30, deadline=None, report_multiple_bugs=False)
@given(
    chosen=st.lists(st.text(alphabet="aé€😀𝒜ж中", min_size=1, max_size=6), min_size=1, max_size=80),
)
def test_windows_that_start_or_end_inside_a_character_decode(chosen: list[str]) -> None:
    """Random offsets land inside 2-, 3- and 4-byte characters; valid UTF-8 must never be an error."""
    source = " ".join(chosen) + "\n"
    with tempfile.TemporaryDirectory() as directory:
        path = write_file(Path(directory), source)
        for mode, length in (("words", Range(min=1, max=30)), ("lines", Range(min=1, max=10_000))):
            for text in sample_texts(Corpus([path], mode, length), 100):
                if text is not None:
                    assert text in collapse(source)


def test_empty_files_are_skipped_and_all_empty_is_an_error(tmp_path: Path) -> None:
    empty = write_file(tmp_path, "", name="empty.txt")
    full = write_file(tmp_path, "just these words here\n", name="full.txt")
    texts = {t for t in sample_texts(Corpus([empty, full], "words", Range(min=1, max=30)), 50) if t}
    assert texts and all(t in "just these words here" for t in texts)
    with pytest.raises(PlanningError, match="empty"):
        Corpus([empty], "words", Range(min=1, max=10))


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ~50 MB corpus file, written in 1 MB blocks so the test itself stays small."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    line = "the quick brown fox jumps over the lazy dog and keeps running far away\n"
    block = (line * (2**20 // len(line))).encode("utf-8")
    with open(path, "wb") as handle:
        for _ in range(50):
            handle.write(block)
    return path


@pytest.mark.parametrize("mode", ["words", "lines"])
def test_memory_does_not_grow_with_the_corpus(big_corpus: Path, mode: str) -> None:
    assert big_corpus.stat().st_size > 45 * 2**20
    tracemalloc.start()
    try:
        corpus = Corpus([big_corpus], mode, Range(min=5, max=80))
        rng = np.random.default_rng(0)
        found = [corpus.draw(rng).text for _ in range(200)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(t is not None for t in found) > 100
    assert peak < 2**20, f"peak {peak} bytes while sampling a 50 MB corpus"


@pytest.fixture
def read_sizes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Every read size the corpus asks for while the test runs (it reads with os.pread)."""
    sizes: list[int] = []
    pread = os.pread

    def spy_pread(descriptor: int, size: int, offset: int) -> bytes:
        sizes.append(size)
        return pread(descriptor, size, offset)

    monkeypatch.setattr(os, "pread", spy_pread)
    yield sizes


@pytest.mark.parametrize("mode", ["words", "lines"])
def test_every_read_is_a_small_bounded_window(big_corpus: Path, read_sizes: list[int], mode: str) -> None:
    corpus = Corpus([big_corpus], mode, Range(min=5, max=80))
    rng = np.random.default_rng(1)
    for _ in range(50):
        corpus.draw(rng)
    assert read_sizes, "the corpus is read through os.pread"
    assert all(0 < size <= 2**16 for size in read_sizes), sorted(set(read_sizes))


def test_thai_cut_never_ends_on_a_preposed_vowel(tmp_path: Path) -> None:
    """เ แ โ ใ ไ are written before their consonant: a cut right after one would strand it."""
    source = "เมื่อวานแม่ไปตลาดและโรงเรียนใกล้บ้านเปิดใหม่" * 20
    corpus = words_corpus(write_file(tmp_path, source + "\n"), 3, 12)
    texts = [t for t in sample_texts(corpus, 300) if t]
    assert texts
    assert not [t for t in texts if t[-1] in "เแโใไ"], [t for t in texts if t[-1] in "เแโใไ"][:5]


@pytest.mark.parametrize(
    ("before", "after", "closes"),
    [
        ("想象中还要美。", "小区", True),
        ("した。", "この本", True),
        ("通知：“本店周一停业。”", "他用了", True),  # curly quotes go by the character beyond them
        ("ｶﾀｶﾅ", "「全角」", True),
        ("เช้านี้ฝนตกหนักมาก", "แม่ของฉัน", False),  # Thai puts a space between sentences
        ("한국어", "문장", False),
        ("in English.", "中文", False),
        ("中文", "English", False),
    ],
)
def test_which_line_breaks_close_up(before: str, after: str, closes: bool) -> None:
    assert closes_up(before, after) is closes


# Thai sentences cut into their words by hand (a compound into its parts): Thai writes no spaces between words.
THAI_SENTENCES = [
    ["แม่", "ของ", "ฉัน", "ชอบ", "ปลูก", "ต้น", "ไม้", "ไว้", "ที่", "ระเบียง", "และ", "รด", "น้ำ", "ทุก", "เช้า"],
    ["นัก", "เรียน", "ทุก", "คน", "ต้อง", "ส่ง", "การ", "บ้าน", "ภาย", "ใน", "วัน", "ศุกร์", "นี้"],
    ["อาหาร", "จาน", "นี้", "เผ็ด", "มาก"],
    ["แต่", "ทุก", "คน", "ก็", "ยัง", "กิน", "จน", "หมด"],
]


@pytest.mark.parametrize(("low", "high"), [(3, 12), (8, 25)])
def test_thai_samples_start_and_end_between_words(tmp_path: Path, low: int, high: int) -> None:
    """A Thai sample is whole words, as a Latin one is: it starts where a word starts and ends where one ends."""
    order = [THAI_SENTENCES[k % 4] for k in (0, 1, 2, 3, 1, 3, 0, 2, 2, 0, 3, 1)] * 3
    source = "\n".join("".join(words) for words in order) + "\n"
    reference, junctions = "", set()
    for words in order:
        reference += " " if reference else ""
        for word in words:
            junctions.add(len(reference))
            reference += word
        junctions.add(len(reference))
    corpus = words_corpus(write_file(tmp_path, source), low, high)
    found = [t for t in sample_texts(corpus, 400, seed=4) if t is not None]
    assert len(found) > 100
    for text in found:
        places = [i for i in range(len(reference)) if reference.startswith(text, i)]
        assert any(i in junctions and i + len(text) in junctions for i in places), text


def _open_in(directory: Path) -> int:
    """How many of this process's descriptors are open on files in `directory`."""
    links = []
    for entry in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the listing's own descriptor is gone by now
            links.append(os.readlink(f"/proc/self/fd/{entry}"))
    return sum(link.startswith(f"{directory}/") for link in links)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="counts descriptors in /proc")
@pytest.mark.parametrize("mode", ["words", "lines"])
def test_corpus_files_stay_open_a_few_at_a_time_and_close_with_the_corpus(tmp_path: Path, mode: str) -> None:
    files = []
    for n in range(20):
        files.append(tmp_path / f"part{n:02d}.txt")
        files[-1].write_text(f"line {n} of the corpus with some words\n" * 50, encoding="utf-8")
    corpus = Corpus(files, mode, Range(min=5, max=60))
    rng = np.random.default_rng(3)
    most = 0
    for _ in range(300):
        corpus.draw(rng)
        most = max(most, _open_in(tmp_path))
    assert most == 8, "the 8 files read last stay open between draws, no more"
    del corpus
    gc.collect()
    assert _open_in(tmp_path) == 0


def test_a_pickled_corpus_opens_its_own_files(tmp_path: Path) -> None:
    path = write_file(tmp_path, "some words to draw from again and again\n" * 20)
    corpus = Corpus([path], "words", Range(min=5, max=30))
    rng = np.random.default_rng(0)
    texts = [corpus.draw(rng).text for _ in range(5)]
    copy = pickle.loads(pickle.dumps(corpus))
    del corpus
    gc.collect()  # the original's descriptors are closed now
    rng = np.random.default_rng(0)
    assert [copy.draw(rng).text for _ in range(5)] == texts
