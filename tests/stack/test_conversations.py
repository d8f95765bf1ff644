"""Whole conversations through POST /api/chat against the real running stack, in all six languages."""

from __future__ import annotations

import secrets

import httpx
import pytest

from core.content import messages as m
from core.content.catalog import ALL_ANSWERS
from core.content.emergency import DANGER_ANSWERS
from core.i18n import gettext, use_locale
from core.render import render_answer, with_emergency_line
from core.safety import danger

pytestmark = pytest.mark.stack

#: language -> (a topic question, the intent's payload prefix, thanks)
CONVERSATIONS = {
    "pl": ("Czy muszę mieć holenderskie ubezpieczenie zdrowotne, jeśli mam polskie?", "/health_insurance",
           "dzięki wielkie"),
    "ro": ("Câți oameni au voie să doarmă într-o cameră la cazarea de la agenție?", "/housing_rights",
           "mulțumesc mult"),
    "bg": ("Каква е минималната заплата на час в Нидерландия?", "/work_rights", "благодаря ти"),
    "uk": ("Як мені зареєструватися в гемеенте і отримати BSN?", "/brp_registration", "дуже дякую"),
    "en": ("how much is the eigen risico for health insurance this year", "/health_insurance", "thank you so much"),
    "nl": ("Hoeveel huur mag mijn uitzendbureau van mijn loon inhouden?", "/housing_rights", "dank je wel"),
}


def post(url: str, sender: str, text: str, **extra) -> dict:
    response = httpx.post(f"{url}/api/chat", json={"sender": sender, "text": text, **extra}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def last_checked_line(language: str) -> str:
    """The start of the "last checked" line (each answer carries its own date)."""
    with use_locale(language):
        return "\n" + gettext(m.LAST_CHECKED, date="")


@pytest.mark.parametrize("language", list(CONVERSATIONS))
def test_a_full_topic_conversation(stack_url: str, language: str) -> None:
    question, intent_payload, thanks = CONVERSATIONS[language]
    sender = secrets.token_hex(16)

    hello = post(stack_url, sender, "/start", language_hint=language)
    assert hello["language"] == language
    with use_locale(language):
        assert hello["messages"][0]["text"] == gettext(m.GREETING)
        assert any(msg["text"] == gettext(m.PRIVACY_NOTICE) for msg in hello["messages"])
    assert any(b["payload"] == '/change_language{"language":"pl"}' for msg in hello["messages"]
               for b in msg["buttons"])

    answer = post(stack_url, sender, question)
    assert answer["language"] == language
    first = answer["messages"][0]
    follow_ups = [b for msg in answer["messages"] for b in msg["buttons"] if b["payload"].startswith(intent_payload)]
    assert follow_ups, f"no sub-questions of the topic offered: {answer}"
    if "https://" not in first["text"]:
        # The question could mean several sub-questions: the assistant asked which one; pick the first.
        answer = post(stack_url, sender, follow_ups[0]["payload"])
        first = answer["messages"][0]
        follow_ups = [b for msg in answer["messages"] for b in msg["buttons"]
                      if b["payload"].startswith(intent_payload)]
    assert "https://" in first["text"] and last_checked_line(language) in first["text"]

    follow = post(stack_url, sender, follow_ups[0]["payload"])
    assert follow["language"] == language
    assert last_checked_line(language) in follow["messages"][0]["text"]

    bye = post(stack_url, sender, thanks)
    with use_locale(language):
        assert bye["messages"][0]["text"] == gettext(m.THANKS_REPLY)


def test_emergency_comes_first_with_112(stack_url: str) -> None:
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint="uk")
    data = post(stack_url, sender, "допоможіть, мене б'ють і погрожують ножем")
    assert data["language"] == "uk"
    assert "112" in data["messages"][0]["text"].split("\n")[0]


