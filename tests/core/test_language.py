import pytest

from core.language import choose_language, detect, requested_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Gdzie mogę dostać numer BSN?", "pl"),
        ("gdzie moge dostac numer bsn", "pl"),
        ("Unde pot să mă înregistrez la gemeente?", "ro"),
        ("unde pot sa ma inregistrez la gemeente", "ro"),
        ("Как да се регистрирам в общината?", "bg"),
        ("Як отримати BSN у Нідерландах?", "uk"),
        ("where i can register my address", "en"),
        ("Waar kan ik me inschrijven bij de gemeente?", "nl"),
    ],
)
def test_clear_messages_are_detected(text: str, language: str) -> None:
    assert detect(text).language == language
    assert choose_language("en" if language != "en" else "pl", text) == language


@pytest.mark.parametrize("text", ["ok", "BSN", "5912 AB", "DigiD?", "112", "huisarts", "👍", "Venlo"])
@pytest.mark.parametrize("current", ["pl", "uk", "nl"])
def test_short_or_neutral_messages_never_switch(text: str, current: str) -> None:
    assert choose_language(current, text) == current


def test_first_contact_uses_the_hint_when_the_text_says_nothing() -> None:
    assert choose_language(None, "BSN", hint="ro-RO") == "ro"
    assert choose_language(None, "ok", hint="fr-FR") == "en"


def test_first_contact_prefers_the_text_over_the_hint() -> None:
    assert choose_language(None, "Dzień dobry, mam pytanie o ubezpieczenie", hint="en-GB") == "pl"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("can you speak Polish?", "pl"),
        ("po polsku proszę", "pl"),
        ("vorbești românește?", "ro"),
        ("можеш українською?", "uk"),
        ("говориш ли български", "bg"),
        ("English please", "en"),
        ("kun je Nederlands praten?", "nl"),
        ("spreek je Engels", "en"),
    ],
)
def test_requested_language(text: str, language: str) -> None:
    assert requested_language(text) == language


def test_no_or_several_requested_languages() -> None:
    assert requested_language("which languages do you speak?") is None
    assert requested_language("Polish or Romanian?") is None


@pytest.mark.parametrize(
    "text", ["posrednikat ni izlaga, iskam da signaliziram", "zabraly bankivsku kartku i zarplatu"]
)
@pytest.mark.parametrize("current", ["bg", "uk"])
def test_transliterated_cyrillic_languages_keep_the_users_language(text: str, current: str) -> None:
    assert choose_language(current, text) == current


def test_a_clear_cyrillic_message_switches_from_a_latin_language() -> None:
    assert choose_language("pl", "Як мені отримати номер BSN у Нідерландах?") == "uk"
