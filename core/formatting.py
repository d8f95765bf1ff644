"""The one place where dates, times, numbers and money are formatted for a user (Babel).

Everything is shown in the user's locale and in the Europe/Amsterdam time zone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import units as babel_units

from core.i18n import current_language

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: Babel locale per supported language (a territory makes currency and date formats concrete).
LOCALES = {"pl": "pl_PL", "ro": "ro_RO", "bg": "bg_BG", "uk": "uk_UA", "en": "en_GB", "nl": "nl_NL"}


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "EUR"


@dataclass(frozen=True)
class Percent:
    value: Decimal  # 25 means 25 %


def locale_for(language: str | None = None) -> str:
    return LOCALES.get(language or current_language(), LOCALES["en"])


def format_money(value: Money, language: str | None = None) -> str:
    whole = value.amount == value.amount.to_integral_value()
    # "€385" reads better than "€385.00" in running text; amounts with cents keep them.
    locale = locale_for(language)
    if not whole:
        return babel_numbers.format_currency(value.amount, value.currency, locale=locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    pattern = pattern.replace(".00", "").replace("0.0", "0")
    return babel_numbers.format_currency(value.amount, value.currency, format=pattern, locale=locale,
                                         currency_digits=False)


def format_number(value: int | Decimal, language: str | None = None) -> str:
    return babel_numbers.format_decimal(value, locale=locale_for(language))


def format_percent(value: Percent, language: str | None = None) -> str:
    return babel_numbers.format_percent(value.value / 100, locale=locale_for(language))


def format_date(value: dt.date, language: str | None = None, style: str = "long") -> str:
    return babel_dates.format_date(value, format=style, locale=locale_for(language))


def format_datetime(value: dt.datetime, language: str | None = None, style: str = "medium") -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store and pass aware UTC datetimes")
    return babel_dates.format_datetime(value, format=style, tzinfo=AMSTERDAM, locale=locale_for(language))


def format_value(value: object, language: str | None = None) -> str:
    """Format one placeholder value of a message; strings pass through unchanged."""
    if isinstance(value, Money):
        return format_money(value, language)
    if isinstance(value, Percent):
        return format_percent(value, language)
    if isinstance(value, dt.datetime):
        return format_datetime(value, language)
    if isinstance(value, dt.date):
        return format_date(value, language)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, Decimal)):
        return format_number(value, language)
    return str(value)


def format_distance_km(value: float, language: str | None = None) -> str:
    """'2,3 km' under 10 km, '12 km' above (a tenth of a kilometre means nothing further away)."""
    pattern = "#,##0.0" if value < 10 else "#,##0"
    return babel_units.format_unit(value, "length-kilometer", length="short", format=pattern,
                                   locale=locale_for(language))


def format_time_range(start: dt.datetime, end: dt.datetime, language: str | None = None) -> str:
    """'Tuesday 8 December, 17:00–19:30' in Amsterdam time; both full date-times when it runs past midnight."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store and pass aware UTC datetimes")
    locale = locale_for(language)
    local_start, local_end = start.astimezone(AMSTERDAM), end.astimezone(AMSTERDAM)
    if local_start.date() != local_end.date():
        return f"{format_datetime(start, language, 'short')} – {format_datetime(end, language, 'short')}"
    day = babel_dates.format_skeleton("MMMMEEEEd", local_start, locale=locale)
    hours = babel_dates.format_interval(local_start, local_end, "Hm", tzinfo=AMSTERDAM, locale=locale)
    pattern: str = Locale.parse(locale).datetime_formats["medium"]  # babel types its locale data as Any
    return pattern.format(hours, day).replace("'", "")


def format_day(value: dt.datetime, language: str | None = None) -> str:
    """'Tuesday 8 December' for an aware datetime, in Amsterdam time and the user's language."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store and pass aware UTC datetimes")
    return babel_dates.format_skeleton("MMMMEEEEd", value.astimezone(AMSTERDAM), locale=locale_for(language))


def format_hours(start: dt.datetime, end: dt.datetime, language: str | None = None) -> str:
    """'17:00–19:30' in Amsterdam time (the dates too when it runs past midnight)."""
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; store and pass aware UTC datetimes")
    local_start, local_end = start.astimezone(AMSTERDAM), end.astimezone(AMSTERDAM)
    if local_start.date() != local_end.date():
        return f"{format_datetime(start, language, 'short')} – {format_datetime(end, language, 'short')}"
    return babel_dates.format_interval(local_start, local_end, "Hm", tzinfo=AMSTERDAM, locale=locale_for(language))
