"""Reading the option values both policy types share: durations, ``warn``, pause states,
times of day, and looking a calendar up by name.

Every reader takes a :class:`deskframe.tables.TableReader` and raises
:class:`deskframe.errors.ConfigError` whose key is relative to the table being read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

import attrs

from deskframe import bounds
from deskframe.errors import ConfigError
from deskframe.model import STATE_TYPES
from deskframe.sla import Calendar, format_duration, parse_duration
from deskframe.tables import TableReader

#: An SLA target or lead time is at most a year of working time.
MAX_TARGET = dt.timedelta(days=366)
#: State types a clock may pause in (a resolved/closed/merged ticket has no running clocks).
PAUSABLE = ("new", "open", "pending")
_TIME = re.compile(r"\s*(\d{1,2}):(\d{2})\s*")


def duration(t: TableReader, name: str, *, positive: bool = True) -> dt.timedelta:
    """The duration at ``name`` (``"15m"``, ``"1h30m"``, ``"2d"``); zero only if not ``positive``."""
    value = t.str(name)
    try:
        td = bounds.check_duration(parse_duration(value), maximum=MAX_TARGET)
    except (ValueError, TypeError) as exc:
        raise t.error(name, f"must be a duration: {exc}") from None
    if positive and td <= dt.timedelta(0):
        raise t.error(name, "must be more than zero")
    return td


@attrs.frozen
class Warn:
    """When a clock warns: ``percent`` of its target elapsed, or ``lead`` working time before due."""

    percent: Decimal | None = None
    lead: dt.timedelta | None = None

    def at(self, calendar: Calendar, start: dt.datetime, target: dt.timedelta) -> dt.datetime:
        """The warning instant of a clock of ``target`` working time counted from ``start``.

        A percentage gives ``calendar.add(start, pct * target)``; a lead time gives the
        instant ``lead`` of working time before due, ``calendar.add(start, target - lead)``,
        clamped at ``start`` (the next opening, when ``start`` is outside working time).
        """
        if self.percent is not None:
            micros = target // dt.timedelta(microseconds=1)
            amount = dt.timedelta(microseconds=int(micros * self.percent / 100))
        else:
            assert self.lead is not None
            amount = max(target - self.lead, dt.timedelta(0))
        return calendar.add(start, amount)

    def describe(self) -> str:
        """The configured text form (``"80%"`` or ``"15m"``)."""
        if self.percent is not None:
            return f"{self.percent.normalize():f}%"
        return format_duration(self.lead)  # type: ignore[arg-type]


def warn(t: TableReader, name: str = "warn", default: Warn | None = None) -> Warn | None:
    """``warn = "80%"`` (share of the target, 0-100) or ``warn = "15m"`` (lead time before due)."""
    if name not in t.data:
        return default
    text = t.str(name).strip()
    if text.endswith("%"):
        try:
            pct = Decimal(text[:-1].strip())
        except InvalidOperation:
            raise t.error(name, f"bad percentage {text!r} (e.g. '80%')") from None
        if not pct.is_finite() or not 0 <= pct <= 100:
            raise t.error(name, f"percentage must be between 0% and 100%, got {text!r}")
        return Warn(percent=pct)
    try:
        lead = bounds.check_duration(parse_duration(text), maximum=MAX_TARGET)
    except ValueError as exc:
        raise t.error(name, f"must be a percentage such as '80%' or a lead time such as '15m': {exc}") from None
    if lead <= dt.timedelta(0):
        raise t.error(name, "lead time must be more than zero")
    return Warn(lead=lead)


def pause_states(
    t: TableReader, name: str = "pause_states", default: tuple[str, ...] = ("pending",)
) -> tuple[str, ...]:
    """A list of state types (``new``, ``open``, ``pending``) in which the clock pauses."""
    if name not in t.data:
        return default
    items = t.str_list(name)
    for i, item in enumerate(items):
        if item not in PAUSABLE:
            problem = (
                f"state type {item!r} cannot pause a clock" if item in STATE_TYPES else f"unknown state type {item!r}"
            )
            raise ConfigError(f"{problem} (clocks pause in: {', '.join(PAUSABLE)})", key=f"{t.key(name)}[{i}]")
    return tuple(dict.fromkeys(items))


def escalate(t: TableReader, name: str = "escalate_on_breach", default: int | None = None) -> int | None:
    """A support line (1-3) to escalate to when a clock breaches."""
    if name not in t.data:
        return default
    return t.int(name, minimum=1, maximum=3)


def time_of_day(t: TableReader, name: str, *, allow_midnight_end: bool = False) -> int:
    """``"12:00"`` -> minutes after midnight (``"24:00"`` only if ``allow_midnight_end``)."""
    text = t.str(name)
    minutes = parse_time(text, allow_midnight_end=allow_midnight_end)
    if minutes is None:
        raise t.error(name, f"must be a time of day HH:MM, got {text!r}")
    return minutes


def parse_time(text: str, *, allow_midnight_end: bool = False) -> int | None:
    """``"H:MM"``/``"HH:MM"`` -> minutes after midnight, or None if it is not a time of day."""
    m = _TIME.fullmatch(text)
    if m is None:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and (mi or not allow_midnight_end)):
        return None
    return h * 60 + mi


def calendar_name(t: TableReader, name: str = "calendar") -> str:
    """The name of a ``[calendars.NAME]`` table (checked against the config by the core)."""
    return t.name(name)


def get_calendar(calendars: Mapping[str, Calendar], name: str) -> Calendar:
    """``calendars[name]``, or a ConfigError naming the missing calendar."""
    try:
        return calendars[name]
    except KeyError:
        known = ", ".join(sorted(calendars)) or "none"
        raise ConfigError(f"unknown calendar {name!r} (configured: {known})", key="calendar") from None


def local_instant(tz: dt.tzinfo, day: dt.date, minutes: int, *, first: bool = True) -> dt.datetime:
    """Local wall-clock ``minutes`` (0-1440) of ``day`` in ``tz`` as a UTC instant.

    Same rule as :class:`deskframe.sla.Calendar` frames: a time that occurs twice (autumn)
    is taken at its first occurrence when ``first``, else at its second; a time that does
    not exist (spring gap) is reached at the moment of the jump.
    """
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=minutes)
    a = naive.replace(tzinfo=tz, fold=0)
    b = naive.replace(tzinfo=tz, fold=1)
    off_a, off_b = a.utcoffset(), b.utcoffset()
    assert off_a is not None and off_b is not None
    utc = dt.timezone.utc
    if off_a == off_b:
        return (naive - off_a).replace(tzinfo=utc)
    if off_a > off_b:  # repeated hour: fold=0 is the first occurrence
        return (naive - (off_a if first else off_b)).replace(tzinfo=utc)
    # gap: bisect for the jump between the two readings (seconds)
    lo = (naive - off_b).replace(tzinfo=utc)
    hi = (naive - off_a).replace(tzinfo=utc)
    while hi - lo > dt.timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid <= lo:
            break
        if mid.astimezone(tz).utcoffset() == off_a:
            lo = mid
        else:
            hi = mid
    return hi
