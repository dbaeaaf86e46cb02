"""Parsing and validation of calendar configuration (a TOML table turned into a dict).

Everything here is pure: strings, dates and minute counts in, normalized values out,
:class:`CalendarConfigError` naming the offending key on bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["WEEKDAYS", "CalendarConfigError"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_INDEX = {name: i for i, name in enumerate(WEEKDAYS)}
_FULL_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
}
ALWAYS = ("24x7", "24/7")
_CLOSED = ("", "closed", "off")
_FRAME = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")

Frames = tuple[tuple[int, int], ...]
"""Working frames of one day: sorted, disjoint, non-adjacent (start, end) minutes, 0..1440."""


class CalendarConfigError(ValueError):
    """A calendar's configuration is wrong.

    ``key`` is the path of the offending key inside the calendar's table (for example
    ``"hours.mon"`` or ``"extra_holidays[2]"``, or ``""`` for the table itself),
    ``problem`` says what is wrong, and ``calendar`` is the calendar's name when known.
    ``str(error)`` is ``"<key>: <problem>"``, ready to be prefixed with a file name and
    the table's own path by whoever read the file.
    """

    def __init__(self, key: str, problem: str, calendar: str = "") -> None:
        self.key = key
        self.problem = problem
        self.calendar = calendar
        super().__init__(f"{key}: {problem}" if key else problem)

    def __reduce__(
        self,
    ) -> tuple[type[CalendarConfigError], tuple[str, str, str]]:  # keep attributes through pickling (multiprocessing)
        return (type(self), (self.key, self.problem, self.calendar))


def _fmt_minute(m: int) -> str:
    return f"{m // 60:02d}:{m % 60:02d}"


def format_frames(frames: Frames) -> str:
    """Inverse of :func:`parse_frames`: ``((600, 780), (840, 1140))`` -> ``"10:00-13:00,14:00-19:00"``."""
    return ",".join(f"{_fmt_minute(s)}-{_fmt_minute(e)}" for s, e in frames)


def parse_frames(value: object, key: str) -> Frames:
    """Parse one day's frames: ``"10:00-13:00,14:00-19:00"``, a list of such strings,
    or ``""``/``"closed"``/``[]`` for no working time. Times are ``H:MM`` or ``HH:MM``
    local wall clock at minute resolution; ``24:00`` is allowed as an end. Frames may be
    given in any order; touching frames are merged; overlapping ones are an error.
    """
    if isinstance(value, str):
        if value.strip().lower() in _CLOSED:
            return ()
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = []
        for k, v in enumerate(value):
            if not isinstance(v, str):
                raise CalendarConfigError(f"{key}[{k}]", f"expected a frame such as '10:00-19:00', not {v!r}")
            items.extend(v.split(","))
    else:
        raise CalendarConfigError(key, f"expected frames such as '10:00-13:00,14:00-19:00', not {value!r}")
    frames = []
    for item in items:
        m = _FRAME.fullmatch(item)
        if m is None:
            raise CalendarConfigError(key, f"bad frame {item.strip()!r} (expected HH:MM-HH:MM)")
        sh, sm, eh, em = (int(x) for x in m.groups())
        text = item.strip()
        if sm > 59 or em > 59 or sh > 23 or eh > 24 or (eh == 24 and em):
            raise CalendarConfigError(key, f"bad frame {text!r} (no such time of day; the latest end is 24:00)")
        start, end = sh * 60 + sm, eh * 60 + em
        if end < start:
            raise CalendarConfigError(key, f"bad frame {text!r} (end before start)")
        if end == start:
            raise CalendarConfigError(key, f"bad frame {text!r} (empty)")
        frames.append((start, end, text))
    frames.sort()
    merged: list[list[Any]] = []
    for start, end, text in frames:
        if merged and start < merged[-1][1]:
            raise CalendarConfigError(key, f"frames {merged[-1][2]!r} and {text!r} overlap")
        if merged and start == merged[-1][1]:
            merged[-1][1], merged[-1][2] = end, text
        else:
            merged.append([start, end, text])
    return tuple((s, e) for s, e, _ in merged)


def _day_names(raw: object, key: str) -> list[int]:
    """``"mon"`` -> [0]; ``"mon-fri"`` -> [0..4]; ``"fri-mon"`` wraps -> [4, 5, 6, 0]."""
    if not isinstance(raw, str):
        raise CalendarConfigError(key, f"unknown weekday {raw!r}")

    def one(name: str) -> int:
        n = name.strip().lower()
        n = _FULL_NAMES.get(n, n)
        if n not in _DAY_INDEX:
            raise CalendarConfigError(
                key, f"unknown weekday {name.strip()!r} (use {', '.join(WEEKDAYS)} or a range such as 'mon-fri')"
            )
        return _DAY_INDEX[n]

    if "-" in raw:
        first, _, last = raw.partition("-")
        a, b = one(first), one(last)
        return [(a + k) % 7 for k in range((b - a) % 7 + 1)]
    return [one(raw)]


def parse_hours(value: object, key: str = "hours") -> tuple[Frames, ...] | None:
    """Parse ``hours``: ``"24x7"`` -> ``None`` (always working), or a table of weekday
    name (``mon``..``sun``, full names, or ranges such as ``mon-fri``) to frames. Days not
    named have no working time. Returns seven ``Frames``, Monday first.
    """
    if isinstance(value, str):
        if value.strip().lower() in ALWAYS:
            return None
        raise CalendarConfigError(
            key, f"expected '24x7' or a table of weekday frames such as {{ mon = \"10:00-19:00\" }}, not {value!r}"
        )
    if not isinstance(value, Mapping):
        raise CalendarConfigError(key, f"expected '24x7' or a table of weekday frames, not {value!r}")
    week: list[Frames | None] = [None] * 7
    for day_key, frames in value.items():
        sub = f"{key}.{day_key}"
        parsed = parse_frames(frames, sub)
        for d in _day_names(day_key, sub):
            if week[d] is not None:
                raise CalendarConfigError(sub, f"{WEEKDAYS[d]} is given more than once")
            week[d] = parsed
    return tuple(w or () for w in week)


def parse_date(value: object, key: str) -> date:
    """``"2025-11-01"`` or a ``datetime.date`` (TOML local date) -> ``date``."""
    if isinstance(value, datetime):
        raise CalendarConfigError(key, f"expected a date such as '2025-11-01', not a date and time ({value})")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            if len(value.strip()) == 10:
                return date.fromisoformat(value.strip())
        except ValueError:
            pass
        raise CalendarConfigError(key, f"bad date {value!r} (expected YYYY-MM-DD)")
    raise CalendarConfigError(key, f"expected a date such as '2025-11-01', not {value!r}")


def parse_holidays(value: object, key: str = "holidays") -> tuple[str, str | None] | None:
    """``{ country = "RU", subdiv = ".." }`` (or just ``"RU"``) -> (country, subdiv),
    checked against the ``holidays`` package. ``None``/absent -> ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        value = {"country": value}
    if not isinstance(value, Mapping):
        raise CalendarConfigError(key, f'expected a table such as {{ country = "RU" }}, not {value!r}')
    unknown = sorted(set(value) - {"country", "subdiv"})
    if unknown:
        raise CalendarConfigError(f"{key}.{unknown[0]}", "unknown key (known: country, subdiv)")
    country = value.get("country")
    if not isinstance(country, str) or not country.strip():
        raise CalendarConfigError(f"{key}.country", f"expected a country code such as 'RU', not {country!r}")
    country = country.strip().upper()
    subdiv = value.get("subdiv")
    if subdiv is not None and (not isinstance(subdiv, str) or not subdiv.strip()):
        raise CalendarConfigError(f"{key}.subdiv", f"expected a subdivision code such as 'BY', not {subdiv!r}")
    import holidays  # only calendars with public holidays pay for this import

    supported = holidays.list_supported_countries()
    if country not in supported:
        raise CalendarConfigError(
            f"{key}.country", f"unknown country code {country!r} (the 'holidays' package has no such country)"
        )
    if subdiv is not None:
        subdiv = subdiv.strip()
        try:
            holidays.country_holidays(country, subdiv=subdiv, years=())
        except NotImplementedError:
            known = ", ".join(supported[country]) or "none"
            raise CalendarConfigError(
                f"{key}.subdiv", f"unknown subdivision {subdiv!r} of {country} (known: {known})"
            ) from None
    return country, subdiv


