"""The downstream bench's strings: printable ASCII runs of whole words, reproducible, held-out text kept apart."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import line_corpus
from line_corpus import MAX_LENGTH, Cutter, corpus_digest, cut_strings, paragraphs

PRINTABLE = {chr(code) for code in range(32, 127)}
# 60 fortunes whose words name their fortune, so every string tells which fortune it came from
PARAGRAPHS = [" ".join(f"f{i}w{j}" + ("," if j % 7 == 3 else "") for j in range(40)) for i in range(60)]


def test_fortune_files_become_one_line_of_printable_ascii_each() -> None:
    text = (
        "\u201cQuoted\u201d \u2014 it\u2019s   fine.\n\tSecond line.\n%\n"
        "   /\\_/\\\n  ( o.o )\n%\nCaf\u00e9 society\nplain words\n%\n"
    )
    assert paragraphs(text) == ['"Quoted" -- it\'s fine. Second line.', "plain words"]


def test_strings_are_printable_ascii_whole_words_within_the_lengths() -> None:
    strings = cut_strings(PARAGRAPHS, 400, 50, seed=3)
    words = {word for paragraph in PARAGRAPHS for word in paragraph.split()}
    for text in strings.train + strings.held_out:
        assert 1 <= len(text) <= MAX_LENGTH
        assert set(text) <= PRINTABLE - {"\\"}
        assert text == text.strip() and "  " not in text
        assert set(text.split()) <= words


def test_lengths_cover_short_and_long_strings() -> None:
    lengths = [len(text) for text in cut_strings(PARAGRAPHS, 2000, 0, seed=1).train]
    assert min(lengths) <= 10
    assert max(lengths) >= MAX_LENGTH - 8
    assert sum(length >= 20 for length in lengths) > len(lengths) / 2


def test_the_same_seed_gives_the_same_strings_and_longer_runs_extend_shorter_ones() -> None:
    small = cut_strings(PARAGRAPHS, 100, 20, seed=5)
    large = cut_strings(PARAGRAPHS, 300, 60, seed=5)
    assert small == cut_strings(PARAGRAPHS, 100, 20, seed=5)
    assert large.train[:100] == small.train
    assert large.held_out[:20] == small.held_out
    assert large.distractors == small.distractors  # the text around SynthTIGER's lines does not follow N
    assert cut_strings(PARAGRAPHS, 100, 20, seed=6).train != small.train


def test_held_out_strings_come_from_fortunes_never_used_for_training() -> None:
    strings = cut_strings(PARAGRAPHS, 500, 200, seed=2)

    def fortunes(texts: list[str]) -> set[str]:
        return {word.split("w")[0] for text in texts for word in text.split()}

    assert fortunes(strings.train).isdisjoint(fortunes(strings.held_out))
    assert fortunes(strings.distractors).isdisjoint(fortunes(strings.held_out))
    assert fortunes(strings.held_out)


def test_a_word_longer_than_any_string_never_starts_one() -> None:
    cutter = Cutter(["x" * (MAX_LENGTH + 1) + " short words here"])
    rng = random.Random(0)
    assert all(len(cutter.cut(rng)) <= MAX_LENGTH for _ in range(200))


@pytest.mark.parametrize("change", ["paragraph", "seed", "version"])
def test_the_corpus_digest_changes_with_what_decides_the_strings(change: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = corpus_digest(PARAGRAPHS, 0)
    if change == "paragraph":
        after = corpus_digest([*PARAGRAPHS[:-1], PARAGRAPHS[-1] + " more"], 0)
    elif change == "seed":
        after = corpus_digest(PARAGRAPHS, 1)
    else:
        monkeypatch.setattr(line_corpus, "VERSION", line_corpus.VERSION + 1)
        after = corpus_digest(PARAGRAPHS, 0)
    assert after != before
