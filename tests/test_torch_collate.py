"""RecognitionCollate: one height, aspect ratio kept, padded to the widest, texts encoded with the charset."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from ocrgen.charset import Charset

torch = pytest.importorskip("torch")

from ocrgen.torch import RecognitionCollate  # noqa: E402  # torch is known to be installed only from here

CHARSET = Charset("abc XYZ,é")
pictures = st.tuples(
    st.integers(1, 60),  # height
    st.integers(1, 200),  # width
    st.integers(0, 255),  # grey level of the whole picture
    st.text(alphabet=CHARSET.characters, max_size=12),
    st.booleans(),  # a PIL image rather than an array
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(pictures, min_size=1, max_size=6),
    st.sampled_from([8, 32]),
    st.booleans(),
    st.one_of(st.none(), st.integers(1, 150)),
)
def test_batches_keep_the_aspect_pad_to_the_widest_and_encode_the_texts(
    items: list[tuple[int, int, int, str, bool]], height: int, grayscale: bool, max_width: int | None
) -> None:
    collate = RecognitionCollate(CHARSET, height=height, grayscale=grayscale, max_width=max_width, pad_value=-1.0)
    batch = []
    for h, w, grey, text, as_pil in items:
        pixels = np.full((h, w, 3), grey, np.uint8)
        batch.append((Image.fromarray(pixels) if as_pil else pixels, {"text": text, "width": w}))
    out = collate(batch)

    widths = [min(max(1, round(w * height / h)), max_width or 10**9) for h, w, *_ in items]
    channels = 1 if grayscale else 3
    assert out.images.shape == (len(items), channels, height, max(widths)) and out.images.dtype == torch.float32
    assert out.widths.tolist() == widths
    for image, width, (*_, grey, _, _) in zip(out.images, widths, items, strict=True):
        assert torch.allclose(image[:, :, :width], torch.full((channels, height, width), grey / 255), atol=1e-6)
        assert bool((image[:, :, width:] == -1.0).all())
    texts = [text for *_, text, _ in items]
    assert out.texts == texts
    assert out.target_lengths.tolist() == [len(text) for text in texts]
    assert out.targets.dtype == torch.int64 and out.targets.tolist() == [
        CHARSET.characters.index(c) + 1 for text in texts for c in text
    ]


def test_the_picture_is_resized_not_cropped() -> None:
    """A left half black and right half white stays so at the new height."""
    pixels = np.full((20, 40, 3), 255, np.uint8)
    pixels[:, :20] = 0
    out = RecognitionCollate(CHARSET, height=10)([(pixels, "ab")])
    row = out.images[0, 0, 5].numpy()
    assert out.widths.tolist() == [20] and row[:9].max() < 0.05 and row[11:].min() > 0.95


def test_an_unknown_character_is_refused_or_dropped_as_the_charset_says() -> None:
    image = np.zeros((8, 8, 3), np.uint8)
    with pytest.raises(ValueError, match=r"'q' \(U\+0071\) in 'aqb' is not in the charset"):
        RecognitionCollate(CHARSET)([(image, "aqb")])
    out = RecognitionCollate(Charset(CHARSET.characters, unknown="drop"))([(image, "aqb")])
    assert out.targets.tolist() == [1, 2] and out.target_lengths.tolist() == [2] and out.texts == ["aqb"]
