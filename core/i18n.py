"""Gettext catalogs, the per-message locale and the marker for translatable text.

English is the source language: every msgid is English. The current locale lives in a context
variable that the caller sets per message (``use_locale``); unknown locales fall back to English.
Placeholders are named (``%(name)s``) and filled after translation, never before.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES: tuple[str, ...] = ("pl", "ro", "bg", "uk", "en", "nl")
DEFAULT_LANGUAGE = "en"
#: Each language's own name, as shown in the language picker.
LANGUAGE_NAMES: Mapping[str, str] = {
    "pl": "Polski",
    "ro": "Română",
    "bg": "Български",
    "uk": "Українська",
    "en": "English",
    "nl": "Nederlands",
}
TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("winbot_locale", default=DEFAULT_LANGUAGE)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction; it is translated later, when it is shown."""
    return message


def normalise_language(code: str | None) -> str:
    """Map 'pl-PL', 'PL', 'uk_UA' to a supported language; anything else to English."""
    if not code:
        return DEFAULT_LANGUAGE
    base = code.replace("_", "-").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@cache
def translations(language: str) -> _gettext.NullTranslations:
    language = normalise_language(language)
    return _gettext.translation(DOMAIN, localedir=TRANSLATIONS_DIR, languages=[language], fallback=True)


def current_language() -> str:
    return _current.get()


@contextlib.contextmanager
def use_locale(language: str | None) -> Iterator[str]:
    token = _current.set(normalise_language(language))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def gettext(message: str, **values: Any) -> str:
    """Translate ``message`` into the current language, then fill its named placeholders."""
    text = translations(current_language()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    text = translations(current_language()).ngettext(singular, plural, n)
    return text % {"n": n, **values}


_ = gettext
