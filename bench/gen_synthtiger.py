"""SynthTIGER's data set for the downstream bench: its example text-line template, with two document changes.

SynthTIGER runs from its own source tree and virtualenv (bench/.venv-synthtiger), never vendored:
the set-up exports the tree from a local git snapshot into the cache, or takes a checkout given
with --synthtiger-src. The template changes live in bench/synthtiger_child.py. The config is the
example's config_horizontal.yaml with only these changes: the corpus is the bench's distractor
strings (no length augmentation, no case changes; the child sets each image's own text), the
fonts are the bench's font set (each with the .txt charset file SynthTIGER's font component reads
beside it), resource paths are made absolute, and the coordinate and mask outputs are off (extra
files; the images are the same).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import yaml

from bench import make_venv, peer_environment, tail
from font_set import ASCII, FontSet
from line_corpus import MAX_LENGTH
from peer_runs import installed, run_children
from set_cache import BENCH_DIR, CACHE_DIR, digest, file_digest

CHILD = BENCH_DIR / "synthtiger_child.py"
VENV = BENCH_DIR / ".venv-synthtiger"
SNAPSHOT = Path("/work/.mirror/clovaai+synthtiger/repo")  # a bare git snapshot on the bench's machine
EXPORTED = CACHE_DIR / "synthtiger-src"
TEMPLATE = Path("examples/synthtiger/template.py")
CONFIG = Path("examples/synthtiger/config_horizontal.yaml")
# imgaug uses np.bool (gone in numpy 1.24); SynthTIGER uses ImageFont.getsize (gone in Pillow 10);
# OpenCV 4.12 wants numpy 2.
PINS = ("numpy<1.24", "pillow<10", "opencv-python<4.12", "opencv-python-headless<4.12")
CLONE_HINT = "get one with `git clone https://github.com/clovaai/synthtiger` and pass --synthtiger-src PATH"
FULL_WIDTH_BACKSLASH = "\uff3c"  # SynthTIGER looks `\` up under this name in the charset files


class SynthtigerSetupError(RuntimeError):
    pass


def synthtiger_source(given: Path | None) -> tuple[Path, str]:
    """A SynthTIGER source tree and a note on where it came from (and what it lacks)."""
    if given is not None:
        if not (given / TEMPLATE).is_file():
            raise SynthtigerSetupError(f"--synthtiger-src {given} has no {TEMPLATE}; {CLONE_HINT}")
        return given, f"checkout {given}"
    if not (EXPORTED / "COMMIT.txt").is_file():  # written last: the export is whole
        if not SNAPSHOT.is_dir():
            raise SynthtigerSetupError(f"no SynthTIGER source tree: {CLONE_HINT}")
        shutil.rmtree(EXPORTED, ignore_errors=True)
        _export(SNAPSHOT, EXPORTED)
    missing = (EXPORTED / "MISSING.txt").read_text(encoding="utf-8").split()
    head = (EXPORTED / "COMMIT.txt").read_text(encoding="utf-8").strip()
    note = f"snapshot {SNAPSHOT} at {head[:12]}, exported to {EXPORTED}"
    return EXPORTED, note + (f"; absent from the snapshot: {', '.join(missing)}" if missing else "")


def _export(git_dir: Path, target: Path) -> None:
    """Every file of HEAD whose blob the snapshot holds (large files may be absent), and a list of the rest."""
    git = ["git", "--git-dir", str(git_dir)]
    entries = subprocess.run([*git, "ls-tree", "-r", "-z", "HEAD"], capture_output=True, text=True, check=True)
    blobs = {}
    for entry in entries.stdout.split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            if meta.split()[1] == "blob":
                blobs[path] = meta.split()[2]
    checked = subprocess.run(
        [*git, "cat-file", "--batch-check"],
        input="".join(f"{sha}\n" for sha in blobs.values()),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    present = [path for path, line in zip(blobs, checked, strict=True) if not line.endswith("missing")]
    missing = [path for path in blobs if path not in present]
    target.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run([*git, "archive", "HEAD", "--", *present], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout
    (target / "MISSING.txt").write_text("".join(f"{path}\n" for path in missing), encoding="utf-8")
    (target / "COMMIT.txt").write_text(head, encoding="utf-8")


def setup_synthtiger(source: Path, log: Callable[[str], None]) -> tuple[Path | None, str]:
    """SynthTIGER's virtualenv, made and filled on first use; None and the reason when that is impossible."""
    python = VENV / "bin" / "python"
    problem = make_venv(VENV)
    if problem:
        return None, problem
    probe = subprocess.run(
        [str(python), "-c", "import synthtiger, imgaug; print(synthtiger.__version__)"],
        capture_output=True,
        text=True,
        env=peer_environment(),
    )
    if probe.returncode == 0:
        return python, f"SynthTIGER {probe.stdout.strip()} (venv reused)"
    log(f"pip install {source} {' '.join(PINS)} into {VENV}")
    command = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(source), *PINS]
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800, env=peer_environment())
    probe = subprocess.run(
        [str(python), "-c", "import synthtiger, imgaug; print(synthtiger.__version__)"],
        capture_output=True,
        text=True,
        env=peer_environment(),
    )
    if done.returncode or probe.returncode:
        return None, f"`pip install {source} {' '.join(PINS)}` failed: {tail(done.stderr + probe.stderr)}"
    return python, f"SynthTIGER {probe.stdout.strip()} (`pip install <source> {' '.join(PINS)}`)"


