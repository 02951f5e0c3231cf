"""The CLI driven with generated configs, plan lines, assets and flags: whatever the input, it fails cleanly.

Every run must exit 0, 1 or 2 with no traceback, leave no temporary file, and, when it fails,
leave the files of an earlier complete output byte for byte as they were.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from ocrgen.assets import BUNDLED_ROOTS
from ocrgen.cli import main

GOOD_CONFIG: dict[str, Any] = {
    "total_images": 3,
    "seed": 5,
    "specifications": [
        {
            "name": "latin",
            "proportion": 1.0,
            "corpus": ["en/*.txt"],
            "fonts": {"include": ["NotoSans-Regular.ttf"]},
            "text_length": {"min": 4, "max": 16},
            "font_size": {"min": 20, "max": 28},
        }
    ],
}

FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Huge numbers only where they are wrong or cheap: a valid huge total_images or font size is a huge job, not a mistake.
NEGATIVE_HUGE = st.integers(min_value=-(10**30), max_value=-(10**12))
HUGE = st.one_of(NEGATIVE_HUGE, st.integers(min_value=10**12, max_value=10**30))
NUMBER_TEXT = st.one_of(st.integers(min_value=-5, max_value=5), HUGE).map(str)
# A value of the wrong kind, or a number below any sensible range.
ODD_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=0),
    st.floats(max_value=0.0) | st.sampled_from([float("inf"), float("nan")]),
    st.text(max_size=8),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.sampled_from(["min", "max", "x"]), st.integers(min_value=-3, max_value=3), max_size=2),
)
SPEC_KEYS = ["name", "proportion", "corpus", "fonts", "text_length", "font_size", "padding", "lines", "min_contrast"]


class World:
    """Assets, good and broken, and a complete output made from a good plan before any fuzzing."""

    def __init__(self, root: Path, plan_lines: list[bytes], done: Path, done_files: dict[str, bytes]) -> None:
        self.root, self.plan_lines, self.done, self.done_files = root, plan_lines, done, done_files

    def __repr__(self) -> str:
        return f"World({self.root})"


def _snapshot(directory: Path) -> dict[str, bytes]:
    """The images and labels of an output: what a finished run leaves for a person to use."""
    return {
        str(p.relative_to(directory)): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    root = tmp_path_factory.mktemp("fuzz-world")
    (root / "good.yaml").write_text(yaml.safe_dump(GOOD_CONFIG), encoding="utf-8")
    backgrounds = {name: root / "bg" / name for name in ("good", "truncated", "notimage")}
    for directory in backgrounds.values():
        directory.mkdir(parents=True)
        Image.new("RGB", (80, 60), (220, 220, 210)).save(directory / "plain.png")
    Image.new("RGB", (200, 200), (90, 90, 90)).save(root / "whole.jpg")
    whole = (root / "whole.jpg").read_bytes()
    (backgrounds["truncated"] / "cut.jpg").write_bytes(whole[: len(whole) // 3])
    (backgrounds["notimage"] / "notes.png").write_text("not an image", encoding="utf-8")
    corpus = root / "corpus" / "latin1" / "en"
    corpus.mkdir(parents=True)
    (corpus / "text.txt").write_bytes("Café au lait, crème brûlée, déjà vu.\n".encode("latin-1") * 50)
    fonts = root / "fonts" / "broken"
    fonts.mkdir(parents=True)
    shutil.copy(BUNDLED_ROOTS["ocrgen:fonts"] / "NotoSans-Regular.ttf", fonts)
    (fonts / "Broken-Regular.ttf").write_bytes(b"\x00\x01\x00\x00not really a font")
    (root / "a-file").write_bytes(b"a regular file")

    done = root / "done"
    result = _invoke(
        "generate", "--batch-config", root / "good.yaml", "--output-dir", done, "--generation-workers", "1"
    )
    assert result.exit_code == 0, result.output
    return World(root, (done / "plans.jsonl").read_bytes().splitlines(keepends=True), done, _snapshot(done))


def _invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


@pytest.fixture
def scratch(world: World) -> Iterator[Path]:
    """A fresh directory per test; examples make their own inside it."""
    directory = Path(tempfile.mkdtemp(dir=world.root))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _example_dir(scratch: Path, world: World) -> Path:
    """Per example: a copy of the complete output, which a failed run must leave as it found it."""
    directory = Path(tempfile.mkdtemp(dir=scratch))
    shutil.copytree(world.done, directory / "done")
    return directory


def _check(result: Result, directory: Path) -> None:
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output, result.output
    assert not [p for p in directory.rglob("*") if p.name.endswith(".tmp")], result.output
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode) if os.path.exists("/dev/full") else True


def _check_done_kept(result: Result, directory: Path, world: World) -> None:
    if result.exit_code != 0:
        kept = _snapshot(directory / "done")
        assert {name: kept.get(name) for name in world.done_files} == world.done_files, result.output


def _broken_assets(world: World) -> st.SearchStrategy[list[str]]:
    """One asset flag pointing at something broken, or none."""
    root = world.root
    return st.sampled_from(
        [
            [],
            ["--background-dir", str(root / "bg" / "good")],
            ["--background-dir", str(root / "bg" / "truncated")],
            ["--background-dir", str(root / "bg" / "notimage")],
            ["--background-dir", str(root / "bg" / "missing")],
            ["--corpus-dir", str(root / "corpus" / "latin1")],
            ["--corpus-dir", str(root / "a-file")],
            ["--font-dir", str(root / "fonts" / "broken")],
        ]
    )


def _mutated_config(draw: st.DrawFn) -> str:
    """A good config, or one with a value made wrong, or text that is not a config at all."""
    kind = draw(st.sampled_from(["good", "top", "spec", "text"]))
    if kind == "text":
        return draw(st.one_of(st.text(max_size=60), st.sampled_from(["{", "- [", "total_images: [1", ":\n  :", "\t"])))
    config = orjson.loads(orjson.dumps(GOOD_CONFIG))
    if kind == "good":
        config["total_images"] = draw(st.integers(min_value=1, max_value=3))
    elif kind == "top":
        config["total_images"] = draw(st.one_of(st.integers(min_value=1, max_value=3), ODD_VALUE, NEGATIVE_HUGE))
        config[draw(st.sampled_from(["seed", "specifications", "colour"]))] = draw(ODD_VALUE | HUGE)
    else:
        config["specifications"][0][draw(st.sampled_from(SPEC_KEYS))] = draw(ODD_VALUE)
    return yaml.safe_dump(config)


def _plan_or_generate(world: World, data: st.DataObject, directory: Path, config: Path) -> list[str | Path]:
    """plan into any kind of path, or generate into the complete output or a new one."""
    (directory / "a-file").write_bytes(b"a regular file")
    if data.draw(st.booleans()):
        output = data.draw(st.sampled_from(["p.jsonl", "done/plans.jsonl", "a-file/p.jsonl", "done", "-", "/dev/full"]))
        return ["plan", "--batch-config", config, "-o", output if output in ("-", "/dev/full") else directory / output]
    where = directory / data.draw(st.sampled_from(["done", "new", "a-file/out"]))
    return ["generate", "--batch-config", config, "--output-dir", where, "--generation-workers", "1"]


def _run_and_check(args: list[str | Path], directory: Path, world: World) -> None:
    result = _invoke(*args)
    _check(result, directory)
    _check_done_kept(result, directory, world)


@FUZZ
@given(data=st.data())
def test_configs(world: World, scratch: Path, data: st.DataObject) -> None:
    """validate, plan and generate on configs with a wrong value, or on text that is no config."""
    directory = _example_dir(scratch, world)
    config = directory / "batch.yaml"
    config.write_text(_mutated_config(data.draw), encoding="utf-8")
    if data.draw(st.booleans()):
        args: list[str | Path] = ["validate", "--batch-config", config]
    else:
        args = _plan_or_generate(world, data, directory, config)
    _run_and_check(args, directory, world)


@FUZZ
@given(data=st.data())
def test_assets(world: World, scratch: Path, data: st.DataObject) -> None:
    """validate, plan and generate on a good config with truncated, corrupt, missing or misplaced assets."""
    directory = _example_dir(scratch, world)
    config = world.root / "good.yaml"
    if data.draw(st.booleans()):
        args: list[str | Path] = ["validate", "--batch-config", config]
    else:
        args = _plan_or_generate(world, data, directory, config)
    _run_and_check([*args, *data.draw(_broken_assets(world))], directory, world)


@FUZZ
@given(data=st.data())
def test_seeds_and_outputs(world: World, scratch: Path, data: st.DataObject) -> None:
    """plan and generate on a good config with any seed, into any output path."""
    directory = _example_dir(scratch, world)
    args = _plan_or_generate(world, data, directory, world.root / "good.yaml")
    _run_and_check([*args, "--seed", data.draw(NUMBER_TEXT)], directory, world)


def _corrupt_line(draw: st.DrawFn, line: bytes) -> bytes:
    kind = draw(st.sampled_from(["truncate", "bytes", "field", "drop", "utf8"]))
    if kind == "truncate":
        return line[: draw(st.integers(min_value=0, max_value=len(line) - 2))] + b"\n"
    if kind == "bytes":
        return draw(st.binary(min_size=1, max_size=40)).replace(b"\n", b" ") + b"\n"
    if kind == "utf8":
        return line[:40] + b"\xff\xfe" + line[40:]
    record = orjson.loads(line)
    key = draw(st.sampled_from(sorted(record)))
    if kind == "drop":
        del record[key]
    else:
        record[key] = draw(ODD_VALUE | HUGE)
    return json.dumps(record).encode() + b"\n"  # json, not orjson: it writes integers past 64 bits


@FUZZ
@given(data=st.data())
def test_corrupt_plan_lines(world: World, scratch: Path, data: st.DataObject) -> None:
    """render, preview, inspect, show and merge on a plan, maybe with a line broken, into a complete output."""
    directory = _example_dir(scratch, world)
    lines = list(world.plan_lines)
    if data.draw(st.booleans()):
        which = data.draw(st.integers(min_value=0, max_value=len(lines) - 1))
        lines[which] = _corrupt_line(data.draw, lines[which])
    plan = directory / "plans.jsonl"
    plan.write_bytes(b"".join(lines))
    command = data.draw(st.sampled_from(["render", "preview", "inspect", "show", "merge"]))
    args: list[str | Path] = [command, plan]
    if command == "render":
        # Into the complete output (another plan's, so only --resume may go on), or into a new dir.
        args += ["--output-dir", directory / data.draw(st.sampled_from(["done", "new"])), "--workers", "1"]
        args += data.draw(st.sampled_from([["--resume"], ["--writer", "lmdb"], ["--io-workers", "2"], []]))
    elif command == "preview":
        args += ["-o", directory / data.draw(st.sampled_from(["sheet.png", "sheet", "x.xyz", "a-file/s.png"]))]
        for flag in data.draw(st.lists(st.sampled_from(["--count", "--columns"]), max_size=2, unique=True)):
            args += [flag, data.draw(NUMBER_TEXT)]
        (directory / "a-file").write_bytes(b"x")
    elif command == "show":
        args += [data.draw(NUMBER_TEXT)]
    elif command == "merge":
        args = ["merge", directory / "done", "--writer", data.draw(st.sampled_from(["hf", "lmdb", "paddleocr"]))]
    _run_and_check(args, directory, world)


# Half the values fit, so runs get past the first flag often enough to meet the next.
FLAG_NUMBER = st.one_of(st.integers(min_value=1, max_value=3).map(str), NUMBER_TEXT)
FLAG_VALUES = {
    "--workers": FLAG_NUMBER,
    "--io-workers": FLAG_NUMBER,
    "--chunk-size": FLAG_NUMBER,
    "--io-batch-size": FLAG_NUMBER,
    "--samples-per-tar": FLAG_NUMBER,
    "--shard": st.one_of(st.sampled_from(["0/2", "1/2", "0/1"]), st.tuples(NUMBER_TEXT, NUMBER_TEXT).map("/".join)),
    "--writer": st.sampled_from(["files", "lmdb", "hf", "webdataset", "paddleocr", "tesseract", "zip"]),
    "--image-format": st.sampled_from(["png", "jpg", "gif"]),
    "--dask-tasks": FLAG_NUMBER,
    "--max-image-pixels": st.one_of(st.sampled_from(["1", "400", "16000000"]), NUMBER_TEXT),
}


@FUZZ
@given(data=st.data())
def test_render_flags(world: World, scratch: Path, data: st.DataObject) -> None:
    """render of a good plan into a complete output or a new dir, with any mix of flags and values."""
    directory = _example_dir(scratch, world)
    plan = directory / "plans.jsonl"
    plan.write_bytes(b"".join(world.plan_lines))
    flags = data.draw(st.lists(st.sampled_from(sorted(FLAG_VALUES)), max_size=4, unique=True))
    args: list[str | Path] = ["render", plan, "--output-dir", directory / data.draw(st.sampled_from(["done", "new"]))]
    for flag in flags:
        value = data.draw(FLAG_VALUES[flag])
        if flag == "--workers" and value.lstrip("-").isdigit() and int(value) > 1:
            value = "1"  # a real pool per example costs seconds; the range check is what is under test
        args += [flag, value]
    if "--workers" not in flags:
        args += ["--workers", "1"]
    args += data.draw(st.sampled_from([["--resume"], [], ["--subdirs"], ["--resume", "--strict"], ["--strict"]]))
    _run_and_check(args, directory, world)


@settings(FUZZ, max_examples=4)
@given(data=st.data())
def test_real_processes(world: World, scratch: Path, data: st.DataObject) -> None:
    """A few runs as a shell makes them: a process's exit code and its stderr, where a traceback would show."""
    directory = _example_dir(scratch, world)
    args = _plan_or_generate(world, data, directory, world.root / "good.yaml")
    args += ["--seed", data.draw(NUMBER_TEXT), *data.draw(_broken_assets(world))]
    command = [sys.executable, "-c", "from ocrgen.cli import main; main()", *map(str, args)]
    done = subprocess.run(command, capture_output=True, check=False)
    assert done.returncode in (0, 1, 2), done.stderr
    assert b"Traceback" not in done.stderr, done.stderr
    assert not [p for p in directory.rglob("*") if p.name.endswith(".tmp")], done.stderr


