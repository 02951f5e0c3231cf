"""`ocrgen.schemas` is data: importing it loads no pixel code, so any tool can read configs, plans and labels."""

from __future__ import annotations

import subprocess
import sys

PIXEL_MODULES = ("numpy", "PIL", "freetype", "uharfbuzz", "cv2", "scipy", "ocrgen.effects", "ocrgen.renderer")


def loaded_after(imports: str) -> list[str]:
    """The pixel modules a fresh interpreter has loaded after `imports`."""
    probe = (
        f"import sys\nimport {imports}\nprint('\\n'.join(m for m in sys.modules if m.startswith({PIXEL_MODULES!r})))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_importing_the_schemas_loads_no_pixel_library() -> None:
    assert loaded_after("ocrgen.schemas.config, ocrgen.schemas.plan, ocrgen.schemas.label") == []


def test_the_probe_would_see_a_pixel_library() -> None:
    """The check above can fail: importing the renderer loads them."""
    loaded = loaded_after("ocrgen.renderer.render")
    assert "numpy" in loaded and "PIL" in loaded and "ocrgen.effects.registry" in loaded
