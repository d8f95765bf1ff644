"""The safety layer (core/safety.py): every danger message of the labelled set is recognised as its kind,
no look-alike raises an alarm, and ordinary questions of the training data stay ordinary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from core.safety import DANGER_LANGUAGES, KINDS, compile_pattern, danger, explain, fillers, loose, signs

DATA = Path(__file__).resolve().parents[1] / "data" / "danger" / "messages.yml"
NLU = Path(__file__).resolve().parents[2] / "nlu"
SUBQUESTIONS = Path(__file__).resolve().parents[2] / "subquestions"


def _labelled() -> dict:
    return yaml.safe_load(DATA.read_text(encoding="utf-8"))


def _danger_cases() -> list[tuple[str, str, str]]:
    return [(lang, kind, text) for lang, sets in _labelled().items()
            for kind, texts in sets["danger"].items() for text in texts]


def _safe_cases() -> list[tuple[str, str]]:
    return [(lang, text) for lang, sets in _labelled().items() for text in sets["safe"]]


def test_the_labelled_set_is_big_enough_in_every_language() -> None:
    data = _labelled()
    assert set(data) == set(DANGER_LANGUAGES)
    for lang, sets in data.items():
        assert set(sets["danger"]) == set(KINDS), lang
        assert sum(len(t) for t in sets["danger"].values()) >= 25, lang
        assert len(sets["safe"]) >= 15, lang


@pytest.mark.parametrize(("language", "kind", "text"), _danger_cases())
def test_every_danger_message_is_recognised_as_its_kind(language: str, kind: str, text: str) -> None:
    assert danger(text, language) == kind, explain(text, language)


@pytest.mark.parametrize(("language", "text"), _safe_cases())
def test_no_look_alike_raises_an_alarm(language: str, text: str) -> None:
    assert danger(text, language) is None, explain(text, language)


def test_the_language_of_the_message_does_not_matter() -> None:
    # Latin-letter Bulgarian is often detected as another language: the signs of every language are tried.
    for language in (*DANGER_LANGUAGES, None):
        assert danger("ne iskam veche da jiveq", language) == "suicide"
        assert danger("nowhere to sleep tonight", language) == "homeless"


def test_button_payloads_are_never_a_danger() -> None:
    assert danger('/emergency{"danger":"suicide"}', "en") is None
    assert danger("", "en") is None


def test_spellings_merge() -> None:
    assert loose("Живея") == loose("jiveq") == loose("zhiveya")
    assert loose("ще") == loose("6te") == loose("shte")
    assert loose("HEEELP") == "help"


def test_pattern_syntax() -> None:
    def finds(pattern: str, text: str) -> bool:
        return compile_pattern(pattern).search(f" {loose(text)} ") is not None

    assert finds("kill * myself", "i will kill really myself")
    assert not finds("kill * myself", "kill one two three four myself")
    assert finds("bie=|nabi", "maja mi me bie") and finds("bie=|nabi", "nabiha me")
    assert not finds("bie=|nabi", "wat is het lekkerste bier")
    assert finds("want to live= $", "i dont want to live")
    assert not finds("want to live= $", "i dont want to live here")


def test_an_injury_that_is_over_raises_no_injured_alarm() -> None:
    # The word lists have no tense: "fell from the ladder last year, I'm fine now" used to raise the alarm.
    healed = {
        "en": "I fell off a ladder last year and broke my arm, it has healed. Can I still claim?",
        "nl": "vorig jaar ben ik van de ladder gevallen, ik was bewusteloos, nu ben ik hersteld. krijg ik nog geld?",
        "pl": "rok temu spadłem z rusztowania, już wszystko dobrze, czy mogę jeszcze dostać odszkodowanie?",
        "ro": "anul trecut am cazut de pe scara la depozit, acum sunt bine, mai pot cere bani?",
        "bg": "миналата година паднах от стълбата, вече съм добре, мога ли да поискам обезщетение?",
        "uk": "Мені в квітні на роботі придавило руку, вже все загоїлось. Чи можу я отримати компенсацію?",
    }
    # (each of these raised the injured alarm before the ``over`` words)
    for language, text in healed.items():
        assert danger(text, language) is None, (language, explain(text, language))
    # Only the injury is over: other kinds in the same message still count, and an injury now still does.
    assert danger("I fell off a ladder last year, it healed, but now my boss beats me", "en") == "violence"
    assert danger("my colleague fell from the ladder and is not moving", "en") == "injured"


def test_filler_words_do_not_hide_a_sign() -> None:
    assert danger("ik zie het echt niet meer zitten", "nl") == "suicide"
    assert danger("ik wil er gewoon niet meer zijn", "nl") == "suicide"
    assert danger("I just really want to die", "en") == "suicide"
    # A pattern that used a filler word could never match again: the lists may not use them.
    for language in DANGER_LANGUAGES:
        signs(language)
    assert loose("gewoon") in fillers()
    with pytest.raises(ValueError, match="filler"):
        compile_pattern("wil gewoon dood")


def _training_examples(wanted: Callable[[str], bool], root: Path = NLU) -> list[tuple[str, str, str]]:
    """(language, intent, example) of every training example under ``root`` whose intent is wanted."""
    found = []
    for path in sorted(root.glob("*/*.yml")):
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            if wanted(str(item.get("intent"))):
                for line in str(item["examples"]).splitlines():
                    text = line.strip().removeprefix("- ").strip()
                    if text:
                        found.append((path.parent.name, item["intent"], text))
    return found


def test_ordinary_questions_of_the_training_data_raise_no_alarm() -> None:
    # Everything but the topics whose own examples describe danger (emergency; report_abuse: "they took my
    # passport"; housing_rights: "I have nowhere to sleep") must pass untouched.
    ordinary = {"greet", "goodbye", "thanks", "change_language", "out_of_scope", "brp_registration",
                "health_insurance", "work_rights", "find_win_point", "mobile_team_visit", "human_handoff"}
    examples = _training_examples(ordinary.__contains__)
    assert len(examples) > 10_000
    alarms = [(lang, intent, text, explain(text, lang)) for lang, intent, text in examples if danger(text, lang)]
    assert alarms == []


def test_ordinary_sub_questions_raise_no_alarm() -> None:
    # The sub-answers about papers and money (not the passport kept by an employer, an accident, losing the
    # bed with the job or urgent care, whose examples describe danger) must pass untouched: "do I have to
    # take my passport to the gemeente?", "разрешение за пребиваване" (residence permit) and "stabilirea
    # concediului" (agreeing the holidays) once raised alarms.
    quiet = ("brp_registration/", "benefits_tax/", "health_insurance/obligation", "health_insurance/uninsured_fine",
             "health_insurance/deductible", "health_insurance/allowance", "health_insurance/gp",
             "health_insurance/ukraine", "housing_rights/huurcommissie", "housing_rights/huurtoeslag",
             "housing_rights/information_language", "housing_rights/report_landlord", "housing_rights/rent_deduction",
             "work_rights/minimum_wage", "work_rights/payslip", "work_rights/holiday_pay", "work_rights/ww",
             "work_rights/ukraine", "report_abuse/organisations")
    examples = _training_examples(lambda key: key.startswith(quiet), SUBQUESTIONS)
    assert len(examples) > 5_000
    alarms = [(lang, key, text, explain(text, lang)) for lang, key, text in examples if danger(text, lang)]
    assert alarms == []
