"""The downstream bench's scoring: edit distance and CER as the field computes them."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from ocr_scores import cer_interval, confusions, edit_distance, score

TEXT = st.text(alphabet="abc ", max_size=12)


def test_edit_distance_counts_each_kind_of_edit() -> None:
    assert edit_distance("kitten", "sitting") == 3  # two substitutions and an insertion
    assert edit_distance("", "abc") == 3
    assert edit_distance("abc", "") == 3
    assert edit_distance("abc", "abc") == 0
    assert edit_distance("abcd", "acd") == 1


@given(TEXT, TEXT)
def test_edit_distance_is_a_bounded_symmetric_distance(a: str, b: str) -> None:
    distance = edit_distance(a, b)
    assert distance == edit_distance(b, a)
    assert abs(len(a) - len(b)) <= distance <= max(len(a), len(b))
    assert (distance == 0) == (a == b)


@given(TEXT, TEXT, TEXT)
def test_edit_distance_obeys_the_triangle_inequality(a: str, b: str, c: str) -> None:
    assert edit_distance(a, c) <= edit_distance(a, b) + edit_distance(b, c)


def test_cer_sums_errors_over_all_characters_rather_than_averaging_lines() -> None:
    scores = score([("ab", "abcd"), ("x", "y"), ("long line", "long line")])
    assert scores.errors == 2 + 1 + 0
    assert scores.characters == 4 + 1 + 9
    assert scores.cer == 3 / 14
    assert scores.line_accuracy == 1 / 3


def test_no_lines_score_zero_not_a_division_error() -> None:
    assert score([]).cer == 0.0
    assert score([]).line_accuracy == 0.0


def test_confusions_name_each_mistake_and_count_repeats() -> None:
    counts = confusions([("Termss", "Terms:"), ("a-b", "a.b"), ("ab", "abc"), ("xab", "ab"), ("Termss", "Terms:")])
    assert counts == {(":", "s"): 2, (".", "-"): 1, ("c", ""): 1, ("", "x"): 1}


@given(TEXT, TEXT)
def test_confusions_account_for_every_difference(predicted: str, truth: str) -> None:
    counts = confusions([(predicted, truth)])
    assert (not counts) == (predicted == truth)
    assert sum(max(len(t), len(p)) * n for (t, p), n in counts.items()) >= edit_distance(predicted, truth)


@given(st.lists(st.tuples(TEXT, TEXT.filter(bool)), min_size=1, max_size=20))
def test_the_cer_range_holds_the_cer_and_stays_within_what_lines_can_give(pairs: list[tuple[str, str]]) -> None:
    low, high = cer_interval(pairs, rounds=300)
    rates = [edit_distance(p, t) / len(t) for p, t in pairs]
    assert min(rates) - 1e-9 <= low <= high <= max(rates) + 1e-9
    assert cer_interval(pairs, rounds=300) == (low, high)


def test_the_cer_range_narrows_with_more_lines_of_the_same_kind() -> None:
    few = [("abxd", "abcd"), ("abcd", "abcd")] * 5
    many = few * 20
    assert cer_interval(few)[0] < cer_interval(many)[0] < 0.125 < cer_interval(many)[1] < cer_interval(few)[1]
    assert cer_interval([("abcd", "abcd")] * 10) == (0.0, 0.0)
