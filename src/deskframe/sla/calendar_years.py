"""A calendar's working days and its interval tables, built a few local years at a time as instants need them.

:class:`~deskframe.sla.calendar.Calendar` answers questions about instants; the :class:`YearTables` it owns
knows which days work (weekly frames, public holidays per year, extra holidays and working days) and keeps the
precomputed :class:`~deskframe.sla.calendar_table.IntervalTable`: first a year on each side of the first instant
asked about, then grown by its own span (so repeated growth stays cheap) up to :data:`MAX_SPAN` years, beyond
which an instant far away gets a table of its own. A table is replaced, never mutated, so concurrent readers of
:attr:`YearTables.tab` are safe.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import date
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from .calendar_table import (
    EMPTY_TABLE,
    EPOCH,
    FAR,
    MAX_YEAR,
    MIN_YEAR,
    US,
    IntervalTable,
    build_table,
    utc_year,
    year_intervals,
)
from .config import Frames

#: years built on each side of the first instant asked about
INITIAL_MARGIN = 1
#: years a table grows to before an instant far away gets a table of its own
MAX_SPAN = 64


class YearTables:
    """The working days of one calendar and its current interval table (:attr:`tab`), grown on demand."""

    __slots__ = (
        "_extra_holidays",
        "_extra_workdays",
        "_hol_cache",
        "_holidays",
        "_name",
        "_np_cache",
        "_open_ended",
        "_tz",
        "_week",
        "_years",
        "tab",
    )

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        week: tuple[Frames, ...],
        holidays: tuple[str, str | None] | None,
        extra_holidays: frozenset[date],
        extra_workdays: dict[date, Frames],
        name: str,
    ) -> None:
        """Hold a validated configuration (see :class:`~deskframe.sla.calendar.Calendar`); nothing is built yet."""
        self._tz = tz
        self._week = week
        self._holidays = holidays
        self._extra_holidays = extra_holidays
        self._extra_workdays = extra_workdays
        self._name = name
        self._open_ended = any(week)
        #: the current table, exact for instants in ``[tab.lo, tab.hi)``
        self.tab: IntervalTable = EMPTY_TABLE
        self._np_cache: tuple[IntervalTable, tuple] | None = None
        self._years: dict[int, list[tuple[int, int]]] = {}
        self._hol_cache: dict[int, frozenset[date]] = {}

    def add_us(self, us: int, d: int) -> int:
        """The general ``add`` in microseconds: extends the table as needed."""
        tab = self.tab
        if not (tab.lo <= us < tab.hi):
            tab = self.cover(us, us)
        while True:
            starts, ends, cum, cumend, off, n = tab.starts, tab.ends, tab.cum, tab.cumend, tab.off, tab.n
            i = bisect_right(ends, us, 0, n)
            if i == n:
                tab = self.extend_forward(tab, us)
                continue
            target = (us - off[i] if us > starts[i] else cum[i]) + d
            j = bisect_left(cumend, target, i, n)
            if j == n:
                tab = self.extend_forward(tab, us, target - tab.total)
                continue
            return off[j] + target

    def cover(self, lo_us: int, hi_us: int) -> IntervalTable:
        """A table exact for every instant in ``[lo_us, hi_us]`` (building years as needed)."""
        tab = self.tab
        if tab.lo <= lo_us and hi_us < tab.hi:
            return tab
        if not self._open_ended:
            return self._build_finite()
        if utc_year(lo_us) < MIN_YEAR + 1 or utc_year(hi_us) > MAX_YEAR - 1:
            raise ValueError(f"business time is supported for years {MIN_YEAR + 1}..{MAX_YEAR - 1} only")
        need_lo = max(MIN_YEAR, utc_year(lo_us) - INITIAL_MARGIN)
        need_hi = min(MAX_YEAR, utc_year(hi_us) + INITIAL_MARGIN)
        y0, y1 = tab.y0, tab.y1
        if y0 is None or y1 is None:  # the empty table: nothing built yet
            return self._build(need_lo, need_hi)
        # grow by the current span (so repeated growth stays cheap), or just enough, as
        # long as the table stays under MAX_SPAN years; an instant far from the current
        # range gets a table of its own instead of one reaching all the way to it
        span = y1 - y0 + 1
        grown = (
            max(MIN_YEAR, min(need_lo, y0 - span)) if need_lo < y0 else y0,
            min(MAX_YEAR, max(need_hi, y1 + span)) if need_hi > y1 else y1,
        )
        union = (min(need_lo, y0), max(need_hi, y1))
        for y_lo, y_hi in (grown, union):
            if y_hi - y_lo < MAX_SPAN:
                return self._build(y_lo, y_hi)
        for y in [y for y in self._years if not need_lo <= y <= need_hi]:
            self._years.pop(y, None)  # keep the memory bounded by the current table
        return self._build(need_lo, need_hi)

    def extend_forward(self, tab: IntervalTable, us: int, short: int = 0) -> IntervalTable:
        """A table reaching further into the future; ``short`` is how much working time
        the current one lacks (used to jump ahead in one step for long deltas)."""
        if not self._open_ended:
            raise ValueError(f"calendar {self._name!r} has no working time after {(EPOCH + US * us).isoformat()}")
        y0, y1 = tab.y0, tab.y1
        if y0 is None or y1 is None:  # callers pass what cover() or _build() returned, never the empty table
            raise RuntimeError(f"calendar {self._name!r}: extend_forward needs a built table, not the empty one")
        if y1 >= MAX_YEAR:
            raise ValueError(f"business time is supported up to the year {MAX_YEAR - 1} only")
        span = y1 - y0 + 1
        step = min(span, MAX_SPAN // 2)
        if short > 0 and tab.total > 0:
            step = max(step, -(-short * span // tab.total) + 1)  # years at the current yearly rate
        return self._build(y0, min(MAX_YEAR, y1 + step))

    def _build_finite(self) -> IntervalTable:
        """No weekly frames: the table is every extra working day, exact everywhere."""
        years = sorted({d.year for d in self._extra_workdays})
        tab = self._build(years[0], years[-1])._replace(flo=FAR, fhi=-FAR, lo=-FAR, hi=FAR)
        self.tab = tab
        return tab

    def _build(self, y0: int, y1: int) -> IntervalTable:
        """The table of local years ``y0..y1`` (years not built yet are built and kept); it becomes :attr:`tab`."""
        cache = self._years
        missing = [y for y in range(y0, y1 + 1) if y not in cache]
        if missing:
            self.holiday_dates(*missing)
            for y in missing:
                hol = self.holiday_dates(y)
                cache[y] = year_intervals(self._tz, y, partial(self.day_frames, hol=hol))
        tab = build_table(self._tz, cache, y0, y1)
        self.tab = tab
        return tab

    def day_frames(self, day: date, hol: frozenset[date]) -> Frames:
        """The frames of local date ``day``: its extra working day's, none on a holiday (``hol`` are the public
        holidays of its year), else its weekday's."""
        frames = self._extra_workdays.get(day)
        if frames is not None:
            return frames
        if day in hol or day in self._extra_holidays:
            return ()
        return self._week[day.weekday()]

    def holiday_dates(self, *years: int) -> frozenset[date]:
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

    def np_tables(self, np: Any, tab: IntervalTable) -> tuple:
        """The lists of ``tab`` as NumPy int64 arrays (the last table's are kept)."""
        cached = self._np_cache
        if cached is not None and cached[0] is tab:
            return cached[1]
        lists = (tab.starts, tab.ends[: tab.n], tab.cum, tab.cumend, tab.off)
        arrays = tuple(np.asarray(a, dtype=np.int64) for a in lists)
        self._np_cache = (tab, arrays)
        return arrays
