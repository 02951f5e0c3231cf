"""The README's commands, configs and code run as written, at small sizes, so a stale line fails CI.

Shell blocks run their `ocrgen` commands in a scratch dir laid out as the README assumes
(`batch.yaml`, `fonts/`, `corpus/`, `backgrounds/`, `examples/`); Python blocks run as
scripts under the spawn start method, as on macOS and Windows; YAML configs validate.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from PIL import Image

from ocrgen.assets import BUNDLED_ROOTS, DEFAULT_CONFIG
from ocrgen.cli import main
from ocrgen.planner import AssetDirs, load_config, make_plan, validate
from ocrgen.schemas.config import Specification
from ocrgen.schemas.effects.catalogue import EFFECTS
from ocrgen.schemas.effects.tables import markdown_tables

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
# Run elsewhere: installs (CI did them), the test suite itself, the bench, and a Dask cluster on other
# hosts (tests/test_distributed.py starts one the same way on 127.0.0.1).
NOT_HERE = ("pip ", "python -m pytest", "python bench/", "dask ")


PLUGIN_FILE = "# my_"  # the first line of a README example that is a plugin package's file


def blocks(language: str) -> list[str]:
    return [body for lang, body in BLOCK.findall(README.read_text(encoding="utf-8")) if lang == language]


def commands() -> list[str]:
    """Each `ocrgen` command of the shell blocks, comments dropped; `a && b` counts as its parts."""
    found = []
    for body in blocks("bash") + blocks("sh"):
        for line in body.splitlines():
            for part in line.split("#", 1)[0].split("&&"):
                part = part.strip()
                if part and not part.startswith(NOT_HERE) and "--dask-scheduler" not in part:
                    found.append(part)
    return found


def reference_config() -> str:
    """The config reference's YAML, which the README's own commands call `batch.yaml`."""
    return next(body for body in blocks("yaml") if "specifications:" in body)


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's project dir as the README pictures it, at a small size."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copytree(BUNDLED_ROOTS["ocrgen:fonts"], tmp_path / "fonts")
    shutil.copytree(BUNDLED_ROOTS["ocrgen:corpus"], tmp_path / "corpus")
    (tmp_path / "backgrounds").mkdir()
    for n, colour in enumerate([(236, 232, 220), (250, 250, 244)]):
        Image.new("RGB", (400, 240), colour).save(tmp_path / "backgrounds" / f"page{n}.png")
    (tmp_path / "docs").mkdir()
    config = yaml.safe_load(reference_config())
    config["total_images"] = 12
    (tmp_path / "batch.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_readme_has_the_commands_it_promises() -> None:
    found = " ".join(commands())
    for command in ("ocrgen generate", "ocrgen validate", "ocrgen plan", "ocrgen render", "ocrgen preview"):
        assert command in found


@pytest.mark.parametrize("command", commands())
def test_shell_command_runs(command: str, workdir: Path) -> None:
    """Each command alone, after the commands before it in the README (a render needs its plan)."""
    earlier = commands()[: commands().index(command)]
    runner = CliRunner()
    for line in [*(c for c in earlier if " plan " in f" {c} "), command]:
        result = runner.invoke(main, shlex.split(line)[1:], catch_exceptions=False)
        assert result.exit_code == 0, f"{line}\n{result.output}"


def test_config_reference_validates(tmp_path: Path) -> None:
    (tmp_path / "batch.yaml").write_text(reference_config(), encoding="utf-8")
    config, resources = validate(tmp_path / "batch.yaml", AssetDirs())
    assert len(resources.specs) == len(config.specifications)


def test_effects_example_validates(tmp_path: Path) -> None:
    """The Effects section's fragment, under a specification of its own."""
    fragment = next(body for body in blocks("yaml") if body.lstrip().startswith("effects:"))
    spec = {"name": "s", "proportion": 1, "corpus": ["en/*.txt"], **yaml.safe_load(textwrap.dedent(fragment))}
    (tmp_path / "batch.yaml").write_text(yaml.safe_dump({"total_images": 1, "specifications": [spec]}))
    assert set(load_config(tmp_path / "batch.yaml").specifications[0].effects)


