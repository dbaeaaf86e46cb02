"""serialize.compact_bytes (orjson, the API's ticket list and show) writes the bytes of
serialize.compact (the json module) for the values it is meant for, and falls back to the json
module for what orjson cannot write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from deskframe import serialize

UTC = dt.timezone.utc

SAME = [
    {"items": [], "next_cursor": None},
    dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC),
    dt.datetime(2026, 12, 3, 9, 0, 5, 123, tzinfo=UTC),
    dt.datetime(2026, 12, 3, 9, 0, 5, 120000, tzinfo=ZoneInfo("Europe/Moscow")),
    dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=-9, minutes=-30))),
    dt.datetime(2026, 12, 3, 9, 0),
    dt.date(2026, 12, 3),
    "é ñ 漢字 😀 \u2028\u2029 \ufeff \x7f",
    "".join(chr(c) for c in range(0x20)) + '"\\/',
    [True, False, None, 0, -1, 2**63 - 1, -(2**63)],
    (1, ("a", [])),
    {"amount": Decimal("1500.00"), "tags": frozenset({"x"})},
    {"nested": {"deep": [{"at": dt.datetime(2026, 1, 1, tzinfo=UTC), "n": "x"}]}},
]


@pytest.mark.parametrize("value", SAME, ids=range(len(SAME)))
def test_the_same_bytes_as_compact(value):
    assert serialize.compact_bytes(value) == serialize.compact(value).encode()


class Label(str):
    """A str subclass: orjson passes it on to the json module."""


@pytest.mark.parametrize("value", [2**64, {1: "a"}, Label("x"), {"k": [Label("y")]}])
def test_what_orjson_cannot_write_is_written_by_json(value):
    assert serialize.compact_bytes(value) == serialize.compact(value).encode()


def test_what_json_cannot_write_fails_as_there():
    with pytest.raises(TypeError):
        serialize.compact_bytes({"x": object()})


def test_a_page_of_ticket_rows():
    at = dt.datetime(2026, 12, 3, 9, 0, 5, 500, tzinfo=UTC)
    rows = [
        {
            "number": f"20261203100000{i:02}",
            "subject": f"Принтер {i} «замят»",
            "state": "open",
            "priority": "P3",
            "queue": "support",
            "customer": None,
            "owner": "alice" if i % 2 else None,
            "created_at": at,
            "updated_at": at + dt.timedelta(seconds=i),
            "due": None if i % 3 else at,
        }
        for i in range(50)
    ]
    value = {"items": rows, "next_cursor": "WyIyMDI2LTEyLTAzIiwxXQ"}
    assert serialize.compact_bytes(value) == serialize.compact(value).encode()
