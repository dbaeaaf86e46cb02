"""Periods of reports and reviews: a month (``2026-10``), a quarter (``2026-Q4``) or an ISO week
(``2026-W44``), as local days ``[first, end)``, and the one before (``deskframe.Period``)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import attrs

from .errors import BadValue


@attrs.frozen
class Period:
    """A calendar month, quarter or ISO week: ``[first, end)`` in local days."""

    label: str
    first: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-10``, ``2026-Q4`` or ``2026-W44``; anything else is a :class:`BadValue` (exit 2)."""
        value = (text or "").strip()
        month = re.fullmatch(r"(\d{4})-(\d{2})", value)
        quarter = re.fullmatch(r"(\d{4})-[Qq]([1-4])", value)
        week = re.fullmatch(r"(\d{4})-[Ww](\d{2})", value)
        if week and 1000 <= int(week[1]) <= 9998:
            try:
                return cls.week(dt.date.fromisocalendar(int(week[1]), int(week[2]), 1))
            except ValueError:
                pass
        if month and 1 <= int(month[2]) <= 12 and 1000 <= int(month[1]) <= 9998:
            return cls.month(int(month[1]), int(month[2]))
        if quarter and 1000 <= int(quarter[1]) <= 9998:
            return cls.quarter(int(quarter[1]), int(quarter[2]))
        raise BadValue(
            f"--period: bad period {text[:20]!r} (expected a month YYYY-MM, a quarter YYYY-Qn or a week YYYY-Www)"
        )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The month ``year-month``."""
        end = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(f"{year:04d}-{month:02d}", dt.date(year, month, 1), end)

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The month ``day`` is in."""
        return cls.month(day.year, day.month)

    @classmethod
    def quarter(cls, year: int, number: int) -> Period:
        """Quarter ``number`` (1-4) of ``year``."""
        first = dt.date(year, 3 * number - 2, 1)
        end = dt.date(year + (number == 4), (3 * number) % 12 + 1, 1)
        return cls(f"{year:04d}-Q{number}", first, end)

    @classmethod
    def week(cls, day: dt.date) -> Period:
        """The ISO week (Monday to Sunday) that contains ``day``."""
        monday = day - dt.timedelta(days=day.weekday())
        year, number, _ = monday.isocalendar()
        return cls(f"{year:04d}-W{number:02d}", monday, monday + dt.timedelta(days=7))

    @classmethod
    def containing(cls, every: str, day: dt.date) -> Period:
        """The ``week``, ``month`` or ``quarter`` that contains ``day``."""
        if every == "week":
            return cls.week(day)
        if every == "quarter":
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.month(day.year, day.month)

    @property
    def last(self) -> dt.date:
        """The period's last day."""
        return self.end - dt.timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day < self.end

    @property
    def is_week(self) -> bool:
        """True for an ISO week."""
        return "W" in self.label

    @property
    def is_quarter(self) -> bool:
        """True for a quarter."""
        return "Q" in self.label

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.is_week:
            return Period.week(self.first - dt.timedelta(days=7))
        if self.is_quarter:
            year, number = self.first.year, (self.first.month - 1) // 3 + 1
            return Period.quarter(year - 1, 4) if number == 1 else Period.quarter(year, number - 1)
        year, month = self.first.year, self.first.month
        return Period.month(year - 1, 12) if month == 1 else Period.month(year, month - 1)

    def months(self) -> list[str]:
        """The months the period covers, as ``YYYY-MM``."""
        out, day = [], self.first
        while day < self.end:
            out.append(f"{day.year:04d}-{day.month:02d}")
            day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return out

    def bounds(self, timezone: str) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware instants ``[start, end)`` at local midnight in ``timezone``."""
        zone = ZoneInfo(timezone)
        return dt.datetime.combine(self.first, dt.time(), zone), dt.datetime.combine(self.end, dt.time(), zone)
