"""The report as a reader sees it: words in the customer's language and numbers, dates
and percentages by locale (Babel). The html, text and csv formats all read this view."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any
from zoneinfo import ZoneInfo

from deskframe.errors import BadValue

from .i18n import translations

#: Arrows of the comparison with the previous period.
ARROWS = {"up": "\u25b2", "down": "\u25bc", "same": "="}


def N_(message: str) -> str:
    """Mark a message id for the catalog without translating it here."""
    return message


KINDS = {"first_response": N_("First response"), "resolution": N_("Resolution")}
FIGURES = {
    "opened": N_("Opened"),
    "resolved": N_("Resolved"),
    "backlog": N_("Backlog"),
    "breached_share": N_("Tickets with a breach"),
    "billable_hours": N_("Billable hours"),
    "outside_hours_share": N_("Tickets outside contract hours"),
    "retainer_used_pct": N_("Retainer hours used"),
    "recurring_subject": N_("Recurring subject"),
}


@functools.lru_cache(maxsize=32)
def _locale(name: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(name.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise BadValue(f'--locale: unknown locale {name!r}: use a code such as "en" or "ru"') from None


@functools.lru_cache(maxsize=32)
def _pattern(text: str) -> Any:
    """Babel's parsed number pattern of ``text``: what ``format_decimal`` and ``format_percent``
    parse again on every call (a quarter of their time), parsed once per process."""
    from babel.numbers import parse_pattern

    return parse_pattern(text)


def _apply(pattern: str, value: float | int, locale: Any) -> str:
    """``format_decimal(value, format=pattern, locale=locale)`` (and ``format_percent``'s
    equivalent), with the pattern parsed once: the same ``NumberPattern.apply`` call, with
    Babel's defaults."""
    return str(
        _pattern(pattern).apply(value, locale, decimal_quantization=True, group_separator=True, numbering_system="latn")
    )


class View:
    """Formatting and words of one locale (``"en"``, ``"ru"``, ``"ru_RU"`` ...)."""

    def __init__(self, locale: str, timezone: str = "UTC"):
        self.name = locale
        self.locale = _locale(locale)
        self.timezone = timezone
        self._t = translations(self.locale.language)
        #: Formatted numbers and percentages of this view, by (kind, type, value, digits): a
        #: report repeats few distinct values over thousands of cells (hours by ticket), and
        #: Babel's formatting is the costly part of a cell.
        self._formatted: dict[tuple[Any, ...], str] = {}

    def _(self, message: str) -> str:
        """``message`` in the view's language."""
        return self._t.gettext(message)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """A number by locale (``1 234,5`` in ru); an empty value is a dash."""
        if value is None:
            return "\u2014"
        key = ("n", value.__class__, value, digits)
        found = self._formatted.get(key)
        if found is None:
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            found = self._formatted[key] = _apply(pattern, value, self.locale)
        return found

    def hours(self, minutes: int | None) -> str:
        """Minutes as hours with two decimals."""
        return self.number(None if minutes is None else minutes / 60, 2)

    def pct(self, value: float | None) -> str:
        """A percentage (``12.5`` -> ``12.5%`` / ``12,5 %``)."""
        if value is None:
            return "\u2014"
        key = ("p", value.__class__, value, 1)
        found = self._formatted.get(key)
        if found is None:
            found = self._formatted[key] = _apply("#,##0.0%", value / 100, self.locale)
        return found

    def date(self, iso: str) -> str:
        """An ISO date by locale (medium)."""
        from babel.dates import format_date

        return format_date(dt.date.fromisoformat(iso), format="medium", locale=self.locale)

    def instant(self, iso: str) -> str:
        """An ISO instant in the desk's zone by locale (short date and time)."""
        from babel.dates import format_datetime

        return format_datetime(
            dt.datetime.fromisoformat(iso), format="short", tzinfo=ZoneInfo(self.timezone), locale=self.locale
        )

    def period(self, report: Any) -> str:
        """``1 Oct 2026 – 31 Oct 2026`` in the view's locale."""
        return f"{self.date(report.period['first'])} \u2013 {self.date(report.period['last'])}"

    def priority(self, report: Any, level: str) -> str:
        """The configured name of a priority level (``P1 critical``)."""
        name = report.priority_names.get(level, level)
        return level if name == level else f"{level} {name}"

    def kind(self, kind: str) -> str:
        """A clock kind's name."""
        return self._(KINDS.get(kind, kind))

    def figure(self, name: str) -> str:
        """A compared or triggering figure's name."""
        return self._(FIGURES.get(name, name))

    def figure_value(self, name: str, value: float | int) -> str:
        """A compared figure's value."""
        if name == "breached_share":
            return self.pct(value)
        if name == "billable_hours":
            return self.number(value, 2)
        return self.number(value)

    def change(self, row: dict[str, Any]) -> str:
        """``▲ +25.0%`` / ``▼ −10.0%`` / ``=``; ``▲ new`` when the previous value was 0."""
        arrow = ARROWS[row["arrow"]]
        if row["arrow"] == "same":
            return arrow
        if row["change_pct"] is None:
            return f"{arrow} {self._('new')}"
        sign = "+" if row["change_pct"] > 0 else ""
        return f"{arrow} {sign}{self.pct(row['change_pct'])}"

    def recommendation(self, rec: dict[str, Any]) -> dict[str, str]:
        """A recommendation's text and the figure behind it, in the view's language."""
        because = self._("triggered by {figure}: {value} (threshold {threshold})").format(
            figure=self.figure(rec["figure"]), value=rec["value"], threshold=rec["threshold"] or "\u2014"
        )
        return {"text": self._(rec["text"]), "because": because}
