"""`render --shard K/N`: the shards together are the full render, byte for byte, with no overlap."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import yaml
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.renderer.planfile import Shard, count_records, shard_lines

Cli = Callable[..., Result]

IMAGES = 12
SHARDS = 3


def plan_file(cli: Cli, tmp_path: Path) -> Path:
    """A multilingual plan of IMAGES records, from the bundled quickstart cut down."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["total_images"] = IMAGES
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    plan = tmp_path / "plans.jsonl"
    result = cli("plan", "--batch-config", config, "-o", plan)
    assert result.exit_code == 0, result.output
    return plan


def outputs(directory: Path) -> list[Path]:
    """Images, labels and failure logs; not the checkpoints, which name their shard."""
    return [p for p in sorted(directory.iterdir()) if not p.name.startswith((".generation_checkpoint", ".ocrgen"))]


def contents(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in outputs(directory)}


def identity(directory: Path) -> dict[str, tuple[int, int]]:
    """Inode and mtime of every file: both change when a file is written again (atomic rename)."""
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in outputs(directory)}


def render(cli: Cli, plan: Path, out: Path, *extra: str) -> None:
    result = cli("render", plan, "--output-dir", out, "--workers", "1", *extra)
    assert result.exit_code == 0, result.output


def test_shards_in_one_dir_equal_full_render(cli: Cli, tmp_path: Path) -> None:
    """Three shards into one directory: each adds only new files, and the result is the full render."""
    plan = plan_file(cli, tmp_path)
    full = tmp_path / "full"
    render(cli, plan, full)
    expected = contents(full)
    assert len(expected) == 2 * IMAGES

    shared = tmp_path / "shared"
    shared.mkdir()
    added_total = 0
    for k in range(SHARDS):
        before = identity(shared)
        render(cli, plan, shared, "--shard", f"{k}/{SHARDS}")
        after = identity(shared)
        assert {name: after[name] for name in before} == before, f"shard {k} rewrote another shard's file"
        added = set(after) - set(before)
        assert added, f"shard {k} rendered nothing"
        added_total += len(added)
    assert added_total == len(expected)
    assert contents(shared) == expected


def test_shards_in_separate_dirs_partition_full_render(cli: Cli, tmp_path: Path) -> None:
    """Three shards into three directories: disjoint file names whose union is the full render."""
    plan = plan_file(cli, tmp_path)
    full = tmp_path / "full"
    render(cli, plan, full)
    expected = contents(full)

    union: dict[str, bytes] = {}
    counts = []
    for k in range(SHARDS):
        out = tmp_path / f"shard{k}"
        render(cli, plan, out, "--shard", f"{k}/{SHARDS}")
        shard = contents(out)
        assert not set(shard) & set(union), f"shard {k} overlaps an earlier shard"
        counts.append(len(shard))
        union.update(shard)
    assert all(counts), counts
    assert sum(counts) == len(expected)
    assert union == expected


lines_strategy = st.lists(
    st.one_of(st.just(b""), st.binary(min_size=1, max_size=60).map(lambda b: b"x" + b.replace(b"\n", b"y"))),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(lines=lines_strategy, count=st.integers(1, 8), trailing_newline=st.booleans())
def test_shard_lines_cover_every_line_once(lines: list[bytes], count: int, trailing_newline: bool) -> None:
    """Whatever the line lengths and shard count, the shards yield (and count) each non-empty line once, in order."""
    data = b"\n".join(lines) + (b"\n" if trailing_newline and lines else b"")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "plans.jsonl"
        path.write_bytes(data)
        assert os.path.getsize(path) == len(data)
        seen = [line for k in range(count) for line in shard_lines(path, Shard(k, count))]
        counts = [count_records(path, Shard(k, count)) for k in range(count)]
        whole = count_records(path)
    assert sum(counts) == whole == sum(1 for line in lines if line)
    assert [line.text.rstrip(b"\n") for line in seen] == [line for line in lines if line]
    for line in seen:
        assert data[line.offset : line.offset + len(line.text)] == line.text
