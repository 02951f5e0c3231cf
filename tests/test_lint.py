"""The code stays ruff-clean, ruff-formatted and type-checked: part of the test command, so CI enforces it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "--no-cache", str(ROOT)],
        ["ruff", "format", "--check", "--no-cache", str(ROOT / "ocrgen"), str(ROOT / "tests"), str(ROOT / "bench")],
        ["mypy", "--no-incremental", str(ROOT / "ocrgen")],
    ],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_checker_finds_nothing(command: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
