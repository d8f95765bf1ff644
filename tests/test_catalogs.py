"""Every user-visible string exists in all six catalogs: none missing, fuzzy or with other placeholders."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from core.i18n import LANGUAGES, TRANSLATIONS_DIR
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalog(language: str):
    with open(TRANSLATIONS_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh)


def _current_msgids() -> set[str]:
    """Extract the msgids from the code now, so a string added without updating the catalogs is caught."""
    out = ROOT / "var" / "test-extract.pot"
    out.parent.mkdir(exist_ok=True)
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-k", "N_", "-k", "_", "-k", "gettext", "-k", "ngettext:1,2",
         "-o", str(out), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with open(out, "rb") as fh:
        return {m.id for m in read_po(fh) if m.id}


@pytest.fixture(scope="module")
def msgids() -> set[str]:
    return _current_msgids()


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_complete(language: str, msgids: set[str]) -> None:
    catalog = _catalog(language)
    translated = {m.id: m for m in catalog if m.id}
    missing = sorted(msgids - translated.keys())
    assert not missing, f"{language}: not in the catalog (run `make translations-update`): {missing[:5]}"
    problems = []
    for msgid in msgids:
        message = translated[msgid]
        if message.fuzzy:
            problems.append(f"fuzzy: {msgid[:50]}")
        elif not message.string:
            problems.append(f"untranslated: {msgid[:50]}")
        elif sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {msgid[:50]}")
        elif "\n\n" in message.string:
            problems.append(f"blank line (Rasa would split the message there): {msgid[:50]}")
        elif len(msgid) <= 20 and len(message.string) > 20:
            problems.append(f"button label over 20 characters: {message.string}")
    assert not problems, f"{language}: " + "; ".join(problems[:10])


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_catalog_is_really_translated(language: str) -> None:
    """A catalog that copies the English is not a translation (short labels and names may match)."""
    long_ones = [m for m in _catalog(language) if m.id and len(m.id) > 40]
    copied = [m.id for m in long_ones if m.string.strip() == m.id.strip()]
    assert len(copied) <= len(long_ones) // 20, f"{language}: copied from English: {copied[:3]}"
