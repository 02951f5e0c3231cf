"""Tampered plan records are refused as plan-line errors (exit 2, file and line named), never acted on."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.errors import PlanFileError
from ocrgen.renderer.planfile import Shard, byte_range, shard_lines
from tests.test_cli import SMALL_CONFIG, assert_clean_failure

Cli = Callable[..., Result]


def _tamper(plan: Path, change: Callable[[dict[str, Any]], None]) -> None:
    lines = plan.read_bytes().splitlines(keepends=True)
    record = orjson.loads(lines[1])
    change(record)
    lines[1] = json.dumps(record).encode() + b"\n"  # the standard library writes ints past 64 bits
    plan.write_bytes(b"".join(lines))


def _font_path(path: str) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        record["font"]["asset"]["path"] = path

    return change


def _seed(value: object) -> Callable[[dict[str, Any]], None]:
    def change(record: dict[str, Any]) -> None:
        record["seed"] = value

    return change


def _styles(spans: Callable[[int], list[tuple[int, int]]], path: str | None = None) -> Callable[[dict[str, Any]], None]:
    """Style runs at `spans(len(text))`, in the record's own font, or in the file at `path`."""

    def change(record: dict[str, Any]) -> None:
        asset = dict(record["font"]["asset"], **({} if path is None else {"path": path}))
        runs = spans(len(record["text"]))
        record["styles"] = [{"start": start, "end": end, "asset": asset} for start, end in runs]

    return change


TAMPERINGS = {
    "parent_dirs": _font_path("../../../../etc/passwd"),
    "absolute": _font_path("/etc/passwd"),
    "empty_path": _font_path(""),
    "seed_1e40": _seed(1e40),
    "seed_2_64": _seed(2**64),
    "seed_negative": _seed(-1),
    "style_past_the_text": _styles(lambda length: [(0, length + 1)]),
    "styles_overlapping": _styles(lambda length: [(0, 2), (1, 3)]),
    "style_empty": _styles(lambda length: [(1, 1)]),
    "style_outside_the_root": _styles(lambda length: [(0, 1)], "../../../../etc/passwd"),
}


@pytest.fixture
def plan(cli: Cli, tmp_path: Path) -> Path:
    config = tmp_path / "small.yaml"
    config.write_text(SMALL_CONFIG, encoding="utf-8")
    plan = tmp_path / "plans.jsonl"
    assert cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    return plan


@pytest.mark.parametrize("command", ["render", "inspect", "preview"])
@pytest.mark.parametrize("name", sorted(TAMPERINGS))
def test_every_command_refuses_a_tampered_record(cli: Cli, plan: Path, tmp_path: Path, name: str, command: str) -> None:
    """Render, inspect and preview check a line alike: none accepts what another refuses."""
    _tamper(plan, TAMPERINGS[name])
    args = {
        "render": ["--output-dir", tmp_path / "out", "--workers", "1"],
        "inspect": [],
        "preview": ["-o", tmp_path / "sheet.png"],
    }[command]
    result = cli(command, plan, *args)
    assert_clean_failure(result, 2)
    assert str(plan) in result.output and "line 2" in result.output


def test_largest_seed_renders(cli: Cli, plan: Path, tmp_path: Path) -> None:
    _tamper(plan, _seed(2**64 - 1))
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert result.exit_code == 0, result.output


def _indices(plan: Path, change: Callable[[list[dict[str, Any]]], None]) -> None:
    records = [orjson.loads(line) for line in plan.read_bytes().splitlines()]
    change(records)
    plan.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))


def _repeat(records: list[dict[str, Any]]) -> None:
    records[2]["index"] = records[1]["index"]


def _swap(records: list[dict[str, Any]]) -> None:
    records[1], records[2] = records[2], records[1]


def _as_float(records: list[dict[str, Any]]) -> None:
    records[2]["index"] = float(records[1]["index"])  # pydantic takes 1.0 as 1


DISORDERS = {"repeated": _repeat, "swapped": _swap, "float": _as_float}


