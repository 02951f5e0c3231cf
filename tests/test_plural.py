"""Counts in what the CLI prints: "1 image", "2 images", never "1 images"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from click.testing import Result
from hypothesis import given
from hypothesis import strategies as st

from ocrgen.plural import counted
from tests.test_resume import make_plan

Cli = Callable[..., Result]


@given(count=st.integers(0, 10**7), noun=st.sampled_from(["image", "record", "Dask task"]))
def test_counted(count: int, noun: str) -> None:
    assert counted(count, noun) == (f"1 {noun}" if count == 1 else f"{count} {noun}s")
    assert counted(count, "process", "processes").endswith("process" if count == 1 else "processes")


def test_one_of_everything_is_singular(cli: Cli, tmp_path: Path) -> None:
    """A one-image plan through every command that counts."""
    plan = make_plan(cli, tmp_path, 1)
    config = tmp_path / "batch.yaml"
    messages = [
        cli("validate", "--batch-config", config).output,
        cli("plan", "--batch-config", config, "-o", tmp_path / "again.jsonl").output,
        cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1").output,
        cli("generate", "--batch-config", config, "--output-dir", tmp_path / "gen", "--generation-workers", "1").output,
        cli("preview", plan, "-o", tmp_path / "sheet.png", "--count", "1").output,
    ]
    for shard in ("0/2", "1/2"):
        assert (
            cli("render", plan, "--output-dir", tmp_path / "lmdb", "--writer", "lmdb", "--shard", shard).exit_code == 0
        )
    messages.append(cli("merge", tmp_path / "lmdb", "--writer", "lmdb").output)
    text = "".join(messages)
    for phrase in (
        "1 image from",
        "Planned 1 image into",
        "Rendered 1 image into",
        "Wrote 1 record to",
        "Merged 1 record",
    ):
        assert phrase in text, text
    assert "1 images" not in text and "1 records" not in text and "1 specifications" not in text, text
