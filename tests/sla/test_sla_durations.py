from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskframe.sla import format_duration, parse_duration

pytestmark = pytest.mark.sqlite_pass  # no desk on the test database: the same in both passes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15m", timedelta(minutes=15)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        ("90s", timedelta(seconds=90)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("1H", timedelta(hours=1)),
        ("1w2d", timedelta(days=9)),
        ("0s", timedelta(0)),
        ("1.5s", timedelta(seconds=1, microseconds=500000)),
        (" 16h ", timedelta(hours=16)),
        ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("15", "missing unit"),
        ("", "bad duration ''"),
        ("1x", "bad duration '1x'"),
        ("30m1h", "largest first"),
        ("1h1h", "bad duration"),
        ("-1h", "bad duration"),
        ("1.5h", "bad duration"),
        ("h", "bad duration"),
        ("1h30", "bad duration"),
        ("1.1234567s", "bad duration"),
    ],
)
def test_parse_duration_rejects(text, fragment):
    with pytest.raises(ValueError, match=fragment.replace(".", r"\.").replace("(", r"\(")):
        parse_duration(text)


def test_parse_duration_type():
    with pytest.raises(TypeError):
        parse_duration(timedelta(hours=1))


@pytest.mark.parametrize(
    ("td", "text"),
    [
        (timedelta(hours=1, minutes=30), "1h30m"),
        (timedelta(days=2), "2d"),
        (timedelta(seconds=90), "1m30s"),
        (timedelta(0), "0s"),
        (timedelta(seconds=1, microseconds=500000), "1.5s"),
        (timedelta(microseconds=1), "0.000001s"),
        (timedelta(hours=25), "1d1h"),
        (timedelta(minutes=15), "15m"),
    ],
)
def test_format_duration(td, text):
    assert format_duration(td) == text


def test_format_duration_rejects_negative():
    with pytest.raises(ValueError, match="negative"):
        format_duration(timedelta(seconds=-1))


@settings(max_examples=300, deadline=None, database=None)
@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10000)))
def test_duration_round_trip(td):
    assert parse_duration(format_duration(td)) == td
