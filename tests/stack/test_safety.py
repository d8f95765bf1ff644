"""The safety layer against the real running stack (issue 10, item 3), in all six languages: thoughts of suicide
(Bulgarian and Ukrainian in Latin letters) get 113 and 112 in the first line, nowhere to sleep tonight gets 112
and the job-and-bed answer, never "Goodbye"."""

from __future__ import annotations

import secrets

import httpx
import pytest

from core.content import messages as m
from core.content.emergency import DANGER_ANSWERS
from core.i18n import gettext, use_locale

pytestmark = pytest.mark.stack

#: language -> (thoughts of suicide, nowhere to sleep tonight), as people write them on a phone.
MESSAGES = {
    "bg": ("ne iskam veche da jiveq", "nqmam kade da spq tazi nosht"),
    "uk": ("ne hochu bilshe zhyty, vse nabrydlo", "мені нема де спати сьогодні вночі"),
    "pl": ("nie chce mi sie juz zyc", "nie mam gdzie spac dzisiaj w nocy"),
    "ro": ("nu mai vreau sa traiesc", "nu am unde sa dorm la noapte"),
    "en": ("i dont want to live anymore", "nowhere to sleep tonight"),
    "nl": ("ik wil niet meer leven", "nergens om te slapen vannacht"),
}


def post(url: str, sender: str, text: str, **extra) -> dict:
    response = httpx.post(f"{url}/api/chat", json={"sender": sender, "text": text, **extra}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def first_line(language: str, kind: str) -> str:
    with use_locale(language):
        return gettext(DANGER_ANSWERS[kind].text).splitlines()[0]


@pytest.mark.parametrize("language", list(MESSAGES))
def test_danger_is_answered_first_whatever_the_classifier_thinks(stack_url: str, language: str) -> None:
    suicide, homeless = MESSAGES[language]
    sender = secrets.token_hex(16)
    post(stack_url, sender, "/start", language_hint=language)

    data = post(stack_url, sender, suicide)
    top = data["messages"][0]["text"].splitlines()[0]
    assert "113" in top and "0800-0113" in top and "112" in top
    assert top == first_line(data["language"], "suicide")

    data = post(stack_url, sender, homeless)
    assert data["messages"][0]["text"].splitlines()[0] == first_line(data["language"], "homeless")
    assert "112" in data["messages"][0]["text"].splitlines()[0]
    payloads = [b["payload"] for msg in data["messages"] for b in msg["buttons"]]
    assert '/housing_rights{"subtopic":"housing_rights/job_loss"}' in payloads and "/human_handoff" in payloads
    with use_locale(data["language"]):
        assert all(msg["text"] != gettext(m.GOODBYE_REPLY) for msg in data["messages"])


def test_a_new_user_in_danger_gets_113_before_the_greeting(stack_url: str) -> None:
    data = post(stack_url, secrets.token_hex(16), "ne iskam veche da jiveq")
    assert "113" in data["messages"][0]["text"].splitlines()[0]
    with use_locale(data["language"]):
        assert any(msg["text"] == gettext(m.GREETING) for msg in data["messages"][1:])
