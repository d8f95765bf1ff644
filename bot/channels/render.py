"""Rendering helpers the channel adapters share: splitting long answers, escaping, clickable links."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

_URL = re.compile(r"https?://[^\s<>\"']+")
#: ``[title](url)`` (core.content.sources.LINK) or a bare URL
_LINK_OR_URL = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>]+)\)|https?://[^\s<>\"']+")
#: Punctuation that ends a sentence rather than belonging to the link before it.
_URL_TRAILING = ".,;:!?)]}»”’"
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")
_BOUNDARY = re.compile(r"\n+|(?<=[.!?…;:])\s+")


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units (an emoji can count as two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit``: at line breaks, else sentence ends, else spaces.

    A single word longer than the limit (a very long link) is cut hard, as the last resort.
    """
    text = text.strip()
    if measure(text) <= limit:
        return [text] if text else []
    pieces: list[str] = []
    for line in text.split("\n"):
        pieces += _fit(line, limit, measure)
    return _pack(pieces, limit, measure)


def split_tail(text: str, limit: int) -> tuple[str, str]:
    """``text`` as (head, tail): the tail is the longest run of whole sentences at the end that fits ``limit``.

    For a message whose last part must be short (WhatsApp's button messages: 1024 characters).
    """
    text = text.strip()
    if len(text) <= limit:
        return "", text
    for boundary in _BOUNDARY.finditer(text):
        if len(text) - boundary.end() <= limit:
            return text[: boundary.start()].strip(), text[boundary.end() :].strip()
    head, tail = text[: len(text) - limit], text[len(text) - limit :]
    return head.strip(), tail.strip()


def _fit(line: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    """One line as pieces that each fit, broken at sentence ends, then spaces, then anywhere."""
    if measure(line) <= limit:
        return [line]
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(line):
        if measure(sentence) <= limit:
            pieces.append(sentence)
            continue
        for word in sentence.split(" "):
            while measure(word) > limit:
                cut = _longest_prefix(word, limit, measure)
                pieces.append(word[:cut])
                word = word[cut:]
            pieces.append(word)
    return _pack(pieces, limit, measure, joiner=" ")


def _pack(pieces: list[str], limit: int, measure: Callable[[str], int], joiner: str = "\n") -> list[str]:
    chunks: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}{joiner}{piece}" if current else piece
        if measure(candidate) <= limit:
            current = candidate
        else:
            if current.strip():
                chunks.append(current.strip())
            current = piece
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _longest_prefix(word: str, limit: int, measure: Callable[[str], int]) -> int:
    cut = min(len(word), limit)
    while cut > 1 and measure(word[:cut]) > limit:
        cut -= 1
    return cut


def telegram_html(text: str) -> str:
    """Plain text as Telegram HTML: everything escaped (a user's ``<b>`` or ``_`` stays literal), links as
    ``<a href>`` so they are clickable; a ``[title](url)`` source shows its title as the link."""
    out: list[str] = []
    position = 0
    for match in _LINK_OR_URL.finditer(text):
        if match.group(2):
            title, url, end = match.group(1), match.group(2), match.end()
        else:
            url = match.group(0).rstrip(_URL_TRAILING)
            title, end = url, match.start() + len(url)
        out.append(html.escape(text[position : match.start()], quote=False))
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(title, quote=False)}</a>')
        position = end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def shorten(title: str, limit: int) -> str:
    """A button title cut to a channel's limit, with an ellipsis when cut."""
    title = " ".join(title.split())
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
