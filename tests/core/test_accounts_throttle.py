"""Issue 13, accounts: the throttling rule as a pure function (10 failures in a minute block a minute)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from deskframe.accounts.throttle import LIMIT, LOCKOUT, WINDOW, account_key, blocked_until

T0 = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.timezone.utc)


def at(*seconds: float) -> list[dt.datetime]:
    return [T0 + dt.timedelta(seconds=s) for s in seconds]


def test_the_tenth_failure_within_a_minute_blocks_for_a_minute_after_it():
    ten = at(*range(0, 60, 6))  # 0, 6, ... 54
    assert blocked_until(ten[:9], T0 + dt.timedelta(seconds=55)) is None
    assert blocked_until(ten, T0 + dt.timedelta(seconds=55)) == T0 + dt.timedelta(seconds=114)
    assert blocked_until(ten, T0 + dt.timedelta(seconds=113.9)) is not None
    assert blocked_until(ten, T0 + dt.timedelta(seconds=114)) is None
    assert blocked_until(at(*range(0, 70, 7)), T0 + dt.timedelta(seconds=64)) is None  # 63 s apart: no block
    assert blocked_until(ten, T0 - dt.timedelta(seconds=1)) is None  # failures after "now" do not count
    assert account_key("contact", " Ann@ACME.example ") == "contact:ann@acme.example"


@given(st.lists(st.integers(min_value=0, max_value=300), max_size=30), st.integers(min_value=0, max_value=400))
def test_blocked_exactly_when_some_ten_failures_fit_in_the_window_and_the_lockout_runs(offsets, now_offset):
    failures = at(*offsets)
    now = T0 + dt.timedelta(seconds=now_offset)
    past = sorted(f for f in failures if f <= now)
    expected = [
        past[i + LIMIT - 1] + LOCKOUT
        for i in range(len(past) - LIMIT + 1)
        if past[i + LIMIT - 1] - past[i] <= WINDOW and past[i + LIMIT - 1] + LOCKOUT > now
    ]
    assert blocked_until(failures, now) == (max(expected) if expected else None)
