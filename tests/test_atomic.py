"""A file under its final name is always whole: written under a temporary name, then renamed."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from ocrgen import atomic
from ocrgen.atomic import recover_dir, replace_dir, write_atomic


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


# --- directories (LMDB and merged containers) -------------------------------------------------------


def _container(path: Path, content: str) -> Path:
    path.mkdir()
    (path / "data.mdb").write_text(content)
    return path


def test_a_reader_always_finds_a_whole_directory(tmp_path: Path) -> None:
    """While containers are swapped in over and over, a reader never finds the name missing or empty."""
    final = _container(tmp_path / "lmdb", "0")
    misses: list[str] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                (final / "data.mdb").read_text()
            except FileNotFoundError as error:
                misses.append(str(error))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for n in range(1, 300):
            replace_dir(_container(tmp_path / ".lmdb.tmp", str(n)), final)
    finally:
        done.set()
        reader.join()
    assert misses == []
    assert (final / "data.mdb").read_text() == "299"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lmdb"]


def test_a_kill_between_the_fallback_renames_is_recovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the file system cannot swap, the old directory is moved aside; a kill then loses nothing."""
    final = _container(tmp_path / "lmdb", "old")
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    real, calls = os.replace, []

    def killed_after_first(source: str | Path, target: str | Path) -> None:
        calls.append(source)
        if len(calls) == 2:
            raise KeyboardInterrupt  # stands for the kill: the second rename never happens
        real(source, target)

    monkeypatch.setattr(os, "replace", killed_after_first)
    with pytest.raises(KeyboardInterrupt):
        replace_dir(_container(tmp_path / ".lmdb.tmp", "new"), final)
    monkeypatch.setattr(os, "replace", real)
    assert not final.exists()
    recover_dir(final)
    assert (final / "data.mdb").read_text() == "old"
