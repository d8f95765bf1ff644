"""Every answer is sourced: a checked date, a shown source for every figure, short source titles, and an
honest note once a period-bound figure has passed its end; `make content-report` lists what to re-check."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from core.content import messages as m
from core.content.catalog import ALL_ANSWERS
from core.content.model import FACTS_CHECKED, FACTS_CHECKED_UPDATE, Answer
from core.content.report import main as content_report
from core.content.report import rows
from core.content.sources import SITE_NAMES, host, plain_links, site_name
from core.formatting import Money, Percent, format_date
from core.i18n import LANGUAGES, gettext, use_locale
from core.render import render_answer

ANSWERS = sorted(ALL_ANSWERS.values(), key=lambda a: a.key)
FIGURES = (Money, Percent)
#: A bare address in an answer's text (outside a "[title](url)" source link).
BARE_URL = re.compile(r"(?<!\]\()https?://")


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.key)
def test_every_answer_has_sources_and_its_own_checked_date(answer: Answer) -> None:
    assert answer.sources, "an answer without a source"
    assert len(set(answer.sources)) == len(answer.sources), "a source listed twice"
    assert answer.checked in (FACTS_CHECKED, FACTS_CHECKED_UPDATE), "checked on a day the fact sheet was not"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.key)
def test_every_figure_names_a_source_that_is_shown(answer: Answer) -> None:
    figures = {name for name, value in answer.values.items() if isinstance(value, FIGURES)}
    assert figures <= answer.figures.keys(), f"figures without a source: {sorted(figures - answer.figures.keys())}"
    assert set(answer.figures.values()) <= set(answer.sources), "a figure's source is not one of the answer's sources"
    shown = render_answer(answer, today=answer.checked)
    for url in answer.figures.values():
        assert f"]({url})" in shown, "the source of a figure is not shown"


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.key)
def test_sources_have_a_short_title_and_the_text_no_bare_address(answer: Answer) -> None:
    for url in answer.sources:
        assert host(url) in SITE_NAMES, f"no site name for {host(url)}"
        assert len(site_name(url)) <= 40
    shown = render_answer(answer, today=answer.checked)
    assert not BARE_URL.search(shown), "a full URL is shown as text instead of a titled link"


@pytest.mark.parametrize("answer", [a for a in ANSWERS if a.valid_until], ids=lambda a: a.key)
def test_a_period_bound_answer_says_so_after_its_period(answer: Answer) -> None:
    assert answer.valid_until is not None and answer.official
    for language in LANGUAGES:
        with use_locale(language):
            before = render_answer(answer, today=answer.valid_until)
            after = render_answer(answer, today=answer.valid_until + dt.timedelta(days=1))
            note = gettext(m.FIGURES_MAY_HAVE_CHANGED, date=format_date(answer.valid_until), source="")
        assert note not in before
        assert note in after
        assert f"]({answer.official})" in after.split(note)[1].split("\n")[0], "the note links the official page"


def test_the_minimum_wage_names_its_period_and_the_government_page() -> None:
    answer = ALL_ANSWERS["work_rights/minimum_wage"]
    assert answer.official == "https://www.rijksoverheid.nl/onderwerpen/minimumloon"
    assert answer.official in answer.sources
    assert answer.values["from_date"] == dt.date(2026, 1, 1) and answer.values["to_date"] == dt.date(2026, 6, 30)
    with use_locale("en"):
        text = render_answer(answer, today=dt.date(2026, 12, 6))
    assert "We do not know the rate from 1 July 2026 yet" in text
    assert "Source: [Rijksoverheid](https://www.rijksoverheid.nl/onderwerpen/minimumloon)" in text


def test_answers_for_eu_citizens_point_ukrainians_to_theirs() -> None:
    for key in ("brp_registration/what_to_bring", "brp_registration/digid", "health_insurance/obligation"):
        text = ALL_ANSWERS[key].text
        assert "EU citizen" in text and "Ukrain" in text, key


def test_sncu_is_not_sold_as_a_help_for_personal_disputes() -> None:
    for key in ("report_abuse", "report_abuse/organisations", "human_handoff"):
        assert "does not handle your personal dispute" in ALL_ANSWERS[key].text, key


def test_agency_housing_says_which_rule_applies_when() -> None:
    text = ALL_ANSWERS["housing_rights/job_loss"].text
    assert "%(since_date)s" in text and "agency CAO" in text and "4 weeks" in text


def test_sources_are_grouped_by_site_with_numbered_extra_pages() -> None:
    with use_locale("en"):
        text = render_answer(ALL_ANSWERS["housing_rights/huurcommissie"], today=dt.date(2026, 12, 6))
    lines = [line for line in text.split("\n") if line.startswith("Source: ")]
    assert len(lines) == 1 and lines[0].startswith("Source: [Huurcommissie](https://") and " · [2](" in lines[0]


def test_whatsapp_gets_the_title_and_the_address() -> None:
    assert plain_links("Source: [UWV](https://www.uwv.nl/x) · [2](https://www.uwv.nl/y)") == (
        "Source: UWV: https://www.uwv.nl/x · 2: https://www.uwv.nl/y"
    )


def test_content_report_lists_past_and_near_expiry() -> None:
    today = dt.date(2026, 12, 6)
    report = {row.key: row.status for row in rows(ALL_ANSWERS.values(), today)}
    assert report["work_rights/minimum_wage"] == "EXPIRED"
    assert report["benefits_tax/child_benefit"] == "EXPIRED"
    assert report["health_insurance/deductible"] == "near expiry"
    assert "work_rights/payslip" not in report
    later = {row.key: row.status for row in rows(ALL_ANSWERS.values(), dt.date(2027, 12, 1))}
    assert later["work_rights/payslip"] == "check again"


def test_content_report_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert content_report(["--today", "2026-12-06"]) == 0
    out = capsys.readouterr().out
    assert "| work_rights/minimum_wage | EXPIRED | 2026-06-30 | 2026-12-06 |" in out
    assert content_report(["--today", "2026-12-06", "--strict"]) == 1
    assert content_report(["--today", "2026-01-02", "--strict", "--near-days", "0"]) == 0
