"""`ocrgen merge` refuses a shard that is damaged or not what its checkpoint says, before it writes anything.

Each test damages shard 1 of 3 in a copy of a real sharded render, as issue #11 found them, and
expects exit 2 with one line naming that shard, and the output dir exactly as it was: no
merged container appears, an existing one is unchanged.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import lmdb
import orjson
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocrgen.cli import main
from tests.test_resume import make_plan
from tests.test_split_lines import FONTS, SPECS

WRITERS = ("lmdb", "hf", "paddleocr")
VICTIM = {  # shard 1/3's container, as the refusal names it
    "lmdb": "lmdb.shard-00001-of-00003",
    "hf": "hf.shard-00001-of-00003",
    "paddleocr": "paddleocr/det_gt.shard-00001-of-00003.txt",
}
CHECKPOINT = ".generation_checkpoint.shard-00001-of-00003.json"
MERGE = [sys.executable, "-c", "from ocrgen.cli import main; main()", "merge"]


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def _render(plan: Path, out: Path, writer: str, shards: range, *extra: str) -> None:
    for k in shards:
        args = ["--output-dir", str(out), "--workers", "1", "--writer", writer, "--shard", f"{k}/3", *extra]
        assert _cli("render", plan, *args).exit_code == 0


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Plan of 7 records rendered in three shards by each container writer, each into its own dir."""
    root = tmp_path_factory.mktemp("integrity")
    plan = make_plan(_cli, root / "plan", 7)
    for writer in WRITERS:
        _render(plan, root / writer, writer, range(3))
    return root


@pytest.fixture(scope="module")
def other_plan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Shard 1/3 of another plan (another seed), by each container writer."""
    root = tmp_path_factory.mktemp("other")
    plan = make_plan(_cli, root / "plan", 7, seed=8)
    for writer in WRITERS:
        _render(plan, root / writer, writer, range(1, 2))
    return root


def _copy(rendered: Path, directory: Path, writer: str, merged: bool) -> Path:
    out = directory / "out"
    shutil.copytree(rendered / writer, out)
    if merged:
        assert _cli("merge", out, "--writer", writer).exit_code == 0
    return out


def _snapshot(out: Path) -> dict[str, bytes]:
    """Every file under `out` but the run locks, which a merge takes (empty files, made once and kept)."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not p.name.startswith(".ocrgen")
    }


def _assert_refused(out: Path, writer: str, in_subprocess: bool = False) -> str:
    """Exit 2, one line naming shard 1/3, no traceback, and not a byte of the output dir changed."""
    before = _snapshot(out)
    if in_subprocess:  # a crash (SIGBUS) or a run without end must show as such, not take the test run down
        done = subprocess.run([*MERGE, str(out), "--writer", writer], capture_output=True, text=True, timeout=120)
        code, output = done.returncode, done.stdout + done.stderr
    else:
        result = CliRunner().invoke(main, ["merge", str(out), "--writer", writer])
        code, output = result.exit_code, result.output
    assert code == 2, output
    assert len(output.strip().splitlines()) == 1 and "Traceback" not in output, output
    assert "shard 1/3" in output and str(out / VICTIM[writer]) in output, output
    assert _snapshot(out) == before
    return output


def _lmdb_edit(shard: Path, put: dict[bytes, bytes], delete: tuple[bytes, ...] = ()) -> None:
    env = lmdb.open(str(shard), map_size=1 << 30)
    with env.begin(write=True) as txn:
        for key, value in put.items():
            txn.put(key, value)
        for key in delete:
            assert txn.delete(key)
    env.close()


@pytest.mark.parametrize("merged", [False, True])
@pytest.mark.parametrize("num_samples", [b"1000", b"-5", b"garbage\xff", b""])
def test_lmdb_num_samples_not_as_written(rendered: Path, tmp_path: Path, num_samples: bytes, merged: bool) -> None:
    out = _copy(rendered, tmp_path, "lmdb", merged)
    _lmdb_edit(out / VICTIM["lmdb"], {b"num-samples": num_samples})
    assert "num-samples" in _assert_refused(out, "lmdb")


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(num_samples=st.one_of(st.integers().map(lambda i: str(i).encode()), st.binary(min_size=1, max_size=30)))
def test_lmdb_any_other_num_samples_refused(rendered: Path, num_samples: bytes) -> None:
    written = orjson.loads((rendered / "lmdb" / CHECKPOINT).read_bytes())["rendered"]
    if num_samples == str(written).encode():
        return
    with tempfile.TemporaryDirectory() as directory:
        out = _copy(rendered, Path(directory), "lmdb", merged=False)
        _lmdb_edit(out / VICTIM["lmdb"], {b"num-samples": num_samples})
        _assert_refused(out, "lmdb")


def test_lmdb_huge_num_samples_refused_at_once(rendered: Path, tmp_path: Path) -> None:
    """99999999999 ran until killed, with a 7 GB temporary file."""
    out = _copy(rendered, tmp_path, "lmdb", merged=False)
    _lmdb_edit(out / VICTIM["lmdb"], {b"num-samples": b"99999999999"})
    assert "num-samples" in _assert_refused(out, "lmdb", in_subprocess=True)


