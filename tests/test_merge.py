"""`ocrgen merge`: three render shards merged give what one unsharded render writes."""

from __future__ import annotations

from pathlib import Path

import datasets
import lmdb
import pytest
from click.testing import CliRunner, Result

from ocrgen.cli import main
from ocrgen.plugins import load_target
from ocrgen.writers.registry import MERGERS, WRITERS
from tests.test_resume import make_plan


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_plan(_cli, tmp_path_factory.mktemp("merge"), 7)


def _render(plan: Path, writer: str, whole: Path, sharded: Path) -> None:
    """`whole` unsharded, `sharded` in three shards (uneven: 7 records) then merged."""
    assert _cli("render", plan, "--output-dir", whole, "--workers", "1", "--writer", writer).exit_code == 0
    for k in range(3):
        args = ("--output-dir", sharded, "--workers", "1", "--writer", writer, "--shard", f"{k}/3")
        assert _cli("render", plan, *args).exit_code == 0
    result = _cli("merge", sharded, "--writer", writer)
    assert result.exit_code == 0, result.output


def _lmdb(path: Path) -> dict[bytes, bytes]:
    env = lmdb.open(str(path), readonly=True, lock=False, readahead=False, meminit=False)
    with env.begin() as txn:
        items = dict(txn.cursor())
    env.close()
    return items


def test_lmdb_merge_matches_unsharded(tmp_path: Path, plan: Path) -> None:
    _render(plan, "lmdb", tmp_path / "whole", tmp_path / "sharded")
    merged, whole = _lmdb(tmp_path / "sharded" / "lmdb"), _lmdb(tmp_path / "whole" / "lmdb")
    assert merged == whole and whole[b"num-samples"] == b"7"
    assert (tmp_path / "sharded" / "lmdb.shard-00002-of-00003").is_dir()


def test_paddleocr_merge_matches_unsharded(tmp_path: Path, plan: Path) -> None:
    _render(plan, "paddleocr", tmp_path / "whole", tmp_path / "sharded")
    for name in ("rec_gt.txt", "det_gt.txt"):
        merged = (tmp_path / "sharded" / "paddleocr" / name).read_bytes()
        assert merged == (tmp_path / "whole" / "paddleocr" / name).read_bytes()
        assert merged.count(b"\n") >= 7


def test_hf_merge_loads_like_unsharded(tmp_path: Path, plan: Path) -> None:
    _render(plan, "hf", tmp_path / "whole", tmp_path / "sharded")

    def load(folder: Path) -> datasets.Dataset:
        return datasets.load_dataset("imagefolder", data_dir=str(folder), split="train", cache_dir=str(tmp_path / "c"))

    merged, whole = load(tmp_path / "sharded" / "hf"), load(tmp_path / "whole" / "hf")
    assert len(whole) == 7 and merged["text"] == whole["text"]
    assert [row["image"].tobytes() for row in merged] == [row["image"].tobytes() for row in whole]
    assert (tmp_path / "sharded" / "hf.shard-00000-of-00003" / "metadata.jsonl").is_file()


def test_missing_shard_exits_2_naming_it(tmp_path: Path, plan: Path) -> None:
    for k in (0, 2):
        args = ("--output-dir", tmp_path, "--workers", "1", "--writer", "lmdb", "--shard", f"{k}/3")
        assert _cli("render", plan, *args).exit_code == 0
    result = CliRunner().invoke(main, ["merge", str(tmp_path), "--writer", "lmdb"])
    assert result.exit_code == 2
    assert "shard 1/3 is missing" in result.output and "lmdb.shard-00001-of-00003" in result.output
    assert not (tmp_path / "lmdb").exists()


def test_merge_offers_every_registered_merger_and_each_loads() -> None:
    """`merge --writer` takes its choices from the registry, and each names a writer and a function that exists."""
    result = CliRunner().invoke(main, ["merge", "--help"])
    for name in MERGERS:
        assert name in WRITERS
        assert callable(load_target(MERGERS[name]))
    assert "[" + "|".join(sorted(MERGERS)) + "]" in result.output.replace("\n", "").replace(" ", "")
