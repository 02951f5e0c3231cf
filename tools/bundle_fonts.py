#!/usr/bin/env python3
"""Rebuild ``ocrgen/data/fonts`` from the Debian Noto font packages.

Why: the fonts shipped inside the package must be reproducible from a
known, licence-clean source, and must stay small (<= 4 MB in total).
Non-CJK fonts are copied unmodified or subset with every OpenType layout
feature kept, so complex-script shaping (GSUB/GPOS/GDEF) is unchanged.
The Arabic, Hebrew, Devanagari and Thai fonts lack much of ASCII (Hebrew and
Thai have no '.' or digits), so each gets the Latin basics it lacks merged in
from Noto Sans (Noto Serif for Naskh) with fontTools.merge. The script font
goes first and keeps its own glyph for every character it already has, its
layout, hinting and line metrics; shaping of the script's corpus lines is
checked to be unchanged glyph for glyph.
The CJK font is cut from the Simplified Chinese face of the Noto Sans CJK
collection, keeping vertical metrics and the ``vert``/``vrt2`` features.

Needs: ``apt-get install fonts-noto-core fonts-noto-cjk``, fontTools and uharfbuzz.
Usage: ``python tools/bundle_fonts.py`` from the repository root.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import uharfbuzz as hb
from fontTools import subset
from fontTools.merge import Merger
from fontTools.merge import Options as MergeOptions
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTCollection, TTFont

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "ocrgen" / "data" / "fonts"
DEFAULT_CORPUS = REPO / "ocrgen" / "data" / "corpus"

NOTO_CORE = Path("/usr/share/fonts/truetype/noto")
NOTO_CJK_TTC = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
CJK_POSTSCRIPT_NAME = "NotoSansCJKsc-Regular"
CJK_OUT_NAME = "NotoSansCJKsc-Regular-Subset.otf"
# The OFL text as laid out upstream (title banner, normal wrapping).
OFL_SOURCE = Path("/usr/share/doc/fonts-noto-cjk/copyright")
OFL_STANZA = "License: SIL-1.1"

BUDGET_BYTES = 4_000_000
CORE_PKG = "fonts-noto-core"
CJK_PKG = "fonts-noto-cjk"

Ranges = tuple[tuple[int, int], ...]

# Basic Latin, Latin-1, Latin Extended-A, General Punctuation, currency.
LATIN_RANGES: Ranges = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x0100, 0x017F),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
)
# What a script font needs besides its script: ASCII, NBSP and Latin-1,
# General Punctuation without spaces and format controls, currency signs.
LATIN_BASICS: Ranges = (
    (0x0020, 0x007E),
    (0x00A0, 0x00FF),
    (0x2010, 0x2027),
    (0x2030, 0x205E),
    (0x20A0, 0x20CF),
)
# Vertical metrics the merge would widen to the Latin font's; the script
# font's own values are put back so its line box (HarfBuzz font extents,
# which the text engine lays lines out with) does not change. usWinAscent/
# usWinDescent keep the merged maximum: they are a clipping box.
KEPT_METRICS: tuple[tuple[str, str], ...] = (
    ("hhea", "ascent"),
    ("hhea", "descent"),
    ("hhea", "lineGap"),
    ("OS/2", "sTypoAscender"),
    ("OS/2", "sTypoDescender"),
    ("OS/2", "sTypoLineGap"),
    ("OS/2", "sxHeight"),
    ("OS/2", "sCapHeight"),
    ("head", "fontRevision"),
    ("head", "created"),
    ("head", "modified"),
)
# Table tags of TrueType hinting, dropped from both fonts if a merge fails.
HINTING_TABLES = ("fpgm", "prep", "cvt ")

# ASCII, CJK Symbols and Punctuation, Hiragana, Katakana, fullwidth forms.
CJK_BLOCK_RANGES: Ranges = (
    (0x0020, 0x007E),
    (0x3000, 0x303F),
    (0x3040, 0x309F),
    (0x30A0, 0x30FF),
    (0xFF00, 0xFFEF),
)


@dataclass(frozen=True)
class CoreFont:
    """One font from fonts-noto-core; ``ranges`` None means keep every glyph.

    ``latin`` names the fonts-noto-core Latin font whose LATIN_BASICS glyphs
    are merged into this one, for the code points it lacks.
    """

    name: str
    ranges: Ranges | None
    script: str
    latin: str | None = None


SANS = "NotoSans-Regular.ttf"
# Naskh is a modulated design; upstream's full Noto Naskh Arabic also takes its
# Latin from Noto Serif (notofonts/arabic#193).
SERIF = "NotoSerif-Regular.ttf"

CORE_FONTS: tuple[CoreFont, ...] = (
    CoreFont(SANS, LATIN_RANGES, "latin"),
    CoreFont("NotoSans-Bold.ttf", LATIN_RANGES, "latin"),
    CoreFont(SERIF, LATIN_RANGES, "latin"),
    CoreFont("NotoSansArabic-Regular.ttf", None, "arabic", SANS),
    CoreFont("NotoNaskhArabic-Regular.ttf", None, "arabic", SERIF),
    CoreFont("NotoSansHebrew-Regular.ttf", None, "hebrew", SANS),
    CoreFont("NotoSansDevanagari-Regular.ttf", None, "devanagari", SANS),
    CoreFont("NotoSansThai-Regular.ttf", None, "thai", SANS),
)

# Which bundled script every font of which must, on its own, draw every line of
# each corpus language: mixed lines embed Latin words, digits and punctuation,
# which the script fonts now carry themselves.
LANG_SCRIPTS: dict[str, str] = {
    "en": "latin",
    "ar": "arabic",
    "he": "hebrew",
    "hi": "devanagari",
    "th": "thai",
    "zh": "cjk",
    "ja": "cjk",
}


def expand(ranges: Ranges) -> set[int]:
    """Turn inclusive code point ranges into a set."""
    return {cp for lo, hi in ranges for cp in range(lo, hi + 1)}


def gb2312_level1() -> set[int]:
    """GB2312 level-1 hanzi (rows 0xB0-0xD7): the 3755 most common ones."""
    chars: set[int] = set()
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue  # row 0xD7 ends at 0xF9
    return chars


def corpus_lines(corpus: Path, lang: str) -> list[str]:
    """The non-empty lines of the corpus files of ``lang``."""
    files = sorted((corpus / lang).glob("*.txt"))
    if not files:
        raise SystemExit(f"no corpus files in {corpus / lang}")
    return [line for path in files for line in path.read_text("utf-8").splitlines() if line]


def corpus_chars(corpus: Path, langs: tuple[str, ...]) -> set[int]:
    """Every code point used in the corpus files of ``langs``."""
    return {ord(c) for lang in langs for line in corpus_lines(corpus, lang) for c in line}


def subset_options(hinting: bool, glyph_names: bool = False) -> subset.Options:
    """Subsetter options that keep all layout features and all names."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = hinting
    options.glyph_names = glyph_names
    return options