# --- hostile inputs under an address-space limit --------------------------------------------------------------

# Imports (numpy, pydantic, ICU, FreeType) and a thread pool take about 1 GiB of address space; 2 GiB leaves
# room for any sane record and none for an input that would make ocrgen read or allocate without bound.
ADDRESS_SPACE = 2 << 30


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def _config(tmp: Path, top: dict[str, Any] | None = None, **spec: Any) -> Path:
    """The good config with `top` keys and `spec` keys of its one specification changed."""
    config = orjson.loads(orjson.dumps(GOOD_CONFIG))
    config.update(top or {})
    config["specifications"][0].update(spec)
    path = tmp / "hostile.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def _plan_with(tmp: Path, world: World, **changes: Any) -> Path:
    """The good plan with its second record changed."""
    lines = list(world.plan_lines)
    record = orjson.loads(lines[1])
    record.update(changes)
    lines[1] = orjson.dumps(record) + b"\n"
    path = tmp / "hostile.jsonl"
    path.write_bytes(b"".join(lines))
    return path


def _sparse(path: Path, size: int) -> Path:
    """A file of `size` NUL bytes that takes no disk: a binary blob, or UTF-16 at its worst."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def _nul_corpus(tmp: Path) -> Path:
    """A corpus dir whose one English file is 4 GiB of NULs."""
    return _sparse(tmp / "corpus" / "en" / "a.txt", 4 << 30).parents[1]


HOSTILE: dict[str, Any] = {
    "config /dev/zero": lambda tmp, world: ["plan", "--batch-config", "/dev/zero", "-o", tmp / "p.jsonl"],
    "huge total_images": lambda tmp, world: [
        "plan", "--batch-config", _config(tmp, {"total_images": 10**30}), "-o", tmp / "p.jsonl"
    ],
    "huge font_size": lambda tmp, world: [
        "plan", "--batch-config", _config(tmp, font_size={"min": 10**6, "max": 10**6}), "-o", tmp / "p.jsonl"
    ],
    "huge text_length": lambda tmp, world: [
        "plan", "--batch-config", _config(tmp, text_length={"min": 10**9, "max": 10**9}), "-o", tmp / "p.jsonl"
    ],
    "4 GiB NUL corpus, words": lambda tmp, world: [
        "plan", "--batch-config", _config(tmp), "--corpus-dir", _nul_corpus(tmp), "-o", tmp / "p.jsonl"
    ],
    "4 GiB NUL corpus, lines": lambda tmp, world: [
        "plan", "--batch-config", _config(tmp, text_mode="lines"), "--corpus-dir", _nul_corpus(tmp),
        "-o", tmp / "p.jsonl",
    ],
    "4 GiB NUL corpus, validate": lambda tmp, world: [
        "validate", "--batch-config", _config(tmp), "--corpus-dir", _nul_corpus(tmp)
    ],
    "plan /dev/zero, render": lambda tmp, world: ["render", "/dev/zero", "--output-dir", tmp / "out"],
    "plan /dev/zero, inspect": lambda tmp, world: ["inspect", "/dev/zero"],
    "plan /dev/zero, show": lambda tmp, world: ["show", "/dev/zero", "3"],
    "plan /dev/zero, preview": lambda tmp, world: ["preview", "/dev/zero", "-o", tmp / "s.png"],
    "plan of one 1.5 GiB line, render": lambda tmp, world: [
        "render", _sparse(tmp / "p.jsonl", 3 << 29), "--output-dir", tmp / "out", "--workers", "1"
    ],
    "plan of one 1.5 GiB line, inspect": lambda tmp, world: ["inspect", _sparse(tmp / "p.jsonl", 3 << 29)],
    "huge canvas, render": lambda tmp, world: [
        "render", _plan_with(tmp, world, canvas={"width": 10**6, "height": 10**6}), "--output-dir", tmp / "out",
        "--workers", "1",
    ],
    "huge canvas, preview": lambda tmp, world: [
        "preview", _plan_with(tmp, world, canvas={"width": 10**6, "height": 10**6}), "-o", tmp / "s.png"
    ],
    "1 GiB canvas allowed, render": lambda tmp, world: [
        "render", _plan_with(tmp, world, canvas={"width": 32768, "height": 32768}), "--output-dir", tmp / "out",
        "--workers", "1", "--max-image-pixels", str(1 << 30),
    ],
    "huge font size, render": lambda tmp, world: [
        "render", _plan_with(tmp, world, font={**orjson.loads(world.plan_lines[1])["font"], "size": 10**6}),
        "--output-dir", tmp / "out", "--workers", "1",
    ],
    "lmdb writer": lambda tmp, world: [
        "render", _plan_with(tmp, world), "--output-dir", tmp / "out", "--workers", "1", "--writer", "lmdb"
    ],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_inputs_under_an_address_space_limit(world: World, scratch: Path, case: str) -> None:
    """Devices, sparse giants, huge sizes and counts: refused or failed cleanly by a process with 2 GiB of address
    space (exit 0, 1 or 2, no traceback, no temporary left), never read or allocated without bound."""
    args = HOSTILE[case](scratch, world)
    command = [sys.executable, "-c", "from ocrgen.cli import main; main()", *map(str, args)]
    done = subprocess.run(command, capture_output=True, check=False, preexec_fn=_limited, timeout=300)
    assert done.returncode in (0, 1, 2), done.stderr
    assert b"Traceback" not in done.stderr, done.stderr
    assert not [p for p in scratch.rglob("*") if p.name.endswith(".tmp")], done.stderr
