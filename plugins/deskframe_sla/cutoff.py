"""The ``cutoff`` SLA policy type: the web studio's same-day-or-next-day-noon rule.

::

    [sla.studio]
    type = "cutoff"
    calendar = "moscow-8x5"
    cutoff = "12:00"              # local time of the calendar
    kind = "acknowledgement"      # the clock's kind (default)
    stop_on = "reply"             # or "resolve" (default "reply")
    warn = "1h"                   # optional: lead time before due (or a percentage "80%")
    pause_states = ["pending"]

A ticket opened on a working day before the cutoff (and before that day's work ends) is
due at the end of that day's last working frame. Otherwise (at or after the cutoff, after
the day's work ended, or on a day off) it is due at the cutoff time of the next working
day, or at that day's end if its frames end earlier (a short day). A cutoff before that
day's first opening is moved to the opening.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from deskframe.sla import STOP_ON, Calendar, ClockSpec, TicketFacts
from deskframe.tables import TableReader

from . import options
from .options import Warn

KEYS = ("type", "description", "calendar", "cutoff", "kind", "stop_on", "warn", "pause_states", "escalate_on_breach")
#: How far ahead the next working day is looked for before giving up.
MAX_DAYS_AHEAD = 3660


def cutoff_due(calendar: Calendar, opened_at: dt.datetime, cutoff_minute: int) -> dt.datetime:
    """The due instant of a request opened at ``opened_at`` under the cutoff rule (UTC).

    ``cutoff_minute`` is minutes after local midnight in the calendar's zone. See the
    module docstring for the rule.
    """
    if opened_at.tzinfo is None:
        raise ValueError("opened_at must be timezone-aware")
    tz = calendar.tzinfo
    day = opened_at.astimezone(tz).date()
    frames = calendar.frames_on(day)
    if frames:
        cutoff = options.local_instant(tz, day, cutoff_minute)
        end = frames[-1][1]
        if opened_at < cutoff and opened_at < end:
            return end
    return _next_day_due(calendar, day, cutoff_minute)


def _next_day_due(calendar: Calendar, day: dt.date, cutoff_minute: int) -> dt.datetime:
    tz = calendar.tzinfo
    after = options.local_instant(tz, day + dt.timedelta(days=1), 0)
    try:
        candidate = calendar.next_working(after).astimezone(tz).date()
    except ValueError:
        candidate = day + dt.timedelta(days=1)
    candidate = max(candidate, day + dt.timedelta(days=1))
    for _ in range(MAX_DAYS_AHEAD):
        frames = calendar.frames_on(candidate)
        if frames:
            cutoff = options.local_instant(tz, candidate, cutoff_minute)
            return min(max(cutoff, frames[0][0]), frames[-1][1])
        candidate += dt.timedelta(days=1)
    raise ValueError(f"calendar {calendar.name!r} has no working day within {MAX_DAYS_AHEAD} days after {day}")


@attrs.frozen
class CutoffPolicy:
    """A configured ``cutoff`` policy; implements :class:`deskframe.sla.policy.SlaPolicy`."""

    calendar: str
    cutoff: int
    kind: str = "acknowledgement"
    stop_on: str = "reply"
    warn: Warn | None = None
    pause_on: tuple[str, ...] = ("pending",)
    escalate_to: int | None = None

    def calendar_names(self) -> set[str]:
        """The one calendar the rule is evaluated in."""
        return {self.calendar}

    def clock(self, start: dt.datetime, calendars: Mapping[str, Calendar]) -> ClockSpec:
        """The clock for a request arriving at ``start``."""
        cal = options.get_calendar(calendars, self.calendar)
        due = cutoff_due(cal, start, self.cutoff)
        warn_at = None
        if self.warn is not None:
            warn_at = self.warn.at(cal, start, cal.between(start, due))
        return ClockSpec(
            kind=self.kind,
            calendar=self.calendar,
            due=due,
            stop_on=self.stop_on,
            warn_at=warn_at,
            pause_on=self.pause_on,
            escalate_to=self.escalate_to,
        )

    def start(self, facts: TicketFacts, calendars: Mapping[str, Calendar]) -> list[ClockSpec]:
        """One clock of ``kind`` from ``facts.opened_at`` (the same for every priority)."""
        return [self.clock(facts.opened_at, calendars)]

    def restart(
        self, kind: str, facts: TicketFacts, at: dt.datetime, calendars: Mapping[str, Calendar]
    ) -> ClockSpec | None:
        """The rule's clock again, counted from ``at``, if ``kind`` is this policy's kind."""
        if kind != self.kind:
            return None
        return self.clock(at, calendars)


def build(table: dict[str, Any]) -> CutoffPolicy:
    """Validate a ``[sla.NAME]`` table of type ``cutoff`` and build the policy.

    Raises :class:`deskframe.errors.ConfigError` with the key relative to the table.
    """
    t = TableReader(table)
    t.reject_unknown(KEYS)
    calendar = options.calendar_name(t)
    cutoff = options.time_of_day(t, "cutoff")
    kind = t.str("kind", "acknowledgement").strip()
    stop_on = t.choice("stop_on", STOP_ON, "reply")
    return CutoffPolicy(
        calendar=calendar,
        cutoff=cutoff,
        kind=kind,
        stop_on=stop_on,
        warn=options.warn(t),
        pause_on=options.pause_states(t),
        escalate_to=options.escalate(t),
    )
