"""The bundled examples plan and render to the very bytes they did when these digests were stored.

A refactor that must not change any output (moving code, plain data on a hot path, plugins)
is held to this: a changed digest means some plan line, pixel or label changed. A change that
is meant to alter outputs updates the digest here and says why in its commit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ocrgen.planner import AssetDirs, iter_plan, load_config
from ocrgen.record_json import record_line
from ocrgen.renderer.output import encode_label
from ocrgen.renderer.render import render_pixels

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# sha256 over every record's plan line, pixels and label file, in plan order. Stored anew for pixels version 2
# (`PIXELS_VERSION`), when noise became whole levels: the noisy images changed, nothing else.
DIGESTS = {
    "all_effects.yaml": "5962896f6a8c38072019d99732350107f0a205f0b1c1e9846e999f70d951f9e9",
    "contact_sheet.yaml": "b2d3977980d26cd3339000186ece550be113192435624d15515ff42195866ddb",
}


@pytest.mark.parametrize("example", list(DIGESTS))
def test_example_outputs_match_the_stored_digest(example: str) -> None:
    digest = hashlib.sha256()
    config = load_config(EXAMPLES / example)
    for record in iter_plan(config, AssetDirs()):
        pixels, label = render_pixels(record)
        digest.update(record_line(record))
        digest.update(pixels.tobytes())
        digest.update(encode_label(label))
    assert digest.hexdigest() == DIGESTS[example]
