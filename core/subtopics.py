"""Which sub-question of a topic a message asks (docs/subtopics.md): answer it, offer two, or offer all.

The NLU model ranks the sub-answers of the message's topic (nlu_components/subtopic_classifier.py, trained on
subquestions/<lang>/<topic>.yml) and puts the ranking into the parse result under ``subtopic``. Here that ranking
becomes a decision, so the thresholds can be tuned on held-out data (``make eval``) without retraining:

- a clear winner: answer it;
- two sub-answers together clearly ahead of the rest, neither clear on its own: offer those two as buttons;
- otherwise (a vague question: "I have a question about housing"): the topic's sub-questions as buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: Answer when the top sub-answer has at least this probability ...
ANSWER_CONFIDENCE = 0.55
#: ... and leads the second by at least this much. Chosen on held-out data (make eval, 6 December 2026), with the
#: whole chain (topic, then sub-question): 0.55 and 0.3 gave 69 % specific answers and 4.0 % wrong ones on average
#: (the keyword stems before: 67 % and 4.7 %); 0.5 and 0.2: 73 % and 5.7 %; 0.6 and 0.3: 65 % and 3.4 %.
ANSWER_MARGIN = 0.3
#: Offer the top two when together they have at least this probability ...
PAIR_CONFIDENCE = 0.6
#: ... and the second leads the third by at least this much.
PAIR_MARGIN = 0.1


@dataclass(frozen=True)
class Choice:
    """``answer``: the sub-answer to give; else ``options``: the two to offer (empty: the topic's whole menu)."""

    answer: str | None = None
    options: tuple[str, ...] = ()


def ranking(prediction: Mapping[str, Any] | None, intent: str, keys: Iterable[str]) -> list[tuple[str, float]]:
    """The model's ranking of the topic's sub-answers that have an answer here, best first."""
    if not prediction or prediction.get("intent") != intent:
        return []
    known = set(keys)
    ranked = []
    for entry in prediction.get("ranking") or []:
        name, confidence = entry.get("name"), entry.get("confidence")
        if name in known and isinstance(confidence, int | float):
            ranked.append((str(name), float(confidence)))
    return sorted(ranked, key=lambda item: -item[1])


def choose(prediction: Mapping[str, Any] | None, intent: str, keys: Iterable[str]) -> Choice:
    ranked = ranking(prediction, intent, keys)
    if not ranked:
        return Choice()
    top, top_confidence = ranked[0]
    second_confidence = ranked[1][1] if len(ranked) > 1 else 0.0
    third_confidence = ranked[2][1] if len(ranked) > 2 else 0.0
    # The model over all topics' sub-answers must name the same one (when the prediction says; older models
    # do not): most confident wrong answers came after a wrong topic.
    agrees = (prediction or {}).get("agrees", True) is not False
    if agrees and top_confidence >= ANSWER_CONFIDENCE and top_confidence - second_confidence >= ANSWER_MARGIN:
        return Choice(answer=top)
    if (len(ranked) > 1 and top_confidence + second_confidence >= PAIR_CONFIDENCE
            and second_confidence - third_confidence >= PAIR_MARGIN):
        return Choice(options=(top, ranked[1][0]))
    return Choice()
