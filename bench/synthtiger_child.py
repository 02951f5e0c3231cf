"""Render the downstream bench's strings with SynthTIGER's example text-line template; runs in SynthTIGER's venv.

    .venv-synthtiger/bin/python bench/synthtiger_child.py JOB_JSON

The template is SynthTIGER's own examples/synthtiger/template.py, loaded from its source tree, with
the config the job carries (its config_horizontal.yaml with the bench's corpus, fonts and absolute
resource paths). This script subclasses it for the two changes a document-OCR user would make:
1. the darker of the colours drawn from the colour map is always the text's (the stock template
   puts light text on a dark ground half the time);
2. text meets the background through the `normal` or `multiply` blend mode only (the stock list
   also has screen, overlay, dodge, difference and others, which invert or wash out the ink): the
   template module's BLEND_MODES, which its blending function reads, is set to those two.
Image i shows string i: its text is handed to the corpus component as the first draw of the image
(SynthTIGER's own way of fixing a component's draw); the distractor text behind it, which the
template draws next, comes at random from the config's corpus (the bench's distractor strings).
Each image is seeded by (seed, index) and, as SynthTIGER's generator does, drawn again when the
template raises (text not visible).
"""

from __future__ import annotations

import importlib.util
import json
import sys
import zlib
from pathlib import Path

import synthtiger

MAX_TRIES = 20
DOCUMENT_BLEND_MODES = ["normal", "multiply"]


def example_module(source: Path) -> object:
    path = source / "examples" / "synthtiger" / "template.py"
    spec = importlib.util.spec_from_file_location("synthtiger_example_template", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BLEND_MODES = DOCUMENT_BLEND_MODES
    return module


class GivenFirst:
    """The template's corpus, except that the next draw can be fixed to a given text."""

    def __init__(self, corpus: object) -> None:
        self.corpus, self.text = corpus, None

    def sample(self, meta: dict | None = None) -> dict:
        if self.text is not None:
            meta, self.text = {"idx": 0, "meta": {"text": self.text}}, None
        return self.corpus.sample(meta)

    def data(self, meta: dict) -> str:
        return self.corpus.data(meta)


def document_template(module: object) -> type:
    class DocumentSynthTiger(module.SynthTiger):
        """The example template, with the text always the darker colour."""

        def __init__(self, config: dict) -> None:
            super().__init__(config)
            self.corpus = GivenFirst(self.corpus)

        def _generate_color(self) -> tuple:
            fg_color, fg_style, mg_color, mg_style, bg_color = super()._generate_color()
            if fg_color["gray"] > bg_color["gray"]:
                fg_color, bg_color = bg_color, fg_color
            return fg_color, fg_style, mg_color, mg_style, bg_color

        def generate_text(self, text: str) -> dict:
            self.corpus.text = text
            return self.generate()

    return DocumentSynthTiger


def main(job_file: str) -> None:
    job = json.loads(Path(job_file).read_text(encoding="utf-8"))
    strings = Path(job["strings"]).read_text(encoding="utf-8").split("\n")
    template = document_template(example_module(Path(job["source"])))(job["config"])
    root = job["out_dir"] + f"/part-{job['first']}"
    template.init_save(root)
    for index in range(job["first"], job["stop"], job["step"]):
        synthtiger.set_global_random_seed(zlib.crc32(f"{job['seed']}-{index}".encode()))
        for _ in range(MAX_TRIES):
            try:
                data = template.generate_text(strings[index])
                break
            except Exception as error:  # what SynthTIGER's generator retries on, too
                last = error
        else:
            raise SystemExit(f"SynthTIGER made no image of string {index} ({strings[index]!r}): {last}")
        if data["label"] != strings[index]:
            raise SystemExit(f"SynthTIGER labelled image {index} {data['label']!r}, not {strings[index]!r}")
        template.save(root, data, index)
    template.end_save(root)


if __name__ == "__main__":
    main(sys.argv[1])
