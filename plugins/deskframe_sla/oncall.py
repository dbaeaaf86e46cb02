"""On-call rotations: the ``[oncall.NAME]`` config tables and who is on duty when.

::

    [oncall.night]
    timezone = "Europe/Moscow"
    shift = "19:00-10:00"              # daily shift, local time; may cross midnight
    agents = ["carol", "dave"]          # rotation order
    rotation = "1w"                     # whole days: each agent covers one period, then the next
    start = "2026-01-05"                # the first period starts at the shift start on this date
    business_calendar = "moscow-8x5"    # optional: route only tickets opened outside it
    support_types = ["24x7", "premium"] # contracts whose tickets are routed to the duty agent

The rotation math is pure and DST-correct: shifts are local wall-clock times, so a night
shift across a daylight-saving change is an hour shorter or longer, and rotation periods
are counted in local days. A shift belongs to the day it starts on, and it is half-open
``[start, end)``: at the end instant the agent is off duty. A period of ``rotation`` days
covers the shifts starting on those days (a night shift begun on the period's last day
is finished by the same agent).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from deskframe import bounds
from deskframe.errors import ConfigError
from deskframe.sla import parse_duration
from deskframe.tables import TableReader

from . import options

KEYS = ("timezone", "shift", "agents", "rotation", "start", "business_calendar", "support_types", "description")
UTC = dt.timezone.utc


@attrs.frozen
class Rotation:
    """One validated ``[oncall.NAME]`` rotation."""

    name: str
    timezone: str
    shift_start: int  # minutes after local midnight
    shift_end: int  # minutes after local midnight (may be <= shift_start: ends the next day)
    agents: tuple[str, ...]
    period_days: int
    start: dt.date
    business_calendar: str | None = None
    support_types: tuple[str, ...] = ()
    description: str = ""

    @property
    def tzinfo(self) -> ZoneInfo:
        """The rotation's zone."""
        return ZoneInfo(self.timezone)

    @property
    def shift_text(self) -> str:
        """The shift as configured, ``"19:00-10:00"``."""

        def hm(m: int) -> str:
            return f"{m // 60:02d}:{m % 60:02d}"

        return f"{hm(self.shift_start)}-{hm(self.shift_end)}"

    def covers(self, support_type: str | None) -> bool:
        """Whether tickets of contracts with ``support_type`` are routed by this rotation."""
        if not support_type:
            return False
        wanted = support_type.strip().lower()
        return any(s.strip().lower() == wanted for s in self.support_types)


@attrs.frozen
class Shift:
    """One agent's shift: ``[start, end)`` in UTC, started on local date ``day``."""

    rotation: str
    agent: str
    day: dt.date
    start: dt.datetime
    end: dt.datetime


