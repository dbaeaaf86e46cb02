"""The precomputed working intervals behind :class:`~deskframe.sla.calendar.Calendar`.

A calendar's working frames are turned, a few local years at a time, into sorted lists
of UTC intervals in integer microseconds with the working time accumulated before each
interval (an :class:`IntervalTable`). This module holds those tables and the pure
arithmetic on them: instants to microseconds, local wall-clock times to UTC (daylight
saving gaps and repeats included), one local year's intervals, and a table built from
years of intervals. :class:`~deskframe.sla.calendar_years.YearTables` decides which years
to build and keeps the tables for its :class:`~deskframe.sla.calendar.Calendar`.
"""

from __future__ import annotations

import datetime as _dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from .config import Frames

UTC = _dt.timezone.utc
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_NAIVE = datetime(1970, 1, 1)
EPOCH_ORD = date(1970, 1, 1).toordinal()
US = timedelta(microseconds=1)
ONE_SECOND = timedelta(seconds=1)
SEC = 1_000_000  # microseconds per second
FAR = 1 << 62  # beyond any datetime, in microseconds
MIN_YEAR, MAX_YEAR = 2, 9997  # years a table may cover (local dates must map into datetime's range)


class IntervalTable(NamedTuple):
    """Precomputed working intervals of local years ``y0..y1``, in UTC microseconds.

    ``starts``/``ends``: sorted, disjoint, non-adjacent intervals (``ends`` has one
    sentinel ``FAR`` after the last, so ``len(ends) == n + 1``); ``cum[i]``: working
    time before interval ``i``; ``cumend[i] = cum[i] + length``; ``off[i] = starts[i] -
    cum[i]``; ``total = cumend[-1]``. The table is exact for instants in ``[lo, hi)``.
    Bucket indexes replace bisection on the hot path: for ``flo <= t < fhi``, the first
    interval ending after ``t`` is at or after ``ib[(t - flo) // ispan]``, and for a
    cumulative amount ``c <= total`` the first interval with ``cumend >= c`` is at or
    after ``jb[c // jspan]``. ``flo``/``fhi`` equal ``lo``/``hi``, or exclude every
    instant when the table has no buckets (a calendar without weekly frames).
    Tables are never mutated once built: a wider one replaces them.
    """

    flo: int
    fhi: int
    ib: list[int]
    ispan: int
    starts: list[int]
    ends: list[int]
    cum: list[int]
    cumend: list[int]
    off: list[int]
    n: int
    jb: list[int]
    jspan: int
    total: int
    lo: int
    hi: int
    y0: int | None
    y1: int | None


#: The table of a calendar nothing has been asked of yet: exact for no instant.
EMPTY_TABLE = IntervalTable(FAR, -FAR, [], 1, [], [FAR], [], [], [], 0, [], 1, 0, FAR, -FAR, None, None)


def naive_error(value: object) -> Exception:
    """The error for a value that is not an aware datetime."""
    if isinstance(value, datetime):
        return ValueError(f"naive datetime {value.isoformat()}: business time needs an aware datetime (with tzinfo)")
    return TypeError(f"expected an aware datetime, not {type(value).__name__}")


def to_us(t: datetime) -> int:
    """An aware datetime as UTC microseconds since the epoch."""
    try:
        return (t - EPOCH) // US
    except TypeError:
        raise naive_error(t) from None


def delta_us(delta: timedelta) -> int:
    """A non-negative timedelta in microseconds."""
    try:
        d = delta // US
    except TypeError:
        raise TypeError(f"delta must be a timedelta, not {type(delta).__name__}") from None
    if d < 0:
        raise ValueError(f"delta must not be negative ({delta})")
    return d


def offset_s(off: timedelta | None) -> int:
    """A UTC offset in whole seconds (0 for None)."""
    return off // ONE_SECOND if off is not None else 0


def utc_year(us: int) -> int:
    """The UTC year of an instant in microseconds, clamped to 1..9999."""
    if us <= -62135596800 * SEC:  # before 0001-01-01
        return 1
    if us >= 253402300799 * SEC:  # after 9999-12-31
        return 9999
    return (EPOCH + US * us).year