def parse_extra_holidays(value: object, key: str = "extra_holidays") -> frozenset[date]:
    """A calendar's ``extra_holidays``: a list of dates (strings or dates)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise CalendarConfigError(key, f'expected a list of dates such as ["2026-12-31"], not {value!r}')
    return frozenset(parse_date(v, f"{key}[{k}]") for k, v in enumerate(value))


def parse_extra_workdays(
    value: object, extra_holidays: frozenset[date] = frozenset(), key: str = "extra_workdays"
) -> dict[date, Frames]:
    """A calendar's ``extra_workdays``: a table of date -> frames, in date order.

    A date may not also be in ``extra_holidays``, nor come without working frames."""
    if value is None:
        value = {}
    if not isinstance(value, Mapping):
        raise CalendarConfigError(
            key, f'expected a table of date = frames such as {{ "2025-11-01" = "10:00-19:00" }}, not {value!r}'
        )
    found: dict[date, Frames] = {}
    for k, v in value.items():
        where = f"{key}.{k}"
        d = parse_date(k, where)
        if d in found:
            raise CalendarConfigError(where, "date given more than once")
        if d in extra_holidays:
            raise CalendarConfigError(where, "this date is also in extra_holidays")
        frames = parse_frames(v, where)
        if not frames:
            raise CalendarConfigError(where, "no working frames (to close a date, list it in extra_holidays)")
        found[d] = frames
    return dict(sorted(found.items()))