def shift_bounds(rotation: Rotation, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The UTC ``[start, end)`` of the shift that starts on local date ``day``."""
    tz = rotation.tzinfo
    start = options.local_instant(tz, day, rotation.shift_start, first=True)
    end_day = day if rotation.shift_end > rotation.shift_start else day + dt.timedelta(days=1)
    end = options.local_instant(tz, end_day, rotation.shift_end, first=False)
    return start, end


def agent_for(rotation: Rotation, day: dt.date) -> str | None:
    """The agent covering the shift that starts on local date ``day`` (None before ``start``)."""
    offset = (day - rotation.start).days
    if offset < 0:
        return None
    return rotation.agents[(offset // rotation.period_days) % len(rotation.agents)]


def shift_at(rotation: Rotation, at: dt.datetime) -> Shift | None:
    """The shift in progress at ``at`` (aware), or None outside shifts and before the start."""
    if at.tzinfo is None:
        raise ValueError("on-call times must be timezone-aware")
    local_day = at.astimezone(rotation.tzinfo).date()
    for day in (local_day, local_day - dt.timedelta(days=1)):
        start, end = shift_bounds(rotation, day)
        if start <= at < end:
            agent = agent_for(rotation, day)
            return Shift(rotation.name, agent, day, start, end) if agent else None
    return None


def on_duty(rotation: Rotation, at: dt.datetime) -> str | None:
    """The login of the agent on duty at ``at`` (aware datetime), or None."""
    shift = shift_at(rotation, at)
    return shift.agent if shift else None


def next_shift(rotation: Rotation, at: dt.datetime) -> Shift:
    """The first shift that starts after ``at`` (aware)."""
    day = max(at.astimezone(rotation.tzinfo).date() - dt.timedelta(days=1), rotation.start)
    while True:
        start, end = shift_bounds(rotation, day)
        agent = agent_for(rotation, day)
        if start > at and agent is not None and end > start:
            return Shift(rotation.name, agent, day, start, end)
        day += dt.timedelta(days=1)


def _shift(t: TableReader) -> tuple[int, int]:
    text = t.str("shift")
    start_text, sep, end_text = text.partition("-")
    start = options.parse_time(start_text)
    end = options.parse_time(end_text, allow_midnight_end=True)
    if not sep or start is None or end is None:
        raise t.error("shift", f"must be HH:MM-HH:MM in local time (e.g. '19:00-10:00'), got {text!r}")
    if start == end:
        raise t.error("shift", f"empty shift {text!r} (for round the clock use '00:00-24:00')")
    return start, end


def _timezone(t: TableReader) -> str:
    name = t.str("timezone", "UTC").strip()
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):
        raise t.error("timezone", f"unknown time zone {name!r} (an IANA name such as Europe/Moscow)") from None
    return name


def _period(t: TableReader) -> int:
    text = t.str("rotation", "1w")
    try:
        length = bounds.check_duration(parse_duration(text), maximum=dt.timedelta(days=366))
    except (TypeError, ValueError) as exc:
        raise t.error("rotation", f"must be a duration: {exc}") from None
    days, rest = divmod(length, dt.timedelta(days=1))
    if rest or days < 1:
        raise t.error("rotation", f"must be a whole number of days such as '1d' or '1w', got {text!r}")
    return days


def _agents(t: TableReader) -> tuple[str, ...]:
    agents = t.str_list("agents")
    if not agents:
        raise t.error("agents", "must name at least one agent")
    for i, login in enumerate(agents):
        if not login.strip():
            raise ConfigError("must not be empty", key=f"{t.key('agents')}[{i}]")
    return tuple(a.strip() for a in agents)


def _start(t: TableReader) -> dt.date:
    start = t.date("start")
    if not 1970 <= start.year <= 2999:
        raise t.error("start", f"must be a date between 1970 and 2999, got {start.isoformat()}")
    return start


def read_rotation(name: str, t: TableReader) -> Rotation:
    """Validate one ``[oncall.NAME]`` table (errors keyed ``NAME.key``)."""
    t.reject_unknown(KEYS)
    start_min, end_min = _shift(t)
    business = t.str("business_calendar", None)
    return Rotation(
        name=name,
        timezone=_timezone(t),
        shift_start=start_min,
        shift_end=end_min,
        agents=_agents(t),
        period_days=_period(t),
        start=_start(t),
        business_calendar=business.strip() if business else None,
        support_types=tuple(t.str_list("support_types", [])),
        description=t.str("description", ""),
    )


def validate(value: Any) -> dict[str, Rotation]:
    """The ``[oncall]`` section's validator: name -> :class:`Rotation`, in config order."""
    top = TableReader(value)
    return {name: read_rotation(name, top.sub(name)) for name in top.data}


def check(rotations: dict[str, Rotation], config: Any) -> None:
    """Cross-check ``[oncall]`` against the rest of the config: business calendars must exist."""
    for name, rotation in rotations.items():
        if rotation.business_calendar and rotation.business_calendar not in config.calendar_objects:
            known = ", ".join(sorted(config.calendar_objects)) or "none"
            raise ConfigError(
                f"unknown calendar {rotation.business_calendar!r} (configured: {known})",
                key=f"{name}.business_calendar",
            )
