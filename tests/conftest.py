"""Shared fixtures: small configs over the bundled fonts and corpus, and a CLI runner."""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ocrgen.assets import BUNDLED_ROOTS
from ocrgen.cli import main

FONT_DIR = BUNDLED_ROOTS["ocrgen:fonts"]
CORPUS_DIR = BUNDLED_ROOTS["ocrgen:corpus"]

# The batch config of issue #2, verbatim: it must validate and run as written.
ISSUE_EXAMPLE = """\
total_images: 100
seed: 7
specifications:
  - name: latin_lines
    proportion: 0.7
    corpus: ["en/*.txt"]
    text_length: {min: 10, max: 40}
    font_size: {min: 24, max: 48, distribution: uniform}
    padding: {min: 4, max: 16}
    directions: {left_to_right: 1.0}
    text_color: {min: [0, 0, 0], max: [60, 60, 60]}
  - name: arabic_lines
    proportion: 0.3
    corpus: ["ar/*.txt"]
    fonts: {include: ["*Arabic*", "*Naskh*"]}
    text_length: {min: 5, max: 30}
    font_size: {min: 24, max: 48}
    directions: {right_to_left: 1.0}
    text_color: {min: [0, 0, 0], max: [60, 60, 60]}
"""


@pytest.fixture(autouse=True)
def _private_coverage_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read or write the user's font coverage cache."""
    monkeypatch.setenv("OCRGEN_CACHE_DIR", str(tmp_path_factory.mktemp("ocrgen-cache")))


@pytest.fixture(autouse=True)
def _ocrgen_log_level() -> Iterator[None]:
    """A command run in-process sets the `ocrgen` logger's level (--log-level); the next test starts from none."""
    yield
    logging.getLogger("ocrgen").setLevel(logging.NOTSET)


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    """Write YAML text (dedented) to a file and return its path."""

    def write(text: str, name: str = "batch.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def example_config(write_config: Callable[[str], Path]) -> Path:
    return write_config(ISSUE_EXAMPLE)


@pytest.fixture
def cli() -> Callable[..., Result]:
    """Run `ocrgen ARGS...` in-process; returns click's Result (exit_code, output, stderr)."""
    runner = CliRunner()

    def run(*args: str | Path) -> Result:
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def pool_sizes(monkeypatch: pytest.MonkeyPatch) -> Callable[[ModuleType], list[int]]:
    """Count the processes each pool that `module` starts may have: call it with the module, read the list after."""

    def watch(module: ModuleType) -> list[int]:
        sizes: list[int] = []

        def counted(workers: int, **options: Any) -> ProcessPoolExecutor:
            sizes.append(workers)
            return ProcessPoolExecutor(workers, **options)

        monkeypatch.setattr(module, "ProcessPoolExecutor", counted)
        return sizes

    return watch
