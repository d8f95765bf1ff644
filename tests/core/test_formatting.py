import datetime as dt
from decimal import Decimal

import pytest

from core.formatting import Money, Percent, format_date, format_datetime, format_money, format_percent


@pytest.mark.parametrize(
    ("language", "cents", "whole"),
    [("pl", "14,71\xa0€", "385\xa0€"), ("en", "€14.71", "€385"), ("nl", "€\xa014,71", "€\xa0385")],
)
def test_money_in_the_users_locale(language: str, cents: str, whole: str) -> None:
    assert format_money(Money(Decimal("14.71")), language) == cents
    assert format_money(Money(Decimal("385")), language) == whole


def test_dates_and_percent() -> None:
    assert format_date(dt.date(2026, 1, 1), "pl") == "1 stycznia 2026"
    assert format_date(dt.date(2026, 1, 1), "uk") == "1 січня 2026\u202fр."
    assert format_percent(Percent(Decimal(25)), "ro") == "25\xa0%"


def test_datetimes_are_shown_in_amsterdam_time() -> None:
    utc = dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC)
    assert "17:00" in format_datetime(utc, "nl")
    with pytest.raises(ValueError, match="naive"):
        format_datetime(dt.datetime(2026, 12, 8, 16, 0), "nl")
