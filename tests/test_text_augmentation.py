"""Text augmentation (issue #12, part 3): case changes, character substitution and random text, at plan time."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from ocrgen.errors import ConfigError
from ocrgen.planner import AssetDirs, iter_plan, validate
from ocrgen.planner.text_augmentation import augment_text
from ocrgen.planner.validation import load_config
from ocrgen.schemas.config import TextAugmentation

CHARSET = "0123456789()[]%$#&"
texts = st.text(st.characters(codec="ascii", categories=["L", "N", "P", "Zs"]), min_size=1, max_size=60)
seeds = st.integers(0, 2**32 - 1)


def augmentation(**changes: object) -> TextAugmentation:
    return TextAugmentation.model_validate(changes)


@given(texts, seeds, st.floats(0, 1))
def test_substitution_keeps_length_and_spaces_and_draws_from_the_charset(text: str, seed: int, rate: float) -> None:
    config = augmentation(substitute={"p": 1, "rate": rate, "charset": CHARSET})
    out = augment_text(text, config, np.random.default_rng(seed))
    assert len(out) == len(text)
    changed = [(a, b) for a, b in zip(text, out, strict=True) if a != b]
    assert all(b in CHARSET and not a.isspace() for a, b in changed)
    non_space = sum(not c.isspace() for c in text)
    assert len(changed) <= round(rate * non_space)


def test_substitution_at_rate_one_replaces_every_visible_character() -> None:
    config = augmentation(substitute={"p": 1, "rate": 1, "charset": "#"})
    assert augment_text("ab cd", config, np.random.default_rng(0)) == "## ##"


@pytest.mark.parametrize(
    ("change", "expected"),
    [("upper", "DON'T STOP  NOW"), ("lower", "don't stop  now"), ("title", "Don't Stop  Now")],
)
def test_case_changes_keep_spacing_and_apostrophes(change: str, expected: str) -> None:
    config = augmentation(case={"p": 1, change: 1})
    assert augment_text("don't sTOP  now", config, np.random.default_rng(0)) == expected


@given(seeds, st.integers(1, 80), st.text(min_size=1, max_size=8).filter(lambda s: not s.isspace()))
def test_random_text_draws_from_the_charset_with_single_inner_spaces(seed: int, length: int, charset: str) -> None:
    config = augmentation(random_text={"p": 1, "length": length, "charset": charset + " "})
    out = augment_text("corpus words", config, np.random.default_rng(seed))
    assert out and out == out.strip() and "  " not in out
    assert set(out) <= set(charset + " ")
    assert len(out) <= length


@given(texts, seeds)
def test_the_same_generator_state_gives_the_same_text(text: str, seed: int) -> None:
    config = augmentation(
        case={"p": 0.5, "upper": 1, "title": 1},
        substitute={"p": 0.5, "rate": {"min": 0, "max": 0.3}, "charset": CHARSET},
        random_text={"p": 0.2, "length": {"min": 1, "max": 10}, "charset": CHARSET},
    )
    first = augment_text(text, config, np.random.default_rng(seed))
    assert augment_text(text, config, np.random.default_rng(seed)) == first


@given(texts, seeds, st.floats(0, 1))
def test_punctuation_marks_only_plain_words_once_each(text: str, seed: int, rate: float) -> None:
    config = augmentation(punctuate={"p": 1, "rate": rate, "after": ":;", "around": ["()", "<>"]})
    out = augment_text(text, config, np.random.default_rng(seed))
    before, after = text.split(" "), out.split(" ")
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert all(a.isalnum() and (b in (a + ":", a + ";", f"({a})", f"<{a}>")) for a, b in changed), changed
    assert len(changed) == min(sum(w.isalnum() for w in before), round(rate * sum(w.isalnum() for w in before)))


def test_punctuation_draws_every_mark() -> None:
    config = augmentation(punctuate={"p": 1, "rate": 1})
    rng = np.random.default_rng(5)
    outs = {augment_text("word", config, rng) for _ in range(300)}
    assert outs == {"word" + m for m in ":;,.!?"} | {"(word)", "[word]", '"word"'}


@given(texts, seeds, st.integers(4, 9))
def test_hyphenation_breaks_only_a_long_final_word_and_keeps_two_letters_each_side(
    text: str, seed: int, min_letters: int
) -> None:
    config = augmentation(hyphenate={"p": 1, "min_letters": min_letters})
    out = augment_text(text, config, np.random.default_rng(seed))
    word = len(text) - len(text.rstrip("".join(c for c in set(text) if c.isalpha())))
    if word < min_letters or not text[: len(text) - word].strip():
        assert out == text
        return
    kept = out.removesuffix("-")
    assert out.endswith("-") and text.startswith(kept)
    assert 2 <= len(kept) - (len(text) - word) <= word - 2


def test_hyphenation_breaks_words_at_every_allowed_place() -> None:
    config = augmentation(hyphenate={"p": 1})
    rng = np.random.default_rng(3)
    assert {augment_text("in the paper", config, rng) for _ in range(200)} == {"in the pa-", "in the pap-"}
    assert augment_text("ends a sentence.", config, rng) == "ends a sentence."
    assert augment_text("  alone", config, rng) == "  alone"


def test_a_chance_of_zero_leaves_the_text_alone() -> None:
    config = augmentation(
        case={"p": 0, "upper": 1},
        substitute={"p": 0, "rate": 1, "charset": CHARSET},
        random_text={"p": 0, "length": 5, "charset": CHARSET},
        hyphenate={"p": 0},
        punctuate={"p": 0, "rate": 1},
    )
    assert augment_text("Left alone", config, np.random.default_rng(1)) == "Left alone"


SPEC = """\
total_images: 40
seed: 3
specifications:
  - name: augmented
    proportion: 1.0
    corpus: ["en/*.txt"]
    text_length: {{min: 10, max: 30}}
{extra}"""


def test_plans_hold_the_augmented_text_and_fonts_cover_it(write_config: Callable[[str], Path]) -> None:
    plain = [r.text for r in iter_plan(load_config(write_config(SPEC.format(extra=""))), AssetDirs())]
    augmented = write_config(SPEC.format(extra="    text_augmentation:\n      case: {p: 1, upper: 1}\n"))
    upper = [r.text for r in iter_plan(load_config(augmented), AssetDirs())]
    assert upper != plain
    assert all(text == text.upper() for text in upper)
    digits = write_config(
        SPEC.format(extra="    text_augmentation:\n      substitute: {p: 1, rate: 0.5, charset: '0123456789'}\n")
    )
    texts = [r.text for r in iter_plan(load_config(digits), AssetDirs())]
    assert sum(c.isdigit() for t in texts for c in t) > sum(c.isdigit() for t in plain for c in t) + 100


@pytest.mark.parametrize(
    ("extra", "says"),
    [
        ("substitute: {p: 1, rate: 0.1, charset: 'a b'}", "holds whitespace"),
        ("random_text: {p: 1, length: 5, charset: '  '}", "holds only whitespace"),
        ("case: {p: 1}", "give `upper`, `lower` or `title`"),
        ("substitute: {p: 1, rate: 2, charset: 'x'}", "rate"),
        ("hyphenate: {p: 1, min_letters: 3}", "min_letters"),
        ("punctuate: {p: 1, rate: 0.1, after: '', around: []}", "at least one mark"),
        ("punctuate: {p: 1, rate: 0.1, around: ['( ']}", "whitespace"),
        ("punctuate: {p: 1, rate: 0.1, around: ['(']}", "around"),
    ],
)
def test_bad_augmentation_is_a_config_error_naming_the_key(
    write_config: Callable[[str], Path], extra: str, says: str
) -> None:
    path = write_config(SPEC.format(extra=f"    text_augmentation:\n      {extra}\n"))
    with pytest.raises(ConfigError) as caught:
        validate(path, AssetDirs())
    problems = " ".join(caught.value.problems)
    assert "text_augmentation" in problems and says in problems


def test_the_model_refuses_unknown_keys() -> None:
    with pytest.raises(ValidationError):
        augmentation(shuffle={"p": 1})
