"""Every `ocrgen` command end to end, in-process through click's runner."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import orjson
import pytest
from click.testing import Result
from PIL import Image

from ocrgen.assets import BUNDLED_ROOTS, DEFAULT_CONFIG
from ocrgen.schemas.label import Label
from ocrgen.schemas.plan import ImageBackground, PlanRecord

Cli = Callable[..., Result]
WriteConfig = Callable[..., Path]

REPO = Path(__file__).resolve().parents[1]
FONT_DIR = BUNDLED_ROOTS["ocrgen:fonts"]
CORPUS_DIR = BUNDLED_ROOTS["ocrgen:corpus"]

SMALL_CONFIG = """\
total_images: 8
seed: 7
specifications:
  - name: latin
    proportion: 0.5
    corpus: ["en/*.txt"]
    fonts: {include: ["NotoSans-Regular.ttf", "NotoSerif-Regular.ttf"]}
    text_length: {min: 10, max: 30}
  - name: arabic
    proportion: 0.5
    corpus: ["ar/*.txt"]
    fonts: {include: ["*Arabic*", "*Naskh*"]}
    text_length: {min: 5, max: 25}
    directions: {right_to_left: 1.0}
"""

WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]


def read_records(plan: Path) -> list[PlanRecord]:
    """Every line of a plan file, validated as a PlanRecord (fails on any malformed line)."""
    lines = plan.read_bytes().splitlines()
    return [PlanRecord.model_validate_json(line) for line in lines]


def files(directory: Path, suffix: str) -> list[Path]:
    return sorted(directory.glob(f"image_*.{suffix}"))


def assert_clean_failure(result: Result, code: int | None = None) -> None:
    """A user error must exit non-zero with a message, never with a traceback."""
    assert result.exit_code != 0, result.output
    if code is not None:
        assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def plan_small(cli: Cli, write_config: WriteConfig, tmp_path: Path, *extra: str | Path) -> Path:
    """A small two-script plan, made through the CLI."""
    plan = tmp_path / "plans.jsonl"
    result = cli("plan", "--batch-config", write_config(SMALL_CONFIG, "small.yaml"), "-o", plan, *extra)
    assert result.exit_code == 0, result.output
    return plan


# --- plan and render on the issue's example -----------------------------------------------------


def test_plan_issue_example(cli: Cli, example_config: Path, tmp_path: Path) -> None:
    """The issue's config runs as written: 100 valid records, 70/30 split recorded in the stats."""
    plan = tmp_path / "plans.jsonl"
    result = cli("plan", "--batch-config", example_config, "-o", plan)
    assert result.exit_code == 0, result.output

    records = read_records(plan)
    assert len(records) == 100
    assert [r.index for r in records] == list(range(100))
    assert {r.spec for r in records} == {"latin_lines", "arabic_lines"}
    assert all(r.direction == "right_to_left" for r in records if r.spec == "arabic_lines")
    assert all(r.effects == [] for r in records)

    stats = orjson.loads((tmp_path / "plans.jsonl.stats.json").read_bytes())
    assert stats["records"] == 100
    assert stats["per_spec"] == {"latin_lines": 70, "arabic_lines": 30}


def test_render_issue_example(cli: Cli, example_config: Path, tmp_path: Path) -> None:
    """Render writes one png and one json per record, named by the 8-digit index."""
    plan = tmp_path / "plans.jsonl"
    assert cli("plan", "--batch-config", example_config, "-o", plan).exit_code == 0
    out = tmp_path / "out"
    result = cli("render", plan, "--output-dir", out, "--workers", "1")
    assert result.exit_code == 0, result.output

    pngs, labels = files(out, "png"), files(out, "json")
    assert len(pngs) == 100
    assert len(labels) == 100
    assert [p.stem for p in pngs] == [f"image_{i:08d}" for i in range(100)]
    assert [p.stem for p in labels] == [p.stem for p in pngs]
    assert not (out / "failures.jsonl").exists()


# --- generate ----------------------------------------------------------------------------------


def test_bundled_default_is_the_example_quickstart() -> None:
    """README points at examples/quickstart.yaml; generate uses the packaged copy; they must agree."""
    assert DEFAULT_CONFIG.is_file()
    assert (REPO / "examples" / "quickstart.yaml").read_bytes() == DEFAULT_CONFIG.read_bytes()


def test_generate_with_no_flags(cli: Cli, tmp_path: Path) -> None:
    """`ocrgen generate --output-dir out` alone works on the bundled default: 100 images and labels."""
    out = tmp_path / "out"
    result = cli("generate", "--output-dir", out)
    assert result.exit_code == 0, result.output

    records = read_records(out / "plans.jsonl")
    assert len(records) == 100
    assert len({r.spec for r in records}) >= 3  # the multilingual default, not a single spec
    assert len(files(out, "png")) == 100
    assert len(files(out, "json")) == 100
    # Every asset is bundled: a plan made with no flags needs no directory on this machine.
    assert all(r.font.asset.root == "ocrgen:fonts" for r in records)
    assert all(r.roots == {} for r in records)