def subset_font(
    font: TTFont, unicodes: set[int], dest: Path, hinting: bool, glyph_names: bool = False
) -> None:
    """Subset ``font`` in place to ``unicodes`` (plus layout closure), save."""
    options = subset_options(hinting, glyph_names)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    subset.save_font(font, str(dest), options)


def find_cjk_face(ttc: Path, postscript_name: str) -> tuple[int, TTFont]:
    """Locate a face of the collection by its name table, not a fixed index."""
    # recalcTimestamp=False keeps head.modified, so rebuilds are byte-identical.
    collection = TTCollection(str(ttc), recalcTimestamp=False)
    for index, face in enumerate(collection.fonts):
        if face["name"].getDebugName(6) == postscript_name:
            return index, face
    raise SystemExit(f"{postscript_name} not found in {ttc}")


def package_version(package: str) -> str:
    """Installed Debian version of ``package``, for the README table."""
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", package],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def ofl_text(copyright_file: Path) -> str:
    """Extract the OFL 1.1 stanza from a Debian machine-readable copyright."""
    lines = copyright_file.read_text("utf-8").splitlines()
    # The stanza holding the text, not a "Files:" stanza that names it.
    start = next(
        i + 1
        for i, line in enumerate(lines[:-1])
        if line == OFL_STANZA and lines[i + 1].startswith(" ")
    )
    body: list[str] = []
    for line in lines[start:]:
        if not line.startswith(" "):
            break
        body.append("" if line == " ." else line[1:])
    return "\n".join(body).strip("\n") + "\n"


