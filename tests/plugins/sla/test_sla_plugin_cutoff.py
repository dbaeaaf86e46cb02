"""The ``cutoff`` policy type: the web studio's "today before noon, else by noon of the next working day"."""

from __future__ import annotations

import datetime as dt

import pytest
from sla_plugin_util import berlin, msk, utc

from deskframe.sla import Calendar
from deskframe.sla.policy import SlaPolicy, TicketFacts
from deskframe_sla import cutoff

NOON = 12 * 60

# Moscow, 10:00-19:00 on weekdays; Friday 2026-02-13 is a holiday; Friday 2026-02-20 is a short day.
STUDIO = Calendar(
    timezone="Europe/Moscow",
    hours={"mon-fri": "10:00-19:00"},
    extra_holidays=["2026-02-13"],
    extra_workdays={"2026-02-20": "10:00-11:00"},
    name="studio",
)


@pytest.mark.parametrize(
    ("opened", "due"),
    [
        pytest.param(msk(2026, 2, 2, 11, 59, 59), msk(2026, 2, 2, 19, 0), id="11:59:59 same day"),
        pytest.param(msk(2026, 2, 2, 12, 0, 0), msk(2026, 2, 3, 12, 0), id="exactly 12:00 counts as after"),
        pytest.param(msk(2026, 2, 2, 12, 0, 0, 1), msk(2026, 2, 3, 12, 0), id="just after 12:00"),
        pytest.param(msk(2026, 2, 2, 9, 0), msk(2026, 2, 2, 19, 0), id="before opening"),
        pytest.param(msk(2026, 2, 2, 0, 30), msk(2026, 2, 2, 19, 0), id="after midnight"),
        pytest.param(msk(2026, 2, 2, 19, 30), msk(2026, 2, 3, 12, 0), id="after closing"),
        pytest.param(msk(2026, 2, 6, 11, 0), msk(2026, 2, 6, 19, 0), id="friday morning"),
        pytest.param(msk(2026, 2, 6, 12, 30), msk(2026, 2, 9, 12, 0), id="friday after cutoff -> monday"),
        pytest.param(msk(2026, 2, 7, 10, 0), msk(2026, 2, 9, 12, 0), id="saturday"),
        pytest.param(msk(2026, 2, 8, 23, 59), msk(2026, 2, 9, 12, 0), id="sunday night"),
        pytest.param(msk(2026, 2, 12, 11, 0), msk(2026, 2, 12, 19, 0), id="day before holiday, morning"),
        pytest.param(msk(2026, 2, 12, 13, 0), msk(2026, 2, 16, 12, 0), id="day before friday holiday -> monday"),
        pytest.param(msk(2026, 2, 13, 9, 0), msk(2026, 2, 16, 12, 0), id="on the friday holiday"),
        pytest.param(msk(2026, 2, 19, 15, 0), msk(2026, 2, 20, 11, 0), id="next day is short: its end"),
        pytest.param(msk(2026, 2, 20, 10, 30), msk(2026, 2, 20, 11, 0), id="short day, before its end"),
        pytest.param(msk(2026, 2, 20, 11, 30), msk(2026, 2, 23, 12, 0), id="short day over, before cutoff"),
        pytest.param(utc(2026, 2, 2, 8, 59, 59), msk(2026, 2, 2, 19, 0), id="given in UTC"),
    ],
)
def test_cutoff_due(opened, due):
    assert cutoff.cutoff_due(STUDIO, opened, NOON) == due


def test_public_holiday_on_a_friday():
    moscow = Calendar(timezone="Europe/Moscow", hours={"mon-fri": "10:00-19:00"}, holidays={"country": "RU"})
    # Russia Day, Friday 2026-06-12
    assert moscow.frames_on(dt.date(2026, 6, 12)) == []
    assert cutoff.cutoff_due(moscow, msk(2026, 6, 11, 11, 0), NOON) == msk(2026, 6, 11, 19, 0)
    assert cutoff.cutoff_due(moscow, msk(2026, 6, 11, 13, 0), NOON) == msk(2026, 6, 15, 12, 0)
    # the New Year holidays: nothing until Monday 2026-01-12
    assert cutoff.cutoff_due(moscow, msk(2025, 12, 30, 11, 0), NOON) == msk(2025, 12, 30, 19, 0)
    assert cutoff.cutoff_due(moscow, msk(2025, 12, 30, 12, 0), NOON) == msk(2026, 1, 12, 12, 0)


