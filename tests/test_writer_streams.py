"""Container writers: label rows stream to disk (memory flat however long the shard), temporaries carry the pid."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ocrgen.cli import main
from ocrgen.renderer.output import EncodedSample
from ocrgen.renderer.planfile import Shard
from ocrgen.writers.base import WriterSpec
from ocrgen.writers.lmdb import LmdbSpaceError
from ocrgen.writers.registry import open_writer
from tests.test_resume import make_plan

CONTAINERS = ["hf", "paddleocr", "lmdb", "webdataset"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> EncodedSample:
    """A real rendered record (image and label), to be written again under many indices."""

    def cli(*args: str | Path) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    tmp = tmp_path_factory.mktemp("sample")
    plan = make_plan(cli, tmp, 1)
    out = tmp / "out"
    assert cli("render", plan, "--output-dir", out, "--workers", "1").exit_code == 0
    image, label = out / "image_00000000.png", out / "image_00000000.json"
    return EncodedSample(image, image.read_bytes(), label, label.read_bytes(), 0, "text")


def _copy(sample: EncodedSample, index: int) -> EncodedSample:
    return replace(sample, image_path=sample.image_path.with_name(f"image_{index:08d}.png"), index=index)


@pytest.mark.parametrize("name", ["hf", "paddleocr"])
def test_label_rows_do_not_pile_up_in_memory(tmp_path: Path, sample: EncodedSample, name: str) -> None:
    """Writing 1,200 more records costs no more memory than writing 300: rows go to disk as they come.

    Rows held in memory would grow the peak by a label's size per record (the old writers: 27 MB here).
    """
    samples = [_copy(sample, index) for index in range(1520)]  # made before measuring: they cost memory too
    writer = open_writer(WriterSpec(name), tmp_path, Shard(), "png")
    for each in samples[:20]:  # caches warmed before measuring
        writer.write(each)
    peaks = []
    tracemalloc.start()
    try:
        for batch in (samples[20:320], samples[320:]):
            tracemalloc.reset_peak()
            for each in batch:
                writer.write(each)
            peaks.append(tracemalloc.get_traced_memory()[1])
    finally:
        tracemalloc.stop()
    writer.close()
    assert peaks[1] < peaks[0] + 64 * 1024 and peaks[1] < 2 << 20, f"peaks {peaks} while writing 300, then 1,200"


@pytest.mark.parametrize("name", CONTAINERS)
def test_temporaries_carry_the_pid_and_stale_ones_go(tmp_path: Path, sample: EncodedSample, name: str) -> None:
    """While a shard is written its temporaries are `.NAME.PID.tmp`; those another process left are removed
    when the writer opens; after close none is left, and abort leaves none either."""
    shard = Shard(1, 2)
    first = open_writer(WriterSpec(name, samples_per_tar=1000), tmp_path, shard, "png")
    first.write(_copy(sample, 5))
    temporaries = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert temporaries
    for path in temporaries:
        assert re.fullmatch(rf"\..+\.{os.getpid()}\.tmp", path.name), path
        stale = path.with_name(path.name.replace(f".{os.getpid()}.tmp", ".999999999.tmp"))
        os.rename(path, stale)  # as if another process, since killed, had left it
    first.abort()
    second = open_writer(WriterSpec(name), tmp_path, shard, "png")
    assert not [p for p in tmp_path.rglob("*") if ".999999999." in p.name]
    second.write(_copy(sample, 5))
    second.close()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    third = open_writer(WriterSpec(name), tmp_path, shard, "png")
    third.write(_copy(sample, 6))
    third.abort()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]


def test_an_lmdb_that_outgrows_its_map_is_one_clear_error(
    tmp_path: Path, sample: EncodedSample, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `ulimit -v` the map is what the limit leaves; a shard too large for it stops with a message, and its
    half-built database goes."""
    monkeypatch.setattr("ocrgen.writers.lmdb.map_size", lambda: 1 << 20)
    writer = open_writer(WriterSpec("lmdb"), tmp_path, Shard(), "png")
    with pytest.raises(LmdbSpaceError, match="ulimit -v"):
        for index in range(200):
            writer.write(_copy(sample, index))
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_the_lmdb_map_fits_an_address_space_limit() -> None:
    """A 1 TiB map cannot be had under any `ulimit -v`: the map is half of what the limit leaves."""
    code = (
        "import resource; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30));"
        "from ocrgen.writers.lmdb import map_size; print(map_size())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 0 < int(done.stdout) < 3 << 29 and int(done.stdout) % (1 << 20) == 0
