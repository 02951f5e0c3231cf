"""A plugin package (tests/plugin) adds an image effect, a geometric effect and a writer, and ocrgen takes them
through every command, as it takes its own.

The package is registered the way pip registers one: a `.dist-info` directory with its entry points, on the
PYTHONPATH of fresh `ocrgen` processes only, so the rest of the test run never sees its effects.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.test_readme import PLUGIN_FILE, blocks

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = Path(__file__).resolve().parent / "plugin"
RECORDS = 12

CONFIG = {
    "total_images": RECORDS,
    "seed": 5,
    "specifications": [
        {
            "name": "plugged",
            "proportion": 1,
            "corpus": ["en/*.txt"],
            "text_length": {"min": 8, "max": 20},
            "font_size": {"min": 28, "max": 36},
            "padding": {"min": 6, "max": 10},
            "procedural_backgrounds": {"solid": 1},
            "background_color": {"min": [255, 255, 255], "max": [255, 255, 255]},
            "effects": {
                "rotation": {"p": 0.5, "angle": {"min": -3, "max": 3}},
                "stretch": {"p": 1, "factor": {"min": 1.3, "max": 1.6}},
                "moire": {"p": 1, "strength": {"min": 0.3, "max": 0.4}},
            },
        }
    ],
}


def _site(directory: Path, pyproject: str | None = None) -> Path:
    """A directory that registers a plugin's entry points (tests/plugin's by default), as installing it would."""
    project = tomllib.loads(pyproject or (PLUGIN / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    info = directory / f"{project['name'].replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: 1.0\n", encoding="utf-8")
    groups = project["entry-points"]
    lines = [
        f"[{group}]\n" + "".join(f"{name} = {value}\n" for name, value in groups[group].items()) for group in groups
    ]
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _site(tmp_path_factory.mktemp("site"))


def run(args: list[str], site: Path | None, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """`ocrgen ARGS` in a fresh process, with the plugin installed when `site` is given."""
    paths = [str(ROOT)] + ([str(site), str(PLUGIN)] if site else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    done = subprocess.run(
        [sys.executable, "-m", "ocrgen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )
    if ok:
        assert done.returncode == 0, done.stderr
    return done


@pytest.fixture(scope="module")
def planned(site: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("plugged")
    (work / "batch.yaml").write_text(yaml.safe_dump(CONFIG), encoding="utf-8")
    run(["plan", "--batch-config", "batch.yaml", "-o", "plans.jsonl"], site, work)
    return work


def outputs(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_schema_validate_inspect_preview_and_the_tables_know_the_plugin_effects(site: Path, planned: Path) -> None:
    schema = json.loads(run(["schema", "config"], site, planned).stdout)
    assert {"moire", "stretch"} <= set(json.dumps(schema).replace('"', " ").split())
    assert "valid" in run(["validate", "--batch-config", "batch.yaml"], site, planned).stdout
    report = run(["inspect", "plans.jsonl"], site, planned).stdout
    assert "moire" in report and "stretch" in report
    run(["preview", "plans.jsonl", "-o", "sheet.png", "--count", "4"], site, planned)
    assert (planned / "sheet.png").stat().st_size > 0
    tables = run(["effects"], site, planned).stdout
    assert (
        "| `moire` (from ocrgen-example-plugin) |" in tables and "| `stretch` (from ocrgen-example-plugin) |" in tables
    )
    records = [json.loads(line) for line in (planned / "plans.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(r["plugins"] == {"moire": "ocrgen-example-plugin", "stretch": "ocrgen-example-plugin"} for r in records)


def test_plugin_effects_render_the_same_with_workers_and_shards(site: Path, planned: Path) -> None:
    run(["render", "plans.jsonl", "--output-dir", "one"], site, planned)
    run(["render", "plans.jsonl", "--output-dir", "two", "--workers", "2"], site, planned)
    for k in range(2):
        run(["render", "plans.jsonl", "--output-dir", "shards", "--shard", f"{k}/2"], site, planned)
    one = {k: v for k, v in outputs(planned / "one").items() if k.startswith("image_")}
    assert len(one) == 2 * RECORDS
    for other in ("two", "shards"):
        assert {k: v for k, v in outputs(planned / other).items() if k.startswith("image_")} == one


def test_the_geometric_plugin_effect_keeps_the_polygons_true(site: Path, planned: Path) -> None:
    """The stretched text's ink lies inside its character polygons, and each image is as wide as the plan says."""
    check = """
import sys
from itertools import islice
from ocrgen.planner import AssetDirs, iter_plan, load_config
from ocrgen.effects.registry import size_after_geometry
from tests.textcases import dilate, ink_mask, polygon_mask, render
config = load_config("batch.yaml")
stretched = 0
for record in iter_plan(config, AssetDirs()):
    plain = record.model_copy(update={"effects": [e for e in record.effects if e.name != "moire"]})
    image, label = render(plain)
    assert image.size == size_after_geometry(plain.effects, plain.canvas.width, plain.canvas.height)
    ink = ink_mask(image)
    inside = dilate(polygon_mask(ink.shape, [c.polygon for c in label.characters]), 2)
    share = (ink & inside).sum() / ink.sum()
    assert share >= 0.99, (record.index, share)
    stretched += any(e.name == "stretch" for e in plain.effects)
print(stretched)
"""
    done = subprocess.run(
        [sys.executable, "-c", check],
        cwd=planned,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site), str(PLUGIN)])},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == RECORDS


