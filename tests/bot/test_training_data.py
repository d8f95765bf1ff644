"""The training data as the model sees it (bot/training.py): each example with its folder's language."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.training import prepare_nlu, story_language
from core.nlu_text import for_nlu


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_examples_are_prepared_in_their_folders_language(tmp_path: Path) -> None:
    block = 'version: "3.1"\nnlu:\n- intent: work_rights/payslip\n  examples: |\n    - {}\n'
    _write(tmp_path / "nlu" / "bg" / "a.yml", block.format("kolko struva zorgverzekering"))
    _write(tmp_path / "nlu" / "pl" / "a.yml", block.format("kolko struva zorgverzekering"))
    _write(tmp_path / "subquestions" / "uk" / "a.yml", block.format("shcho take loonstrook"))
    prepared = prepare_nlu(tmp_path, tmp_path / "prepared")

    def first_example(relative: str) -> str:
        data = yaml.safe_load((prepared / relative).read_text(encoding="utf-8"))
        return str(data["nlu"][0]["examples"]).splitlines()[0][2:]

    # Bulgarian and Ukrainian typed in Latin letters: shown in Cyrillic, as the gateway sends them.
    assert first_example("nlu/bg/a.yml") == for_nlu("kolko struva zorgverzekering", "bg")
    assert first_example("nlu/bg/a.yml").startswith("колко струва zorgverzekering | ")
    assert first_example("subquestions/uk/a.yml").startswith("що таке loonstrook | ")
    # The same letters in a Polish file stay as typed.
    assert first_example("nlu/pl/a.yml") == for_nlu("kolko struva zorgverzekering")


def test_a_test_storys_language_comes_from_its_name() -> None:
    assert story_language("Bulgarian - tax return in Latin letters, then unemployment benefit") == "bg"
    assert story_language("Ukrainian - report abuse, cancel the form, then help point") == "uk"
    assert story_language("two-stage fallback, then a topic") is None
