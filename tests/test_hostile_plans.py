"""Tampered plan records are refused as plan-line errors (exit 2, file and line named), never acted on."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import Result

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


TAMPERINGS = {
    "parent_dirs": _font_path("../../../../etc/passwd"),
    "absolute": _font_path("/etc/passwd"),
    "empty_path": _font_path(""),
    "seed_1e40": _seed(1e40),
    "seed_2_64": _seed(2**64),
    "seed_negative": _seed(-1),
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