def local_to_us(tz: ZoneInfo, ordn: int, minute: int, first: bool) -> int:
    """Local wall-clock time ``minute`` (0..1440) of the date with ordinal ``ordn`` in
    ``tz`` -> UTC microseconds: the moment the wall clock first (``first``) or last
    reaches it; a time in a DST gap is reached at the jump."""
    local = (ordn - EPOCH_ORD) * 86400 + minute * 60
    naive = EPOCH_NAIVE + timedelta(seconds=local)
    before = offset_s(tz.utcoffset(naive))
    after = offset_s(tz.utcoffset(naive.replace(fold=1)))
    if before == after:
        return (local - before) * SEC
    if after < before:  # repeated hour (fall back)
        return (local - (before if first else after)) * SEC
    # gap (spring forward): find the jump by bisection between the two readings
    lo_u, hi_u = local - after, local - before
    while hi_u - lo_u > 1:
        mid = (lo_u + hi_u) // 2
        if offset_s(datetime.fromtimestamp(mid, tz).utcoffset()) == before:
            lo_u = mid
        else:
            hi_u = mid
    return hi_u * SEC


def year_intervals(tz: ZoneInfo, year: int, day_frames: Callable[[date], Frames]) -> list[tuple[int, int]]:
    """The working intervals (UTC microseconds) of local ``year`` in ``tz``, day by day
    from ``day_frames(date)`` (the frames of that date after holidays)."""
    out = []

    def midnight_offsets(ordn: int) -> tuple[timedelta | None, timedelta | None]:
        naive = datetime.fromordinal(ordn)
        return tz.utcoffset(naive), tz.utcoffset(naive.replace(fold=1))

    first, last = date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()
    this = midnight_offsets(first)
    for ordn in range(first, last):
        nxt = midnight_offsets(ordn + 1)
        frames = day_frames(date.fromordinal(ordn))
        if frames:
            if this[0] == this[1] == nxt[0] == nxt[1]:
                # no transition on this day: one offset for every frame
                base = (ordn - EPOCH_ORD) * 86400 - offset_s(this[0])
                for s, e in frames:
                    out.append(((base + s * 60) * SEC, (base + e * 60) * SEC))
            else:
                for s, e in frames:
                    us_s, us_e = local_to_us(tz, ordn, s, True), local_to_us(tz, ordn, e, False)
                    if us_e > us_s:
                        out.append((us_s, us_e))
        this = nxt
    return out


def build_table(tz: ZoneInfo, years: Mapping[int, list[tuple[int, int]]], y0: int, y1: int) -> IntervalTable:
    """The table of local years ``y0..y1`` in ``tz`` from each year's intervals
    (``years[y]``, as :func:`year_intervals` gives them); touching intervals merge."""
    starts: list[int] = []
    ends: list[int] = []
    for y in range(y0, y1 + 1):
        for s, e in years[y]:
            if ends and s <= ends[-1]:
                if e > ends[-1]:
                    ends[-1] = e
            else:
                starts.append(s)
                ends.append(e)
    cum: list[int] = []
    cumend: list[int] = []
    off: list[int] = []
    acc = 0
    for s, e in zip(starts, ends):
        cum.append(acc)
        off.append(s - acc)
        acc += e - s
        cumend.append(acc)
    n = len(starts)
    ends.append(FAR)  # sentinel: the walk after a bucket lookup always stops
    # the table is exact from the last time the wall clock shows the first midnight
    # to the first time it shows the midnight after the last day
    lo = local_to_us(tz, date(y0, 1, 1).toordinal(), 0, False)
    hi = local_to_us(tz, date(y1 + 1, 1, 1).toordinal(), 0, True)
    # buckets of about one interval each (see IntervalTable)
    ispan = max(1, (hi - lo) // max(n, 1))
    ib = [bisect_right(ends, lo + k * ispan, 0, n) for k in range((hi - lo) // ispan + 1)]
    jspan = max(1, acc // max(n, 1))
    jb = [bisect_left(cumend, k * jspan) for k in range(acc // jspan + 1)]
    return IntervalTable(lo, hi, ib, ispan, starts, ends, cum, cumend, off, n, jb, jspan, acc, lo, hi, y0, y1)


def cum_at(tab: IntervalTable, us: int) -> int:
    """Working microseconds from the table's origin up to ``us`` (exclusive)."""
    i = bisect_right(tab.ends, us, 0, tab.n)
    if i == tab.n:
        return tab.total
    return us - tab.off[i] if us > tab.starts[i] else tab.cum[i]