def test_lunch_break_and_late_opening():
    lunch = Calendar(timezone="Europe/Moscow", hours={"mon-fri": "10:00-13:00,14:00-19:00"})
    assert cutoff.cutoff_due(lunch, msk(2026, 2, 2, 11, 0), NOON) == msk(2026, 2, 2, 19, 0)
    late = Calendar(timezone="Europe/Moscow", hours={"mon-fri": "14:00-22:00"})
    assert cutoff.cutoff_due(late, msk(2026, 2, 2, 11, 0), NOON) == msk(2026, 2, 2, 22, 0)
    # a cutoff before the next day's opening moves to the opening
    assert cutoff.cutoff_due(late, msk(2026, 2, 2, 15, 0), NOON) == msk(2026, 2, 3, 14, 0)


def test_cutoff_across_a_dst_weekend():
    cal = Calendar(timezone="Europe/Berlin", hours={"mon-fri": "09:00-17:00"})
    assert cutoff.cutoff_due(cal, berlin(2026, 3, 27, 13, 0), NOON) == utc(2026, 3, 30, 10, 0)
    assert cutoff.cutoff_due(cal, berlin(2026, 10, 23, 13, 0), NOON) == utc(2026, 10, 26, 11, 0)


def build(**extra):
    return cutoff.build({"type": "cutoff", "calendar": "studio", "cutoff": "12:00", **extra})


def facts(opened):
    return TicketFacts(number="T1", priority="P3", opened_at=opened)


def test_policy_defaults_and_clock():
    pol = build()
    assert isinstance(pol, SlaPolicy)
    assert pol.calendar_names() == {"studio"}
    [clock] = pol.start(facts(msk(2026, 2, 2, 12, 0)), {"studio": STUDIO})
    assert clock.kind == "acknowledgement" and clock.stop_on == "reply" and clock.calendar == "studio"
    assert clock.due == msk(2026, 2, 3, 12, 0)
    assert clock.warn_at is None and clock.pause_on == ("pending",) and clock.escalate_to is None


def test_policy_options():
    pol = build(
        kind="estimate", stop_on="resolve", pause_states=["pending", "new"], escalate_on_breach=2, cutoff="13:30"
    )
    [clock] = pol.start(facts(msk(2026, 2, 2, 13, 29)), {"studio": STUDIO})
    assert (clock.kind, clock.stop_on, clock.pause_on, clock.escalate_to) == (
        "estimate",
        "resolve",
        ("pending", "new"),
        2,
    )
    assert clock.due == msk(2026, 2, 2, 19, 0)
    [clock] = pol.start(facts(msk(2026, 2, 2, 13, 30)), {"studio": STUDIO})
    assert clock.due == msk(2026, 2, 3, 13, 30)


@pytest.mark.parametrize(
    ("warn", "opened", "warn_at"),
    [
        ("1h", msk(2026, 2, 2, 11, 0), msk(2026, 2, 2, 18, 0)),
        ("1h", msk(2026, 2, 2, 15, 0), msk(2026, 2, 3, 11, 0)),  # 6 working hours to Tuesday noon
        ("3h", msk(2026, 2, 2, 15, 0), msk(2026, 2, 2, 18, 0)),  # the lead reaches back into Monday
        ("50%", msk(2026, 2, 2, 15, 0), msk(2026, 2, 2, 18, 0)),
        ("10h", msk(2026, 2, 7, 15, 0), msk(2026, 2, 9, 10, 0)),  # clamped: the next opening
    ],
)
def test_warn(warn, opened, warn_at):
    [clock] = build(warn=warn).start(facts(opened), {"studio": STUDIO})
    assert clock.warn_at == warn_at


def test_restart_only_for_its_own_kind():
    pol = build()
    f = facts(msk(2026, 2, 2, 9, 0))
    again = pol.restart("acknowledgement", f, msk(2026, 2, 6, 12, 30), {"studio": STUDIO})
    assert again.due == msk(2026, 2, 9, 12, 0)
    assert pol.restart("update", f, msk(2026, 2, 6, 12, 30), {"studio": STUDIO}) is None


def test_naive_time_is_rejected():
    with pytest.raises(ValueError):
        cutoff.cutoff_due(STUDIO, dt.datetime(2026, 2, 2, 11, 0), NOON)