@pytest.mark.parametrize(
    "cut",
    [lambda size: size // 2, lambda size: size - 4096, lambda size: 5000],
    ids=["half", "last page", "all but the meta pages"],
)
def test_lmdb_truncated_data_file_refused_not_crashed(
    rendered: Path, tmp_path: Path, cut: Callable[[int], int]
) -> None:
    out = _copy(rendered, tmp_path, "lmdb", merged=True)
    data = out / VICTIM["lmdb"] / "data.mdb"
    os.truncate(data, cut(data.stat().st_size))
    _assert_refused(out, "lmdb", in_subprocess=True)


@pytest.mark.parametrize(
    ("put", "delete"),
    [
        ({}, (b"image-000000001",)),
        ({b"label-000000099": b"x"}, (b"label-000000002",)),  # as many keys as there should be, one wrong
        ({b"image-000000099": b"x"}, ()),
    ],
)
def test_lmdb_keys_not_as_written(
    rendered: Path, tmp_path: Path, put: dict[bytes, bytes], delete: tuple[bytes, ...]
) -> None:
    out = _copy(rendered, tmp_path, "lmdb", merged=False)
    _lmdb_edit(out / VICTIM["lmdb"], put, delete)
    _assert_refused(out, "lmdb")


def _rewrite_lines(path: Path, change: Callable[[list[bytes]], list[bytes]]) -> None:
    path.write_bytes(b"".join(change(path.read_bytes().splitlines(keepends=True))))


def _hf_row(line: bytes, **fields: str) -> bytes:
    return orjson.dumps({**orjson.loads(line), **fields}) + b"\n"


HF_DAMAGE: dict[str, Callable[[list[bytes]], list[bytes]]] = {
    "garbage line": lambda lines: [b"\x00\xff not json\n", *lines[1:]],
    "not an object": lambda lines: [b"[1, 2]\n", *lines[1:]],
    "truncated": lambda lines: [*lines[:-1], lines[-1][: len(lines[-1]) // 2]],
    "row missing": lambda lines: lines[:-1],
    "duplicate name": lambda lines: [lines[0], _hf_row(lines[1], file_name=orjson.loads(lines[0])["file_name"])],
    "name outside the folder": lambda lines: [
        _hf_row(lines[0], file_name="../hf.shard-00000-of-00003/image_00000000.png"),
        *lines[1:],
    ],
}


@pytest.mark.parametrize("damage", HF_DAMAGE, ids=str)
def test_hf_metadata_damaged(rendered: Path, tmp_path: Path, damage: str) -> None:
    out = _copy(rendered, tmp_path, "hf", merged=damage == "duplicate name")
    _rewrite_lines(out / VICTIM["hf"] / "metadata.jsonl", HF_DAMAGE[damage])
    _assert_refused(out, "hf")


def test_hf_image_missing(rendered: Path, tmp_path: Path) -> None:
    out = _copy(rendered, tmp_path, "hf", merged=True)
    first = orjson.loads((out / VICTIM["hf"] / "metadata.jsonl").read_bytes().splitlines()[0])["file_name"]
    (out / VICTIM["hf"] / first).unlink()
    assert first in _assert_refused(out, "hf")


def test_hf_records_of_an_earlier_shard(rendered: Path, tmp_path: Path) -> None:
    """Shard 1 holding shard 0's records (as many as it should hold): merged, two images would take one name."""
    out = _copy(rendered, tmp_path, "hf", merged=True)
    first, victim = out / "hf.shard-00000-of-00003", out / VICTIM["hf"]
    count = len((victim / "metadata.jsonl").read_bytes().splitlines())
    rows = (first / "metadata.jsonl").read_bytes().splitlines(keepends=True)[:count]
    for row in rows:
        shutil.copy(first / orjson.loads(row)["file_name"], victim)
    (victim / "metadata.jsonl").write_bytes(b"".join(rows))
    assert "an earlier shard" in _assert_refused(out, "hf")


PADDLE_DAMAGE: dict[str, tuple[str, Callable[[list[bytes]], list[bytes]]]] = {
    "det garbage": ("det_gt", lambda lines: [b"\xff\xfe\x00garbage\n", *lines[1:]]),
    "det words not JSON": ("det_gt", lambda lines: [lines[0].split(b"\t")[0] + b"\t{oops\n", *lines[1:]]),
    "det truncated": ("det_gt", lambda lines: [*lines[:-1], lines[-1][:30]]),
    "det line missing": ("det_gt", lambda lines: lines[1:]),
    "det path outside": ("det_gt", lambda lines: [b"../../etc/passwd\t[]\n", *lines[1:]]),
    "rec without tab": ("rec_gt", lambda lines: [b"images/image_00000003.png text\n", *lines[1:]]),
    "rec of another record": ("rec_gt", lambda lines: [*lines, b"images/image_00000000.png\tnot this shard's\n"]),
}


@pytest.mark.parametrize("damage", PADDLE_DAMAGE, ids=str)
def test_paddleocr_labels_damaged(rendered: Path, tmp_path: Path, damage: str) -> None:
    out = _copy(rendered, tmp_path, "paddleocr", merged=damage.startswith("det"))
    stem, change = PADDLE_DAMAGE[damage]
    _rewrite_lines(out / "paddleocr" / f"{stem}.shard-00001-of-00003.txt", change)
    _assert_refused(out, "paddleocr")


def test_paddleocr_image_missing(rendered: Path, tmp_path: Path) -> None:
    out = _copy(rendered, tmp_path, "paddleocr", merged=True)
    first = (out / VICTIM["paddleocr"]).read_bytes().split(b"\t")[0].decode()
    (out / "paddleocr" / first).unlink()
    assert first in _assert_refused(out, "paddleocr")


def _edit_checkpoint(out: Path, **fields: object) -> None:
    path = out / CHECKPOINT
    path.write_bytes(orjson.dumps({**orjson.loads(path.read_bytes()), **fields}))


CHECKPOINT_DAMAGE: dict[str, Callable[[Path], object]] = {
    "unfinished": lambda out: _edit_checkpoint(out, finished=False),
    "missing": lambda out: (out / CHECKPOINT).unlink(),
    "garbage": lambda out: (out / CHECKPOINT).write_bytes(b"\x00garbage"),
    "another shard's": lambda out: _edit_checkpoint(out, shard="0/3"),
    "counts off": lambda out: _edit_checkpoint(
        out, rendered=orjson.loads((out / CHECKPOINT).read_bytes())["total"] + 1
    ),
    "count a string": lambda out: _edit_checkpoint(out, total="7"),
    "another writer's": lambda out: _edit_checkpoint(out, writer="tesseract"),
}


@pytest.mark.parametrize("damage", CHECKPOINT_DAMAGE, ids=str)
@pytest.mark.parametrize("writer", WRITERS)
def test_checkpoint_not_a_finished_shard(rendered: Path, tmp_path: Path, writer: str, damage: str) -> None:
    out = _copy(rendered, tmp_path, writer, merged=damage == "unfinished")
    CHECKPOINT_DAMAGE[damage](out)
    _assert_refused(out, writer)


@pytest.mark.parametrize("writer", WRITERS)
def test_shard_of_another_plan(rendered: Path, other_plan: Path, tmp_path: Path, writer: str) -> None:
    out = _copy(rendered, tmp_path, writer, merged=True)
    shutil.copy(other_plan / writer / CHECKPOINT, out / CHECKPOINT)
    victim = out / VICTIM[writer]
    if writer == "paddleocr":
        shutil.copytree(other_plan / writer / "paddleocr", out / "paddleocr", dirs_exist_ok=True)
    else:
        shutil.rmtree(victim)
        shutil.copytree(other_plan / writer / VICTIM[writer], victim)
    assert "another plan" in _assert_refused(out, writer)


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A plan of multi-line and vertical records, rendered `--split-lines` whole and in three shards, by each writer."""
    root = tmp_path_factory.mktemp("split")
    specs = [{**spec, "proportion": 0.25, "fonts": {"include": FONTS[next(iter(spec["corpus"]))]}} for spec in SPECS]
    config, plan = root / "batch.yaml", root / "plans.jsonl"
    config.write_text(yaml.safe_dump({"total_images": 12, "seed": 3, "specifications": specs}, allow_unicode=True))
    assert _cli("plan", "--batch-config", config, "-o", plan).exit_code == 0
    for writer in WRITERS:
        _render(plan, root / writer, writer, range(3), "--split-lines")
        args = ("--output-dir", root / "whole" / writer, "--workers", "1", "--writer", writer, "--split-lines")
        assert _cli("render", plan, *args).exit_code == 0
    return root


@pytest.mark.parametrize("writer", WRITERS)
def test_split_lines_shards_merge_as_rendered_whole(split: Path, tmp_path: Path, writer: str) -> None:
    """Samples are lines here, more than the records the checkpoint counts: merge takes them as they are."""
    out = _copy(split, tmp_path, writer, merged=True)
    whole = split / "whole" / writer
    if writer == "lmdb":
        assert _lmdb_items(out / "lmdb") == _lmdb_items(whole / "lmdb")
    elif writer == "hf":
        assert (out / "hf" / "metadata.jsonl").read_bytes() == (whole / "hf" / "metadata.jsonl").read_bytes()
    else:
        for name in ("rec_gt.txt", "det_gt.txt"):
            assert (out / "paddleocr" / name).read_bytes() == (whole / "paddleocr" / name).read_bytes()


def test_split_lines_hf_crop_listed_twice(split: Path, tmp_path: Path) -> None:
    out = _copy(split, tmp_path, "hf", merged=True)
    _rewrite_lines(out / VICTIM["hf"] / "metadata.jsonl", lambda lines: [*lines, lines[-1]])
    assert "repeated" in _assert_refused(out, "hf")


def _lmdb_items(path: Path) -> dict[bytes, bytes]:
    env = lmdb.open(str(path), readonly=True, lock=False)
    with env.begin() as txn:
        items = dict(txn.cursor())
    env.close()
    return items
