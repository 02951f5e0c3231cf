"""Input mistakes on the command line: one clear line, exit 2, no traceback, nothing left behind."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from PIL import Image

from tests.test_cli import SMALL_CONFIG, assert_clean_failure

Cli = Callable[..., Result]
WriteConfig = Callable[..., Path]

ONE_SPEC = """\
total_images: 4
seed: 3
specifications:
  - name: latin
    proportion: 1.0
    corpus: ["en/*.txt"]
    fonts: {include: ["NotoSans-Regular.ttf"]}
    text_length: {min: 5, max: 20}
"""


@pytest.fixture
def plan(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> Path:
    path = tmp_path / "plans.jsonl"
    assert cli("plan", "--batch-config", write_config(ONE_SPEC), "-o", path).exit_code == 0
    return path


def run_ocrgen(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """`ocrgen ARGS` in a process of its own: stdout and stderr apart, as a shell pipe sees them."""
    command = [sys.executable, "-c", "from ocrgen.cli import main; main()", *map(str, args)]
    return subprocess.run(command, capture_output=True, check=False, env=env)


def leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.name.endswith(".tmp")]


# --- numbers that cannot be ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "--seed", "-1", "-o", "p.jsonl"],
        ["plan", "--seed", str(2**64), "-o", "p.jsonl"],
        ["generate", "--seed", "-1", "--output-dir", "out"],
        ["generate", "--generation-workers", "0", "--output-dir", "out"],
    ],
)
def test_negative_seed_and_no_workers_are_usage_errors(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = cli(*args)
    assert_clean_failure(result, 2)
    assert args[1] in result.output
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("workers", ["0", "-3"])
def test_render_needs_a_worker(cli: Cli, plan: Path, tmp_path: Path, workers: str) -> None:
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", workers)
    assert_clean_failure(result, 2)
    assert "--workers" in result.output
    assert not (tmp_path / "out").exists()


def test_shard_count_zero_says_what_n_is(cli: Cli, plan: Path, tmp_path: Path) -> None:
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--shard", "1/0")
    assert_clean_failure(result, 2)
    assert "N is the number of shards" in result.output and "-1/0" not in result.output


# --- writers ------------------------------------------------------------------------------------


def test_tesseract_refuses_jpg(cli: Cli, plan: Path, tmp_path: Path) -> None:
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--writer", "tesseract", "--image-format", "jpg")
    assert_clean_failure(result, 2)
    assert "--image-format png" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("writer", ["files", "lmdb", "hf"])
def test_samples_per_tar_applies_to_webdataset_only(cli: Cli, plan: Path, tmp_path: Path, writer: str) -> None:
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--writer", writer, "--samples-per-tar", "5")
    assert_clean_failure(result, 2)
    assert "--samples-per-tar applies to --writer webdataset only" in result.output


WITHOUT_LMDB = "import sys; sys.modules['lmdb'] = None; from ocrgen.cli import main; main()"


@pytest.mark.parametrize("command", ["render", "merge"])
def test_missing_lmdb_extra_names_the_pip_command(plan: Path, tmp_path: Path, command: str) -> None:
    """A real process without the lmdb module: one line with the install command, before anything is written."""
    out = tmp_path / "out"
    out.mkdir()
    args = [plan, "--output-dir", out] if command == "render" else [out]
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_LMDB, command, *map(str, args), "--writer", "lmdb"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "Error: --writer lmdb needs the lmdb package: pip install 'ocrgen[lmdb]'"
    assert not list(out.iterdir())


# --- where outputs go ---------------------------------------------------------------------------


def test_preview_checks_the_extension_before_rendering(
    cli: Cli, plan: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rendering(*args: object) -> None:
        raise AssertionError("rendered before the output name was checked")

    monkeypatch.setattr("ocrgen.renderer.preview.render_pixels", no_rendering)
    for name in ("sheet", "x.xyz"):
        result = cli("preview", plan, "-o", tmp_path / name)
        assert_clean_failure(result, 2)
        assert name in result.output and ".png" in result.output


def test_preview_writes_the_format_its_name_says(cli: Cli, plan: Path, tmp_path: Path) -> None:
    assert cli("preview", plan, "-o", tmp_path / "sheet.jpg", "--count", "2").exit_code == 0
    with Image.open(tmp_path / "sheet.jpg") as sheet:
        assert sheet.format == "JPEG"
    assert not leftovers(tmp_path)


@pytest.mark.parametrize(
    "args",
    [
        ["plan", "-o", "{file}/sub/plans.jsonl"],
        ["generate", "--output-dir", "{file}/out"],
        ["render", "{plan}", "--output-dir", "{file}/out"],
        ["preview", "{plan}", "-o", "{file}/sheet.png"],
    ],
)
def test_output_under_a_regular_file(cli: Cli, plan: Path, tmp_path: Path, args: list[str]) -> None:
    file = tmp_path / "a-file"
    file.write_bytes(b"keep me")
    result = cli(*(a.format(file=file, plan=plan) for a in args))
    assert_clean_failure(result, 2)
    assert f"{file} is a regular file, not a directory" in result.output
    assert file.read_bytes() == b"keep me"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_plan_never_renames_over_a_device(cli: Cli, write_config: WriteConfig) -> None:
    before = os.stat("/dev/full")
    result = cli("plan", "--batch-config", write_config(ONE_SPEC), "-o", "/dev/full")
    assert_clean_failure(result, 2)
    assert "/dev/full is a device; give a regular file path, or - for stdout" in result.output
    after = os.stat("/dev/full")
    assert (after.st_mode, after.st_rdev, after.st_ino) == (before.st_mode, before.st_rdev, before.st_ino)
    assert not list(Path("/dev").glob(".full*.tmp"))


def test_plan_to_a_named_pipe_is_refused(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    result = cli("plan", "--batch-config", write_config(ONE_SPEC), "-o", fifo)
    assert_clean_failure(result, 2)
    assert "is a named pipe" in result.output
    assert (tmp_path / "fifo").is_fifo()


def test_plan_to_stdout_is_the_file_byte_for_byte(write_config: WriteConfig, tmp_path: Path) -> None:
    config = write_config(SMALL_CONFIG)
    to_file = run_ocrgen("plan", "--batch-config", config, "-o", tmp_path / "plans.jsonl")
    to_stdout = run_ocrgen("plan", "--batch-config", config, "-o", "-")
    assert to_file.returncode == to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == (tmp_path / "plans.jsonl").read_bytes()
    assert b"Planned 8 images into stdout." in to_stdout.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.yaml", "plans.jsonl", "plans.jsonl.stats.json"]


def test_plan_through_a_symlink_writes_its_target(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    target = tmp_path / "real.jsonl"
    target.write_bytes(b"old")
    (tmp_path / "link.jsonl").symlink_to(target)
    assert cli("plan", "--batch-config", write_config(ONE_SPEC), "-o", tmp_path / "link.jsonl").exit_code == 0
    assert (tmp_path / "link.jsonl").is_symlink()
    assert target.read_bytes().count(b"\n") == 4


# --- assets that plan would trip on -------------------------------------------------------------


def _backgrounds(root: Path) -> Path:
    root.mkdir()
    Image.new("RGB", (64, 64), "white").save(root / "good.png")
    return root


def test_plan_with_a_non_image_background_leaves_nothing(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    backgrounds = _backgrounds(tmp_path / "bg")
    (backgrounds / "notes.png").write_text("not an image")
    out = tmp_path / "plans"
    out.mkdir()
    config = write_config(ONE_SPEC.replace("total_images: 4", "total_images: 40"))
    result = cli("plan", "--batch-config", config, "--background-dir", backgrounds, "-o", out / "plans.jsonl")
    assert_clean_failure(result, 2)
    assert "notes.png" in result.output
    assert not list(out.iterdir())


@pytest.mark.parametrize("broken", ["truncated.jpg", "truncated.png", "notes.png"])
def test_validate_decodes_every_background(cli: Cli, write_config: WriteConfig, tmp_path: Path, broken: str) -> None:
    backgrounds = _backgrounds(tmp_path / "bg")
    Image.new("RGB", (300, 300), "gray").save(tmp_path / "whole.jpg")
    Image.new("RGB", (300, 300), "gray").save(tmp_path / "whole.png")
    whole = {
        "truncated.jpg": (tmp_path / "whole.jpg").read_bytes(),
        "truncated.png": (tmp_path / "whole.png").read_bytes(),
    }
    data = whole[broken][: len(whole[broken]) // 2] if broken in whole else b"not an image"
    (backgrounds / broken).write_bytes(data)
    result = cli("validate", "--batch-config", write_config(ONE_SPEC), "--background-dir", backgrounds)
    assert_clean_failure(result, 2)
    assert f"{broken}" in result.output and "OK" not in result.output


def test_validate_reads_every_corpus_file_as_utf8(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "en"
    corpus.mkdir(parents=True)
    (corpus / "good.txt").write_text("plain words on a line\n" * 2000, encoding="utf-8")
    bad = "ünïcode text\n" * 100_000
    (corpus / "latin1.txt").write_bytes(bad.encode("utf-8") + "café\n".encode("latin-1"))
    (corpus / "cp1252.txt").write_bytes("“quoted” words here\n".encode("cp1252"))
    result = cli("validate", "--batch-config", write_config(ONE_SPEC), "--corpus-dir", tmp_path / "corpus")
    assert_clean_failure(result, 2)
    assert "latin1.txt is not valid UTF-8 near byte" in result.output
    assert "cp1252.txt is not valid UTF-8 near byte 0" in result.output
    assert "good.txt" not in result.output


@pytest.mark.parametrize("command", ["validate", "plan"])
@pytest.mark.parametrize(
    "content",
    [
        pytest.param("4B on the road\n".encode("utf-16-le") * 500, id="utf-16-le"),
        pytest.param("4B on the road\n".encode("utf-16") * 500, id="utf-16-bom"),
        pytest.param(bytes(range(256)) * 20, id="binary"),
    ],
)
def test_a_corpus_that_is_not_utf8_is_refused_in_both_modes(
    cli: Cli, write_config: WriteConfig, tmp_path: Path, command: str, content: bytes
) -> None:
    """UTF-16 without a BOM decodes as UTF-8 with NULs; words mode used to plan labels full of them."""
    corpus = tmp_path / "corpus" / "en"
    corpus.mkdir(parents=True)
    (corpus / "wide.txt").write_bytes(content)
    for mode in ("words", "lines"):
        config = write_config(ONE_SPEC + f"    text_mode: {mode}\n")
        out = tmp_path / f"{mode}.jsonl"
        output = ["-o", out] if command == "plan" else []
        result = cli(command, "--batch-config", config, "--corpus-dir", tmp_path / "corpus", *output)
        assert_clean_failure(result, 2)
        assert "wide.txt" in result.output and "UTF-8" in result.output, result.output
        assert not out.exists() and not leftovers(tmp_path)


@pytest.mark.parametrize("writer", ["lmdb", "webdataset"])
def test_a_failed_render_leaves_no_container_behind(cli: Cli, plan: Path, tmp_path: Path, writer: str) -> None:
    """A bad plan line stops the run: the container being built goes, the one of an earlier run stays."""
    out = tmp_path / "out"
    args = ["--output-dir", out, "--workers", "1", "--writer", writer]
    assert cli("render", plan, *args).exit_code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")}
    lines = plan.read_bytes().splitlines(keepends=True)
    plan.write_bytes(b"".join([*lines[:2], b"{not json\n", *lines[2:]]))
    result = cli("render", plan, *args)
    assert_clean_failure(result, 2)
    assert not leftovers(out)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize("flag", ["--chunk-size", "--io-batch-size"])
def test_record_counts_past_any_plan_are_usage_errors(cli: Cli, plan: Path, tmp_path: Path, flag: str) -> None:
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1", flag, str(2**63))
    assert_clean_failure(result, 2)
    assert flag in result.output


def test_preview_asked_for_more_records_than_the_plan_has_shows_them_all(cli: Cli, plan: Path, tmp_path: Path) -> None:
    result = cli("preview", plan, "-o", tmp_path / "sheet.png", "--count", "24")
    assert result.exit_code == 0, result.output
    assert "Wrote 4 records" in result.output


def test_preview_with_more_columns_than_records(cli: Cli, plan: Path, tmp_path: Path) -> None:
    result = cli("preview", plan, "-o", tmp_path / "sheet.png", "--count", "2", "--columns", str(10**12))
    assert result.exit_code == 0, result.output
    with Image.open(tmp_path / "sheet.png") as sheet:
        assert sheet.width < 2000


def test_validate_reads_the_corpus_of_a_spec_with_other_problems(
    cli: Cli, write_config: WriteConfig, tmp_path: Path
) -> None:
    """Every problem at once: a spec whose fonts match nothing still has its corpus read."""
    corpus = tmp_path / "corpus" / "en"
    corpus.mkdir(parents=True)
    (corpus / "latin1.txt").write_bytes("café\n".encode("latin-1"))
    config = write_config(ONE_SPEC.replace("NotoSans-Regular.ttf", "NoSuchFont.ttf"))
    result = cli("validate", "--batch-config", config, "--corpus-dir", tmp_path / "corpus")
    assert_clean_failure(result, 2)
    assert "NoSuchFont.ttf" in result.output and "latin1.txt is not valid UTF-8" in result.output


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("    text_length: .inf", "text_length.min"),
        ("    font_size: {min: 20, max: .inf}", "font_size.max"),
        ("    background_scale: .nan", "background_scale.min"),
        ("    directions: {left_to_right: .inf}", "directions.left_to_right"),
    ],
)
def test_infinite_or_nan_numbers_are_config_errors(cli: Cli, write_config: WriteConfig, line: str, key: str) -> None:
    """YAML's .inf and .nan are floats: without the check, validate said OK and plan crashed converting them."""
    config = write_config(ONE_SPEC.replace("    text_length: {min: 5, max: 20}", line))
    result = cli("validate", "--batch-config", config)
    assert_clean_failure(result, 2)
    assert f"{key}: Input should be a finite number" in result.output