def cmap_of(path: Path) -> set[int]:
    """Code points mapped by a font file."""
    return set(TTFont(str(path), lazy=True).getBestCmap())


def copyright_notice(path: Path) -> str:
    """Return the copyright string (name ID 0) of a font file."""
    return TTFont(str(path), lazy=True)["name"].getDebugName(0)


def describe(ranges: Ranges) -> str:
    """Human-readable list of code point ranges."""
    return ", ".join(f"U+{lo:04X}-{hi:04X}" for lo, hi in ranges)


def code_points(cps: list[int]) -> str:
    """Code points as U+XXXX, space separated."""
    return " ".join(f"U+{cp:04X}" for cp in cps)


@dataclass(frozen=True)
class Merged:
    """How a script font came out of the Latin merge."""

    merged: bool
    hinted: bool = True
    added: int = 0
    reason: str = ""


def strip_hinting(font: TTFont) -> None:
    """Drop TrueType hinting: the programs, the CVT and every glyph's instructions."""
    for tag in HINTING_TABLES:
        if tag in font:
            del font[tag]
    for name in font.getGlyphOrder():
        font["glyf"][name].removeHinting()
    maxp = font["maxp"]
    if maxp.tableVersion == 0x00010000:
        maxp.maxZones = 1
        for field in (
            "maxTwilightPoints",
            "maxStorage",
            "maxFunctionDefs",
            "maxInstructionDefs",
            "maxStackElements",
            "maxSizeOfInstructions",
        ):
            setattr(maxp, field, 0)


def merge_pair(script_src: Path, latin_src: Path, work: Path, hinting: bool) -> tuple[TTFont, int]:
    """Merge the LATIN_BASICS that ``script_src`` lacks from ``latin_src`` into it.

    The script font goes first and nothing it maps is asked of the Latin font,
    so every character keeps the script font's own glyph and no ``locl``
    lookup is synthesised; the Latin glyphs and their layout come after.
    Returns the merged font and how many code points it gained.
    """
    script = TTFont(str(script_src), recalcTimestamp=False)
    latin = TTFont(str(latin_src), recalcTimestamp=False)
    upems = script["head"].unitsPerEm, latin["head"].unitsPerEm
    if upems[0] != upems[1]:
        raise SystemExit(
            f"error: {script_src.name} has {upems[0]} units per em, {latin_src.name} has"
            f" {upems[1]}: fontTools.merge cannot merge them"
        )
    wanted = expand(LATIN_BASICS) - set(script.getBestCmap())
    latin_path = work / f"latin-for-{script_src.name}"
    # Glyph names keep post format 2, so the merged font still names its glyphs.
    subset_font(latin, wanted, latin_path, hinting=False, glyph_names=True)
    added = len(wanted & cmap_of(latin_path))
    script_path = script_src
    if not hinting:
        strip_hinting(script)
        script_path = work / f"unhinted-{script_src.name}"
        script.save(str(script_path))
    merged = Merger(MergeOptions(drop_tables=["DSIG"])).merge([str(script_path), str(latin_path)])
    for tag, attr in KEPT_METRICS:
        setattr(merged[tag], attr, getattr(script[tag], attr))
    merged.recalcTimestamp = False  # keep head.modified: rebuilds are byte-identical
    return merged, added


def hb_font(path: Path) -> hb.Font:
    """A HarfBuzz font at units-per-em scale."""
    return hb.Font(hb.Face(hb.Blob.from_file_path(str(path))))


