"""A file under its final name is always whole: written under a temporary name, then renamed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ocrgen.atomic import write_atomic


def test_writes_all_bytes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "image_00000001.png"
    target.write_bytes(b"old")
    data = bytes(range(256)) * 4000  # larger than one write() may take at once on some systems
    write_atomic(target, data)
    assert target.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_short_writes_are_continued(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real(fd, bytes(data[:7])))
    write_atomic(tmp_path / "label.json", b"0123456789" * 10)
    assert (tmp_path / "label.json").read_bytes() == b"0123456789" * 10


def test_a_failed_write_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space"):
        write_atomic(tmp_path / "image.png", b"pixels")
    assert list(tmp_path.iterdir()) == []