def test_framing_example_validates() -> None:
    fragment = next(body for body in blocks("yaml") if body.lstrip().startswith("framing:"))
    spec = Specification.model_validate({"name": "s", "proportion": 1, "corpus": ["x"], **yaml.safe_load(fragment)})
    assert spec.framing is not None


def test_range_examples_validate() -> None:
    for line in next(body for body in blocks("yaml") if body.startswith("font_size:")).splitlines():
        Specification.model_validate({"name": "s", "proportion": 1, "corpus": ["x"], **yaml.safe_load(line)})


def python_blocks(training: bool) -> list[str]:
    """The Python API's blocks, or (`training`) the PyTorch section's, which train from `plans.jsonl`.

    The plugin examples, which begin with the file they go in, run as a plugin in tests/test_plugins.py.
    """
    api = [body for body in blocks("python") if not body.startswith(PLUGIN_FILE)]
    return [body for body in api if ("ocrgen.torch" in body) == training]


def run_block(code: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """As a script under spawn, so a block that forgets `if __name__ == "__main__":` fails as it would on macOS."""
    missing = [m for m in re.findall(r"^(?:from|import) (\w+)", code, re.M) if _not_installed(m)]
    if missing:
        compile(code, "README.md", "exec")  # needs what this machine lacks (a cluster, torch); at least it must parse
        pytest.skip(f"{missing[0]} is not installed here")
    script = workdir / "example.py"
    script.write_text("import multiprocessing\nmultiprocessing.set_start_method('spawn', force=True)\n" + code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


@pytest.mark.parametrize("code", python_blocks(training=False), ids=lambda code: code.splitlines()[-1][:40])
def test_python_block_runs(code: str, workdir: Path) -> None:
    done = run_block(code, workdir)
    assert "100 rendered, 0 failed" in done.stdout
    assert len(list((workdir / "out").glob("image_*.png"))) == 100


@pytest.mark.parametrize("code", python_blocks(training=True), ids=lambda code: code.splitlines()[-1][:40])
def test_training_block_runs(code: str, workdir: Path) -> None:
    """On the plan the README's own `ocrgen plan` command makes, with its fonts and backgrounds."""
    make_plan("batch.yaml", AssetDirs("fonts", "backgrounds", "corpus"), "plans.jsonl")
    done = run_block(code, workdir)
    assert re.fullmatch(r"loss \d+\.\d\d\n", done.stdout), done.stdout


def _not_installed(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return True
    return False


def _commands_in(text: str) -> list[str]:
    return re.findall(r"`(\w+)`", text)


def _options(command: str) -> set[str]:
    group = main.commands[command]
    return {name for param in group.params for name in getattr(param, "opts", [])}


def test_shared_flags_are_as_the_readme_says() -> None:
    text = " ".join(README.read_text(encoding="utf-8").split())
    readers = re.search(r"Flags of the commands that read a config \((.*?)\):", text)
    assert readers is not None
    for command in _commands_in(readers[1]):
        assert {"--batch-config", "--font-dir", "--corpus-dir", "--background-dir"} <= _options(command), command
    roots = re.search(r"((?:`\w+`(?:, | and )?)+) take `--font-dir` and `--background-dir` too", text)
    logs = re.search(r"((?:`\w+`(?:, | and )?)+) take `--log-level", text)
    assert roots is not None and logs is not None
    for command in _commands_in(roots[1]):
        assert {"--font-dir", "--background-dir"} <= _options(command), command
    with_log = set(_commands_in(logs[1]))
    for command in main.commands:
        assert ("--log-level" in _options(command)) == (command in with_log), command


def test_plan_record_example_is_record_1_of_the_default_plan(tmp_path: Path) -> None:
    example = next(body for body in blocks("json") if '"schema_version"' in body)
    make_plan(DEFAULT_CONFIG, AssetDirs(), tmp_path / "plans.jsonl")
    assert json.loads(example) == json.loads((tmp_path / "plans.jsonl").read_bytes().splitlines()[1])


def test_readme_effect_tables_are_what_the_models_say() -> None:
    """Regenerate them with `ocrgen effects` when an effect or its config changes."""
    text = README.read_text(encoding="utf-8")
    start, end = "<!-- ocrgen effects: start -->\n", "<!-- ocrgen effects: end -->"
    assert text[text.index(start) + len(start) : text.index(end)] == markdown_tables(EFFECTS)