def test_language_can_be_switched_by_asking(stack_url: str) -> None:
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint="en")
    data = post(stack_url, sender, "can you speak Romanian?")
    assert data["language"] == "ro"
    with use_locale("ro"):
        assert data["messages"][0]["text"] == gettext(m.LANGUAGE_CHANGED)
    assert post(stack_url, sender, "ok")["language"] == "ro"


def test_gibberish_gets_a_kind_answer_and_the_menu(stack_url: str) -> None:
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint="nl")
    first = post(stack_url, sender, "qwxz vbnm plkj")
    second = post(stack_url, sender, "kjhgf lkjh")
    with use_locale("nl"):
        out_of_scope = render_answer(ALL_ANSWERS["out_of_scope"])
        second_miss = f"{gettext(m.FALLBACK_MENU)}\n{gettext(m.FALLBACK_PERSON, button=gettext(m.BUTTON_PERSON))}"
        allowed = {with_emergency_line(gettext(m.FALLBACK_GUESS)), with_emergency_line(second_miss), out_of_scope}
    for reply in (first, second):
        assert reply["language"] == "nl"
        assert reply["messages"][0]["text"] in allowed
        assert reply["messages"][0]["buttons"], "topics or the menu are offered"


def test_understand_reports_intent_language_and_entities(stack_url: str) -> None:
    response = httpx.post(f"{stack_url}/api/understand", json={"text": "Gdzie jest punkt pomocy w Rotterdamie?"},
                          timeout=30)
    data = response.json()
    assert data["language"] == "pl"
    assert data["intent"] == "find_win_point"
    assert data["entities"] == {"city": "Rotterdam", "postcode": None}
    assert 0 < data["confidence"] <= 1


#: language -> (a question about a new topic, the sub-answer it must get)
NEW_TOPICS = {
    "pl": [("moje dzieci mieszkają w Polsce, czy mogę dostać kinderbijslag z SVB?", "benefits_tax/child_benefit"),
           ("szef zabrał mi paszport i nie chce oddać", "report_abuse/passport")],
    "ro": [("copiii mei stau in Romania, pot primi alocatia pentru copii din Olanda?", "benefits_tax/child_benefit"),
           ("cine trebuie sa anunte accidentul meu de munca, eu lucrez prin agentie?", "work_rights/accident")],
    "bg": [("как да си върна данъка от Нидерландия, формуляр M", "benefits_tax/tax_return"),
           ("наемът е твърде висок и хазяинът не поправя нищо, huurcommissie", "housing_rights/huurcommissie")],
    "uk": [("діти живуть в Україні, чи можна отримати допомогу на дітей від SVB?", "benefits_tax/child_benefit"),
           ("я з тимчасовим захистом, чи покриває мене RMO у лікаря?", "health_insurance/ukraine")],
    "en": [("how do I get my tax back from the Netherlands, do I need the M form?", "benefits_tax/tax_return"),
           ("my contract ended, how do I get WW unemployment benefit from the UWV?", "work_rights/ww")],
    "nl": [("mijn kinderen wonen in Roemenië, krijg ik kinderbijslag?", "benefits_tax/child_benefit"),
           ("mag mijn werkgever mij ontslaan terwijl ik ziek ben?", "work_rights/sick_dismissal")],
}

#: every new sub-answer, pressed as a button in each language
NEW_KEYS = [
    "brp_registration/ukraine", "housing_rights/huurcommissie", "housing_rights/huurtoeslag",
    "health_insurance/ukraine",
    "work_rights/sick_dismissal", "work_rights/ww", "work_rights/holidays_hours", "work_rights/accident",
    "work_rights/ukraine", "benefits_tax/child_benefit", "benefits_tax/tax_return", "report_abuse/passport",
    "report_abuse/organisations",
]


def _answer_text(language: str, key: str) -> str:
    with use_locale(language):
        return render_answer(ALL_ANSWERS[key])


