"""The chit-chat check (core/chitchat.py): greetings, thanks and goodbyes pass, messages about something else
do not, and the word list is what the training data gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.chitchat import build_words, chitchat_words, content_words, is_chitchat, training_examples

NLU = Path(__file__).resolve().parents[2] / "nlu"


@pytest.mark.parametrize("text", [
    "hi", "hello, is anyone there?", "dzień dobry", "Здравейте", "bună ziua", "Привіт!", "hallo, goedemorgen",
    "thanks a lot", "thanx", "dziękuję bardzo za pomoc", "mersi mult", "благодаря", "дякую", "dank je wel",
    "ok bye", "pa pa", "do widzenia", "довиждане", "до побачення", "doei, tot morgen", "/greet", '/greet{"menu":"1"}',
])
def test_chit_chat_passes(text: str) -> None:
    assert is_chitchat(text), content_words(text)


@pytest.mark.parametrize("text", [
    # the examples: the goodbye intent took them with 0.92 and 0.81
    "nowhere to sleep tonight", "ik heb vannacht nergens om te slapen", "ne iskam veche da jiveq",
    "мені нема де спати сьогодні", "nie mam gdzie spać dzisiaj",
    "hi, how do I get a BSN?", "thanks, but when do I get my vakantiegeld?", "bye, my contract ends on friday",
    "dzień dobry, szef nie płaci mi od miesiąca", "bună ziua, unde mă înregistrez la gemeente?",
])
def test_a_question_or_a_danger_is_not_chit_chat(text: str) -> None:
    assert not is_chitchat(text)


def test_the_word_list_is_built_from_the_training_data() -> None:
    # Rebuild with `python -m core.chitchat` after changing nlu/ (and review the difference).
    assert frozenset(build_words(training_examples(NLU))) == chitchat_words()


def test_topic_words_are_not_chit_chat() -> None:
    assert not {"bsn", "zorgtoeslag", "paszport", "contract", "huur", "salariu"} & chitchat_words()
