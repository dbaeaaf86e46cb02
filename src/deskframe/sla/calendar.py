"""Business calendars: working hours in a time zone, minus public and extra holidays.

A :class:`Calendar` answers four questions about instants (aware datetimes): is this
working time (:meth:`~Calendar.is_working`), when does work resume
(:meth:`~Calendar.next_working`), when has a given amount of working time elapsed
(:meth:`~Calendar.add`, :meth:`~Calendar.add_many`), and how much working time lies
between two instants (:meth:`~Calendar.between`).

How it is fast: the calendar's working frames are turned, a few local years at a time
and only when first needed, into sorted lists of UTC intervals in integer
microseconds, with the working time accumulated before each interval. Then ``add`` is
one bisection to find the start, one addition, and (when the deadline is not in the
same frame) a second bisection over the accumulated sums; ``between`` is two
bisections. The lists live in the instance (no global state) and are replaced, never
mutated, when the covered range of years grows, so concurrent readers are safe.

Semantics, precisely:

* A frame ``"10:00-19:00"`` is local wall-clock time in the calendar's zone and covers
  ``[10:00, 19:00)``: 10:00 is working, 19:00 is not.
* Daylight saving: a frame starts when the wall clock first reaches its start time
  and ends when the wall clock last reaches its end time. A time that does not exist
  (in the spring-forward gap) is reached at the moment of the jump; a time that occurs
  twice (autumn fall-back) is reached first at its first occurrence (starts) and last
  at its second (ends). So ``"01:00-04:00"`` holds 2 real hours on the March Sunday in
  Europe/Berlin and 4 in October; a frame entirely inside the gap holds none.
* ``add(start, delta)``: counting starts at ``start`` if it is working time, else at
  the next opening. The result is the instant when ``delta`` of working time has
  elapsed. A result that falls exactly on the end of a frame is that end (19:00), not
  the next opening. ``add(s, timedelta(0))`` is ``s`` if ``s`` is working time, else
  the next opening.
* ``between(a, b)`` is the working time in ``[a, b)``; zero when ``b <= a``. For any
  ``s`` and ``d >= 0``: ``between(s, add(s, d)) == d``.
* All methods take aware datetimes (any zone; naive ones raise ``ValueError``) and
  return UTC datetimes, exact to the microsecond.
* A holiday removes a whole local day. ``extra_workdays`` give a date its own frames,
  overriding the weekday's frames and any public holiday on that date (a transferred
  working Saturday, or a shortened day before a holiday).
"""

from __future__ import annotations

import sys
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .calendar_numpy import add_many_array
from .calendar_table import (
    EMPTY_TABLE,
    FAR,
    MAX_YEAR,
    MIN_YEAR,
    UTC,
    IntervalTable,
    build_table,
    cum_at,
    delta_us,
    local_to_us,
    naive_error,
    to_us,
    utc_year,
    year_intervals,
)
from .calendar_table import EPOCH as _EPOCH
from .calendar_table import US as _US
from .config import (
    WEEKDAYS,
    CalendarConfigError,
    Frames,
    format_frames,
    parse_extra_holidays,
    parse_extra_workdays,
    parse_holidays,
    parse_hours,
)

__all__ = ["UTC", "Calendar", "CalendarConfigError"]

_INITIAL_MARGIN = 1  # years built on each side of the first instant asked about
_MAX_SPAN = 64  # years a table grows to before an instant far away gets a table of its own

KNOWN_KEYS = ("timezone", "hours", "holidays", "extra_holidays", "extra_workdays")


