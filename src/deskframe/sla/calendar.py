"""Business calendars: working hours in a time zone, minus public and extra holidays.

A :class:`Calendar` answers four questions about instants (aware datetimes): is this
working time (:meth:`~Calendar.is_working`), when does work resume
(:meth:`~Calendar.next_working`), when has a given amount of working time elapsed
(:meth:`~Calendar.add`, :meth:`~Calendar.add_many`), and how much working time lies
between two instants (:meth:`~Calendar.between`, :meth:`~Calendar.between_many`).

How it is fast: the calendar's working frames are turned, a few local years at a time
and only when first needed, into sorted lists of UTC intervals in integer
microseconds, with the working time accumulated before each interval. Then ``add`` is
one bisection to find the start, one addition, and (when the deadline is not in the
same frame) a second bisection over the accumulated sums; ``between`` is two
bisections. The lists live in the instance's :class:`~deskframe.sla.calendar_years.YearTables`
(no global state) and are replaced, never mutated, when the covered range of years grows, so
concurrent readers are safe.

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
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .calendar_numpy import add_many_array
from .calendar_table import EPOCH as _EPOCH
from .calendar_table import (
    MAX_YEAR,
    MIN_YEAR,
    UTC,
    cum_at,
    delta_us,
    local_to_us,
    naive_error,
    to_us,
)
from .calendar_table import US as _US
from .calendar_years import YearTables
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
        "_holidays",
        "_name",
        "_plain",
        "_tables",
        "_tz",
        "_tzkey",
        "_week",
    )

    # the slots' types (set once, through ``object.__setattr__``, by :meth:`_init`)
    _always: bool  # "24x7": every instant is in the weekly frames
    _extra_holidays: frozenset[date]
    _extra_workdays: dict[date, Frames]
    _holidays: tuple[str, str | None] | None  # (country, subdivision) of the public holidays
    _name: str
    _plain: bool  # every instant is working time: no tables needed
    _tables: YearTables
    _tz: ZoneInfo
    _tzkey: str
    _week: tuple[Frames, ...]  # frames by weekday, Monday first

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
        tables = YearTables(
            tz=tz, week=week, holidays=self._holidays, extra_holidays=xh, extra_workdays=xw, name=self._name
        )
        put(self, "_tables", tables)

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
        flo, fhi, ib, ispan, starts, ends, cum, cumend, off, n, jb, jspan, total, _lo, _hi, _y0, _y1 = self._tables.tab
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
        return _EPOCH + _US * self._tables.add_us(us, d)

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
        flo, fhi, ib, ispan, starts_, ends, cum, cumend, off, n, jb, jspan, total, _lo, _hi, _y0, _y1 = self._tables.tab
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
            append(epoch + us_td * self._tables.add_us(us, d))
            flo, fhi, ib, ispan, starts_, ends, cum, cumend, off, n, jb, jspan, total, _lo, _hi, _y0, _y1 = (
                self._tables.tab
            )
        return out

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time in ``[a, b)``; ``timedelta(0)`` if ``b <= a``. Both aware."""
        ua, ub = to_us(a), to_us(b)
        if ub <= ua:
            return timedelta(0)
        if self._plain:
            return _US * (ub - ua)
        tab = self._tables.tab
        if not (tab.lo <= ua and ub < tab.hi):
            tab = self._tables.cover(ua, ub)
        return _US * (cum_at(tab, ub) - cum_at(tab, ua))

    def between_many(self, starts: Sequence[int], ends: Sequence[int]) -> list[int]:
        """``between`` for many spans at once, in integer microseconds since 1970-01-01 UTC:
        the working microseconds in ``[starts[k], ends[k])`` for each ``k`` (0 when the end is
        not after the start), equal to ``between`` of the same instants to the microsecond.

        The table is made to cover all the spans once, then each end is placed by the table's
        bucket index instead of a bisection; what a report of ten thousand clocks needs.
        """
        if len(starts) != len(ends):
            raise ValueError(f"between_many: {len(starts)} starts but {len(ends)} ends")
        if not starts:
            return []
        if self._plain:
            return [b - a if b > a else 0 for a, b in zip(starts, ends)]
        lo, hi = min(min(starts), min(ends)), max(max(starts), max(ends))
        tab = self._tables.tab
        if not (tab.lo <= lo and hi < tab.hi):
            tab = self._tables.cover(lo, hi)
        flo, fhi, ib, ispan, starts_, ends_, cum, _cumend, off, n, _jb, _jspan, total, _lo, _hi, _y0, _y1 = tab

        def cum_to(us: int) -> int:
            if flo <= us < fhi:
                i = ib[(us - flo) // ispan]
                while ends_[i] <= us:
                    i += 1
                if i == n:
                    return total
                return us - off[i] if us > starts_[i] else cum[i]
            return cum_at(tab, us)

        return [cum_to(b) - cum_to(a) if b > a else 0 for a, b in zip(starts, ends)]

    def is_working(self, t: datetime) -> bool:
        """Whether ``t`` (aware) is working time; a frame is ``[start, end)``."""
        us = to_us(t)
        if self._plain:
            return True
        tab = self._tables.tab
        if not (tab.lo <= us < tab.hi):
            tab = self._tables.cover(us, us)
        i = bisect_right(tab.ends, us)
        return i < tab.n and tab.starts[i] <= us

    def next_working(self, t: datetime) -> datetime:
        """``t`` (as UTC) if it is working time, else the next opening. Raises
        ``ValueError`` if no working time follows (only without weekly frames)."""
        us = to_us(t)
        if self._plain:
            return _EPOCH + _US * us
        return _EPOCH + _US * self._tables.add_us(us, 0)

    def frames_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working frames of local date ``day`` as UTC ``(start, end)`` pairs, after
        holidays and extra working days; empty on a day off. Frames are as configured
        (not merged with the neighbouring days'); a frame inside a DST gap is dropped."""
        if isinstance(day, datetime) or not isinstance(day, date):
            raise TypeError(f"frames_on needs a date, not {type(day).__name__}")
        ordn = day.toordinal()
        hol = self._tables.holiday_dates(day.year)
        out = []
        for s, e in self._tables.day_frames(day, hol):
            us_s, us_e = local_to_us(self._tz, ordn, s, True), local_to_us(self._tz, ordn, e, False)
            if us_e > us_s:
                out.append((_EPOCH + _US * us_s, _EPOCH + _US * us_e))
        return out

    def _add_many_np(self, np, starts, delta):
        return add_many_array(
            np,
            starts,
            delta,
            plain=self._plain,
            cover=self._tables.cover,
            extend_forward=self._tables.extend_forward,
            arrays_of=self._tables.np_tables,
        )


def _restore(config: dict, name: str) -> Calendar:
    return Calendar.from_config(config, name)
