"""The words of an invoice in its language: gettext catalogs (:mod:`.i18n`) and the locale's date,
month, hours and money formats, in one :class:`LocaleText` per locale (the amount in words is :mod:`.words`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from deskframe.money import Money

from . import formatting, i18n

if TYPE_CHECKING:
    from babel import Locale

_HUNDREDTH = Decimal("0.01")


def N_(message: str) -> str:
    """Marks a message for the catalog without translating it here."""
    return message


class LocaleText:
    """Translation and formatting for one locale: ``w(message, **values)`` translates and fills a message;
    the methods format dates, months, periods, hours and money as the locale writes them."""

    def __init__(self, locale: Locale):
        """Load the catalog of ``locale``'s language (English words where it has none)."""
        self.locale = locale
        self.lang = locale.language
        self.gettext: Callable[[str], str] = i18n.translations(self.lang).gettext

    def __call__(self, message: str, **values: Any) -> str:
        """``message`` translated, with ``{name}`` placeholders filled from ``values``."""
        text = self.gettext(message)
        return text.format(**values) if values else text

    def date(self, value: dt.date | dt.datetime | None) -> str:
        """A short date (``05.03.2025`` in Russian, ``5 Mar 2025`` in English); ``""`` for None."""
        if value is None:
            return ""
        from babel.dates import format_date

        day = value.date() if isinstance(value, dt.datetime) else value
        return format_date(day, "dd.MM.yyyy" if self.lang == "ru" else "d MMM yyyy", locale=self.locale)

    def long_date(self, value: dt.date) -> str:
        """The locale's long date form."""
        from babel.dates import format_date

        return format_date(value, "long", locale=self.locale)

    def month(self, period: str) -> str:
        """A ``YYYY-MM`` period as the month's name and year (the period as given if it is not one)."""
        from babel.dates import format_date

        start = _period_start(period)
        return format_date(start, "LLLL yyyy", locale=self.locale) if start else period

    def hours(self, value: Decimal) -> str:
        """Hours rounded to hundredths, trailing zeros dropped, in the locale's digits."""
        return formatting.number(value.quantize(_HUNDREDTH).normalize(), self.locale)

    def money(self, value: Money, *, exact: bool = False) -> str:
        """An amount with its currency (``exact``: every decimal of a rate kept)."""
        return formatting.money(value, self.locale, exact=exact)

    def period_range(self, period: str) -> str:
        """A ``YYYY-MM`` period as its first and last day (the period as given if it is not one)."""
        start = _period_start(period)
        if start is None:
            return period
        end = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        return f"{self.date(start)}\u2013{self.date(end)}"


def _period_start(period: str) -> dt.date | None:
    try:
        year, month = (int(p) for p in period.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        return None


def labels(locale: Locale) -> Callable[..., str]:
    """``_(message, **values)`` for ``locale``: what the templates call for their own words."""
    return LocaleText(locale)