class Calendar:
    """A business calendar: weekly working frames in an IANA time zone, minus public
    holidays (from the ``holidays`` package) and extra holidays, plus extra working days.

    Build one with :meth:`from_config` from a TOML table, or with the keyword arguments
    of the same names::

        Calendar(timezone="Europe/Moscow", hours={"mon-fri": "10:00-19:00"},
                 holidays={"country": "RU"}, extra_workdays={"2025-11-01": "10:00-19:00"})

    A calendar is immutable and hashable; equal configurations compare equal. It keeps
    a private cache of precomputed years, filled on first use (building it is lazy, so
    constructing calendars is cheap). Bad configuration raises
    :class:`CalendarConfigError`. See the module docstring for the exact semantics.
    """

    __slots__ = (
        "_always",
        "_extra_holidays",
        "_extra_workdays",
        "_hol_cache",
        "_holidays",
        "_name",
        "_np_cache",
        "_open_ended",
        "_plain",
        "_tab",
        "_tz",
        "_tzkey",
        "_week",
        "_years",
    )

    def __init__(
        self,
        *,
        hours: str | Mapping[str, object],
        timezone: str = "UTC",
        holidays: Mapping[str, str] | str | None = None,
        extra_holidays: Iterable[str | date] = (),
        extra_workdays: Mapping[str | date, object] | None = None,
        name: str = "",
    ) -> None:
        """Validate and normalize a configuration; see the class docstring. Keyword
        arguments are the keys of the TOML table; ``name`` labels the calendar in
        errors and ``repr`` (and takes part in equality)."""
        try:
            self._init(hours, timezone, holidays, extra_holidays, extra_workdays, name)
        except CalendarConfigError as e:
            if not e.calendar and name:
                raise CalendarConfigError(e.key, e.problem, name) from None
            raise

    def _init(self, hours, timezone, holidays, extra_holidays, extra_workdays, name) -> None:
        put = object.__setattr__
        put(self, "_name", str(name))
        if not isinstance(timezone, str) or not timezone.strip():
            raise CalendarConfigError(
                "timezone", f"expected an IANA time zone name such as 'Europe/Moscow', not {timezone!r}"
            )
        try:
            tz = ZoneInfo(timezone)
        except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
            raise CalendarConfigError("timezone", f"unknown time zone {timezone!r}") from None
        put(self, "_tzkey", timezone)
        put(self, "_tz", tz)
        week = parse_hours(hours)
        put(self, "_always", week is None)
        if week is None:
            week = (((0, 1440),),) * 7
        put(self, "_week", week)
        put(self, "_holidays", parse_holidays(holidays))
        xh = parse_extra_holidays(extra_holidays)
        put(self, "_extra_holidays", xh)
        xw = parse_extra_workdays(extra_workdays, xh)
        put(self, "_extra_workdays", xw)
        if not any(week) and not xw:
            raise CalendarConfigError("hours", "no working time on any day")
        for d in list(xh) + list(xw):
            if not MIN_YEAR <= d.year <= MAX_YEAR:
                key = "extra_holidays" if d in xh else f"extra_workdays.{d}"
                raise CalendarConfigError(key, f"date {d} out of the supported range")
        put(self, "_plain", self._always and not self._holidays and not xh and not xw)
        put(self, "_open_ended", any(week))
        put(self, "_tab", EMPTY_TABLE)
        put(self, "_np_cache", None)
        put(self, "_years", {})
        put(self, "_hol_cache", {})

    # -- construction, identity ---------------------------------------------------

    @classmethod
    def from_config(cls, table: Mapping[str, object], name: str = "") -> Calendar:
        """Build a calendar from a TOML table such as ``[calendars.moscow-8x5]``.

        Keys: ``timezone`` (IANA name, default ``"UTC"``), ``hours`` (required:
        ``"24x7"`` or a table of weekday -> frames, weekdays ``mon``..``sun`` or ranges
        like ``mon-fri``, frames ``"10:00-13:00,14:00-19:00"``), ``holidays``
        (``{ country = "RU", subdiv = ".." }``), ``extra_holidays`` (list of dates),
        ``extra_workdays`` (table of date -> frames). Anything else, or a bad value,
        raises :class:`CalendarConfigError` whose ``key`` is the path inside ``table``.
        """
        if not isinstance(table, Mapping):
            raise CalendarConfigError("", f"a calendar must be a table, not {table!r}", name)
        for key in table:
            if key not in KNOWN_KEYS:
                raise CalendarConfigError(str(key), f"unknown key (known: {', '.join(KNOWN_KEYS)})", name)
        if "hours" not in table:
            raise CalendarConfigError(
                "hours", 'missing: give hours = "24x7" or weekday frames such as { mon = "10:00-19:00" }', name
            )
        return cls(**table, name=name)  # type: ignore[arg-type]

    def to_config(self) -> dict[str, object]:
        """The normalized table: ``Calendar.from_config(c.to_config(), c.name) == c``."""
        out: dict[str, object] = {"timezone": self._tzkey}
        if self._always:
            out["hours"] = "24x7"
        else:
            out["hours"] = {WEEKDAYS[i]: format_frames(f) for i, f in enumerate(self._week) if f}
        if self._holidays:
            country, subdiv = self._holidays
            out["holidays"] = {"country": country} if subdiv is None else {"country": country, "subdiv": subdiv}
        if self._extra_holidays:
            out["extra_holidays"] = [d.isoformat() for d in sorted(self._extra_holidays)]
        if self._extra_workdays:
            out["extra_workdays"] = {d.isoformat(): format_frames(f) for d, f in self._extra_workdays.items()}
        return out

    @property
    def name(self) -> str:
        """The name given at construction (``""`` if none)."""
        return self._name

    @property
    def timezone(self) -> str:
        """The IANA time zone name the frames are in."""
        return self._tzkey

    @property
    def tzinfo(self) -> ZoneInfo:
        """The calendar's zone as a ``ZoneInfo``."""
        return self._tz

    def _key(self) -> tuple:
        return (
            self._name,
            self._tzkey,
            self._always,
            self._week,
            self._holidays,
            self._extra_holidays,
            tuple(self._extra_workdays.items()),
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Calendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        cfg = ", ".join(f"{k}={v!r}" for k, v in self.to_config().items())
        return f"Calendar(name={self._name!r}, {cfg})"

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Calendar is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Calendar is immutable")

    def __reduce__(self):
        return (_restore, (self.to_config(), self._name))

    # -- queries ------------------------------------------------------------------

    def add(self, start: datetime, delta: timedelta) -> datetime:
        """The UTC instant when ``delta`` of working time has elapsed, counting from
        ``start`` (or from the next opening if ``start`` is not working time).

        A result exactly at the end of a frame is that end, not the next opening;
        ``add(s, timedelta(0))`` is ``s`` when ``s`` is working time, else the next
        opening. ``start`` must be aware (``ValueError`` otherwise); ``delta`` must be a
        non-negative timedelta. Raises ``ValueError`` if the calendar has no working
        time left to count (only possible with no weekly frames).
        """
        try:
            us = (start - _EPOCH) // _US
        except TypeError:
            raise naive_error(start) from None
        d = delta_us(delta)
        if self._plain:
            return _EPOCH + _US * (us + d)
        flo, fhi, ib, ispan, starts, ends, cum, cumend, off, n, jb, jspan, total, _lo, _hi, _y0, _y1 = self._tab
        if flo <= us < fhi:
            i = ib[(us - flo) // ispan]
            while ends[i] <= us:
                i += 1
            if i < n:
                target = (us - off[i] if us > starts[i] else cum[i]) + d
                if target <= cumend[i]:
                    return _EPOCH + _US * (off[i] + target)
                if target <= total:
                    j = jb[target // jspan]
                    while cumend[j] < target:
                        j += 1
                    return _EPOCH + _US * (off[j] + target)
        return _EPOCH + _US * self._add_us(us, d)

    def add_many(self, starts, delta):
        """``add`` for many start instants at once, with identical answers.

        ``starts`` is an iterable of aware datetimes (returns a list of UTC datetimes),
        or a NumPy ``datetime64`` array taken as UTC (returns a ``datetime64[us]``
        array; ``NaT`` stays ``NaT``; needs NumPy, which is optional). ``delta`` is one
        timedelta for all, or one per start (a sequence of timedeltas, or a
        ``timedelta64`` array for the NumPy form).
        """
        np = sys.modules.get("numpy")
        if np is not None and isinstance(starts, np.ndarray):
            return self._add_many_np(np, starts, delta)
        if not isinstance(delta, timedelta):
            deltas = list(delta)
            starts = list(starts)
            if len(deltas) != len(starts):
                raise ValueError(f"add_many: {len(starts)} starts but {len(deltas)} deltas")
            return [self.add(s, dd) for s, dd in zip(starts, deltas)]
        d = delta_us(delta)
        epoch, us_td = _EPOCH, _US
        out: list[datetime] = []
        append = out.append
        if self._plain:
            for t in starts:
                try:
                    append(epoch + us_td * ((t - epoch) // us_td + d))
                except TypeError:
                    raise naive_error(t) from None
            return out
        flo, fhi, ib, ispan, starts_, ends, cum, cumend, off, n, jb, jspan, total, _lo, _hi, _y0, _y1 = self._tab
        for t in starts:
            try:
                us = (t - epoch) // us_td
            except TypeError:
                raise naive_error(t) from None
            if flo <= us < fhi:
                i = ib[(us - flo) // ispan]
                while ends[i] <= us:
                    i += 1
                if i < n:
                    target = (us - off[i] if us > starts_[i] else cum[i]) + d
                    if target <= cumend[i]:
                        append(epoch + us_td * (off[i] + target))
                        continue
                    if target <= total:
                        j = jb[target // jspan]
                        while cumend[j] < target:
                            j += 1
                        append(epoch + us_td * (off[j] + target))
                        continue
            append(epoch + us_td * self._add_us(us, d))
            flo, fhi, ib, ispan, starts_, ends, cum, cumend, off, n, jb, jspan, total, _lo, _hi, _y0, _y1 = self._tab
        return out

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``; ``timedelta(0)`` if ``b <= a``. Both aware."""
        ua, ub = to_us(a), to_us(b)
        if ub <= ua:
            return timedelta(0)
        if self._plain:
            return _US * (ub - ua)
        tab = self._tab
        if not (tab.lo <= ua and ub < tab.hi):
            tab = self._cover(ua, ub)
        return _US * (cum_at(tab, ub) - cum_at(tab, ua))

    def is_working(self, t: datetime) -> bool:
        """Whether ``t`` (aware) is working time; a frame is ``[start, end)``."""
        us = to_us(t)
        if self._plain:
            return True
        tab = self._tab
        if not (tab.lo <= us < tab.hi):
            tab = self._cover(us, us)
        i = bisect_right(tab.ends, us)
        return i < tab.n and tab.starts[i] <= us

    def next_working(self, t: datetime) -> datetime:
        """``t`` (as UTC) if it is working time, else the next opening. Raises
        ``ValueError`` if no working time follows (only without weekly frames)."""
        us = to_us(t)
        if self._plain:
            return _EPOCH + _US * us
        return _EPOCH + _US * self._add_us(us, 0)

    def frames_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working frames of local date ``day`` as UTC ``(start, end)`` pairs, after
        holidays and extra working days; empty on a day off. Frames are as configured
        (not merged with the neighbouring days'); a frame inside a DST gap is dropped."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"frames_on needs a date, not {type(day).__name__}")
        ordn = day.toordinal()
        hol = self._holiday_dates(day.year)
        out = []
        for s, e in self._day_frames(day, hol):
            us_s, us_e = local_to_us(self._tz, ordn, s, True), local_to_us(self._tz, ordn, e, False)
            if us_e > us_s:
                out.append((_EPOCH + _US * us_s, _EPOCH + _US * us_e))
        return out

    # -- the table ----------------------------------------------------------------

    def _add_us(self, us: int, d: int) -> int:
        """The general ``add`` in microseconds: extends the table as needed."""
        tab = self._tab
        if not (tab.lo <= us < tab.hi):
            tab = self._cover(us, us)
        while True:
            starts, ends, cum, cumend, off, n = tab.starts, tab.ends, tab.cum, tab.cumend, tab.off, tab.n
            i = bisect_right(ends, us, 0, n)
            if i == n:
                tab = self._extend_forward(tab, us)
                continue
            target = (us - off[i] if us > starts[i] else cum[i]) + d
            j = bisect_left(cumend, target, i, n)
            if j == n:
                tab = self._extend_forward(tab, us, target - tab.total)
                continue
            return off[j] + target

    def _cover(self, lo_us: int, hi_us: int) -> IntervalTable:
        """A table exact for every instant in ``[lo_us, hi_us]`` (building years as needed)."""
        tab = self._tab
        if tab.lo <= lo_us and hi_us < tab.hi:
            return tab
        if not self._open_ended:
            return self._build_finite()
        if utc_year(lo_us) < MIN_YEAR + 1 or utc_year(hi_us) > MAX_YEAR - 1:
            raise ValueError("business time is supported for years %d..%d only" % (MIN_YEAR + 1, MAX_YEAR - 1))
        need_lo = max(MIN_YEAR, utc_year(lo_us) - _INITIAL_MARGIN)
        need_hi = min(MAX_YEAR, utc_year(hi_us) + _INITIAL_MARGIN)
        y0, y1 = tab.y0, tab.y1
        if y0 is None:
            return self._build(need_lo, need_hi)
        # grow by the current span (so repeated growth stays cheap), or just enough, as
        # long as the table stays under _MAX_SPAN years; an instant far from the current
        # range gets a table of its own instead of one reaching all the way to it
        span = y1 - y0 + 1
        grown = (
            max(MIN_YEAR, min(need_lo, y0 - span)) if need_lo < y0 else y0,
            min(MAX_YEAR, max(need_hi, y1 + span)) if need_hi > y1 else y1,
        )
        union = (min(need_lo, y0), max(need_hi, y1))
        for y_lo, y_hi in (grown, union):
            if y_hi - y_lo < _MAX_SPAN:
                return self._build(y_lo, y_hi)
        for y in [y for y in self._years if not need_lo <= y <= need_hi]:
            self._years.pop(y, None)  # keep the memory bounded by the current table
        return self._build(need_lo, need_hi)

    def _extend_forward(self, tab: IntervalTable, us: int, short: int = 0) -> IntervalTable:
        """A table reaching further into the future; ``short`` is how much working time
        the current one lacks (used to jump ahead in one step for long deltas)."""
        if not self._open_ended:
            raise ValueError(f"calendar {self._name!r} has no working time after {(_EPOCH + _US * us).isoformat()}")
        y0, y1 = tab.y0, tab.y1
        if y1 >= MAX_YEAR:
            raise ValueError("business time is supported up to the year %d only" % (MAX_YEAR - 1))
        span = y1 - y0 + 1
        step = min(span, _MAX_SPAN // 2)
        if short > 0 and tab.total > 0:
            step = max(step, -(-short * span // tab.total) + 1)  # years at the current yearly rate
        return self._build(y0, min(MAX_YEAR, y1 + step))

    def _build_finite(self) -> IntervalTable:
        """No weekly frames: the table is every extra working day, exact everywhere."""
        years = sorted({d.year for d in self._extra_workdays})
        tab = self._build(years[0], years[-1])._replace(flo=FAR, fhi=-FAR, lo=-FAR, hi=FAR)
        object.__setattr__(self, "_tab", tab)
        return tab

    def _build(self, y0: int, y1: int) -> IntervalTable:
        cache = self._years
        missing = [y for y in range(y0, y1 + 1) if y not in cache]
        if missing:
            self._holiday_dates(*missing)
            for y in missing:
                hol = self._holiday_dates(y)
                cache[y] = year_intervals(self._tz, y, lambda day, hol=hol: self._day_frames(day, hol))
        tab = build_table(self._tz, cache, y0, y1)
        object.__setattr__(self, "_tab", tab)
        return tab

    def _day_frames(self, day: date, hol: frozenset[date]) -> Frames:
        frames = self._extra_workdays.get(day)
        if frames is not None:
            return frames
        if day in hol or day in self._extra_holidays:
            return ()
        return self._week[day.weekday()]

    def _holiday_dates(self, *years: int) -> frozenset[date]:
        """Public holidays of the given years (cached per year); returns the first year's."""
        if not self._holidays:
            return frozenset()
        cache = self._hol_cache
        missing = sorted(y for y in years if y not in cache)
        if missing:
            import holidays

            country, subdiv = self._holidays
            # neighbouring years too: an "observed" day may fall in the year before or after
            found = holidays.country_holidays(country, subdiv=subdiv, years=range(missing[0] - 1, missing[-1] + 2))
            per_year: dict[int, set[date]] = {y: set() for y in missing}
            for d in found:
                if d.year in per_year:
                    per_year[d.year].add(d)
            for y, ds in per_year.items():
                cache[y] = frozenset(ds)
        return cache[years[0]]

    def _np_tables(self, np, tab):
        cached = self._np_cache
        if cached is not None and cached[0] is tab:
            return cached[1]
        lists = (tab.starts, tab.ends[: tab.n], tab.cum, tab.cumend, tab.off)
        arrays = tuple(np.asarray(a, dtype=np.int64) for a in lists)
        object.__setattr__(self, "_np_cache", (tab, arrays))
        return arrays

    def _add_many_np(self, np, starts, delta):
        return add_many_array(
            np,
            starts,
            delta,
            plain=self._plain,
            cover=self._cover,
            extend_forward=self._extend_forward,
            arrays_of=self._np_tables,
        )


def _restore(config: dict, name: str) -> Calendar:
    return Calendar.from_config(config, name)
