"""The store's datetimes read back aware in UTC: the quick way for SQLite's ISO text
(``UTCDateTime.result_processor``) gives exactly what the general way gives (the dialect's
parsing, then the UTC zone), for the text SQLAlchemy writes and for odd text alike."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from deskframe.store.rows import UTCDateTime

UTC = dt.timezone.utc


def general(value: str | None) -> dt.datetime | None:
    """What the decorator's default chain answers on SQLite: ``fromisoformat``, then ``replace``."""
    return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=UTC)


def sqlite_reader():
    dialect = sqlite.dialect()
    return UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-03 10:11:12.123456",
        "2026-12-03 10:11:12",
        "2026-12-03 10:11",
        "2026-12-03",
        "2026-12-03T10:11:12",
        "2026-12-03T10:11:12+03:00",
        "2026-12-03T10:11:12Z",
        "2026-12-03T10:11:12.5-01:30",
        None,
    ],
)
def test_sqlite_text_reads_as_the_general_way_does(text):
    got = sqlite_reader()(text)
    assert got == general(text)
    assert got is None or got.tzinfo is UTC


def test_text_that_is_no_datetime_fails_as_before():
    with pytest.raises(ValueError):
        sqlite_reader()("not a time")


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 1, 1)))
def test_what_sqlalchemy_writes_reads_back_the_same(naive):
    dialect = sqlite.dialect()
    stored = UTCDateTime().dialect_impl(dialect).impl_instance.bind_processor(dialect)(naive)
    got = sqlite_reader()(stored)
    assert got == naive.replace(tzinfo=UTC) == general(stored)
    assert got is not None and got.tzinfo is UTC


def test_a_driver_that_reads_datetimes_itself_gets_them_in_utc():
    dialect = postgresql.psycopg.dialect()
    read = UTCDateTime().dialect_impl(dialect).result_processor(dialect, None)
    naive = dt.datetime(2026, 12, 3, 10, 11, 12, 5)
    assert read(naive) == naive.replace(tzinfo=UTC) and read(naive).tzinfo is UTC
    assert read(None) is None