def _background_dir(root: Path) -> Path:
    """Sub-dir `a` holds green images, sub-dir `b` red ones; sizes force both crop paths."""
    rng = np.random.default_rng(0)
    for sub, channel, sizes in (("a", 1, [(900, 240), (700, 300), (60, 40)]), ("b", 0, [(900, 240), (800, 300)])):
        (root / sub).mkdir(parents=True)
        for number, (w, h) in enumerate(sizes):
            pixels = np.zeros((h, w, 3), np.uint8)
            pixels[:, :, channel] = 200
            pixels[:, :, 2] = rng.integers(0, 60, (h, w))  # texture, so crops differ
            Image.fromarray(pixels, "RGB").save(root / sub / f"bg{number}.png")
    return root


def test_generate_with_explicit_dirs(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    """Every asset flag is honoured, and background weights decide which sub-dir is drawn from."""
    backgrounds = _background_dir(tmp_path / "backgrounds")
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(FONT_DIR / "NotoSans-Regular.ttf", fonts)
    corpus = tmp_path / "corpus"
    (corpus / "en").mkdir(parents=True)
    rng = np.random.default_rng(1)
    lines = [" ".join(rng.choice(WORDS, 12)) for _ in range(200)]
    (corpus / "en" / "words.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    config = write_config(
        """\
        total_images: 12
        seed: 3
        specifications:
          - name: weighted
            proportion: 1
            corpus: ["en/*.txt"]
            text_length: {min: 10, max: 30}
            backgrounds: {a: 1, b: 0}
        """
    )
    out = tmp_path / "out"
    result = cli(
        "generate",
        "--batch-config",
        config,
        "--font-dir",
        fonts,
        "--corpus-dir",
        corpus,
        "--background-dir",
        backgrounds,
        "--generation-workers",
        "1",
        "--output-dir",
        out,
    )
    assert result.exit_code == 0, result.output

    records = read_records(out / "plans.jsonl")
    assert len(records) == 12
    assert len(files(out, "png")) == 12
    for record in records:
        assert set(record.text.split()) <= set(WORDS), record.text  # the given corpus, not the bundled one
        assert record.font.asset.root == "fonts"
        assert record.font.asset.path == "NotoSans-Regular.ttf"
        assert record.roots["fonts"] == str(fonts.resolve())
        background = record.background
        assert isinstance(background, ImageBackground), background
        assert background.asset.root == "backgrounds"
        assert background.asset.path.startswith("a/"), background.asset.path  # b has weight 0
        x0, y0, x1, y1 = background.crop
        with Image.open(backgrounds / background.asset.path) as source:
            width, height = source.size
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height, (background.crop, source.size)
        # The rendered image really shows the green background of `a` in its padding corner.
        with Image.open(out / f"image_{record.index:08d}.png") as image:
            r, g, _ = image.convert("RGB").getpixel((0, 0))
        assert g > 150 and r < 50, (r, g)
    assert any(r.background.crop[:2] != (0, 0) for r in records), "every crop sits at the top-left corner"
    assert len({r.background.asset.path for r in records}) > 1, "only one image of `a` was ever used"


# --- plan --seed --------------------------------------------------------------------------------


def test_plan_seed_overrides_config(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    """--seed replaces the config's seed; equal seeds give identical files."""
    config = write_config(SMALL_CONFIG)
    outputs = {}
    for name, extra in (("config", []), ("seven", ["--seed", "7"]), ("a", ["--seed", "123"]), ("b", ["--seed", "123"])):
        plan = tmp_path / f"{name}.jsonl"
        result = cli("plan", "--batch-config", config, "-o", plan, *extra)
        assert result.exit_code == 0, result.output
        outputs[name] = plan.read_bytes()
    assert outputs["a"] == outputs["b"]
    assert outputs["a"] != outputs["config"]
    assert outputs["seven"] == outputs["config"]  # the config says seed: 7


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shard", ["3/3", "x", "1/0", "-1/3", "1/2/3", ""])
def test_bad_shard_is_a_clear_error(cli: Cli, write_config: WriteConfig, tmp_path: Path, shard: str) -> None:
    plan = plan_small(cli, write_config, tmp_path)
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--shard", shard)
    assert_clean_failure(result)
    assert "--shard" in result.output
    assert not list((tmp_path).glob("out/image_*"))


def _break_line_3(plan: Path, how: str) -> None:
    lines = plan.read_bytes().splitlines(keepends=True)
    if how == "garbage":
        lines[2] = b"{this is not json\n"
    else:
        record = orjson.loads(lines[2])
        del record["text"]
        lines[2] = orjson.dumps(record) + b"\n"
    plan.write_bytes(b"".join(lines))


@pytest.mark.parametrize("workers", ["1", "2"])
@pytest.mark.parametrize("how", ["garbage", "missing_key"])
def test_render_malformed_plan_line(
    cli: Cli, write_config: WriteConfig, tmp_path: Path, how: str, workers: str
) -> None:
    """A broken plan line stops render with exit 2, naming the file and the line."""
    plan = plan_small(cli, write_config, tmp_path)
    _break_line_3(plan, how)
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", workers)
    assert_clean_failure(result, 2)
    assert str(plan) in result.output
    assert "line 3" in result.output
    if how == "missing_key":
        assert "text" in result.output


@pytest.mark.parametrize("change", ["deleted", "modified"])
def test_render_with_missing_or_changed_font(cli: Cli, write_config: WriteConfig, tmp_path: Path, change: str) -> None:
    """A font that is gone or changed since planning is a clear exit-2 error that says how to fix it."""
    fonts = tmp_path / "fonts"
    shutil.copytree(FONT_DIR, fonts)
    plan = plan_small(cli, write_config, tmp_path, "--font-dir", fonts)
    used = read_records(plan)[0].font.asset.path
    if change == "deleted":
        (fonts / used).unlink()
    else:
        with open(fonts / used, "ab") as handle:
            handle.write(b"\0" * 16)
    result = cli("render", plan, "--output-dir", tmp_path / "out", "--workers", "1")
    assert_clean_failure(result, 2)
    assert used in result.output
    if change == "deleted":
        assert "--font-dir" in result.output
    else:
        assert "changed" in result.output
        assert "sha256" in result.output


def test_render_font_dir_override(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    """With the plan-time font dir gone, --font-dir pointing at a copy of the fonts is used.

    A render of another plan runs first in this process: render must not keep the roots
    of an earlier run.
    """
    planned, moved = tmp_path / "fonts_at_plan", tmp_path / "fonts_elsewhere"
    shutil.copytree(FONT_DIR, planned)
    shutil.copytree(FONT_DIR, moved)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plan = plan_small(cli, write_config, tmp_path / "a", "--font-dir", planned)
    reference_plan = plan_small(cli, write_config, tmp_path / "b", "--font-dir", moved)
    reference = tmp_path / "reference"
    assert cli("render", reference_plan, "--output-dir", reference, "--workers", "1").exit_code == 0

    shutil.rmtree(planned)
    out = tmp_path / "out"
    result = cli("render", plan, "--output-dir", out, "--workers", "1", "--font-dir", moved)
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in reference.iterdir() if not p.name.startswith("."))  # not the checkpoint
    assert len(names) == 16
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == names
    for name in names:
        if name.endswith(".png"):
            assert (out / name).read_bytes() == (reference / name).read_bytes(), name
        else:  # the labels differ only in the root the plan recorded
            label, expected = (orjson.loads((d / name).read_bytes()) for d in (out, reference))
            assert label["plan"].pop("roots") == {"fonts": str(planned.resolve())}
            expected["plan"].pop("roots")
            assert label == expected


def test_render_jpg(cli: Cli, write_config: WriteConfig, tmp_path: Path) -> None:
    """--image-format jpg writes JPEG files named .jpg, with their labels."""
    plan = plan_small(cli, write_config, tmp_path)
    out = tmp_path / "out"
    result = cli("render", plan, "--output-dir", out, "--workers", "1", "--image-format", "jpg")
    assert result.exit_code == 0, result.output
    jpgs = files(out, "jpg")
    assert len(jpgs) == 8
    assert not files(out, "png")
    assert [p.stem for p in files(out, "json")] == [p.stem for p in jpgs]
    for jpg in jpgs:
        with Image.open(jpg) as image:
            assert image.format == "JPEG"
            label = Label.model_validate_json((out / f"{jpg.stem}.json").read_bytes())
            assert image.size == (label.width, label.height)


def test_validate_command(cli: Cli, example_config: Path) -> None:
    result = cli("validate", "--batch-config", example_config, "--corpus-dir", CORPUS_DIR)
    assert result.exit_code == 0, result.output
    assert "100 images" in result.output


@pytest.mark.parametrize(
    ("which", "model", "field"),
    [
        ("config", None, "total_images"),
        ("config", "PageSpecification", "instances"),
        ("plan", "PlanRecord", "index"),
        ("plan", "PageRecord", "instances"),
        ("label", "Label", "bboxes"),
        ("label", "PageLabel", "instances"),
    ],
)
def test_schema_command(cli: Cli, which: str, model: str | None, field: str) -> None:
    """`ocrgen schema X` prints X's JSON Schema: for a plan line and a label, a single text's or a page's."""
    result = cli("schema", which)
    assert result.exit_code == 0, result.output
    schema = orjson.loads(result.output)
    assert field in (schema if model is None else schema["$defs"][model])["properties"]


@pytest.mark.parametrize("command", [[], ["plan"], ["render"], ["generate"], ["validate"], ["schema"]])
def test_help(cli: Cli, command: list[str]) -> None:
    result = cli(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
