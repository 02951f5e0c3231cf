"""The downstream bench's recognizer: charset, greedy CTC decoding, preprocessing and the training order."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

torch = pytest.importorskip("torch")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from crnn import BLANK, CHARSET, CLASSES, CRNN, encode, frames, greedy_decode, parameter_count  # noqa: E402
from line_images import HEIGHT, MAX_WIDTH, WHITE, collate, on_white, preprocess  # noqa: E402
from train_crnn import batches  # noqa: E402


def test_the_charset_is_printable_ascii_plus_the_blank() -> None:
    assert "".join(chr(code) for code in range(32, 127)) == CHARSET
    assert CLASSES == 96
    assert BLANK not in encode(CHARSET)


def test_greedy_decoding_merges_repeats_and_drops_blanks() -> None:
    a, b = encode("ab")
    assert greedy_decode([BLANK, a, a, BLANK, b, b, b, BLANK]) == "ab"
    assert greedy_decode([a, a, BLANK, a]) == "aa"  # a blank between repeats keeps both
    assert greedy_decode([BLANK, BLANK]) == ""


@given(st.text(alphabet=CHARSET, max_size=30))
def test_decoding_a_ctc_path_of_a_text_gives_the_text_back(text: str) -> None:
    path = []
    for cls in encode(text):
        path += [BLANK, cls, cls]
    assert greedy_decode(path) == text


def test_an_unknown_character_is_refused_by_name() -> None:
    with pytest.raises(KeyError, match="é"):
        encode("café")


@pytest.mark.parametrize("width", [4, 37, 128, 301])
def test_the_model_gives_one_frame_per_four_columns(width: int) -> None:
    model = CRNN().eval()
    with torch.no_grad():
        out = model(torch.zeros(2, 1, HEIGHT, width))
    assert out.shape == (2, frames(width), CLASSES)
    assert torch.allclose(out.exp().sum(-1), torch.ones(2, frames(width)), atol=1e-4)


def test_the_model_has_about_a_million_parameters() -> None:
    assert 0.8e6 < parameter_count(CRNN()) < 1.3e6


def test_transparent_pixels_become_white_paper_and_opaque_ink_stays() -> None:
    rgba = np.zeros((10, 20, 4), np.uint8)  # transparent black
    rgba[:, :10] = (0, 0, 0, 255)  # opaque black ink on the left
    rgba[:, 10:15] = (0, 0, 0, 128)  # half-covered
    gray = np.asarray(on_white(Image.fromarray(rgba, "RGBA")))
    assert gray[:, :10].max() == 0
    assert 120 <= gray[:, 12].mean() <= 135
    assert gray[:, 15:].min() == 255


@pytest.mark.parametrize(("size", "width"), [((200, 64), 100), ((30, 40), 24), ((5000, 50), MAX_WIDTH), ((1, 90), 4)])
def test_lines_are_32_px_high_keep_their_aspect_and_scale_to_plus_minus_one(size: tuple[int, int], width: int) -> None:
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((0, 0, 0), (0, 0, size[0] // 2, size[1]))
    pixels = preprocess(image)
    assert pixels.shape == (HEIGHT, width)
    assert pixels.dtype == np.float32
    assert pixels.max() == pytest.approx(1.0)
    assert pixels.min() == pytest.approx(-1.0) or width == 4


def test_a_batch_pads_with_paper_and_concatenates_the_targets() -> None:
    narrow, wide = np.full((HEIGHT, 8), -1.0, np.float32), np.full((HEIGHT, 20), -1.0, np.float32)
    images, widths, targets, lengths = collate([(narrow, "ab"), (wide, "c")])
    assert images.shape == (2, 1, HEIGHT, 20)
    assert torch.all(images[0, 0, :, 8:] == WHITE)
    assert torch.all(images[0, 0, :, :8] == -1.0)
    assert widths.tolist() == [8, 20]
    assert targets.tolist() == encode("abc")
    assert lengths.tolist() == [2, 1]


def test_training_batches_visit_every_line_equally_often_in_a_seeded_order() -> None:
    lengths = [i % 37 for i in range(100)]
    order = batches(lengths, batch=10, steps=20, seed=4)
    assert len(order) == 20 and all(len(batch) == 10 for batch in order)
    flat = [i for batch in order for i in batch]
    assert sorted(flat[:100]) != flat[:100]  # shuffled, not in index order
    assert sorted(flat) == sorted(list(range(100)) * 2)  # two whole epochs
    assert order == batches(lengths, batch=10, steps=20, seed=4)
    assert order != batches(lengths, batch=10, steps=20, seed=5)


def test_lines_of_like_length_share_a_batch() -> None:
    lengths = [i % 50 for i in range(800)]
    spread = [max(lengths[i] for i in batch) - min(lengths[i] for i in batch) for batch in batches(lengths, 16, 50, 0)]
    assert sum(spread) / len(spread) < 15  # random batches of 16 would spread over ~45
