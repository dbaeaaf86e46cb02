"""The NumPy form of :meth:`Calendar.add_many <deskframe.sla.calendar.Calendar.add_many>`.

NumPy is optional: this module is used only when ``add_many`` is given a ``datetime64``
array, and works on the calendar's :class:`~deskframe.sla.calendar_table.IntervalTable`
as int64 arrays with ``searchsorted`` instead of per-instant bisection. The answers are
those of ``Calendar.add``, to the microsecond.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from .calendar_table import IntervalTable, delta_us


def add_many_array(
    np: Any,
    starts: Any,
    delta: Any,
    *,
    plain: bool,
    cover: Callable[[int, int], IntervalTable],
    extend_forward: Callable[..., IntervalTable],
    arrays_of: Callable[[Any, IntervalTable], tuple[Any, ...]],
) -> Any:
    """``add`` for a ``datetime64`` array of starts (taken as UTC); ``NaT`` stays ``NaT``.

    ``delta`` is a timedelta or a ``timedelta64`` array of the starts' shape. The
    calendar passes how to reach its tables: ``cover(lo, hi)`` gives a table exact over
    ``[lo, hi]``, ``extend_forward(tab, us, short=0)`` one reaching further, and
    ``arrays_of(np, tab)`` the table's lists as int64 arrays; ``plain`` means every
    instant is working time.
    """
    if starts.dtype.kind != "M":
        raise TypeError(f"add_many needs a datetime64 array, not {starts.dtype}")
    x = starts.astype("datetime64[us]").view(np.int64)
    if isinstance(delta, timedelta):
        d = np.int64(delta_us(delta))
    else:
        d = np.asarray(delta)
        if d.dtype.kind != "m":
            raise TypeError(f"add_many needs a timedelta or a timedelta64 array, not {d.dtype}")
        d = d.astype("timedelta64[us]").view(np.int64)
        if d.shape and d.shape != x.shape:
            raise ValueError(f"add_many: {x.shape} starts but {d.shape} deltas")
        if (d < 0).any():
            raise ValueError("delta must not be negative")
    nat = np.iinfo(np.int64).min
    mask = x == nat
    if mask.any() and d.shape:
        mask |= d == nat
    has_nat = bool(mask.any())
    if has_nat:
        if mask.all():
            return np.full(x.shape, nat, dtype=np.int64).view("datetime64[us]")
        fill = x[~mask][0]
        x = np.where(mask, fill, x)
        if d.shape:
            d = np.where(mask, 0, d)
    if x.size == 0:
        res = x.copy()
    elif plain:
        res = x + d
    else:
        tab = cover(int(x.min()), int(x.max()))
        while True:
            starts_a, ends_a, cum_a, cumend_a, off_a = arrays_of(np, tab)
            n = tab.n
            i = np.searchsorted(ends_a, x, side="right")
            if n == 0 or i.max() >= n:
                tab = extend_forward(tab, int(x.max()))
                continue
            target = np.where(x > starts_a[i], x - off_a[i], cum_a[i]) + d
            j = np.searchsorted(cumend_a, target, side="left")
            np.maximum(j, i, out=j)
            if j.max() >= n:
                tab = extend_forward(tab, int(x.max()), int(target.max()) - tab.total)
                continue
            res = off_a[j] + target
            break
    if has_nat:
        res = np.where(mask, nat, res)
    return res.view("datetime64[us]")
