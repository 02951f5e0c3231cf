"""The downstream bench's cache: a data set is reused only when everything that decides it is the same."""

from __future__ import annotations

import fcntl
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import set_cache
from gen_ocrgen import OcrgenMaker, package_digest

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "scanned_print.yaml"


class FakeMaker:
    """Writes each string into a file of its own, and notes what it was asked for."""

    name = "fake"

    def __init__(self, option: int = 0) -> None:
        self.option = option
        self.calls: list[tuple[int, int]] = []

    def key(self) -> dict[str, object]:
        return {"option": self.option}

    def changes_text(self) -> bool:
        return False

    def make(self, out_dir: Path, strings: list[str], start: int) -> list[tuple[str, str]]:
        self.calls.append((start, len(strings)))
        for i in range(start, len(strings)):
            (out_dir / f"{i}.txt").write_text(strings[i])
        return [(f"{i}.txt", strings[i]) for i in range(start, len(strings))]

    def describe(self) -> str:
        return "fake"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(set_cache, "CACHE_DIR", tmp_path)
    return tmp_path


def make(maker: FakeMaker, strings: list[str], key: str = "strings-v1") -> set_cache.LineSetFiles:
    return set_cache.line_set(maker, "train", key, strings, lambda _: None)


def test_a_set_is_made_once_then_reused() -> None:
    maker = FakeMaker()
    first = make(maker, ["a", "b", "c"])
    again = make(maker, ["a", "b", "c"])
    assert maker.calls == [(0, 3)]
    assert again.images == first.images and again.labels == ["a", "b", "c"]
    assert [path.read_text() for path in again.images] == ["a", "b", "c"]
    assert again.reused == 3 and first.reused == 0


def test_a_larger_set_serves_a_smaller_run_and_a_shorter_one_is_extended() -> None:
    maker = FakeMaker()
    make(maker, ["a", "b"])
    longer = make(maker, ["a", "b", "c", "d"])
    shorter = make(maker, ["a", "b", "c"])
    assert maker.calls == [(0, 2), (2, 4)]
    assert longer.labels == ["a", "b", "c", "d"] and longer.made == 4
    assert shorter.labels == ["a", "b", "c"] and shorter.made == 4


class StoppedMaker(FakeMaker):
    """Dies, as a killed run does, when asked for more than `limit` strings in all."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def make(self, out_dir: Path, strings: list[str], start: int) -> list[tuple[str, str]]:
        if len(strings) > self.limit:
            raise KeyboardInterrupt
        return super().make(out_dir, strings, start)


def test_a_stopped_run_keeps_every_chunk_it_finished(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(set_cache, "CHUNK", 2)
    strings = ["a", "b", "c", "d", "e"]
    stopped = StoppedMaker(limit=4)
    with pytest.raises(KeyboardInterrupt):
        make(stopped, strings)
    assert stopped.calls == [(0, 2), (2, 4)]
    resumed = FakeMaker()
    done = make(resumed, strings)
    assert resumed.calls == [(4, 5)]
    assert done.labels == strings and done.reused == 4


@pytest.mark.parametrize("change", ["strings key", "generator option"])
def test_anything_that_decides_the_images_makes_a_new_set(change: str) -> None:
    first = make(FakeMaker(), ["a", "b"])
    if change == "strings key":
        other = make(FakeMaker(), ["a", "b"], key="strings-v2")
    else:
        other = make(FakeMaker(option=1), ["a", "b"])
    assert other.directory != first.directory
    assert other.reused == 0


def test_a_set_whose_labels_are_not_the_strings_is_refused() -> None:
    make(FakeMaker(), ["a", "b"])
    with pytest.raises(RuntimeError, match="does not hold the bench's strings"):
        make(FakeMaker(), ["a", "x"])


class UpperMaker(FakeMaker):
    """Changes the text it is given, as ocrgen's text augmentation does."""

    def changes_text(self) -> bool:
        return True

    def make(self, out_dir: Path, strings: list[str], start: int) -> list[tuple[str, str]]:
        return [(path, label.upper()) for path, label in super().make(out_dir, strings, start)]


def test_a_generator_that_changes_the_text_keeps_its_own_labels() -> None:
    made = make(UpperMaker(), ["a", "b"])
    assert make(UpperMaker(), ["a", "b"]).labels == made.labels == ["A", "B"]


def test_an_ocrgen_set_made_in_two_parts_is_the_set_made_at_once(tmp_path: Path) -> None:
    fonts = Path(__file__).resolve().parent.parent / "ocrgen" / "data" / "fonts"
    strings = ["One line", "of print,", "cut in", "two parts", "or not."]
    whole, parts = tmp_path / "whole", tmp_path / "parts"
    whole.mkdir(), parts.mkdir()
    made = OcrgenMaker(EXAMPLE, fonts, "bundled", 50, 1).make(whole, strings, 0)
    maker = OcrgenMaker(EXAMPLE, fonts, "bundled", 50, 1)
    assert maker.make(parts, strings[:2], 0) + maker.make(parts, strings, 2) == made
    assert [(whole / path).read_bytes() for path, _ in made] == [(parts / path).read_bytes() for path, _ in made]


def test_the_ocrgen_key_follows_the_config_the_fonts_and_the_code(tmp_path: Path) -> None:
    font_dir = tmp_path / "fonts"
    font_dir.mkdir()
    base = OcrgenMaker(EXAMPLE, font_dir, "fonts-1", 50, 1).key()
    assert OcrgenMaker(EXAMPLE, font_dir, "fonts-1", 50, 1).key() == base
    assert OcrgenMaker(EXAMPLE, font_dir, "fonts-2", 50, 1).key() != base
    edited = tmp_path / "edited.yaml"
    edited.write_text(EXAMPLE.read_text().replace("seed: 12", "seed: 13"))
    assert OcrgenMaker(edited, font_dir, "fonts-1", 50, 1).key() != base
    recounted = tmp_path / "recounted.yaml"
    recounted.write_text(EXAMPLE.read_text().replace("total_images: 1000", "total_images: 5"))
    assert OcrgenMaker(recounted, font_dir, "fonts-1", 50, 1).key() == base  # the bench sets the count


def test_the_package_digest_changes_when_any_file_of_the_package_does(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    before = package_digest(package)
    (package / "__pycache__").mkdir()
    (package / "__pycache__" / "a.pyc").write_bytes(b"compiled")
    assert package_digest(package) == before
    (package / "sub" / "b.py").write_text("y = 3\n")
    assert package_digest(package) != before


def test_a_run_waits_while_another_makes_the_same_set_then_reuses_it(cache_dir: Path) -> None:
    first = FakeMaker()
    made = make(first, ["a"])
    second = FakeMaker()
    messages: list[str] = []
    with open(made.directory / set_cache.LOCK, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another run is at work on this set
        waiting = threading.Thread(
            target=lambda: set_cache.line_set(second, "train", "strings-v1", ["a"], messages.append)
        )
        waiting.start()
        waiting.join(timeout=0.5)
        assert waiting.is_alive() and any("waiting" in message for message in messages)
    waiting.join(timeout=5)
    assert not waiting.is_alive()
    assert second.calls == []  # the set was whole by then
