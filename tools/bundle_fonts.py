#!/usr/bin/env python3
"""Rebuild ``ocrgen/data/fonts`` from the Debian Noto font packages.

Why: the fonts shipped inside the package must be reproducible from a
known, licence-clean source, and must stay small (<= 4 MB in total).
Non-CJK fonts are copied unmodified or subset with every OpenType layout
feature kept, so complex-script shaping (GSUB/GPOS/GDEF) is unchanged.
The CJK font is cut from the Simplified Chinese face of the Noto Sans CJK
collection, keeping vertical metrics and the ``vert``/``vrt2`` features.

Needs: ``apt-get install fonts-noto-core fonts-noto-cjk`` and fontTools.
Usage: ``python tools/bundle_fonts.py`` from the repository root.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fontTools import subset
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
    """One font from fonts-noto-core; ``ranges`` None means copy as is."""

    name: str
    ranges: Ranges | None
    script: str


CORE_FONTS: tuple[CoreFont, ...] = (
    CoreFont("NotoSans-Regular.ttf", LATIN_RANGES, "latin"),
    CoreFont("NotoSans-Bold.ttf", LATIN_RANGES, "latin"),
    CoreFont("NotoSerif-Regular.ttf", LATIN_RANGES, "latin"),
    CoreFont("NotoSansArabic-Regular.ttf", None, "arabic"),
    CoreFont("NotoNaskhArabic-Regular.ttf", None, "arabic"),
    CoreFont("NotoSansHebrew-Regular.ttf", None, "hebrew"),
    CoreFont("NotoSansDevanagari-Regular.ttf", None, "devanagari"),
    CoreFont("NotoSansThai-Regular.ttf", None, "thai"),
)

# Which bundled scripts must cover each corpus language (Latin is allowed
# everywhere because mixed-script lines embed Latin words and digits).
LANG_SCRIPTS: dict[str, tuple[str, ...]] = {
    "en": ("latin",),
    "ar": ("arabic", "latin"),
    "he": ("hebrew", "latin"),
    "hi": ("devanagari", "latin"),
    "th": ("thai", "latin"),
    "zh": ("cjk",),
    "ja": ("cjk",),
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


def corpus_chars(corpus: Path, langs: tuple[str, ...]) -> set[int]:
    """Every code point used in the corpus files of ``langs``."""
    chars: set[int] = set()
    for lang in langs:
        files = sorted((corpus / lang).glob("*.txt"))
        if not files:
            raise SystemExit(f"no corpus files in {corpus / lang}")
        for path in files:
            chars.update(ord(c) for c in path.read_text("utf-8") if c != "\n")
    return chars


def subset_options(hinting: bool) -> subset.Options:
    """Subsetter options that keep all layout features and all names."""
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.name_legacy = True
    options.notdef_outline = True
    options.hinting = hinting
    return options


def subset_font(font: TTFont, unicodes: set[int], dest: Path, hinting: bool) -> None:
    """Subset ``font`` in place to ``unicodes`` (plus layout closure), save."""
    options = subset_options(hinting)
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


def write_readme(out: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """Write the provenance table for the bundled fonts."""
    lines = [
        "# Bundled fonts",
        "",
        "Generated by `python tools/bundle_fonts.py`; do not edit by hand.",
        "All fonts are Noto fonts under the SIL Open Font License 1.1 (see",
        "`OFL.txt`, which also lists each font's copyright notice).",
        "",
        "| file | source (Debian package) | subset | code points | licence |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{f}` | {src} | {sub} | {cps} | OFL-1.1 |" for f, src, sub, cps in rows
    ]
    (out / "README.md").write_text("\n".join(lines) + "\n", "utf-8")


def check_corpus(corpus: Path, script_cmaps: dict[str, set[int]]) -> list[str]:
    """Return problems: corpus characters not covered by their script's fonts."""
    problems: list[str] = []
    for lang, scripts in LANG_SCRIPTS.items():
        covered = set().union(*(script_cmaps[s] for s in scripts))
        missing = corpus_chars(corpus, (lang,)) - covered
        if missing:
            shown = " ".join(f"U+{cp:04X}" for cp in sorted(missing))
            problems.append(f"{lang}: not covered: {shown}")
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
    script_cmaps: dict[str, set[int]] = {}
    for spec in CORE_FONTS:
        src, dest = NOTO_CORE / spec.name, out / spec.name
        if spec.ranges is None:
            shutil.copyfile(src, dest)
            rows.append((spec.name, core_src, "no (copied unmodified)", "all"))
        else:
            font = TTFont(str(src), recalcTimestamp=False)
            subset_font(font, expand(spec.ranges), dest, hinting=True)
            rows.append(
                (spec.name, core_src, "yes, all layout features", describe(spec.ranges))
            )
        cmap = cmap_of(dest)
        script_cmaps.setdefault(spec.script, set()).update(cmap)
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
    script_cmaps["cjk"] = cmap_of(cjk_dest)
    notices.append(f"{CJK_OUT_NAME}: {notice}")
    cjk_desc = (
        f"GB2312 level-1 hanzi, {describe(CJK_BLOCK_RANGES)}, zh/ja corpus characters"
        f" ({len(script_cmaps['cjk'])} code points)"
    )
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
    write_readme(out, rows)

    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"CJK face index {index}, {len(script_cmaps['cjk'])} code points kept")
    print(f"{out}: {total} bytes (budget {BUDGET_BYTES})")
    problems = check_corpus(corpus, script_cmaps)
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
