"""No tofu: a font is chosen only for text it can really draw, and what it can draw is cached across runs.

The fonts are cut from the bundled NotoSans-Regular with fontTools: one that
lacks 'é' in its character map, and ones whose 'Q' is an empty glyph or a copy
of .notdef while the character map still lists it.
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Callable
from pathlib import Path

import pytest
import uharfbuzz as hb
from fontTools.pens.recordingPen import RecordingPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.subset import Options, Subsetter
from fontTools.ttLib import TTFont

from ocrgen.assets import DEFAULT_CONFIG, AssetResolver
from ocrgen.cache import CACHE_ENV
from ocrgen.errors import PlanningError
from ocrgen.planner import AssetDirs, PlanStats, iter_plan, load_config
from ocrgen.planner import coverage as coverage_module
from ocrgen.planner.coverage import EMPTY_GLYPH, NOT_IN_CMAP, NOTDEF_COPY, cache_dir, needs_ink
from ocrgen.planner.fonts import FontCatalog, needed_codepoints
from ocrgen.schemas.plan import PlanRecord
from tests.conftest import FONT_DIR

SOURCE = FONT_DIR / "NotoSans-Regular.ttf"
E_ACUTE = "é"

CONFIG = """\
total_images: 40
seed: 2
specifications:
  - name: sayings
    proportion: 1
    corpus: ["*.txt"]
    text_mode: lines
    text_length: {min: 1, max: 60}
