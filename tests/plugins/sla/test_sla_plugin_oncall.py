"""On-call rotation math: shifts across midnight, handovers, DST."""

from __future__ import annotations

import datetime as dt

import pytest
from sla_plugin_util import berlin, msk, utc

from deskframe_sla import oncall
from deskframe_sla.oncall import next_shift, on_duty, shift_at


def rotation(**table):
    base = {
        "timezone": "Europe/Moscow",
        "shift": "19:00-10:00",
        "agents": ["carol", "dave"],
        "rotation": "1w",
        "start": "2026-01-05",
    }
    base.update(table)
    return oncall.validate({"r": base})["r"]


NIGHT = rotation(business_calendar="moscow-8x5", support_types=["24x7", "premium"])


@pytest.mark.parametrize(
    ("at", "agent"),
    [
        (msk(2026, 1, 5, 18, 59, 59), None),  # the first shift has not begun
        (msk(2026, 1, 5, 19, 0), "carol"),  # the rotation starts at the shift start on `start`
        (msk(2026, 1, 6, 0, 0), "carol"),  # midnight inside the shift
        (msk(2026, 1, 6, 9, 59, 59), "carol"),
        (msk(2026, 1, 6, 10, 0), None),  # shifts are [start, end)
        (msk(2026, 1, 6, 14, 0), None),
        (msk(2026, 1, 5, 3, 0), None),  # the night before the rotation's start
        (msk(2026, 1, 11, 23, 0), "carol"),  # Sunday night: the last shift of carol's week
        (msk(2026, 1, 12, 9, 0), "carol"),  # ... which carol finishes on Monday morning
        (msk(2026, 1, 12, 19, 0), "dave"),  # handover at the next shift start
        (utc(2026, 1, 12, 16, 0), "dave"),  # the same instant in UTC
        (msk(2026, 1, 19, 9, 59), "dave"),
        (msk(2026, 1, 19, 19, 0), "carol"),  # back to the first agent
        (msk(2027, 1, 4, 20, 0), "carol"),  # 52 weeks later
    ],
)
def test_night_rotation(at, agent):
    assert on_duty(NIGHT, at) == agent


def test_shift_bounds_and_next_shift():
    shift = shift_at(NIGHT, msk(2026, 1, 6, 3, 0))
    assert shift.agent == "carol" and shift.day == dt.date(2026, 1, 5)
    assert (shift.start, shift.end) == (msk(2026, 1, 5, 19, 0), msk(2026, 1, 6, 10, 0))
    upcoming = next_shift(NIGHT, msk(2026, 1, 6, 12, 0))
    assert (upcoming.agent, upcoming.start) == ("carol", msk(2026, 1, 6, 19, 0))
    assert next_shift(NIGHT, msk(2025, 12, 1, 0, 0)).start == msk(2026, 1, 5, 19, 0)
    assert next_shift(NIGHT, msk(2026, 1, 11, 20, 0)).agent == "dave"
    assert NIGHT.shift_text == "19:00-10:00" and NIGHT.covers("Premium") and not NIGHT.covers("8x5")


def test_daily_day_shift_and_round_the_clock():
    day = rotation(shift="09:00-18:00", agents=["a", "b", "c"], rotation="1d")
    assert [on_duty(day, msk(2026, 1, d, 12, 0)) for d in range(5, 11)] == ["a", "b", "c", "a", "b", "c"]
    assert on_duty(day, msk(2026, 1, 5, 18, 0)) is None and on_duty(day, msk(2026, 1, 6, 8, 59)) is None
    always = rotation(shift="00:00-24:00", agents=["x", "y"], rotation="1d")
    assert on_duty(always, msk(2026, 1, 5, 23, 59, 59)) == "x"
    assert on_duty(always, msk(2026, 1, 6, 0, 0)) == "y"
    evening = rotation(shift="19:00-00:00", agents=["x"], rotation="2w")
    assert on_duty(evening, msk(2026, 1, 5, 23, 59)) == "x" and on_duty(evening, msk(2026, 1, 6, 0, 0)) is None


def test_dst_night_shifts_in_berlin():
    spring = rotation(
        timezone="Europe/Berlin", shift="22:00-06:00", agents=["x", "y"], rotation="1d", start="2026-03-27"
    )
    shift = shift_at(spring, berlin(2026, 3, 29, 3, 30))  # the night the clocks go forward
    assert shift.agent == "y" and shift.day == dt.date(2026, 3, 28)
    assert (shift.start, shift.end) == (utc(2026, 3, 28, 21, 0), utc(2026, 3, 29, 4, 0))
    assert shift.end - shift.start == dt.timedelta(hours=7)
    assert on_duty(spring, utc(2026, 3, 29, 3, 59, 59)) == "y"
    assert on_duty(spring, utc(2026, 3, 29, 4, 0)) is None
    assert on_duty(spring, utc(2026, 3, 29, 20, 0)) == "x"  # 22:00 CEST
    assert on_duty(spring, utc(2026, 3, 29, 19, 59, 59)) is None

    autumn = rotation(
        timezone="Europe/Berlin", shift="22:00-06:00", agents=["x", "y"], rotation="1d", start="2026-10-23"
    )
    shift = shift_at(autumn, utc(2026, 10, 25, 4, 30))
    assert shift.agent == "y" and shift.end - shift.start == dt.timedelta(hours=9)
    assert on_duty(autumn, utc(2026, 10, 25, 5, 0)) is None


def test_weekly_handover_keeps_local_time_across_dst():
    weekly = rotation(
        timezone="Europe/Berlin", shift="22:00-06:00", agents=["x", "y"], rotation="1w", start="2026-03-23"
    )
    assert on_duty(weekly, berlin(2026, 3, 30, 5, 59)) == "x"  # Sunday's night, now in CEST
    assert on_duty(weekly, utc(2026, 3, 30, 19, 59, 59)) is None
    assert on_duty(weekly, utc(2026, 3, 30, 20, 0)) == "y"  # 22:00 CEST, not 21:00 UTC
    assert on_duty(weekly, utc(2026, 3, 23, 21, 0)) == "x"  # 22:00 CET the week before


def test_shift_starting_in_the_gap_or_the_repeated_hour():
    early = rotation(timezone="Europe/Berlin", shift="02:30-08:00", agents=["x"], rotation="1d", start="2026-03-01")
    assert on_duty(early, utc(2026, 3, 29, 0, 59, 59)) is None
    assert on_duty(early, utc(2026, 3, 29, 1, 0)) == "x"  # 02:30 does not exist: the jump
    assert shift_at(early, utc(2026, 10, 25, 3, 0)).start == utc(2026, 10, 25, 0, 30)  # the first 02:30


def test_naive_instant_is_rejected():
    with pytest.raises(ValueError):
        on_duty(NIGHT, dt.datetime(2026, 1, 6, 3, 0))
