"""The README's Python API example runs as written: the library is the same code as the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_api_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S)
    assert code is not None, "the Python API section has a python code block"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code.group(1), "README.md", "exec"), namespace)
    summary = namespace["summary"]
    assert summary.rendered == 100 and summary.failed == 0  # type: ignore[attr-defined]
    assert len(list((tmp_path / "out").glob("image_*.png"))) == 100
    assert namespace["label"].text == namespace["record"].text  # type: ignore[attr-defined]
