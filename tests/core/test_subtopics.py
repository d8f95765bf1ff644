"""core/subtopics.py: from the model's ranking of sub-answers to answer, two buttons or the topic's menu."""

from __future__ import annotations

import pytest

from core.subtopics import Choice, choose, ranking

KEYS = ["housing_rights/job_loss", "housing_rights/space_norms", "housing_rights/rent_deduction"]


def prediction(*pairs: tuple[str, float], intent: str = "housing_rights") -> dict:
    entries = [{"name": k, "confidence": c} for k, c in pairs]
    return {"intent": intent, "name": entries[0]["name"], "confidence": entries[0]["confidence"], "ranking": entries}


def test_a_clear_winner_is_answered() -> None:
    p = prediction(("housing_rights/job_loss", 0.8), ("housing_rights/space_norms", 0.1))
    assert choose(p, "housing_rights", KEYS) == Choice(answer="housing_rights/job_loss")


def test_two_close_sub_answers_are_offered_together() -> None:
    p = prediction(("housing_rights/job_loss", 0.45), ("housing_rights/rent_deduction", 0.4),
                   ("housing_rights/space_norms", 0.15))
    expected = Choice(options=("housing_rights/job_loss", "housing_rights/rent_deduction"))
    assert choose(p, "housing_rights", KEYS) == expected


def test_a_flat_ranking_shows_the_whole_menu() -> None:
    p = prediction(("housing_rights/job_loss", 0.34), ("housing_rights/rent_deduction", 0.33),
                   ("housing_rights/space_norms", 0.33))
    assert choose(p, "housing_rights", KEYS) == Choice()


@pytest.mark.parametrize("p", [None, {}, prediction(("housing_rights/job_loss", 0.9), intent="work_rights")])
def test_no_ranking_for_this_topic_shows_the_menu(p: dict | None) -> None:
    assert choose(p, "housing_rights", KEYS) == Choice()


def test_sub_answers_without_content_here_are_left_out() -> None:
    # A key learned from data but not (yet) in core/content is never offered; the others are re-ranked.
    p = prediction(("housing_rights/new_key", 0.7), ("housing_rights/job_loss", 0.25),
                   ("housing_rights/space_norms", 0.05))
    assert ranking(p, "housing_rights", KEYS)[0] == ("housing_rights/job_loss", 0.25)
    assert choose(p, "housing_rights", KEYS) == Choice()


def test_a_clear_winner_the_model_over_all_topics_disagrees_with_is_not_answered() -> None:
    # "my contract ends Friday, must I leave the house?" read as work: the per-topic model is sure of a work
    # sub-answer, the model over all topics says housing. No answer then, the topic's choices instead.
    sure = prediction(("housing_rights/job_loss", 0.85), ("housing_rights/space_norms", 0.1),
                      ("housing_rights/rent_deduction", 0.05))
    assert choose({**sure, "agrees": True}, "housing_rights", KEYS) == Choice(answer="housing_rights/job_loss")
    assert choose({**sure, "agrees": False, "across_topics": "work_rights/ww"}, "housing_rights", KEYS) == Choice()
