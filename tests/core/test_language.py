import pytest

from core.language import TrigramModel, choose_language, detect, requested_language, use_trigram_model


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


@pytest.mark.parametrize(("text", "language"), [
    # Typed in Latin letters: lingua took these for Polish or Romanian (core.language.TrigramModel).
    ("kolko struva zdravnata zastrahovka tuk", "bg"),
    ("ne iskam veche da jiveq", "bg"),
    ("shefat ni vze pasportite, ima li pravo", "bg"),
    ("shcho robyty yakshcho shef ne platyt", "uk"),
    ("de naiblyzhchyi punkt dopomohy", "uk"),
])
def test_ukrainian_and_bulgarian_in_latin_letters_are_recognised_on_first_contact(text: str, language: str) -> None:
    assert detect(text).language == language
    assert choose_language(None, text) == language


@pytest.mark.parametrize(("text", "language"), [
    ("gdzie moge sie zarejestrowac w gminie", "pl"),
    ("szef nie placi mi od miesiaca", "pl"),
    ("cum ma inregistrez la primarie", "ro"),
    ("nu am primit salariul de doua luni", "ro"),
    ("where can I register my address", "en"),
    ("ik heb een vraag over mijn huur", "nl"),
])
def test_latin_languages_are_not_taken_for_transliteration(text: str, language: str) -> None:
    assert detect(text).language == language


def test_the_trigram_model_learns_from_what_it_is_given() -> None:
    model = TrigramModel([("uk", "привіт друже"), ("pl", "cześć kolego"), ("uk", "дякую друже")])
    assert max(model.probabilities("pryvit druzhe").items(), key=lambda item: item[1])[0] == "uk"
    try:
        use_trigram_model(TrigramModel([("pl", "kolko struva zdravnata")]))
        assert detect("kolko struva zdravnata zastrahovka").language != "bg"  # this model knows no Bulgarian
    finally:
        use_trigram_model(None)
    assert detect("kolko struva zdravnata zastrahovka tuk").language == "bg"
