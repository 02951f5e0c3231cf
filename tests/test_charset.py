"""A plan's characters for a recognizer's vocabulary (`ocrgen inspect --charset`), and their CTC classes; no torch."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest
from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from ocrgen.charset import Charset, plan_characters
from ocrgen.planner import AssetDirs, make_plan
from tests.wordplans import write_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plans.jsonl"
    make_plan(write_config(tmp_path, total_images=40, specifications=multiline()), AssetDirs(), path)
    return path


def multiline() -> list[dict[str, object]]:
    """Texts of two lines, so the line break between them is there to be left out."""
    return [{"name": "two_lines", "proportion": 1, "corpus": ["en/*.txt"], "text_length": {"min": 12, "max": 30},
             "lines": 2, "font_size": 16}]  # fmt: skip


def texts_of(plan: Path) -> list[str]:
    return [orjson.loads(line)["text"] for line in plan.read_bytes().splitlines()]


def test_inspect_charset_prints_each_character_once_in_code_point_order(plan: Path, cli: Callable[..., Result]) -> None:
    texts = texts_of(plan)
    assert any("\n" in text for text in texts)
    expected = sorted(set("".join(texts)) - {"\n"})
    plain = cli("inspect", plan, "--charset")
    assert plain.exit_code == 0 and plain.output == "".join(expected) + "\n"
    as_json = cli("inspect", plan, "--charset", "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.output) == expected
    assert expected[0] == " "  # the line starts with the space, as the help says
    assert "--charset" in cli("inspect", "--help").output


def test_from_plan_reads_what_inspect_prints(plan: Path) -> None:
    charset = Charset.from_plan(plan)
    assert charset.characters == plan_characters(plan)
    for text in texts_of(plan):
        line = text.replace("\n", "")
        assert charset.encode(line) == [charset.characters.index(c) + 1 for c in line]
    with pytest.raises(ValueError, match=r"'\\n' \(U\+000A\)"):
        charset.encode(next(text for text in texts_of(plan) if "\n" in text))


def test_a_bad_plan_line_is_named(plan: Path, cli: Callable[..., Result]) -> None:
    plan.write_bytes(plan.read_bytes() + b"{not json}\n")
    result = cli("inspect", plan, "--charset")
    assert result.exit_code == 2 and f"{plan}, line 41: not valid JSON" in result.output


@given(st.lists(st.integers(0, 5), max_size=30))
def test_decode_merges_repeats_then_drops_blanks(classes: list[int]) -> None:
    charset = Charset("abcde")
    expected, previous = "", 0
    for k in classes:
        if k not in (0, previous):
            expected += "abcde"[k - 1]
        previous = k
    assert charset.decode(classes) == expected


def test_a_charset_refuses_what_is_not_one_character_once() -> None:
    assert Charset("ab").num_classes == 3
    with pytest.raises(ValueError, match="'a' appear more than once"):
        Charset("aba")
    with pytest.raises(ValueError, match="single characters, not 'ab'"):
        Charset(["ab"])
    with pytest.raises(ValueError, match="choose 'error' or 'drop'"):
        Charset("ab", unknown="skip")  # type: ignore[arg-type]


def test_ocrgen_imports_no_torch_and_ocrgen_torch_says_how_to_get_it() -> None:
    core = "import sys, ocrgen, ocrgen.cli, ocrgen.charset, ocrgen.renderer.planindex; print('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", core], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"
    missing = "import sys; sys.modules['torch'] = None; import ocrgen.torch"
    done = subprocess.run([sys.executable, "-c", missing], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1] == (
        "ImportError: ocrgen.torch needs PyTorch; install it with: pip install 'ocrgen[torch]'"
    )
