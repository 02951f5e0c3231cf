"""Tiny configs for the ocrgen.torch tests: short words in the bundled Latin fonts, a few milliseconds a record."""

from __future__ import annotations

from pathlib import Path

import yaml

WORDS: dict[str, object] = {
    "total_images": 12,
    "seed": 3,
    "specifications": [
        {
            "name": "words",
            "proportion": 0.75,
            "corpus": ["en/*.txt"],
            "text_length": {"min": 3, "max": 8},
            "fonts": {"include": ["NotoSans-*", "NotoSerif-*"]},
            "font_size": {"min": 18, "max": 26},
            "padding": {"min": 0, "max": 3},
            "procedural_backgrounds": {"solid": 1, "paper": 1, "noise": 1, "gradient": 1},
            "effects": {
                "rotation": {"p": 0.5, "angle": {"min": -4, "max": 4}},
                "gaussian_noise": {"p": 0.5, "sigma": {"min": 2, "max": 8}},
                "jpeg": {"p": 0.3, "quality": {"min": 40, "max": 90}},
            },
        },
        {
            "name": "plain",
            "proportion": 0.25,
            "corpus": ["en/*.txt"],
            "text_length": {"min": 3, "max": 8},
            "fonts": {"include": ["NotoSans-*"]},
            "font_size": 20,
            "padding": {"min": 0, "max": 2},
        },
    ],
}


def write_config(directory: Path, **changes: object) -> Path:
    """The WORDS config with top-level `changes`, as a YAML file in `directory`."""
    path = directory / "words.yaml"
    path.write_text(yaml.safe_dump({**WORDS, **changes}), encoding="utf-8")
    return path


# One font at one size, no effects: the glyph caches fill within a hundred records, so memory must then stay flat.
NARROW = [
    {
        "name": "narrow",
        "proportion": 1.0,
        "corpus": ["en/*.txt"],
        "text_length": {"min": 3, "max": 8},
        "fonts": {"include": ["NotoSans-Regular*"]},
        "font_size": 20,
    }
]
