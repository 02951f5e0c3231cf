"""PNG bytes straight from an RGB array, the encoder on the render hot path.

Pillow's PNG writer tries filters per row and wraps the array in an image first;
for small text crops that costs twice the compression itself. Rows go unfiltered to
libdeflate at level 1, which compresses in half the time zlib's level 1 takes, for
files 3-6 % larger (measured on single words and on 20-60 character lines); all told
4x as fast as Pillow at `compress_level=1`. libdeflate
has no CPU-specific paths that change its output: the bytes depend on its version only,
which the `deflate` wheel carries inside.
"""

from __future__ import annotations

import struct

import deflate
import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_RGB_8BIT = (8, 2, 0, 0, 0)  # bit depth, colour type RGB, deflate, adaptive filtering (type 0 per row), no interlace
_LEVEL = 1


def encode_png(pixels: np.ndarray) -> bytes:
    """A PNG of an H x W x 3 uint8 array; every row is stored with filter type 0 (none)."""
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.dtype != np.uint8:
        raise ValueError(f"encode_png takes H x W x 3 uint8 pixels, not {pixels.shape} {pixels.dtype}")
    height, width, _ = pixels.shape
    rows = np.zeros((height, width * 3 + 1), np.uint8)
    rows[:, 1:] = pixels.reshape(height, width * 3)
    header = struct.pack(">IIBBBBB", width, height, *_RGB_8BIT)
    data = deflate.zlib_compress(rows, _LEVEL)
    return b"".join((_SIGNATURE, _chunk(b"IHDR", header), _chunk(b"IDAT", data), _chunk(b"IEND", b"")))


def _chunk(kind: bytes, data: bytes | bytearray) -> bytes:
    """libdeflate's CRC-32: the same sum as zlib's, a tenth of the time on an image's data."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", deflate.crc32(data, deflate.crc32(kind)))
