"""Where asset files live, and how a plan pins them so any machine can find and check them.

A record names each font or background image by a root, a relative path and a
SHA-256. User roots ('fonts', 'backgrounds') map to directories given on the
command line; bundled roots ('ocrgen:fonts', ...) map into the installed package.
"""

from __future__ import annotations

import os
from pathlib import Path

from ocrgen.digests import file_sha256
from ocrgen.errors import AssetError
from ocrgen.schemas.plan import AssetRef

DATA_DIR = Path(__file__).parent / "data"
BUNDLED_ROOTS = {
    "ocrgen:fonts": DATA_DIR / "fonts",
    "ocrgen:corpus": DATA_DIR / "corpus",
}
DEFAULT_CONFIG = DATA_DIR / "quickstart.yaml"


def root_name(kind: str, directory: Path | None) -> tuple[str, Path]:
    """The root for a kind of asset: the user's directory, or the bundled one when none is given."""
    if directory is None:
        return f"ocrgen:{kind}", BUNDLED_ROOTS[f"ocrgen:{kind}"]
    return kind, directory


def make_ref(root: str, root_dir: Path, file: Path) -> AssetRef:
    return AssetRef(root=root, path=file.relative_to(root_dir).as_posix(), sha256=file_sha256(file))


def asset_roots(
    font_dir: str | os.PathLike[str] | None = None, background_dir: str | os.PathLike[str] | None = None
) -> dict[str, Path]:
    """The user roots a render is given (`--font-dir`, `--background-dir`); a root left out is looked up
    where the plan recorded it."""
    given = (("fonts", font_dir), ("backgrounds", background_dir))
    return {name: Path(directory) for name, directory in given if directory is not None}


class AssetResolver:
    """Maps asset references to files on this machine, and checks their content once per process.

    Lookup order for a user root: the directory given to render, then the one the plan recorded.
    """

    def __init__(self, overrides: dict[str, Path] | None = None) -> None:
        self._overrides = {name: Path(d) for name, d in (overrides or {}).items()}
        # (root, its recorded dir, path, sha256) -> the file, once its content is checked
        self._checked: dict[tuple[str, str | None, str, str], Path] = {}

    def path(self, ref: AssetRef, recorded_roots: dict[str, str]) -> Path:
        key = (ref.root, recorded_roots.get(ref.root), ref.path, ref.sha256)
        known = self._checked.get(key)
        if known is not None:
            return known
        file = self._root_dir(ref.root, recorded_roots) / ref.path
        if not file.is_file():
            flag = _FLAG_FOR_ROOT.get(ref.root)
            fix = f"pass {flag} with the directory that holds it" if flag else "reinstall ocrgen"
            raise AssetError(f"Missing {ref.root} asset '{ref.path}': looked for {file}; {fix}.")
        actual = file_sha256(file)
        if actual != ref.sha256:
            raise AssetError(
                f"The {ref.root} asset {file} has changed since the plan was made "
                f"(sha256 {actual[:12]}… instead of {ref.sha256[:12]}…); "
                "render with the same files that plan used, or plan again."
            )
        self._checked[key] = file
        return file

    def _root_dir(self, root: str, recorded_roots: dict[str, str]) -> Path:
        if root in BUNDLED_ROOTS:
            return BUNDLED_ROOTS[root]
        if root in self._overrides:
            return self._overrides[root]
        if root in recorded_roots:
            return Path(recorded_roots[root])
        flag = _FLAG_FOR_ROOT.get(root, f"a directory for root '{root}'")
        raise AssetError(f"The plan does not say where root '{root}' is; pass {flag}.")


_FLAG_FOR_ROOT = {"fonts": "--font-dir", "backgrounds": "--background-dir"}


def is_hidden(path: Path, root: Path) -> bool:
    """Skip dot-files and dot-directories (editor and OS droppings) when scanning asset dirs."""
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def walk_files(root: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files under `root` with one of `suffixes`, sorted so plans do not depend on directory order."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            if path.suffix.lower() in suffixes and not is_hidden(path, root):
                found.append(path)
    return sorted(found)
