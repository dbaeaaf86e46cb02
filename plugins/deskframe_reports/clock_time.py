"""The working time of the report's SLA clocks: what the SLA service stored (a clock's working
time when it stopped, its target when it started), else computed from the clock's calendar
with :meth:`~deskframe.sla.Calendar.between_many`, one call per calendar.

The clocks are the plain tuples of :attr:`~.source.ReportInput.clocks` (``desk.activity.opened``):
the ticket id, then the clock in ``ClockRecord``'s field order (positions ``C_*`` below).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deskframe.services.activity import (
    CLOCK_BUSINESS_US,
    CLOCK_CALENDAR,
    CLOCK_CATEGORY,
    CLOCK_DUE_BASE_US,
    CLOCK_KIND,
    CLOCK_PAUSED_SECONDS,
    CLOCK_STARTED_US,
    CLOCK_STOPPED_US,
    CLOCK_TARGET_US,
)

#: Positions in the plain tuples of :attr:`~.source.ReportInput.clocks`: the ticket id, then the clock
#: in ``ClockRecord``'s field order.
C_TICKET = 0
C_KIND, C_CATEGORY, C_CALENDAR = 1 + CLOCK_KIND, 1 + CLOCK_CATEGORY, 1 + CLOCK_CALENDAR
C_STARTED_US, C_STOPPED_US, C_DUE_BASE_US = 1 + CLOCK_STARTED_US, 1 + CLOCK_STOPPED_US, 1 + CLOCK_DUE_BASE_US
C_PAUSED_SECONDS, C_BUSINESS_US, C_TARGET_US = 1 + CLOCK_PAUSED_SECONDS, 1 + CLOCK_BUSINESS_US, 1 + CLOCK_TARGET_US

US_PER_S = 1_000_000


def business_us(calendars: Mapping[str, Any], spans: list[tuple[str, int, int]]) -> list[int | None]:
    """Working microseconds of each ``(calendar, start_us, end_us)`` span in that calendar of
    ``calendars`` (None for an unknown calendar), one :meth:`~deskframe.sla.Calendar.between_many` per calendar."""
    out: list[int | None] = [None] * len(spans)
    by_calendar: dict[str, list[int]] = {}
    for k, span in enumerate(spans):
        by_calendar.setdefault(span[0], []).append(k)
    for name, ks in by_calendar.items():
        calendar = calendars.get(name)
        if calendar is None:
            continue
        for k, us in zip(ks, calendar.between_many([spans[k][1] for k in ks], [spans[k][2] for k in ks])):
            out[k] = us
    return out


def stored_or_computed(
    calendars: Mapping[str, Any], clocks: list[Any], stored: int, spans: Callable[[Any], tuple[str, int, int]]
) -> list[int | None]:
    """Each clock's figure at position ``stored`` (what the SLA service stored), else (None: a
    clock from before the desk stored it) its working microseconds over ``spans(clock)``, a
    ``(calendar, start_us, end_us)`` span, computed from the calendar."""
    out: list[int | None] = [c[stored] for c in clocks]
    todo = [k for k, us in enumerate(out) if us is None]
    if todo:
        for k, us in zip(todo, business_us(calendars, [spans(clocks[k]) for k in todo])):
            out[k] = us
    return out


def spent_us(calendars: Mapping[str, Any], clocks: list[Any], now_us: int | None = None) -> list[int | None]:
    """Working microseconds of each clock (rows of :attr:`~.source.ReportInput.clocks`) from its start to
    its stop (to ``now_us`` for a live clock): the figure the SLA service stored when the clock
    stopped, else (a live clock, or one stopped before the desk stored it) computed from the
    clock's calendar."""

    def span(c: Any) -> tuple[str, int, int]:
        end = c[C_STOPPED_US] if c[C_STOPPED_US] is not None else now_us
        if end is None:
            raise ValueError("a live clock's working time needs now_us")
        return c[C_CALENDAR], c[C_STARTED_US], end

    return stored_or_computed(calendars, clocks, C_BUSINESS_US, span)


def target_us(calendars: Mapping[str, Any], clocks: list[Any]) -> list[int | None]:
    """Each clock's target in working microseconds (start to due time before pauses): the figure
    the SLA service stored when the clock started, else (a clock started before the desk stored
    it) computed from the clock's calendar."""
    return stored_or_computed(
        calendars, clocks, C_TARGET_US, lambda c: (c[C_CALENDAR], c[C_STARTED_US], c[C_DUE_BASE_US])
    )


def working_seconds(us: int | None, clock: Any) -> float | None:
    """A clock's working seconds from its span's working microseconds, less its pauses."""
    return None if us is None else max(0.0, us / US_PER_S - clock[C_PAUSED_SECONDS])
