"""Every shipped example config validates against the bundled assets, so the docs cannot rot."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PIL import Image

from ocrgen.assets import DEFAULT_CONFIG
from ocrgen.planner import AssetDirs, validate
from ocrgen.schemas.config import BatchConfig, PageSpecification, Specification

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))


@pytest.fixture
def background_dir(tmp_path: Path) -> Path:
    """The sub-directories the examples weight: paper/ and photos/."""
    for name, colour in (("paper", (235, 230, 215)), ("photos", (120, 140, 160))):
        (tmp_path / name).mkdir()
        Image.new("RGB", (320, 200), colour).save(tmp_path / name / "one.png")
    return tmp_path


def test_examples_exist() -> None:
    assert {p.name for p in EXAMPLES} >= {"quickstart.yaml", "all_features.yaml"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.name)
def test_example_validates(example: Path, background_dir: Path) -> None:
    text = example.read_text(encoding="utf-8")
    dirs = AssetDirs(backgrounds=background_dir if "backgrounds:" in text else None)
    config, resources = validate(example, dirs)
    assert len(resources.specs) == len(config.specifications)


def test_quickstart_example_is_the_bundled_default() -> None:
    quickstart = next(p for p in EXAMPLES if p.name == "quickstart.yaml")
    assert quickstart.read_bytes() == DEFAULT_CONFIG.read_bytes()


def test_all_features_uses_every_config_key() -> None:
    """The example that claims "every key" stays true as the schema grows."""
    data = yaml.safe_load((EXAMPLES_DIR / "all_features.yaml").read_text(encoding="utf-8"))
    used = {key for spec in data["specifications"] for key in spec}
    assert set(data) == set(BatchConfig.model_fields)
    assert set(Specification.model_fields) - used == set()
    assert set(PageSpecification.model_fields) - {key for page in data["pages"] for key in page} == set()
