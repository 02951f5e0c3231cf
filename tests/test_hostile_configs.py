"""Configs and assets a careless or hostile hand made: each is one clear problem, exit 2, no traceback or guess."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from ocrgen.planner import load_config
from ocrgen.schemas.config import BatchConfig
from tests.test_cli import assert_clean_failure

Cli = Callable[..., Result]

SPEC = '  - {name: a, proportion: 1, corpus: ["en/*.txt"]}\n'

HOSTILE = {
    "duplicate_key": ("total_images: 10\ntotal_images: 20\nspecifications:\n" + SPEC, "given twice"),
    "boolean_total": ("total_images: true\nspecifications:\n" + SPEC, "true/false is not a number"),
    "boolean_in_range": (
        'total_images: 5\nspecifications:\n  - {name: a, proportion: 1, corpus: ["en/*.txt"], '
        "font_size: {min: 20, max: false}}\n",
        "font_size.max",
    ),
    "digits_5000": ("total_images: " + "9" * 5000 + "\nspecifications:\n" + SPEC, "digits"),
    "total_past_bound": ("total_images: " + "9" * 40 + "\nspecifications:\n" + SPEC, "total_images"),
    "seed_past_64_bits": ("total_images: 5\nseed: " + str(2**64) + "\nspecifications:\n" + SPEC, "seed"),
    "corpus_absolute": (
        'total_images: 5\nspecifications:\n  - {name: a, proportion: 1, corpus: ["/etc/passwd"]}\n',
        "inside the corpus dir",
    ),
    "corpus_empty": (
        'total_images: 5\nspecifications:\n  - {name: a, proportion: 1, corpus: [""]}\n',
        "inside the corpus dir",
    ),
    "corpus_parent": (
        'total_images: 5\nspecifications:\n  - {name: a, proportion: 1, corpus: ["../*.txt"]}\n',
        "inside the corpus dir",
    ),
    "nested_20000_deep": ("total_images: " + "[" * 20000 + "]" * 20000 + "\n", "nested too deeply"),
    "billion_laughs": (
        'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
        + "".join(f"{b}: &{b} [{', '.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True))
        + "total_images: 5\nspecifications:\n"
        + SPEC,
        "expand to more than 100,000 values",
    ),
    "font_size_past_freetype": (
        'total_images: 5\nspecifications:\n  - {name: a, proportion: 1, corpus: ["en/*.txt"], font_size: 1000000}\n',
        "font_size",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_config_is_one_clear_problem(cli: Cli, tmp_path: Path, name: str) -> None:
    text, expected = HOSTILE[name]
    config = tmp_path / "batch.yaml"
    config.write_text(text, encoding="utf-8")
    for command in (["validate"], ["plan", "-o", tmp_path / "plans.jsonl"]):
        result = cli(*command, "--batch-config", config)
        assert_clean_failure(result, 2)
        assert expected in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["batch.yaml"]


@pytest.mark.parametrize("source", ["/dev/urandom", "/dev/zero"])
def test_a_device_is_not_read_as_a_config(cli: Cli, source: str) -> None:
    """Reading it whole would take every byte of memory; it is refused before a byte is read."""
    result = cli("validate", "--batch-config", source)
    assert_clean_failure(result, 2)
    assert "not a regular file" in result.output


def test_a_huge_file_is_not_read_as_a_config(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "corpus.txt"
    with open(config, "wb") as handle:
        handle.truncate(64 << 20)  # sparse: 64 MiB on paper, nothing on disk
    result = cli("validate", "--batch-config", config)
    assert_clean_failure(result, 2)
    assert "at most" in result.output


@pytest.mark.parametrize("written", ["1e30", "1.0e30", "2.5E-3", "-1e+2"])
def test_yaml_12_floats_are_numbers(tmp_path: Path, written: str) -> None:
    """PyYAML follows YAML 1.1, where `1e30` is a string; a config reads it as the number anyone means."""
    config = tmp_path / "batch.yaml"
    config.write_text(
        "total_images: 5\nspecifications:\n  - name: a\n    proportion: 1\n    corpus: [x]\n"
        f"    character_spacing: {{min: -1000, max: {written}}}\n",
        encoding="utf-8",
    )
    try:
        spec = load_config(config).specifications[0]
    except Exception as error:  # a bound may refuse the value, but never as a string
        assert "string" not in str(error), error
        return
    assert spec.character_spacing.max == float(written)


def test_no_config_key_takes_a_boolean() -> None:
    """The loader refuses every true/false; a boolean key added to the schema must change that rule first."""
    assert '"boolean"' not in BatchConfig.model_json_schema().__repr__().replace("'", '"')


def _png_header_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims the size but holds next to no pixels: Pillow judges a bomb by its header."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("name", ["bomb_30000x30000", "zero_bytes", "text_named_png"])
def test_unusable_background_is_one_clear_problem(cli: Cli, tmp_path: Path, name: str) -> None:
    backgrounds = tmp_path / "backgrounds"
    backgrounds.mkdir()
    content = {"bomb_30000x30000": _png_header_claiming(30000, 30000), "zero_bytes": b"", "text_named_png": b"hi\n"}
    (backgrounds / f"{name}.png").write_bytes(content[name])
    config = tmp_path / "batch.yaml"
    config.write_text("total_images: 3\nspecifications:\n" + SPEC, encoding="utf-8")
    for command in (["validate"], ["plan", "-o", tmp_path / "plans.jsonl"]):
        result = cli(*command, "--batch-config", config, "--background-dir", backgrounds)
        assert_clean_failure(result, 2)
        assert f"{name}.png" in result.output
    assert not (tmp_path / "plans.jsonl").exists()
