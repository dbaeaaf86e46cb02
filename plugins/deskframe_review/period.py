"""Review periods: a month (``2026-10``) or a quarter (``2026-Q4``), as local days ``[first, end)``."""

from __future__ import annotations

import datetime as dt
import re

import attrs

from deskframe.errors import BadValue


@attrs.frozen
class Period:
    """A calendar month or quarter."""

    label: str
    first: dt.date
    end: dt.date

    @classmethod
    def parse(cls, text: str) -> Period:
        """``2026-10`` or ``2026-Q4``; anything else is a :class:`BadValue` (exit 2)."""
        value = (text or "").strip()
        month = re.fullmatch(r"(\d{4})-(\d{2})", value)
        quarter = re.fullmatch(r"(\d{4})-[Qq]([1-4])", value)
        if month and 1 <= int(month[2]) <= 12 and 1000 <= int(month[1]) <= 9998:
            return cls.month(int(month[1]), int(month[2]))
        if quarter and 1000 <= int(quarter[1]) <= 9998:
            year, number = int(quarter[1]), int(quarter[2])
            first = dt.date(year, 3 * number - 2, 1)
            end = dt.date(year + (number == 4), (3 * number) % 12 + 1, 1)
            return cls(f"{year:04d}-Q{number}", first, end)
        raise BadValue(f"--period: bad period {str(text)[:20]!r} (expected a month YYYY-MM or a quarter YYYY-Qn)")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The month ``year-month``."""
        end = dt.date(year + (month == 12), month % 12 + 1, 1)
        return cls(f"{year:04d}-{month:02d}", dt.date(year, month, 1), end)

    @classmethod
    def of(cls, day: dt.date) -> Period:
        """The month ``day`` is in."""
        return cls.month(day.year, day.month)

    @property
    def last(self) -> dt.date:
        """The period's last day."""
        return self.end - dt.timedelta(days=1)

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.first <= day < self.end
