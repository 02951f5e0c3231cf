"""An output dir never mixes two plans or layouts: a fresh run refuses what it would mix with; --overwrite clears it."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from ocrgen.cli import main
from ocrgen.renderer import run
from ocrgen.renderer.outdir import owned_files
from ocrgen.renderer.planfile import Shard
from ocrgen.renderer.render import PIXELS_VERSION
from ocrgen.renderer.resume import checkpoint_name
from ocrgen.writers.base import Writer, WriterSpec
from tests.test_resume import Cli, make_plan


def _cli(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two different plans: 8 records (seed 7) and 5 records (seed 8)."""
    tmp = tmp_path_factory.mktemp("plans")
    return make_plan(_cli, tmp / "a", 8), make_plan(_cli, tmp / "b", 5, seed=8)


def render(plan: Path, out: Path, *extra: str) -> Result:
    return _cli("render", plan, "--output-dir", out, "--workers", "1", *extra)


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under `directory` by relative path, checkpoints (run counts) and run locks aside.

    A lock file stays once made: removing it could let two runs hold locks on two different files.
    """
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not p.name.startswith((".generation_checkpoint", ".ocrgen"))
    }


def assert_refused(result: Result, out: Path, *words: str) -> None:
    """Exit 2 with one line that names the dir and the ways out, and no traceback."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert str(out) in lines[0] and "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def test_another_plans_outputs_are_refused_then_replaced_with_overwrite(
    tmp_path: Path, plans: tuple[Path, Path]
) -> None:
    """A render of plan B into plan A's dir refuses and changes nothing; --overwrite leaves exactly B's render."""
    a, b = plans
    out, reference = tmp_path / "out", tmp_path / "reference"
    assert render(a, out).exit_code == 0
    assert render(b, reference).exit_code == 0
    (out / "notes.txt").write_text("mine")
    before = tree(out)

    assert_refused(render(b, out), out, "another plan", "--resume", "--overwrite", "--output-dir")
    assert tree(out) == before

    result = render(b, out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert tree(out) == {**tree(reference), "notes.txt": b"mine"}
    assert orjson.loads((out / ".generation_checkpoint.json").read_bytes())["total"] == 5


def test_the_same_plan_again_needs_resume_or_overwrite(tmp_path: Path, plans: tuple[Path, Path]) -> None:
    a, _ = plans
    out = tmp_path / "out"
    assert render(a, out).exit_code == 0
    assert_refused(render(a, out), out, "this plan", "--resume", "--overwrite")
    resumed = render(a, out, "--resume")
    assert resumed.exit_code == 0 and "8 already done" in resumed.output
    again = render(a, out, "--overwrite")
    assert again.exit_code == 0 and "Rendered 8 images" in again.output


def test_outputs_without_a_checkpoint_are_refused(tmp_path: Path, plans: tuple[Path, Path]) -> None:
    """Images of an unknown run, say one of an older version: refused; a dir of other files is fine."""
    a, _ = plans
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.txt").write_text("other files are no concern of ocrgen")
    (out / "image_1.png").write_bytes(b"not ocrgen's: the index has 8 digits")
    assert render(a, out, "--shard", "0/2").exit_code == 0
    unknown = tmp_path / "unknown"
    unknown.mkdir()
    (unknown / "image_00000003.png").write_bytes(b"old")
    assert_refused(render(a, unknown), unknown, "without a checkpoint", "image_00000003.png")


def test_shards_of_one_plan_share_a_dir_but_not_with_another_plan(tmp_path: Path, plans: tuple[Path, Path]) -> None:
    a, b = plans
    out = tmp_path / "out"
    assert render(a, out, "--shard", "0/2").exit_code == 0
    assert_refused(render(b, out, "--shard", "1/2"), out, "another plan")
    assert render(a, out, "--shard", "1/2").exit_code == 0
    assert_refused(render(a, out, "--shard", "1/2"), out, "this plan")


def test_a_shard_names_its_outputs_before_writing_any(
    tmp_path: Path, plans: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checkpoint exists before a writer makes its first file (the LMDB's), so a shard starting beside sees it."""
    a, _ = plans
    opened = run.open_writer
    checkpoint_there = []

    def spy(spec: WriterSpec, out_dir: Path, shard: Shard, image_format: str) -> Writer:
        checkpoint_there.append((out_dir / checkpoint_name(shard)).is_file())
        return opened(spec, out_dir, shard, image_format)

    monkeypatch.setattr(run, "open_writer", spy)
    assert render(a, tmp_path / "out", "--writer", "lmdb", "--shard", "0/2").exit_code == 0
    assert checkpoint_there == [True]


@pytest.mark.parametrize(
    ("first", "then", "recorded"),
    [
        (["--subdirs"], [], "with --subdirs"),
        ([], ["--subdirs"], "without --subdirs"),
        (["--writer", "lmdb"], [], "with --writer lmdb"),
        (["--image-format", "jpg"], [], "with --image-format jpg"),
    ],
)
def test_resume_refuses_other_output_settings(
    tmp_path: Path, plans: tuple[Path, Path], first: list[str], then: list[str], recorded: str
) -> None:
    """Resuming a `--subdirs` render flat would render every record again beside the first copy: refused."""
    a, _ = plans
    out = tmp_path / "out"
    assert render(a, out, *first).exit_code == 0
    before = tree(out)
    assert_refused(render(a, out, "--resume", *then), out, recorded, ".generation_checkpoint.json")
    assert tree(out) == before


def test_another_shard_with_other_settings_is_refused(tmp_path: Path, plans: tuple[Path, Path]) -> None:
    a, _ = plans
    out = tmp_path / "out"
    assert render(a, out, "--shard", "0/2", "--subdirs").exit_code == 0
    assert_refused(render(a, out, "--shard", "1/2"), out, "with --subdirs", "--overwrite")
    assert render(a, out, "--shard", "1/2", "--subdirs").exit_code == 0


def test_checkpoint_records_the_output_settings(tmp_path: Path, plans: tuple[Path, Path]) -> None:
    a, _ = plans
    out = tmp_path / "out"
    assert render(a, out, "--subdirs", "--image-format", "jpg", "--shard", "1/2").exit_code == 0
    checkpoint = orjson.loads((out / Shard(1, 2).file_name(".generation_checkpoint", ".json")).read_bytes())
    assert (checkpoint["writer"], checkpoint["subdirs"], checkpoint["image_format"]) == ("files", True, "jpg")
    assert checkpoint["pixels"] == PIXELS_VERSION


@pytest.mark.parametrize("recorded", [None, PIXELS_VERSION - 1])
def test_a_render_of_other_pixels_is_neither_resumed_nor_joined(
    tmp_path: Path, plans: tuple[Path, Path], recorded: int | None
) -> None:
    """Images drawn by an ocrgen whose pixels differ would sit beside this one's: refused, until --overwrite."""
    a, _ = plans
    out = tmp_path / "out"
    assert render(a, out, "--shard", "0/2").exit_code == 0
    path = out / Shard(0, 2).file_name(".generation_checkpoint", ".json")
    checkpoint = orjson.loads(path.read_bytes())
    checkpoint.pop("pixels")
    if recorded is not None:  # else as ocrgen wrote it before it counted pixel versions: those drew version 1
        checkpoint["pixels"] = recorded
    path.write_bytes(orjson.dumps(checkpoint))
    before = tree(out)
    said = f"pixels version {recorded or 1}; this one draws {PIXELS_VERSION}"
    assert_refused(render(a, out, "--shard", "0/2", "--resume"), out, said, "finish it with the ocrgen that began it")
    assert_refused(render(a, out, "--shard", "1/2"), out, said, "--overwrite")
    assert tree(out) == before
    assert render(a, out, "--shard", "0/2", "--overwrite").exit_code == 0
    assert orjson.loads(path.read_bytes())["pixels"] == PIXELS_VERSION


WRITER_RUNS = [
    ["--writer", "files"],
    ["--writer", "files", "--subdirs"],
    ["--writer", "lmdb"],
    ["--writer", "lmdb", "--shard", "1/2"],
    ["--writer", "webdataset", "--samples-per-tar", "2"],
    ["--writer", "webdataset", "--shard", "0/2"],
    ["--writer", "hf"],
    ["--writer", "hf", "--shard", "1/2"],
    ["--writer", "paddleocr"],
    ["--writer", "paddleocr", "--shard", "0/2"],
    ["--writer", "tesseract"],
    ["--writer", "coco"],
    ["--writer", "coco", "--shard", "1/2"],
    ["--writer", "doctr"],
    ["--writer", "icdar2015"],
]


@pytest.mark.parametrize("first", WRITER_RUNS, ids=" ".join)
def test_overwrite_removes_every_writers_outputs_and_nothing_else(
    tmp_path: Path, plans: tuple[Path, Path], first: list[str]
) -> None:
    """Whatever writer made the dir, --overwrite leaves the new render and the user's own files, nothing more."""
    a, b = plans
    out, reference = tmp_path / "out", tmp_path / "reference"
    assert render(a, out, *first).exit_code == 0
    assert any(owned_files(out))
    mine = {"notes.txt": b"mine", "hf/README.md": b"mine too", "00000/data.csv": b"and this"}
    for name, data in mine.items():
        (out / name).parent.mkdir(exist_ok=True)
        (out / name).write_bytes(data)
    assert render(b, reference).exit_code == 0

    result = render(b, out, "--overwrite")
    assert result.exit_code == 0, result.output
    assert tree(out) == {**tree(reference), **mine}
    leftover_dirs = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_dir()}
    assert leftover_dirs <= {"hf", "00000"}


def test_generate_follows_the_same_rules(cli: Cli, tmp_path: Path, plans: tuple[Path, Path]) -> None:
    """generate writes its plan into the dir: a second run refuses, --overwrite starts over; a render's dir refuses."""
    a, _ = plans
    config = a.parent / "batch.yaml"
    out = tmp_path / "out"
    flags = ["--batch-config", config, "--output-dir", out, "--generation-workers", "1"]
    assert cli("generate", *flags).exit_code == 0
    first = tree(out)
    assert_refused(cli("generate", *flags), out, "--resume", "--overwrite")
    again = cli("generate", *flags, "--overwrite")
    assert again.exit_code == 0, again.output
    assert tree(out) == first

    rendered = tmp_path / "rendered"
    assert render(a, rendered).exit_code == 0
    assert_refused(cli("generate", *flags[:2], "--output-dir", rendered), rendered, "--overwrite")


@pytest.mark.parametrize("command", ["render", "generate"])
def test_resume_and_overwrite_exclude_each_other(
    cli: Cli, tmp_path: Path, plans: tuple[Path, Path], command: str
) -> None:
    args = [plans[0]] if command == "render" else []
    result = cli(command, *args, "--output-dir", tmp_path / "out", "--resume", "--overwrite")
    assert result.exit_code == 2 and "--resume" in result.output and "--overwrite" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "name",
    [
        "image_1.png",
        "image_000000001.png",
        "image_00000001.png.bak",
        "image_00000001.txt",
        "failures.txt",
        "plans.jsonl",
        "checkpoint.json",
        ".image_00000001.png.tmp",
        "lmdb",
    ],
)
def test_files_that_only_look_like_ocrgens_are_not_owned(tmp_path: Path, name: str) -> None:
    """A render does not own a plan in its dir, nor names that are not exactly what a writer writes."""
    (tmp_path / name).write_bytes(b"user data")
    assert list(owned_files(tmp_path)) == []


def _broken_copy(plan: Path, directory: Path, how: str) -> Path:
    """The plan with line 3 not a record, or with its first font moved out of reach."""
    directory.mkdir()
    lines = plan.read_bytes().splitlines(keepends=True)
    if how == "bad_line":
        lines[2] = b"{not json\n"
    else:
        record = orjson.loads(lines[0])
        record["font"]["asset"]["path"] = "Missing-Regular.ttf"
        lines[0] = orjson.dumps(record) + b"\n"
    broken = directory / "plans.jsonl"
    broken.write_bytes(b"".join(lines))
    return broken


@pytest.mark.parametrize("how", ["bad_line", "missing_font"])
def test_overwrite_with_bad_input_keeps_the_earlier_run(tmp_path: Path, plans: tuple[Path, Path], how: str) -> None:
    """--overwrite checks its plan and assets first: a bad input exits 2 and the run it would replace stays whole."""
    a, b = plans
    out = tmp_path / "out"
    assert render(a, out).exit_code == 0
    before = tree(out)
    result = render(_broken_copy(b, tmp_path / "broken", how), out, "--overwrite")
    assert result.exit_code == 2, result.output
    assert tree(out) == before


def test_generate_overwrite_with_a_bad_config_keeps_the_earlier_run(tmp_path: Path, plans: tuple[Path, Path]) -> None:
    a, _ = plans
    out = tmp_path / "out"
    flags = ["--output-dir", out, "--generation-workers", "1"]
    assert _cli("generate", "--batch-config", a.parent / "batch.yaml", *flags).exit_code == 0
    before = tree(out)
    bad = tmp_path / "bad.yaml"
    bad.write_text('total_images: 3\nspecifications:\n  - {name: a, proportion: 1, corpus: ["nowhere/*.txt"]}\n')
    result = _cli("generate", "--batch-config", bad, *flags, "--overwrite")
    assert result.exit_code == 2, result.output
    assert tree(out) == before


def test_killed_runs_container_temporaries_are_owned(tmp_path: Path) -> None:
    """--overwrite clears what a killed container writer left: LMDB and tar temporaries carry the writer's pid."""
    leftovers = [
        ".lmdb.4242.tmp/data.mdb",
        ".lmdb.shard-00001-of-00002.77.tmp/lock.mdb",
        "webdataset/.shard-000003.tar.99.tmp",
    ]
    for name in leftovers:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"partial")
    (tmp_path / "notes.txt").write_text("mine")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in owned_files(tmp_path)) == sorted(leftovers)