def test_the_plugin_writer_writes_a_manifest_per_shard(site: Path, planned: Path) -> None:
    run(["render", "plans.jsonl", "--output-dir", "whole", "--writer", "manifest"], site, planned)
    for k in range(2):
        run(
            ["render", "plans.jsonl", "--output-dir", "parts", "--writer", "manifest", "--shard", f"{k}/2"],
            site,
            planned,
        )

    def rows(path: Path) -> list[list[str]]:
        return [line.split("\t", 1) for line in path.read_text(encoding="utf-8").splitlines()]

    whole = rows(planned / "whole/manifest/labels.tsv")
    parts = [row for k in range(2) for row in rows(planned / f"parts/manifest/labels.shard-{k:05d}-of-00002.tsv")]
    plans = (planned / "plans.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"].replace("\n", " ") for line in plans]
    assert [text for _, text in whole] == [text for _, text in parts] == texts
    assert all((planned / "whole/manifest" / path).is_file() for path, _ in whole)


def test_a_plan_naming_a_missing_plugin_fails_at_once_naming_the_package(planned: Path) -> None:
    done = run(["render", "plans.jsonl", "--output-dir", "nowhere"], None, planned, ok=False)
    assert done.returncode == 2, done.stderr
    assert "'moire' and 'stretch'" in done.stderr and "pip install ocrgen-example-plugin" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_config_naming_a_missing_plugin_effect_says_so(planned: Path) -> None:
    done = run(["validate", "--batch-config", "batch.yaml"], None, planned, ok=False)
    assert done.returncode == 2
    assert "'stretch'" in done.stderr and "plugin" in done.stderr and "Traceback" not in done.stderr


def test_the_readme_plugin_examples_work_as_a_plugin(tmp_path: Path) -> None:
    """The README's "Write your own effect" and "Write your own writer" files, installed as one package."""
    files: dict[str, str] = {}
    for body in blocks("python"):
        if body.startswith(PLUGIN_FILE):  # one block may hold several files, each under its "# path" line
            for part in re.split(r"^(?=# my_\S+\.py$)", body, flags=re.M):
                if part.strip():
                    name, _, code = part.partition("\n")
                    files[name.removeprefix("# ")] = code
    assert set(files) == {"my_effects/__init__.py", "my_effects/kernels.py", "my_writers.py"}
    for name, code in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(code, encoding="utf-8")
    points = "\n".join(body for body in blocks("toml") if "ocrgen." in body)
    site = _site(tmp_path / "site", f'[project]\nname = "my-ocrgen-effects"\n{points}')
    config = {**CONFIG, "specifications": [{**CONFIG["specifications"][0], "effects": {"moire": {"p": 1}}}]}
    (tmp_path / "batch.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(site), str(tmp_path)])}
    for args in (
        ["plan", "--batch-config", "batch.yaml", "-o", "plans.jsonl"],
        ["render", "plans.jsonl", "--output-dir", "out", "--writer", "manifest", "--workers", "2"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "ocrgen", *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert len((tmp_path / "out/manifest/labels.tsv").read_text(encoding="utf-8").splitlines()) == RECORDS
    assert '"moire"' in (tmp_path / "plans.jsonl").read_text(encoding="utf-8")


BROKEN = """
[project]
name = "ocrgen-broken-plugin"

[project.entry-points."ocrgen.effects"]
moire = "ocrgen_example_plugin:MoireConfig"
shear = "ocrgen_example_plugin:STRETCH"

[project.entry-points."ocrgen.writers"]
manifest = "ocrgen_example_plugin.nowhere:Writer"
"""


def test_a_broken_plugin_is_left_out_and_named_when_asked_for(planned: Path, tmp_path: Path) -> None:
    """An entry that is no Effect, or is misnamed, or a writer that fails to import: the rest still works, and
    naming them gives exit 2 and why, not a traceback."""
    broken = _site(tmp_path / "broken", BROKEN)
    done = run(["validate", "--batch-config", "batch.yaml"], broken, planned, ok=False)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "ocrgen-broken-plugin failed to load it" in done.stderr and "not an ocrgen Effect" in done.stderr
    assert "its entry point is named 'shear' but the effect 'stretch'" in done.stderr  # shear stays the built-in
    written = run(
        ["render", "plans.jsonl", "--output-dir", "broken", "--writer", "manifest"], broken, planned, ok=False
    )
    assert written.returncode == 2 and "Traceback" not in written.stderr
    assert "--writer manifest: the plugin package ocrgen-broken-plugin failed to load it" in written.stderr
