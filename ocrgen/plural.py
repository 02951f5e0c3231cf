"""Counts in messages: "1 image", "2 images"."""

from __future__ import annotations


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural (`noun` + "s" unless given) for any count but 1."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
