"""Every action named in the domain is implemented exactly once, with the exact name."""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml

import actions.basics
import actions.help
import actions.help_points
import actions.information
import actions.reports
from actions.base import LocalisedAction

ROOT = Path(__file__).resolve().parents[2]


def _domain_actions() -> list[str]:
    names: list[str] = []
    for path in sorted((ROOT / "domain").glob("*.yml")):
        names += yaml.safe_load(path.read_text()).get("actions", [])
    return names


def _implemented() -> list[str]:
    classes = []
    for module in (actions.basics, actions.information, actions.help, actions.help_points, actions.reports):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, LocalisedAction) and not inspect.isabstract(cls) and cls.__module__ == module.__name__:
                classes.append(cls().name())
    return classes


def test_every_domain_action_is_registered_exactly_once() -> None:
    domain = _domain_actions()
    implemented = _implemented()
    assert sorted(domain) == sorted(set(domain)), "an action is listed twice in domain/"
    assert sorted(implemented) == sorted(domain)


def test_action_classes_are_named_after_their_actions() -> None:
    for module in (actions.basics, actions.information, actions.help, actions.help_points, actions.reports):
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, LocalisedAction) and not inspect.isabstract(cls) and cls.__module__ == module.__name__:
                expected = "".join(part.capitalize() for part in cls().name().split("_"))
                assert name == expected
