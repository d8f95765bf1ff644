"""`make eval` scores a held-out sub-question by what the assistant would do with its parse (bot/evaluation.py)."""

from __future__ import annotations

import pytest

from bot.evaluation import outcome

RENT = "housing_rights/rent_deduction"


def _parse(gold: str, intent: str, ranking: dict[str, float], agrees: bool = True) -> dict:
    ranked = [{"name": name, "confidence": value} for name, value in ranking.items()]
    top = max(ranking, key=ranking.__getitem__)
    return {"language": "en", "gold": gold, "intent": intent, "text": "...",
            "subtopic": {"intent": intent, "name": top, "confidence": ranking[top], "ranking": ranked,
                         "across_topics": top if agrees else "housing_rights/job_loss", "agrees": agrees}}


@pytest.mark.parametrize(("gold", "intent", "ranking", "agrees", "expected"), [
    # An information topic: answer, wrong answer, two buttons, menu.
    ("housing_rights/job_loss", "housing_rights", {"housing_rights/job_loss": 0.9, RENT: 0.05},
     True, "specific"),
    ("housing_rights/job_loss", "housing_rights", {RENT: 0.9, "housing_rights/job_loss": 0.05},
     True, "wrong"),
    ("housing_rights/job_loss", "housing_rights", {"housing_rights/job_loss": 0.45, RENT: 0.4},
     True, "two_buttons"),
    ("housing_rights/job_loss", "housing_rights", {"housing_rights/job_loss": 0.9, RENT: 0.05},
     False, "menu"),
    ("housing_rights/job_loss", "work_rights", {"work_rights/sick_pay": 0.9, "work_rights/payslip": 0.05},
     True, "wrong"),
    # Reporting abuse answers a passport question before its form, chosen the same way (actions/reports.py).
    ("report_abuse/passport", "report_abuse", {"report_abuse/passport": 0.8, "report_abuse": 0.15}, True, "specific"),
    ("report_abuse/organisations", "report_abuse", {"report_abuse/passport": 0.8, "report_abuse": 0.15}, True,
     "wrong"),
    ("housing_rights/job_loss", "report_abuse", {"report_abuse/passport": 0.8, "report_abuse": 0.15}, True, "wrong"),
    # Unsure: the form starts, with no buttons for two answers.
    ("report_abuse/passport", "report_abuse",
     {"report_abuse/passport": 0.45, "report_abuse/organisations": 0.4, "report_abuse": 0.15}, True, "menu"),
    ("housing_rights/job_loss", "report_abuse", {"report_abuse": 0.9, "report_abuse/passport": 0.05}, True,
     "other_intent"),
    # Neither an information topic nor reporting abuse.
    ("report_abuse/passport", "emergency", {"emergency": 1.0}, True, "other_intent"),
])
def test_outcome_follows_what_the_assistant_does(gold: str, intent: str, ranking: dict[str, float], agrees: bool,
                                                 expected: str) -> None:
    assert outcome(_parse(gold, intent, ranking, agrees)) == expected
