"""Slow, obviously correct answers to compare deskframe.sla.Calendar with.

They walk the calendar's frames day by day through ``Calendar.frames_on`` (which only
applies the configuration and converts local times), so they share none of the
precomputed tables, bucket indexes or bisection of the fast paths.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

UTC = timezone.utc


def frames_from(cal, day: date):
    """Working frames (UTC) of local dates from ``day`` on, forever; overlapping ones merged."""
    pending = None
    while True:
        for a, b in cal.frames_on(day):
            if pending is None:
                pending = [a, b]
            elif a < pending[1]:  # overlapping (two frames around a repeated hour): merge
                pending[1] = max(pending[1], b)
            else:
                yield tuple(pending)
                pending = [a, b]
        day += timedelta(days=1)


def oracle_add(cal, start: datetime, delta: timedelta) -> datetime:
    s = start.astimezone(UTC)
    left = delta
    for a, b in frames_from(cal, s.astimezone(cal.tzinfo).date() - timedelta(days=2)):
        if b <= s:
            continue
        a = max(a, s)
        if left <= b - a:
            return a + left
        left -= b - a
    raise AssertionError("unreachable")


def oracle_between(cal, a: datetime, b: datetime) -> timedelta:
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total = timedelta(0)
    if b <= a:
        return total
    for s, e in frames_from(cal, a.astimezone(cal.tzinfo).date() - timedelta(days=2)):
        if s >= b:
            return total
        lo, hi = max(s, a), min(e, b)
        if hi > lo:
            total += hi - lo


def oracle_is_working(cal, t: datetime) -> bool:
    t = t.astimezone(UTC)
    for s, e in frames_from(cal, t.astimezone(cal.tzinfo).date() - timedelta(days=2)):
        if s > t:
            return False
        if s <= t < e:
            return True
