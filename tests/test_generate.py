"""`ocrgen generate`: the old tool's one-shot run, with its --resume and worker flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.conftest import ISSUE_EXAMPLE

Cli = Callable[..., Result]


def _outputs(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("image_*"))}


def test_generate_resume_fills_in_what_is_missing(
    cli: Cli, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    config = write_config(ISSUE_EXAMPLE.replace("total_images: 100", "total_images: 12"))
    out = tmp_path / "out"
    first = cli("generate", "--batch-config", config, "--output-dir", out, "--generation-workers", "1")
    assert first.exit_code == 0, first.output
    complete = _outputs(out)
    assert len(complete) == 24
    for name in ("image_00000003.png", "image_00000007.json", "image_00000011.json"):
        (out / name).unlink()

    again = cli(
        "generate", "--batch-config", config, "--output-dir", out, "--resume",
        "--generation-workers", "2", "--workers", "3", "--chunk-size", "4", "--io-batch-size", "2",
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    assert "Rendered 3 images" in again.output and "9 already done" in again.output
    assert _outputs(out) == complete


def test_generate_resume_warns_when_the_config_changed(
    cli: Cli, write_config: Callable[[str], Path], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    config = write_config(ISSUE_EXAMPLE.replace("total_images: 100", "total_images: 6"))
    assert cli("generate", "--batch-config", config, "--output-dir", out, "--generation-workers", "1").exit_code == 0
    plan = (out / "plans.jsonl").read_bytes()
    changed = write_config(ISSUE_EXAMPLE.replace("total_images: 100", "total_images: 6").replace("seed: 7", "seed: 8"))
    result = cli("generate", "--batch-config", changed, "--output-dir", out, "--resume", "--generation-workers", "1")
    assert result.exit_code == 0, result.output
    assert "changed since" in result.output
    assert (out / "plans.jsonl").read_bytes() == plan, "resume keeps the plan on disk"
    assert not list(out.glob(".plans.resume-check*"))
