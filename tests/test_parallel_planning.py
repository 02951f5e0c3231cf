"""`plan --workers N` and `plan --shard K/N`: any number of processes, or parts planned anywhere, make the same plan.

The chunk a worker plans is made small here, so that small plans cross many chunk borders.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import orjson
import pytest
import yaml
from click.testing import Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.planner import parallel
from ocrgen.planner.writer import stats_path

Cli = Callable[..., Result]

SMALL_CHUNK = 5


@pytest.fixture(autouse=True)
def _small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "CHUNK", SMALL_CHUNK)


def quickstart(tmp_path: Path, total: int, **changes: object) -> Path:
    """The bundled quickstart config (every script and direction) with `total` images."""
    data = {**yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8")), "total_images": total, **changes}
    config = tmp_path / "batch.yaml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return config


def planned(cli: Cli, config: Path, output: Path, *options: str | Path) -> tuple[bytes, bytes]:
    result = cli("plan", "--batch-config", config, "-o", output, *options)
    assert result.exit_code == 0, result.output
    return output.read_bytes(), stats_path(output).read_bytes()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(1, 40), workers=st.integers(2, 3))
def test_any_number_of_workers_makes_the_same_plan(cli: Cli, tmp_path: Path, total: int, workers: int) -> None:
    """Plan lines and statistics, byte for byte, whatever the number of processes."""
    config = quickstart(tmp_path, total)
    one = planned(cli, config, tmp_path / "one.jsonl", "--workers", "1")
    many = planned(cli, config, tmp_path / "many.jsonl", "--workers", str(workers))
    assert many == one
    assert len(one[0].splitlines()) == total


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(total=st.integers(1, 30), count=st.integers(1, 5), seed=st.integers(0, 2**32))
def test_parts_concatenated_and_joined_are_the_whole_plan(
    cli: Cli, tmp_path: Path, total: int, count: int, seed: int
) -> None:
    """The parts, in shard order, are the plan; `join` takes them in any order and writes its statistics too;
    `inspect` reads them as the whole."""
    config = quickstart(tmp_path, total)
    whole = planned(cli, config, tmp_path / "whole.jsonl")
    parts = [tmp_path / f"part-{k}.jsonl" for k in range(count)]
    lines = [planned(cli, config, part, "--shard", f"{k}/{count}", "--workers", "2")[0] for k, part in enumerate(parts)]
    assert b"".join(lines) == whole[0]
    shuffled = random.Random(seed).sample(parts, count)
    result = cli("join", *shuffled, "-o", tmp_path / "joined.jsonl")
    assert result.exit_code == 0, result.output
    assert ((tmp_path / "joined.jsonl").read_bytes(), stats_path(tmp_path / "joined.jsonl").read_bytes()) == whole
    inspected = cli("inspect", *shuffled, "--json")
    assert orjson.loads(inspected.output) == orjson.loads(cli("inspect", tmp_path / "whole.jsonl", "--json").output)


@given(start=st.integers(0, 10**6), length=st.integers(0, 20_000), workers=st.integers(1, 64))
def test_chunks_cover_the_records_in_order_and_end_small(start: int, length: int, workers: int) -> None:
    """Every record once, in order, in chunks no larger than `CHUNK` that only shrink, the last an eighth of it:
    the workers finish within a small chunk of each other."""
    chunks = list(parallel.chunk_ranges(start, start + length, workers))
    edges = [start, *(b for _, b in chunks)]
    assert [a for a, _ in chunks] == edges[:-1]
    assert edges[-1] == start + length
    sizes = [b - a for a, b in chunks]
    assert all(1 <= size <= parallel.CHUNK for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert not sizes or sizes[-1] <= max(1, parallel.CHUNK // 8)


def test_planning_starts_no_more_processes_than_it_has_full_chunks(
    cli: Cli, tmp_path: Path, pool_sizes: Callable[[ModuleType], list[int]]
) -> None:
    """`--workers 64` on a plan of four chunks starts four processes, and writes the same plan."""
    started = pool_sizes(parallel)
    config = quickstart(tmp_path, 4 * SMALL_CHUNK)
    many = planned(cli, config, tmp_path / "many.jsonl", "--workers", "64")
    assert started == [4]
    assert many == planned(cli, config, tmp_path / "one.jsonl", "--workers", "1")


def test_a_part_says_which_part_it_is(cli: Cli, tmp_path: Path) -> None:
    config = quickstart(tmp_path, 10)
    planned(cli, config, tmp_path / "part.jsonl", "--shard", "1/3")
    part = orjson.loads(stats_path(tmp_path / "part.jsonl").read_bytes())
    assert part["records"] == 3
    assert {k: v for k, v in part["part"].items() if k != "config"} == {
        "index": 1,
        "count": 3,
        "first": 3,
        "stop": 6,
        "total": 10,
    }


@pytest.mark.parametrize(
    ("env", "shard"),
    [
        ({"SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_COUNT": "4"}, "2/4"),
        ({"JOB_COMPLETION_INDEX": "1", "OCRGEN_SHARD_COUNT": "3"}, "1/3"),
    ],
    ids=["slurm", "kubernetes"],
)
def test_array_jobs_pick_the_planning_shard(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], shard: str
) -> None:
    config = quickstart(tmp_path, 13)
    wanted = planned(cli, config, tmp_path / "given.jsonl", "--shard", shard)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert planned(cli, config, tmp_path / "from-env.jsonl") == wanted


def _parts(cli: Cli, tmp_path: Path, total: int, count: int, name: str = "part", seed: int = 0) -> list[Path]:
    config = quickstart(tmp_path, total)
    paths = [tmp_path / f"{name}-{k}.jsonl" for k in range(count)]
    for k, path in enumerate(paths):
        planned(cli, config, path, "--shard", f"{k}/{count}", "--seed", str(seed))
    return paths


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (lambda parts, other, whole: parts[:2], "missing part(s) [2]"),
        (lambda parts, other, whole: [*parts, parts[1]], "given twice"),
        (lambda parts, other, whole: [parts[0], parts[1], other[2]], "does not follow the other parts"),
        (lambda parts, other, whole: [*parts, whole], "is a whole plan, not a part"),
    ],
    ids=["missing", "repeated", "foreign", "whole"],
)
def test_join_refuses_what_is_not_one_plan(
    cli: Cli, tmp_path: Path, pick: Callable[..., list[Path]], message: str
) -> None:
    """One clear line, exit 2, and no joined file."""
    parts = _parts(cli, tmp_path, 12, 3)
    other = _parts(cli, tmp_path, 12, 3, name="other", seed=1)
    whole = tmp_path / "whole.jsonl"
    planned(cli, quickstart(tmp_path, 12), whole)
    result = cli("join", *pick(parts, other, whole), "-o", tmp_path / "joined.jsonl")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "joined.jsonl").exists()
    assert cli("inspect", *pick(parts, other, whole)).exit_code == 2


def test_join_names_a_part_without_statistics(cli: Cli, tmp_path: Path) -> None:
    parts = _parts(cli, tmp_path, 6, 2)
    stats_path(parts[1]).unlink()
    result = cli("join", *parts, "-o", tmp_path / "joined.jsonl")
    assert result.exit_code == 2
    assert f"{parts[1]} has no statistics file" in result.output


def test_a_record_no_worker_can_plan_is_one_clear_error(cli: Cli, tmp_path: Path) -> None:
    """A spec whose texts never fit fails in the worker that plans it; the error reaches the user as it would
    from one process, and no plan file is left."""
    spec = {"name": "impossible", "proportion": 1, "corpus": ["en/*.txt"], "text_length": {"min": 5000, "max": 6000}}
    config = quickstart(tmp_path, 30, specifications=[spec])
    one = cli("plan", "--batch-config", config, "-o", tmp_path / "one.jsonl", "--workers", "1")
    many = cli("plan", "--batch-config", config, "-o", tmp_path / "many.jsonl", "--workers", "2")
    assert one.exit_code == many.exit_code == 2
    assert many.output == one.output and "impossible" in many.output
    assert not (tmp_path / "many.jsonl").exists()


def test_generate_plans_with_its_processes_and_writes_the_same_plan(cli: Cli, tmp_path: Path) -> None:
    config = quickstart(tmp_path, 14)
    wanted = planned(cli, config, tmp_path / "one.jsonl", "--workers", "1")
    result = cli("generate", "--batch-config", config, "--output-dir", tmp_path / "out", "--generation-workers", "2")
    assert result.exit_code == 0, result.output
    plan = tmp_path / "out" / "plans.jsonl"
    assert (plan.read_bytes(), stats_path(plan).read_bytes()) == wanted
    assert len(list((tmp_path / "out").glob("*.png"))) == 14
