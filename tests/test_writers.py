"""Writers: files (flat or in sub-directories), LMDB and WebDataset, each read back by its real consumer."""

from __future__ import annotations

import io
from pathlib import Path

import lmdb
import numpy as np
import orjson
import pytest
import webdataset
from click.testing import CliRunner, Result
from PIL import Image

from ocrgen.cli import main
from tests.test_resume import Cli, make_plan


def _files(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("image_*")}


def _texts(plan: Path) -> dict[int, str]:
    return {r["index"]: r["text"] for r in map(orjson.loads, plan.read_bytes().splitlines())}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A plan rendered once by the default path, to compare every writer against."""
    tmp = tmp_path_factory.mktemp("writers")

    def cli(*args: str | Path) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    plan = make_plan(cli, tmp, 12)
    out = tmp / "default"
    assert cli("render", plan, "--output-dir", out, "--workers", "1").exit_code == 0
    return plan, out


def test_files_writer_is_the_default_byte_for_byte(cli: Cli, tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan, default = rendered
    out = tmp_path / "files"
    assert cli("render", plan, "--output-dir", out, "--workers", "2", "--writer", "files").exit_code == 0
    assert _files(out) == _files(default) and len(_files(out)) == 24


def test_subdirs_layout_and_resume(
    cli: Cli, tmp_path: Path, rendered: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ocrgen.writers.files.RECORDS_PER_SUBDIR", 5)
    plan, default = rendered
    out = tmp_path / "sub"
    assert cli("render", plan, "--output-dir", out, "--workers", "1", "--subdirs").exit_code == 0
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["00000", "00001", "00002"]
    assert {k.split("/")[1]: v for k, v in _files(out).items()} == _files(default)
    assert len(list((out / "00000").iterdir())) == 10
    (out / "00001" / "image_00000006.json").unlink()
    result = cli("render", plan, "--output-dir", out, "--workers", "1", "--subdirs", "--resume")
    assert "Rendered 1 image " in result.output and "(11 already done)" in result.output
    assert (out / "00001" / "image_00000006.json").read_bytes() == (default / "image_00000006.json").read_bytes()


def test_subdirs_only_for_files(cli: Cli, tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    result = cli("render", rendered[0], "--output-dir", tmp_path, "--writer", "lmdb", "--subdirs")
    assert result.exit_code == 2 and "--subdirs" in result.output


def _read_lmdb(path: Path) -> dict[bytes, bytes]:
    env = lmdb.open(str(path), readonly=True, lock=False, readahead=False, meminit=False)
    with env.begin(write=False) as txn:
        items = dict(txn.cursor())
    env.close()
    return items


def test_lmdb_reads_back_as_the_ocr_trainers_read_it(cli: Cli, tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan, default = rendered
    out = tmp_path / "lmdb-run"
    assert cli("render", plan, "--output-dir", out, "--workers", "2", "--writer", "lmdb").exit_code == 0
    items = _read_lmdb(out / "lmdb")
    assert int(items[b"num-samples"].decode("ascii")) == 12
    texts = _texts(plan)
    for number, index in enumerate(sorted(texts), start=1):
        image_bytes = items[b"image-%09d" % number]
        assert image_bytes == (default / f"image_{index:08d}.png").read_bytes()
        assert Image.open(io.BytesIO(image_bytes)).convert("RGB").size[0] > 0
        assert items[b"label-%09d" % number].decode("utf-8") == texts[index]
    assert not list(out.glob(".lmdb*"))
    again = tmp_path / "again"
    assert cli("render", plan, "--output-dir", again, "--workers", "1", "--writer", "lmdb").exit_code == 0
    assert _read_lmdb(again / "lmdb") == items
    assert cli("render", plan, "--output-dir", out, "--workers", "1", "--writer", "lmdb", "--resume").exit_code == 0
    assert _read_lmdb(out / "lmdb") == items


def test_lmdb_shards_do_not_collide(cli: Cli, tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan = rendered[0]
    for k in range(2):
        args = ("render", plan, "--output-dir", tmp_path, "--shard", f"{k}/2", "--workers", "1", "--writer", "lmdb")
        assert cli(*args).exit_code == 0
    counts = [int(_read_lmdb(tmp_path / f"lmdb.shard-0000{k}-of-00002")[b"num-samples"]) for k in range(2)]
    assert sum(counts) == 12 and all(counts)


def test_webdataset_reads_back_with_the_library(cli: Cli, tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan, default = rendered
    out = tmp_path / "wds"
    args = ("render", plan, "--output-dir", out, "--workers", "2", "--writer", "webdataset", "--samples-per-tar", "5")
    assert cli(*args).exit_code == 0
    tars = sorted((out / "webdataset").iterdir())
    assert [t.name for t in tars] == ["shard-000000.tar", "shard-000001.tar", "shard-000002.tar"]
    dataset = webdataset.WebDataset([str(t) for t in tars], shardshuffle=False).decode("rgb8")
    samples = list(dataset)
    texts = _texts(plan)
    assert [int(s["__key__"]) for s in samples] == sorted(texts)
    for sample in samples:
        index = int(sample["__key__"])
        expected = Image.open(default / f"image_{index:08d}.png").convert("RGB")
        assert sample["png"].shape == (expected.height, expected.width, 3)
        assert (sample["png"] == np.asarray(expected)).all()
        assert sample["txt"] == texts[index]
        assert sample["json"] == orjson.loads((default / f"image_{index:08d}.json").read_bytes())
    single = tmp_path / "single"
    args = (
        "render",
        plan,
        "--output-dir",
        single,
        "--workers",
        "1",
        "--writer",
        "webdataset",
        "--samples-per-tar",
        "5",
    )
    assert cli(*args).exit_code == 0
    assert _files_in(single / "webdataset") == _files_in(out / "webdataset")  # deterministic, byte for byte


def _files_in(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.iterdir()}


def test_webdataset_shards_do_not_collide(cli: Cli, tmp_path: Path, rendered: tuple[Path, Path]) -> None:
    plan = rendered[0]
    for k in range(2):
        args = ("render", plan, "--output-dir", tmp_path, "--shard", f"{k}/2", "--workers", "1", "--writer")
        assert cli(*args, "webdataset").exit_code == 0
    keys = [
        s["__key__"]
        for k in range(2)
        for s in webdataset.WebDataset(
            [str(t) for t in sorted((tmp_path / f"webdataset.shard-0000{k}-of-00002").glob("*.tar"))],
            shardshuffle=False,
        )
    ]
    assert sorted(keys) == [f"{i:08d}" for i in sorted(_texts(plan))]
    assert not list(tmp_path.rglob("*.tmp"))


def test_generate_with_writer(cli: Cli, tmp_path: Path, example_config: Path) -> None:
    out = tmp_path / "gen"
    result = cli("generate", "--batch-config", example_config, "--output-dir", out, "--writer", "lmdb")
    assert result.exit_code == 0, result.output
    assert int(_read_lmdb(out / "lmdb")[b"num-samples"]) == 100
    assert not list(out.glob("image_*"))