def shape(font: hb.Font, text: str) -> list[tuple[int, int, int, int, int, int]]:
    """(glyph id, cluster, x/y advance, x/y offset) of ``text`` shaped as HarfBuzz guesses it."""
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    return [
        (info.codepoint, info.cluster, pos.x_advance, pos.y_advance, pos.x_offset, pos.y_offset)
        for info, pos in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
    ]


def drawing(glyph_set: object, name: str) -> list[tuple[str, tuple[object, ...]]]:
    """The outline of a glyph as pen calls (components by name)."""
    pen = RecordingPen()
    glyph_set[name].draw(pen)  # type: ignore[index]
    return pen.value


def verify_merge(original: Path, merged: Path, lines: list[str]) -> tuple[list[str], int]:
    """Problems where ``merged`` does not draw what ``original`` drew, and the lines compared.

    Every character of the original maps to the same glyph name, every original
    glyph keeps its outline and advance, line metrics are the same, and each
    corpus line shapes to the same glyphs (names, clusters, advances and
    offsets), leaving out only the glyphs of characters the original lacked.
    """
    before, after = TTFont(str(original)), TTFont(str(merged))
    problems: list[str] = []
    if after["head"].unitsPerEm != before["head"].unitsPerEm:
        problems.append("units per em changed")
    if after["post"].formatType != 2:
        problems.append(f"glyph names lost (post format {after['post'].formatType})")
    old_cmap, new_cmap = before.getBestCmap(), after.getBestCmap()
    remapped = sorted(cp for cp, name in old_cmap.items() if new_cmap.get(cp) != name)
    if remapped:
        problems.append(f"characters now mapped to other glyphs: {code_points(remapped)}")
    old_glyphs, new_glyphs = before.getGlyphSet(), after.getGlyphSet()
    changed = [
        name
        for name in before.getGlyphOrder()
        if name not in new_glyphs
        or before["hmtx"][name] != after["hmtx"][name]
        or drawing(old_glyphs, name) != drawing(new_glyphs, name)
    ]
    if changed:
        problems.append(f"{len(changed)} of its own glyphs changed, e.g. {', '.join(changed[:5])}")

    old_font, new_font = hb_font(original), hb_font(merged)
    old_ext, new_ext = (
        (ext.ascender, ext.descender, ext.line_gap)
        for ext in (old_font.get_font_extents("ltr"), new_font.get_font_extents("ltr"))
    )
    if old_ext != new_ext:
        problems.append(f"font extents (ascender, descender, line gap) changed: {old_ext} -> {new_ext}")
    old_names, new_names = before.getGlyphOrder(), after.getGlyphOrder()
    own = set(old_names) - {".notdef"}
    differing = []
    for line in lines:
        # Glyphs of the original font only: .notdef before, Latin glyphs after, are left out.
        old = [(old_names[g], *rest) for g, *rest in shape(old_font, line) if g]
        new = [(new_names[g], *rest) for g, *rest in shape(new_font, line) if new_names[g] in own]
        if old != new:
            differing.append(line)
    if differing:
        problems.append(f"{len(differing)} corpus lines shape differently, e.g. {differing[0]!r}")
    return problems, len(lines)


def merge_latin(src: Path, latin_src: Path, dest: Path, lines: list[str]) -> Merged:
    """Write ``src`` with the Latin basics it lacks merged in, checked against ``lines``.

    fontTools.merge can fail on layout tables or on TrueType hinting; then the
    merge is tried again with hinting dropped from both fonts. If that fails
    too, or the merged font does not draw what ``src`` drew, ``src`` is copied
    unmodified and the reason given.
    """
    reasons: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for hinting in (True, False):
            try:
                merged, added = merge_pair(src, latin_src, Path(tmp), hinting)
                merged.save(str(dest))
            except SystemExit:
                raise
            except Exception as error:  # fontTools raises all kinds; report it exactly
                state = "with the script font's hinting" if hinting else "with hinting dropped"
                reasons.append(f"fontTools.merge {state}: {type(error).__name__}: {error}")
                continue
            problems, compared = verify_merge(src, dest, lines)
            if not problems:
                print(f"{dest.name}: {compared} corpus lines shape as before", file=sys.stderr)
                return Merged(merged=True, hinted=hinting, added=added)
            reasons.append("merged font differs: " + "; ".join(problems))
            break  # hinting does not change shaping: trying without it would not help
    shutil.copyfile(src, dest)
    return Merged(merged=False, reason=" / ".join(reasons))


