"""--io-workers, --chunk-size and --io-batch-size change how files get written, never what is written."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ocrgen.renderer.output import EncodedSample
from tests.test_resume import make_plan, outputs

Cli = Callable[..., Result]


def test_outputs_identical_whatever_the_workers(cli: Cli, tmp_path: Path) -> None:
    plan = make_plan(cli, tmp_path, 40)
    runs = {
        "serial": ["--workers", "1", "--io-workers", "1", "--chunk-size", "1"],
        "inline": ["--workers", "1", "--io-workers", "0", "--chunk-size", "3"],
        "two": ["--workers", "2"],
        "two_io3": ["--workers", "2", "--io-workers", "3", "--chunk-size", "5"],
        "serial_io3": ["--workers", "1", "--io-workers", "3", "--chunk-size", "64"],
        "batches_of_one": ["--workers", "2", "--io-batch-size", "1"],
        "batches_of_7": ["--workers", "2", "--io-batch-size", "7", "--chunk-size", "14"],
    }
    results = {}
    for name, options in runs.items():
        result = cli("render", plan, "--output-dir", tmp_path / name, *options)
        assert result.exit_code == 0, result.output
        results[name] = outputs(tmp_path / name)
    assert len(results["serial"]) == 80
    for name, files in results.items():
        assert files == results["serial"], name


@pytest.mark.parametrize(("option", "value"), [("--io-workers", "-1"), ("--chunk-size", "0"), ("--io-batch-size", "0")])
def test_out_of_range_is_refused(cli: Cli, tmp_path: Path, option: str, value: str) -> None:
    plan = make_plan(cli, tmp_path, 2)
    result = cli("render", plan, "--output-dir", tmp_path / "out", option, value)
    assert result.exit_code == 2 and option in result.output


@pytest.mark.parametrize("io_workers", ["0", "2"])
def test_failed_write_is_retried_then_logged(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, io_workers: str
) -> None:
    """A write that fails once is written again; one that fails twice is a failed record, not a lost one."""
    plan = make_plan(cli, tmp_path, 4)
    calls: Counter[str] = Counter()
    real = EncodedSample.write

    def flaky(self: EncodedSample) -> None:
        calls[self.label_path.name] += 1
        if self.label_path.name == "image_00000003.json" or calls[self.label_path.name] == 1:
            raise OSError(28, "No space left on device")
        real(self)

    monkeypatch.setattr(EncodedSample, "write", flaky)
    out = tmp_path / "out"
    result = cli("render", plan, "--output-dir", out, "--workers", "1", "--io-workers", io_workers)
    assert result.exit_code == 1
    assert "Rendered 3 images" in result.output and "OSError: 1" in result.output
    assert "No space left" in (out / "failures.jsonl").read_text()