@pytest.mark.parametrize("language", list(NEW_TOPICS))
def test_new_topics_are_answered_in_every_language(stack_url: str, language: str) -> None:
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint=language)
    for question, key in NEW_TOPICS[language]:
        reply = post(stack_url, sender, question)
        assert reply["language"] == language, question
        texts = [msg["text"] for msg in reply["messages"]]
        expected = _answer_text(language, key)
        kind = danger(question, language)
        if kind is not None:  # the safety layer answers first ("boss took my passport" can mean not free to leave)
            with use_locale(language):
                expected = render_answer(DANGER_ANSWERS[kind])
        assert expected in texts, f"{question!r} did not get {key}: {texts[:1]}"


@pytest.mark.parametrize("language", list(NEW_TOPICS))
def test_every_new_sub_answer_is_one_button_away(stack_url: str, language: str) -> None:
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint=language)
    for key in NEW_KEYS:
        intent = key.split("/")[0]
        reply = post(stack_url, sender, f'/{intent}{{"subtopic":"{key}"}}')
        assert reply["messages"][0]["text"] == _answer_text(language, key), key
        assert last_checked_line(language) in reply["messages"][0]["text"]


def test_the_menu_offers_child_benefit_and_tax(stack_url: str) -> None:
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint="bg")
    menu = post(stack_url, sender, '/greet{"menu":"1"}')
    assert any(b["payload"] == "/benefits_tax" for msg in menu["messages"] for b in msg["buttons"])
    topic = post(stack_url, sender, "/benefits_tax")
    payloads = [b["payload"] for msg in topic["messages"] for b in msg["buttons"]]
    assert '/benefits_tax{"subtopic":"benefits_tax/child_benefit"}' in payloads


#: Situations, not titles, written for this test (not in the training data): (language, message, sub-answer).
SITUATIONS = [
    ("pl", "zwolnili mnie wczoraj, ile czasu mogę jeszcze mieszkać w domu od agencji?", "housing_rights/job_loss"),
    ("pl", "zaczęłem robotę dwa tygodnie temu, do kiedy muszę mieć ubezpieczenie?", "health_insurance/obligation"),
    ("ro", "m-au dat afară ieri, cât timp mai pot sta în casa agenției?", "housing_rights/job_loss"),
    ("ro", "agentia imi ia 150 pe saptamana din salariu pentru pat, e legal?", "housing_rights/rent_deduction"),
    ("bg", "уволниха ме вчера, колко време мога да остана в квартирата на агенцията?", "housing_rights/job_loss"),
    # In Latin letters ("kolko dushi mozhem da sme v edna staia?") language detection takes it for Polish.
    ("bg", "колко души можем да спим в една стая в квартирата?", "housing_rights/space_norms"),
    ("uk", "мене вчора звільнили, скільки ще можна жити в будинку агенції?", "housing_rights/job_loss"),
    ("uk", "почав працювати два тижні тому, до якого часу треба оформити страховку?", "health_insurance/obligation"),
    ("en", "got fired yesterday, how long can i stay in the agency house?", "housing_rights/job_loss"),
    ("en", "started work two weeks ago, by when do i need health insurance?", "health_insurance/obligation"),
    ("nl", "ik ben gisteren ontslagen, hoe lang mag ik nog in het huis van het uitzendbureau blijven?",
     "housing_rights/job_loss"),
    ("nl", "hoeveel mensen mogen er in één slaapkamer slapen?", "housing_rights/space_norms"),
]


@pytest.mark.parametrize(("language", "text", "key"), SITUATIONS)
def test_a_situation_gets_the_sub_answer_it_asks_for(stack_url: str, language: str, text: str, key: str) -> None:
    data = post(stack_url, secrets.token_hex(16), text, language_hint=language)
    assert data["language"] == language
    with use_locale(language):
        expected = render_answer(ALL_ANSWERS[key])
    # A first contact gets the greeting first; the answer is one of the messages.
    assert any(msg["text"] == expected for msg in data["messages"]), [msg["text"][:80] for msg in data["messages"]]