def write_readme(out: Path, rows: list[tuple[str, str, str, str]], notes: list[str]) -> None:
    """Write the provenance table for the bundled fonts."""
    lines = [
        "# Bundled fonts",
        "",
        "Generated by `python tools/bundle_fonts.py`; do not edit by hand.",
        "All fonts are Noto fonts under the SIL Open Font License 1.1 (see",
        "`OFL.txt`, which also lists each font's copyright notice).",
        "",
        *notes,
        "| file | source (Debian package) | subset | code points | licence |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{f}` | {src} | {sub} | {cps} | OFL-1.1 |" for f, src, sub, cps in rows
    ]
    (out / "README.md").write_text("\n".join(lines) + "\n", "utf-8")


def check_corpus(corpus: Path, script_fonts: dict[str, list[Path]]) -> list[str]:
    """Return problems: corpus lines that a font of their language's script cannot draw alone.

    Each font must map every character of the language's corpus and shape every
    line without a .notdef (glyph id 0); no other font may fill in.
    """
    problems: list[str] = []
    for lang, script in LANG_SCRIPTS.items():
        lines = corpus_lines(corpus, lang)
        needed = {ord(c) for line in lines for c in line}
        for path in script_fonts[script]:
            missing = needed - cmap_of(path)
            if missing:
                problems.append(f"{lang}: {path.name} lacks {code_points(sorted(missing))}")
            font = hb_font(path)
            tofu = [line for line in lines if any(g == 0 for g, *_ in shape(font, line))]
            if tofu:
                problems.append(f"{lang}: {path.name} shapes {len(tofu)} lines with .notdef, e.g. {tofu[0]!r}")
    return problems


