"""The fonts every generator of the downstream bench gets: Debian's Liberation, FreeFont, DejaVu and URW base35.

The set-up installs the Debian packages the bench needs when they are missing (fonts, Tesseract,
fortunes), and links the fonts' TrueType and OpenType files into one directory. A font is kept
when its cmap maps every printable ASCII character to a glyph named for that character: URW's
Standard Symbols and Dingbats map the ASCII codes to Greek letters and ornaments, and a cmap
check alone would let them in.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fontTools import agl
from fontTools.ttLib import TTFont

FONT_PACKAGES = ("fonts-liberation", "fonts-freefont-ttf", "fonts-dejavu", "fonts-urw-base35")
# fonts-dejavu is a metapackage: its files are in these two
FONT_FILE_PACKAGES = (
    "fonts-liberation",
    "fonts-freefont-ttf",
    "fonts-dejavu-core",
    "fonts-dejavu-extra",
    "fonts-urw-base35",
)
TOOL_PACKAGES = ("tesseract-ocr", "tesseract-ocr-eng", "fortunes")
FONT_SUFFIXES = (".ttf", ".otf")
ASCII = [chr(code) for code in range(32, 127)]
NAMED = [char for char in ASCII if char.isalnum()]  # glyph names say what these are in any font with names


class SetupError(RuntimeError):
    """Something the bench needs is not on this machine and could not be installed."""


def missing_packages(packages: tuple[str, ...]) -> list[str]:
    missing = []
    for package in packages:
        done = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
        if done.returncode or "install ok installed" not in done.stdout:
            missing.append(package)
    return missing


def install_packages(packages: tuple[str, ...], log: Callable[[str], None]) -> None:
    """apt-get install whatever of `packages` is missing (after an apt-get update if the first try fails)."""
    missing = missing_packages(packages)
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    command = [*sudo, "apt-get", "install", "-y", "--no-install-recommends", *missing]
    log(f"installing {' '.join(missing)}")
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode and subprocess.run([*sudo, "apt-get", "update"], capture_output=True).returncode == 0:
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise SetupError(f"could not install {' '.join(missing)}; run `{shlex.join(command)}` as root, then retry")


def package_fonts(packages: tuple[str, ...] = FONT_FILE_PACKAGES) -> list[Path]:
    files = []
    for package in packages:
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True, check=True).stdout
        files += [Path(line) for line in listed.splitlines() if line.lower().endswith(FONT_SUFFIXES)]
    return sorted(set(files), key=lambda path: path.name)


def covers_ascii(path: Path) -> bool:
    """Every printable ASCII character in the cmap, and letters and digits on glyphs named for them."""
    with TTFont(path, lazy=True) as font:
        cmap = font.getBestCmap() or {}
    if any(ord(char) not in cmap for char in ASCII):
        return False
    return all(agl.toUnicode(cmap[ord(char)]) == char for char in NAMED)


@dataclass(frozen=True)
class FontSet:
    directory: Path
    fonts: list[Path]  # links in `directory`, sorted by name
    skipped: list[str]  # file names of the packages' fonts that were left out
    digest: str  # of the fonts' names and bytes

    def describe(self) -> str:
        text = f"{len(self.fonts)} fonts from {', '.join(FONT_PACKAGES)} (their TrueType/OpenType files with ASCII)"
        return text + (f"; {len(self.skipped)} left out ({', '.join(self.skipped)})" if self.skipped else "")


def font_set(directory: Path) -> FontSet:
    """Link the packages' ASCII fonts into `directory` (and nothing else); their names must not clash."""
    kept, skipped = [], []
    for path in package_fonts():
        (kept if covers_ascii(path) else skipped).append(path)
    names = [path.name for path in kept]
    if len(set(names)) != len(names):
        raise SetupError(f"two font files share a name in {', '.join(FONT_FILE_PACKAGES)}: {sorted(names)}")
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.iterdir():
        if stale.name not in names:
            stale.unlink()
    digest = hashlib.sha256()
    links = []
    for path in kept:
        link = directory / path.name
        if not link.is_symlink() or Path(os.readlink(link)) != path:
            link.unlink(missing_ok=True)
            link.symlink_to(path)
        links.append(link)
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return FontSet(directory, links, [path.name for path in skipped], digest.hexdigest())
