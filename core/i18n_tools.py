"""Catalog maintenance: `python -m core.i18n_tools fill-english` (English is the source language)."""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po

from core.i18n import TRANSLATIONS_DIR


def fill_english() -> None:
    path = TRANSLATIONS_DIR / "en" / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as fh:
        catalog = read_po(fh)
    for message in catalog:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
    with open(path, "wb") as fh:
        write_po(fh, catalog, width=100)


if __name__ == "__main__":
    if sys.argv[1:] != ["fill-english"]:
        sys.exit("usage: python -m core.i18n_tools fill-english")
    fill_english()