@pytest.mark.parametrize("command", ["render", "inspect", "preview"])
@pytest.mark.parametrize("name", sorted(DISORDERS))
def test_every_command_refuses_indices_that_do_not_increase(
    cli: Cli, plan: Path, tmp_path: Path, name: str, command: str
) -> None:
    """A repeated index used to overwrite the earlier record's outputs; now no command acts on such a plan."""
    _indices(plan, DISORDERS[name])
    out = tmp_path / "out"
    args = {"render": ["--output-dir", out, "--workers", "2"], "inspect": [], "preview": ["-o", tmp_path / "s.png"]}
    result = cli(command, plan, *args[command])
    assert_clean_failure(result, 2)
    assert f"{plan}, line 3: record index" in result.output
    assert not list(out.rglob("image_*")) and not (tmp_path / "s.png").exists()


def test_an_escaped_index_key_is_seen(cli: Cli, plan: Path, tmp_path: Path) -> None:
    """JSON may spell a key with escapes; the cheap reading of the index must not be fooled by it."""
    lines = plan.read_bytes().splitlines(keepends=True)
    first = orjson.loads(lines[0])["index"]
    assert lines[2].endswith(b"}\n")
    lines[2] = lines[2][:-2] + b',"\\u0069ndex":%d}\n' % first  # the same key twice: JSON readers keep the last
    plan.write_bytes(b"".join(lines))
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert_clean_failure(result, 2)
    assert f"line 3: record index {first} follows" in result.output


def test_a_shard_compares_its_first_record_with_the_one_before_it(cli: Cli, plan: Path, tmp_path: Path) -> None:
    """The record before a shard's byte range belongs to another shard, but a repeat across the boundary
    overwrites all the same: the shard after it refuses it."""
    first = next(shard_lines(plan, Shard(1, 2)))
    lines = plan.read_bytes().splitlines(keepends=True)
    number = next(n for n, _ in enumerate(lines) if sum(map(len, lines[:n])) == first.offset)

    def repeat(records: list[dict[str, Any]]) -> None:
        records[number]["index"] = records[number - 1]["index"]

    _indices(plan, repeat)
    text = plan.read_bytes()  # the same digits, so the same byte ranges: line `number` still starts shard 1
    assert _starts_in(text, number + 1, Shard(1, 2)) and not _starts_in(text, number, Shard(1, 2))
    out = tmp_path / "out"
    assert cli("render", plan, "--output-dir", out, "--workers", "1", "--shard", "0/2").exit_code == 0
    result = cli("render", plan, "--output-dir", out, "--workers", "1", "--shard", "1/2")
    assert_clean_failure(result, 2)
    assert f"line {number + 1}: record index" in result.output


@settings(max_examples=150, deadline=None)
@given(
    indices=st.lists(st.integers(0, 6), min_size=1, max_size=12),
    blanks=st.lists(st.booleans(), min_size=12, max_size=12),
    count=st.integers(1, 5),
)
def test_each_shard_refuses_exactly_the_lines_not_above_the_record_before(
    indices: list[int], blanks: list[bool], count: int
) -> None:
    """Whatever the byte ranges and blank lines: shard k refuses iff one of its lines is not above the
    non-blank line before it in the file, and names the first such line."""
    pairs = zip(indices, blanks[: len(indices)], strict=True)
    text = b"".join(b'{"index":%d}\n' % i + (b"\n" if blank else b"") for i, blank in pairs)
    with tempfile.TemporaryDirectory() as directory:
        plan = Path(directory) / "plans.jsonl"
        plan.write_bytes(text)
        numbers = [n + 1 for n, line in enumerate(text.splitlines()) if line]
        for k in range(count):
            owned = [n for n in range(len(indices)) if _starts_in(text, numbers[n], Shard(k, count))]
            bad = [numbers[n] for n in owned if n > 0 and indices[n] <= indices[n - 1]]
            if bad:
                with pytest.raises(PlanFileError) as caught:
                    list(shard_lines(plan, Shard(k, count)))
                assert caught.value.line == bad[0]
            else:
                assert len(list(shard_lines(plan, Shard(k, count)))) == len(owned)


def _starts_in(text: bytes, number: int, shard: Shard) -> bool:
    """Whether line `number` (from 1) of `text` starts in the shard's byte range."""
    start = sum(len(line) for line in text.splitlines(keepends=True)[: number - 1])
    low, high = byte_range(len(text), shard)
    return low <= start < high
