"""The sub-question training data (subquestions/<lang>/<topic>.yml) is complete and consistent."""

from __future__ import annotations

from pathlib import Path

from bot.subquestion_data import MIN_EXAMPLES, problems


def test_every_sub_answer_has_enough_distinct_examples_in_every_language() -> None:
    found = problems()
    assert not found, "\n".join(found[:40])


def _write(root: Path, language: str, name: str, text: str) -> None:
    (root / "subquestions" / language).mkdir(parents=True, exist_ok=True)
    (root / "subquestions" / language / name).write_text(text, encoding="utf-8")


def test_the_check_finds_form_errors_unknown_keys_duplicates_and_conflicts(tmp_path: Path) -> None:
    (tmp_path / "nlu" / "en").mkdir(parents=True)
    (tmp_path / "nlu" / "en" / "basics.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hello there\n', encoding="utf-8")
    _write(tmp_path, "en", "housing.yml", 'version: "3.1"\nnlu:\n'
           "- intent: housing_rights/job_loss\n  examples: |\n    - I was fired, must I leave the house?\n"
           "    - i was fired must i leave the house\n    - Hello there\n"
           "- intent: housing_rights/no_such_answer\n  examples: |\n    - something\n"
           "- intent: housing_rights\n  examples: |\n    - no key\n")
    _write(tmp_path, "pl", "housing.yml", "nlu: []\n")
    found = "\n".join(problems(tmp_path / "subquestions", minimum=2))
    assert "housing_rights/no_such_answer: no answer with this key" in found
    assert "a block without an intent of the form topic/key: 'housing_rights'" in found
    assert "appears 2 times" in found
    assert "'hello there' is an example of housing_rights/job_loss and of the intent greet" in found
    assert 'pl/housing.yml: expected version: "3.1"' in found
    assert "ro housing_rights/space_norms: 0 examples, at least 2 needed" in found
    assert MIN_EXAMPLES == 40
