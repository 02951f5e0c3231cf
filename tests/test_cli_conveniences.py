"""What a trdg user reaches for first: -n to set the count, progress while planning, help that names the default."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

Cli = Callable[..., Result]


@pytest.mark.parametrize("flag", ["-n", "--count"])
def test_plan_count_overrides_total_images(cli: Cli, tmp_path: Path, flag: str) -> None:
    result = cli("plan", flag, "7", "-o", tmp_path / "plans.jsonl")
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "plans.jsonl").read_bytes().splitlines()) == 7
    assert "Planned 7 images" in result.output


def test_generate_count(cli: Cli, tmp_path: Path) -> None:
    result = cli("generate", "--output-dir", tmp_path / "out", "-n", "3", "--generation-workers", "1")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "out").glob("image_*.png"))) == 3
    resumed = cli("generate", "--output-dir", tmp_path / "out", "-n", "3", "--generation-workers", "1", "--resume")
    assert resumed.exit_code == 0 and "changed since" not in resumed.output


@pytest.mark.parametrize("count", ["0", "-5", str(10**13)])
def test_count_out_of_range_is_a_usage_error(cli: Cli, tmp_path: Path, count: str) -> None:
    result = cli("plan", "-n", count, "-o", tmp_path / "plans.jsonl")
    assert result.exit_code == 2 and "--count" in result.output


def test_plan_reports_progress(cli: Cli, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Planning a large plan is no longer silent: the same progress lines as render, sized to the work."""
    with caplog.at_level(logging.INFO, logger="ocrgen"):
        assert cli("plan", "-n", "120", "-o", tmp_path / "plans.jsonl").exit_code == 0
    lines = [r.message for r in caplog.records if r.name == "ocrgen.renderer.progress"]
    assert lines and lines[-1].startswith("120/120 records (100%)")


@pytest.mark.parametrize("command", ["validate", "plan", "generate"])
def test_help_names_the_default_config(cli: Cli, command: str) -> None:
    text = " ".join(cli(command, "--help").output.split())
    assert "Default: the bundled quickstart" in text and "quickstart.yaml" in text


def test_python_m_ocrgen_is_the_ocrgen_command(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ocrgen", "validate"], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: ")
    usage = subprocess.run([sys.executable, "-m", "ocrgen", "--help"], capture_output=True, text=True, timeout=120)
    assert usage.stdout.startswith("Usage: ocrgen ")
