"""A contact sheet of rendered records, with their label geometry drawn over them, for a person to look at."""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from ocrgen.assets import AssetResolver
from ocrgen.atomic import write_atomic
from ocrgen.destinations import DestinationError
from ocrgen.renderer.render import render_pixels
from ocrgen.schemas.label import Character, Label, PageLabel, Segment
from ocrgen.schemas.plan import PageRecord, Record

BOX_KINDS = ("chars", "words", "lines")
_COLOURS = {"chars": (230, 30, 30), "words": (20, 110, 230), "lines": (20, 160, 60)}
_GAP = 8
_CAPTION = 14


def annotate(image: Image.Image, label: Label | PageLabel, kinds: Iterable[str]) -> Image.Image:
    """A copy of `image` with the polygons of the chosen label levels outlined, of every text of a page."""
    out = image.convert("RGB")
    draw = ImageDraw.Draw(out)
    texts = label.instances if isinstance(label, PageLabel) else [label]
    for kind, text in ((kind, text) for kind in kinds for text in texts):
        levels: dict[str, list[Character] | list[Segment]] = {
            "chars": text.characters,
            "words": text.words,
            "lines": text.lines,
        }
        shapes = levels[kind]
        for shape in shapes:
            if isinstance(shape, Character) and shape.char.isspace():
                continue
            draw.polygon([(p[0], p[1]) for p in shape.polygon], outline=_COLOURS[kind])
    return out


def contact_sheet(
    records: Iterable[Record],
    kinds: Iterable[str] = (),
    columns: int = 4,
    resolver: AssetResolver | None = None,
    max_width: int = 480,
) -> Image.Image:
    """Render `records` into a grid of tiles, each captioned with its index, spec and direction."""
    resolver = resolver or AssetResolver()
    kinds = tuple(kinds)
    tiles = []
    for record in records:
        pixels, data = render_pixels(record, resolver)
        label = PageLabel.model_validate(data) if isinstance(record, PageRecord) else Label.model_validate(data)
        tile = annotate(Image.fromarray(pixels, "RGB"), label, kinds)
        if tile.width > max_width:
            scale = max_width / tile.width
            tile = tile.resize((max_width, max(1, round(tile.height * scale))), Image.Resampling.BILINEAR)
        if isinstance(record, PageRecord):
            caption = f"#{record.index} {record.spec}: {len(record.instances)} texts"
        else:
            caption = f"#{record.index} {record.spec} {record.direction}"
            if record.layout.curve is not None:
                caption += f" {record.layout.curve.kind}"
        tiles.append((tile, caption))
    if not tiles:
        return Image.new("RGB", (max_width, _CAPTION + _GAP), "white")
    width = max(t.width for t, _ in tiles)
    columns = min(columns, len(tiles))  # no empty columns: a sheet as wide as asked could not be allocated
    rows = [tiles[i : i + columns] for i in range(0, len(tiles), columns)]
    heights = [max(t.height for t, _ in row) + _CAPTION + _GAP for row in rows]
    sheet = Image.new("RGB", (columns * (width + _GAP) + _GAP, sum(heights) + _GAP), (255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    y = _GAP
    for row, height in zip(rows, heights, strict=True):
        for column, (tile, caption) in enumerate(row):
            x = _GAP + column * (width + _GAP)
            draw.text((x, y), caption, fill=(60, 60, 60), font=font)
            sheet.paste(tile, (x, y + _CAPTION))
        y += height
    return sheet


def sheet_format(path: Path) -> str:
    """The Pillow format that `path`'s extension names; DestinationError when Pillow writes none."""
    Image.init()
    found = Image.registered_extensions().get(path.suffix.lower())
    if found is None or found not in Image.SAVE:
        raise DestinationError(
            f"{path}: no image format Pillow can write ends in '{path.suffix}'; name it .png or .jpg."
        )
    return found


def save_sheet(sheet: Image.Image, path: Path) -> None:
    """Whole or not at all, in the format of `path`'s extension."""
    buffer, image_format = io.BytesIO(), sheet_format(path)
    try:
        sheet.save(buffer, format=image_format)
    except (OSError, ValueError) as error:
        raise DestinationError(f"cannot write the sheet as {image_format} to {path}: {error}") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, buffer.getvalue())