def charset_fonts(fonts: FontSet, directory: Path) -> Path:
    """Links to the font set with the charset file SynthTIGER's font component reads beside each font."""
    directory.mkdir(parents=True, exist_ok=True)
    charset = "".join(ASCII) + FULL_WIDTH_BACKSLASH
    names = {font.name for font in fonts.fonts} | {Path(font.name).stem + ".txt" for font in fonts.fonts}
    for stale in directory.iterdir():
        if stale.name not in names:
            stale.unlink()
    for font in fonts.fonts:
        link = directory / font.name
        if not link.is_symlink():
            link.symlink_to(font.resolve())
        sidecar = directory / (Path(font.name).stem + ".txt")
        if not sidecar.exists() or sidecar.read_text(encoding="utf-8") != charset:  # children may be reading it
            sidecar.write_text(charset, encoding="utf-8")
    return directory


def bench_config(source: Path, font_dir: Path, strings_file: Path, max_length: int) -> dict:
    """The example's config_horizontal.yaml with the bench's corpus and fonts, resource paths absolute."""
    config = _absolute(yaml.safe_load((source / CONFIG).read_text(encoding="utf-8")), source)
    for output in ("coord_output", "mask_output", "glyph_coord_output", "glyph_mask_output"):
        config[output] = False
    corpus = config["corpus"]["args"][0]  # the length-augmentable corpus, weight 1 (the other has weight 0)
    corpus.update(paths=[str(strings_file)], weights=[1], min_length=1, max_length=max_length, augmentation=0)
    corpus.pop("textcase", None)
    config["font"].update(paths=[str(font_dir)], weights=[1])
    return config


def _absolute(value: object, source: Path) -> object:
    if isinstance(value, dict):
        return {key: _absolute(item, source) for key, item in value.items()}
    if isinstance(value, list):
        return [_absolute(item, source) for item in value]
    if isinstance(value, str) and value.startswith("resources/"):
        return str(source / value)
    return value


class SynthtigerMaker:
    name = "synthtiger"

    def __init__(
        self, python: Path, source: Path, fonts: FontSet, distractors: list[str], processes: int, seed: int
    ) -> None:
        self.python, self.source, self.fonts, self.processes, self.seed = python, source, fonts, processes, seed
        self.font_dir = charset_fonts(fonts, CACHE_DIR / "synthtiger-fonts")
        self.distractors = distractors

    def key(self) -> dict[str, object]:
        config = bench_config(self.source, Path("FONTS"), Path("STRINGS"), MAX_LENGTH)
        return {
            "config": _relative(config, self.source),
            "template": file_digest(self.source / TEMPLATE),
            "fonts": self.fonts.digest,
            "distractors": digest(self.distractors),
            "seed": self.seed,
            "child": file_digest(CHILD),
            "venv": [line for line in installed(self.python) if not line.startswith("synthtiger")],
            "synthtiger": file_digest(*sorted((self.source / "synthtiger").rglob("*.py"))),
        }

    def changes_text(self) -> bool:
        return False

    def make(self, out_dir: Path, strings: list[str], start: int) -> list[tuple[str, str]]:
        strings_file = out_dir / "strings.txt"
        strings_file.write_text("\n".join(strings), encoding="utf-8")
        corpus_file = out_dir / "corpus.txt"  # what the distractor text behind the line draws from
        corpus_file.write_text("".join(s + "\n" for s in self.distractors), encoding="utf-8")
        config = bench_config(self.source, self.font_dir, corpus_file, MAX_LENGTH)
        job = {
            "strings": str(strings_file),
            "source": str(self.source),
            "config": config,
            "out_dir": str(out_dir),
            "seed": self.seed,
        }
        run_children(self.python, CHILD, job, start, len(strings), self.processes, out_dir)
        found = {}
        for k in range(self.processes):
            part = out_dir / f"part-{start + k}"
            if not (part / "gt.txt").exists():
                continue
            for line in (part / "gt.txt").read_text(encoding="utf-8").splitlines():
                path, label = line.split("\t", 1)
                found[int(Path(path).stem)] = (f"{part.name}/{path}", label)
        paths = []
        for index in range(start, len(strings)):
            if found.get(index, (None, None))[1] != strings[index]:
                raise RuntimeError(f"SynthTIGER's gt.txt files in {out_dir} lack image {index} or its label")
            paths.append(found[index][0])
        return list(zip(paths, strings[start:], strict=True))

    def describe(self) -> str:
        return (
            f"`{TEMPLATE}` subclassed in `bench/synthtiger_child.py` (text always the darker colour; "
            f"blend modes normal and multiply only), `{CONFIG}` with the bench's corpus and fonts"
        )


def _relative(config: dict, source: Path) -> str:
    """The config with the source dir taken out of its paths, so the key does not depend on where the tree is."""
    return yaml.safe_dump(config, sort_keys=True).replace(str(source), "<synthtiger>")
