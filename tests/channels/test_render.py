"""Splitting, escaping and button rendering, without any server."""

from __future__ import annotations

import hmac

import pytest

from bot.channels.render import shorten, split_tail, split_text, telegram_html, utf16_len
from bot.channels.whatsapp import language_hint, render, signature_valid
from core.render import Button, Reply

SENTENCE = "Rent may be deducted from your wage only with a written agreement. "


def test_short_text_is_one_piece() -> None:
    assert split_text("  Hello.  ", 4096) == ["Hello."]
    assert split_text("", 4096) == []


def test_long_text_is_split_at_sentence_ends() -> None:
    text = SENTENCE * 100  # 6700 characters
    parts = split_text(text, 4096)
    assert len(parts) == 2
    assert all(len(p) <= 4096 and p.endswith("agreement.") for p in parts)
    assert " ".join(parts) == text.strip()


def test_line_breaks_are_preferred_and_kept() -> None:
    text = "\n".join([SENTENCE.strip()] * 10)
    parts = split_text(text, 200)
    assert all(len(p) <= 200 for p in parts)
    assert "\n".join(parts) == text
    assert all("\n" not in p or p.count("\n") <= 2 for p in parts)


def test_a_word_longer_than_the_limit_is_cut_hard() -> None:
    link = "https://example.org/" + "a" * 5000
    parts = split_text(f"See {link} now.", 4096)
    assert all(len(p) <= 4096 for p in parts) and "".join(parts).replace(" ", "") == f"See{link}now."


def test_telegram_counts_utf16_units() -> None:
    emoji = "🙂" * 3000  # 6000 UTF-16 units, 3000 code points
    assert utf16_len(emoji) == 6000
    parts = split_text(emoji, 4096, measure=utf16_len)
    assert len(parts) == 2 and all(utf16_len(p) <= 4096 for p in parts)


def test_split_tail_keeps_whole_sentences_for_the_last_part() -> None:
    head, tail = split_tail(SENTENCE * 30, 1024)
    assert len(tail) <= 1024 and tail.startswith("Rent") and tail.endswith("agreement.")
    assert f"{head} {tail}" == (SENTENCE * 30).strip()
    assert split_tail("Short.", 1024) == ("", "Short.")


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<b>hi</b> & _x_ *y*", "&lt;b&gt;hi&lt;/b&gt; &amp; _x_ *y*"),
        ("Source: https://www.government.nl/a_b?x=1&y=2.",
         'Source: <a href="https://www.government.nl/a_b?x=1&amp;y=2">https://www.government.nl/a_b?x=1&amp;y=2</a>.'),
        ("(see https://example.org/x)", '(see <a href="https://example.org/x">https://example.org/x</a>)'),
        ('evil https://e.org/"><script>', 'evil <a href="https://e.org/">https://e.org/</a>"&gt;&lt;script&gt;'),
        ("Source: [UWV](https://www.uwv.nl/a?x=1&y=2) · [2](https://www.uwv.nl/b)",
         'Source: <a href="https://www.uwv.nl/a?x=1&amp;y=2">UWV</a> · <a href="https://www.uwv.nl/b">2</a>'),
        ("[<b>](https://e.org/x)", '<a href="https://e.org/x">&lt;b&gt;</a>'),
    ],
)
def test_telegram_html_escapes_everything_and_links_urls(text, html) -> None:
    assert telegram_html(text) == html


def test_shorten() -> None:
    assert shorten("Menu", 20) == "Menu"
    assert shorten("Health insurance obligation", 20) == "Health insurance ob…"
    assert len(shorten("x" * 50, 24)) == 24


def _ids(payload: str) -> str:
    return payload


def test_whatsapp_reply_buttons_up_to_three_short_titles() -> None:
    (message,) = render(Reply("Pick one", [Button("Yes", "/yes"), Button("No", "/no")]), _ids)
    assert message["interactive"]["type"] == "button"
    assert message["interactive"]["action"]["buttons"][0] == {"type": "reply", "reply": {"id": "/yes", "title": "Yes"}}


def test_whatsapp_lists_for_more_buttons_or_long_titles() -> None:
    many = [Button(f"Topic {n}", f"/t{n}") for n in range(12)]
    (message,) = render(Reply("Pick one", many), _ids)
    rows = message["interactive"]["action"]["sections"][0]["rows"]
    assert message["interactive"]["type"] == "list" and len(rows) == 10
    (message,) = render(Reply("Pick", [Button("A title that is much longer than twenty-four", "/a")]), _ids)
    (row,) = message["interactive"]["action"]["sections"][0]["rows"]
    assert len(row["title"]) <= 24 and row["description"] == "A title that is much longer than twenty-four"
    assert len(message["interactive"]["action"]["button"]) <= 20


def test_whatsapp_text_without_buttons() -> None:
    messages = render(Reply(SENTENCE * 100), _ids)
    assert [m["type"] for m in messages] == ["text", "text"]
    assert all(len(m["text"]["body"]) <= 4096 and m["text"]["preview_url"] is False for m in messages)


def test_whatsapp_signature() -> None:
    body = b'{"object":"whatsapp_business_account"}'
    good = "sha256=" + hmac.new(b"secret", body, "sha256").hexdigest()
    assert signature_valid("secret", body, good)
    assert signature_valid("secret", body, good.upper().replace("SHA256=", "sha256="))
    assert not signature_valid("secret", body + b" ", good)
    assert not signature_valid("secret", body, None)
    assert not signature_valid("other", body, good)


@pytest.mark.parametrize(("number", "language"), [
    ("48600100200", "pl"), ("40722123456", "ro"), ("37360123456", "ro"), ("359887123456", "bg"),
    ("380501234567", "uk"), ("447700900001", "en"), ("31612345678", None), ("4915112345678", None),
])
def test_whatsapp_language_hint_from_the_country_code(number, language) -> None:
    assert language_hint(number) == language