"""


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test here gets its own coverage cache; none touches the real home directory."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    return tmp_path / "cache" / "coverage"


def _without_e_acute(path: Path) -> Path:
    """NotoSans cut down to every character but 'é' (and the combining acute HarfBuzz could compose it from)."""
    font = TTFont(SOURCE)
    options = Options()
    options.notdef_outline = True
    options.layout_features = ["*"]
    subsetter = Subsetter(options)
    subsetter.populate(unicodes=set(font.getBestCmap()) - {ord(E_ACUTE), 0x0301})
    subsetter.subset(font)
    font.save(path)
    return path


def _empty_q(path: Path) -> Path:
    """NotoSans whose 'Q' glyph has no contours; the character map still maps 'Q' to it."""
    font = TTFont(SOURCE)
    font["glyf"]["Q"] = TTGlyphPen(None).glyph()
    font.save(path)
    return path


def _notdef_q(path: Path) -> Path:
    """NotoSans whose 'Q' glyph is a copy of .notdef: it would draw a tofu box."""
    font = TTFont(SOURCE)
    font["glyf"]["Q"] = copy.deepcopy(font["glyf"][".notdef"])
    font.save(path)
    return path


def _font_dir(tmp_path: Path, fonts: dict[str, Callable[[Path], Path] | None]) -> Path:
    """A font dir with each named font: crafted by its function, or a plain copy of NotoSans."""
    directory = tmp_path / "fonts"
    directory.mkdir(exist_ok=True)
    for name, craft in fonts.items():
        if craft is None:
            (directory / name).write_bytes(SOURCE.read_bytes())
        else:
            craft(directory / name)
    return directory


def _plan(
    tmp_path: Path, font_dir: Path, lines: list[str], write_config: Callable[[str], Path]
) -> tuple[list[PlanRecord], PlanStats]:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / "sayings.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    stats = PlanStats()
    records = list(iter_plan(load_config(write_config(CONFIG)), AssetDirs(fonts=font_dir, corpus=corpus), stats=stats))
    return records, stats


def _face(font_dir: Path, name: str) -> coverage_module.FaceCoverage:
    return next(f.coverage for f in FontCatalog("fonts", font_dir).faces if f.path.name == name)


def test_a_font_lacking_a_character_never_gets_text_with_it(
    tmp_path: Path, write_config: Callable[[str], Path]
) -> None:
    fonts = _font_dir(tmp_path, {"Full.ttf": None, "NoAcute.ttf": _without_e_acute})
    records, _ = _plan(
        tmp_path, fonts, ["café au lait", "plain words here", "un résumé", "nothing special"], write_config
    )
    with_acute = [r for r in records if E_ACUTE in r.text]
    assert with_acute, "the corpus never offered a text with 'é'"
    assert {r.font.asset.path for r in with_acute} == {"Full.ttf"}
    assert "NoAcute.ttf" in {r.font.asset.path for r in records}, "the cut font was never chosen at all"


@pytest.mark.parametrize(("craft", "reason"), [(_empty_q, EMPTY_GLYPH), (_notdef_q, NOTDEF_COPY)])
def test_a_font_whose_glyph_cannot_draw_a_character_is_not_chosen_for_it(
    tmp_path: Path, write_config: Callable[[str], Path], craft: Callable[[Path], Path], reason: str
) -> None:
    lines = ["Quiet Quays", "plain words here", "Quick quotes", "nothing special"]
    fonts = _font_dir(tmp_path, {"Full.ttf": None, "Broken.ttf": craft})
    broken = _face(fonts, "Broken.ttf")
    assert ord("Q") in broken.cmap, "the character map must still list 'Q', or this only tests the cmap"
    assert broken.rejection(needed_codepoints("Quiet")) == reason
    assert broken.rejection(needed_codepoints("quiet")) is None

    records, _ = _plan(tmp_path, fonts, lines, write_config)
    assert {r.font.asset.path for r in records if "Q" in r.text} == {"Full.ttf"}
    assert "Broken.ttf" in {r.font.asset.path for r in records}

    (fonts / "Full.ttf").unlink()
    records, stats = _plan(tmp_path, fonts, lines, write_config)
    assert records and not any("Q" in r.text for r in records)
    assert stats.resampled["no_font_covers_text"] > 0


def test_text_no_font_covers_is_resampled_and_counted(tmp_path: Path, write_config: Callable[[str], Path]) -> None:
    fonts = _font_dir(tmp_path, {"NoAcute.ttf": _without_e_acute})
    assert _face(fonts, "NoAcute.ttf").rejection(needed_codepoints("café")) == NOT_IN_CMAP
    records, stats = _plan(tmp_path, fonts, ["café au lait", "plain words here", "un résumé"], write_config)
    assert len(records) == 40 and not any(E_ACUTE in r.text for r in records)
    assert stats.resampled["no_font_covers_text"] > 0


def test_planning_names_the_spec_when_no_text_can_be_drawn(tmp_path: Path, write_config: Callable[[str], Path]) -> None:
    fonts = _font_dir(tmp_path, {"NoAcute.ttf": _without_e_acute})
    with pytest.raises(PlanningError, match=r"Specification 'sayings'.*no_font_covers_text"):
        _plan(tmp_path, fonts, ["café au lait", "un résumé"], write_config)


def test_what_needs_a_glyph_and_what_needs_ink() -> None:
    for char in "Aé中ق\u0600□":
        assert needs_ink(ord(char)), char
    for char in " \u00a0\u3000\t\u200d\u200b\u00ad\ufe0f\u3164\u0007":
        assert not needs_ink(ord(char)), repr(char)
    # HarfBuzz hides joiners and selectors, but draws the Hangul filler from the font.
    assert needed_codepoints("a\u200d\ufe0f\u3164") == {ord("a"), 0x3164}


def test_glyphs_are_judged_only_when_a_text_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    judged: list[int] = []
    verdict = coverage_module._GlyphJudge.verdict

    def counting(self: coverage_module._GlyphJudge, codepoint: int) -> str | None:
        judged.append(codepoint)
        return verdict(self, codepoint)

    monkeypatch.setattr(coverage_module._GlyphJudge, "verdict", counting)
    catalog = FontCatalog("ocrgen:fonts", FONT_DIR)
    assert judged == []
    cjk = next(f for f in catalog.faces if "CJK" in f.path.name)
    assert cjk.covers(needed_codepoints("中文 字"))
    assert sorted(judged) == sorted(map(ord, "中文字"))
    assert cjk.covers(needed_codepoints("文字"))
    assert len(judged) == 3


def test_a_second_catalog_reads_the_cache(tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fonts = _font_dir(tmp_path, {"Full.ttf": None, "NoAcute.ttf": _without_e_acute})
    first = FontCatalog("fonts", fonts)
    assert len(list(cache.glob("*.json"))) == 2

    def no_slow_path(path: Path) -> list[frozenset[int]]:
        raise AssertionError(f"read the character maps of {path} again")

    monkeypatch.setattr(coverage_module, "_read_cmaps", no_slow_path)
    second = FontCatalog("fonts", fonts)
    assert second.problems == []
    assert [(f.path, f.coverage.cmap) for f in second.faces] == [(f.path, f.coverage.cmap) for f in first.faces]


def test_glyph_verdicts_are_written_back_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fonts = _font_dir(tmp_path, {"Broken.ttf": _empty_q})

    def learn() -> None:
        face = _face(fonts, "Broken.ttf")
        assert face.rejection(needed_codepoints("AQ")) == EMPTY_GLYPH

    learn()
    gc.collect()  # the face is gone: what it learned has been written back

    def no_judge(path: Path, face_index: int) -> None:
        raise AssertionError(f"judged glyphs of {path} again")

    monkeypatch.setattr(coverage_module, "_GlyphJudge", no_judge)
    face = _face(fonts, "Broken.ttf")
    assert face.rejection(needed_codepoints("AQ")) == EMPTY_GLYPH
    assert ord("A") in face


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"\xff\xfe not json",
        b'{"format": 1}',
        b'{"format": 1, "faces": 1, "cmap": [[70, 65]], "drawable": [], "rejected": {}}',
        b'{"format": 1, "faces": 1, "cmap": [[65, 90]], "drawable": [[48, 57]], "rejected": {}}',
        b'{"format": 1, "faces": 1, "cmap": [[65, 90]], "drawable": [], "rejected": {"gremlins": [[81, 81]]}}',
        b'["format", 1]',
    ],
)
def test_a_corrupt_cache_entry_is_rebuilt(
    tmp_path: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, garbage: bytes
) -> None:
    fonts = _font_dir(tmp_path, {"Full.ttf": None})
    expected = FontCatalog("fonts", fonts).faces[0].coverage.cmap
    (entry,) = cache.glob("*.json")
    entry.write_bytes(garbage)

    reads: list[Path] = []
    read_cmaps = coverage_module._read_cmaps
    monkeypatch.setattr(coverage_module, "_read_cmaps", lambda path: reads.append(path) or read_cmaps(path))
    catalog = FontCatalog("fonts", fonts)
    assert catalog.problems == [] and catalog.faces[0].coverage.cmap == expected
    assert reads == [fonts / "Full.ttf"]
    FontCatalog("fonts", fonts)
    assert reads == [fonts / "Full.ttf"], "the rebuilt entry was not written back"


def test_a_changed_font_file_is_read_again(tmp_path: Path) -> None:
    fonts = _font_dir(tmp_path, {"Font.ttf": None})
    assert ord(E_ACUTE) in _face(fonts, "Font.ttf")
    _without_e_acute(fonts / "Font.ttf")
    assert ord(E_ACUTE) not in _face(fonts, "Font.ttf")


def test_an_unwritable_cache_is_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be", encoding="utf-8")
    monkeypatch.setenv(CACHE_ENV, str(blocker))
    fonts = _font_dir(tmp_path, {"Broken.ttf": _notdef_q})
    catalog = FontCatalog("fonts", fonts)
    assert catalog.problems == []
    face = catalog.faces[0].coverage
    assert face.rejection(needed_codepoints("Quay")) == NOTDEF_COPY
    face.save()
    assert blocker.is_file()


def test_the_cache_lives_where_the_environment_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_dir() == tmp_path / "cache" / "coverage"
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache_dir() == tmp_path / "home" / ".cache" / "ocrgen" / "coverage"


def test_no_planned_record_asks_its_font_for_tofu_or_a_blank() -> None:
    """Every character of every quickstart record shapes to real glyphs, and every visible one to ink."""
    resolver = AssetResolver()
    records = list(iter_plan(load_config(DEFAULT_CONFIG), AssetDirs()))
    assert {r.spec for r in records} == {s.name for s in load_config(DEFAULT_CONFIG).specifications}
    fonts: dict[tuple[Path, int], hb.Font] = {}
    for record in records:
        path = resolver.path(record.font.asset, record.roots)
        key = (path, record.font.face_index)
        if key not in fonts:
            fonts[key] = hb.Font(hb.Face(hb.Blob.from_file_path(str(path)), record.font.face_index))
        font = fonts[key]
        notdef = _drawing(font, 0)
        for line in record.text.split("\n"):
            for char in line:
                glyph = font.get_nominal_glyph(ord(char))
                if needs_ink(ord(char)):
                    assert glyph, f"{char!r} of {record.text!r} is not in {path.name}"
                    assert _drawing(font, glyph), f"{char!r} of {record.text!r} is blank in {path.name}"
                    assert _drawing(font, glyph) != notdef, f"{char!r} of {record.text!r} is tofu in {path.name}"
            _assert_shapes_to_ink(font, line, f"{record.text!r} in {path.name}")


def _drawing(font: hb.Font, glyph: int) -> list[tuple[str, tuple[tuple[float, float], ...]]]:
    pen = RecordingPen()
    font.draw_glyph_with_pen(glyph, pen)
    return pen.value


def _assert_shapes_to_ink(font: hb.Font, line: str, what: str) -> None:
    """No .notdef in the shaped run, and each cluster with a visible character has a glyph with ink."""
    buffer = hb.Buffer()
    buffer.add_codepoints([ord(c) for c in line])
    buffer.guess_segment_properties()
    hb.shape(font, buffer, {})
    infos = buffer.glyph_infos
    assert all(info.codepoint != 0 for info in infos), f".notdef when shaping {what}"
    starts = sorted({info.cluster for info in infos})
    for start, end in zip(starts, [*starts[1:], len(line)], strict=True):
        if any(needs_ink(ord(c)) for c in line[start:end]):
            extents = [font.get_glyph_extents(i.codepoint) for i in infos if i.cluster == start]
            assert any(e.width and e.height for e in extents), f"cluster {line[start:end]!r} is blank in {what}"