def build(out: Path, corpus: Path) -> int:
    """Rebuild every file of ``out``; return a process exit code."""
    core_src = f"{CORE_PKG} {package_version(CORE_PKG)}"
    cjk_src = f"{CJK_PKG} {package_version(CJK_PKG)}"
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.ttf"), *out.glob("*.otf")]:
        stale.unlink()

    rows: list[tuple[str, str, str, str]] = []
    notices: list[str] = []
    problems: list[str] = []
    script_fonts: dict[str, list[Path]] = {}
    langs_of = {script: [lang for lang, s in LANG_SCRIPTS.items() if s == script] for script in LANG_SCRIPTS.values()}
    for spec in CORE_FONTS:
        src, dest = NOTO_CORE / spec.name, out / spec.name
        if spec.latin is not None:
            lines = [line for lang in langs_of[spec.script] for line in corpus_lines(corpus, lang)]
            result = merge_latin(src, NOTO_CORE / spec.latin, dest, lines)
            if result.merged:
                # Check what the merge asked for, in the file as saved.
                wanted = expand(LATIN_BASICS) & cmap_of(NOTO_CORE / spec.latin)
                still = sorted(wanted - cmap_of(dest))
                if still:
                    problems.append(f"{spec.name}: Latin basics still missing: {code_points(still)}")
                print(f"{spec.name}: merged {result.added} code points from {spec.latin}", file=sys.stderr)
                hints = "its hinting kept, Latin glyphs unhinted" if result.hinted else "hinting dropped"
                rows.append(
                    (
                        spec.name,
                        f"{core_src}, Latin from `{spec.latin}` (same package)",
                        "whole font, plus a Latin subset (all layout features) merged in with"
                        f" fontTools.merge; {hints}; DSIG dropped",
                        f"all of its own, plus the {result.added} of {describe(LATIN_BASICS)} it lacked",
                    )
                )
                notices.append(
                    f"{spec.name}: {copyright_notice(src)} Latin glyphs from {spec.latin}:"
                    f" {copyright_notice(NOTO_CORE / spec.latin)}"
                )
            else:
                print(f"warning: {spec.name} left unmerged: {result.reason}", file=sys.stderr)
                rows.append(
                    (spec.name, core_src, f"no (copied unmodified; Latin merge failed: {result.reason})", "all")
                )
                notices.append(f"{spec.name}: {copyright_notice(dest)}")
            script_fonts.setdefault(spec.script, []).append(dest)
            continue
        if spec.ranges is None:
            shutil.copyfile(src, dest)
            rows.append((spec.name, core_src, "no (copied unmodified)", "all"))
        else:
            font = TTFont(str(src), recalcTimestamp=False)
            subset_font(font, expand(spec.ranges), dest, hinting=True)
            rows.append(
                (spec.name, core_src, "yes, all layout features", describe(spec.ranges))
            )
        script_fonts.setdefault(spec.script, []).append(dest)
        notices.append(f"{spec.name}: {copyright_notice(dest)}")

    index, face = find_cjk_face(NOTO_CJK_TTC, CJK_POSTSCRIPT_NAME)
    wanted = expand(CJK_BLOCK_RANGES) | gb2312_level1()
    wanted |= corpus_chars(corpus, ("zh", "ja"))
    keep = wanted & set(face.getBestCmap())
    # Unassigned code points inside the blocks are expected to be absent.
    absent = {cp for cp in wanted - keep if unicodedata.category(chr(cp)) != "Cn"}
    if absent:
        print(f"warning: {len(absent)} CJK characters not in font", file=sys.stderr)
    notice = face["name"].getDebugName(0)
    cjk_dest = out / CJK_OUT_NAME
    subset_font(face, keep, cjk_dest, hinting=False)
    script_fonts["cjk"] = [cjk_dest]
    cjk_count = len(cmap_of(cjk_dest))
    notices.append(f"{CJK_OUT_NAME}: {notice}")
    cjk_desc = f"GB2312 level-1 hanzi, {describe(CJK_BLOCK_RANGES)}, zh/ja corpus characters ({cjk_count} code points)"
    rows.append(
        (
            CJK_OUT_NAME,
            f"{cjk_src}, face {index} of `{NOTO_CJK_TTC.name}`",
            "yes, all layout features, vhea/vmtx/VORG, no hinting",
            cjk_desc,
        )
    )

    header = (
        "These fonts are licensed under the SIL Open Font License, Version 1.1,\n"
        "copied below. Copyright notices of the bundled fonts (name ID 0):\n\n"
    )
    (out / "OFL.txt").write_text(
        header + "\n".join(notices) + "\n\n" + ofl_text(OFL_SOURCE), "utf-8"
    )
    notes = [
        "The Arabic, Hebrew, Devanagari and Thai fonts lack much of ASCII, so each has the",
        f"Latin basics it lacked ({describe(LATIN_BASICS)}) merged in",
        "with `fontTools.merge`, from `NotoSans-Regular.ttf` (`NotoSerif-Regular.ttf` for Naskh),",
        "subset to those code points with all layout features. The script font comes",
        "first and keeps its own glyph for every character it already had (its own digits",
        "and punctuation), its layout, hinting, names and line metrics (hhea/typo);",
        "the builder checks that every corpus line of its language shapes to the same",
        "glyphs as before and that the font alone draws every corpus line.",
        "",
    ]
    write_readme(out, rows, notes)

    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"CJK face index {index}, {cjk_count} code points kept")
    print(f"{out}: {total} bytes (budget {BUDGET_BYTES})")
    problems += check_corpus(corpus, script_fonts)
    if total > BUDGET_BYTES:
        problems.append("over budget: trim the hanzi set")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    """Parse arguments and build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    return build(args.out, args.corpus)


if __name__ == "__main__":
    sys.exit(main())
