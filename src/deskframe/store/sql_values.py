"""Small conversions shared by the repositories: ``IN (...)`` slices, values read straight from the
driver (dates and timestamps come back as text on SQLite), and the row count of an UPDATE or DELETE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from sqlalchemy import CursorResult, Result


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE run through ``Session.execute`` matched.

    ``Session.execute`` is typed to return a plain ``Result``; for a DML statement without
    RETURNING it is a ``CursorResult``, which alone carries ``rowcount``.
    """
    if not isinstance(result, CursorResult):
        raise TypeError(f"rowcount needs the result of an UPDATE or DELETE, not a {type(result).__name__}")
    return result.rowcount


def chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    """``values`` in slices small enough for one ``IN (...)`` on every backend."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def group_key(key: list[Any]) -> tuple[Any, ...]:
    """A row's group key as read back from either backend (the late date as a date)."""
    cid, tid, aid, b, cls, late, over = key
    return (cid, tid, aid, int(b), cls, as_date(late), int(over))


def as_date(value: Any) -> dt.date:
    """A DATE column as read without conversion: ``date`` (PostgreSQL) or ISO text (SQLite)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def as_instant(value: Any) -> dt.datetime | None:
    """A naive-UTC timestamp column read without conversion, as an aware UTC datetime."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromisoformat(value + "+00:00")  # a third of the cost of parse-then-replace
