"""The ``targets`` policy type: clocks at the edges of business time."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from sla_plugin_util import BERLIN, berlin, msk, utc

from deskframe.errors import ConfigError
from deskframe.sla.policy import SlaPolicy, TicketFacts
from deskframe_sla import targets

STANDARD = {
    "type": "targets",
    "calendar": "moscow-8x5",
    "warn": "80%",
    "pause_states": ["pending"],
    "escalate_on_breach": 2,
    "targets": {
        "P1": {"first_response": "1h", "update": "2h", "resolution": "8h"},
        "P2": {"first_response": "1h", "resolution": "16h"},
        "P3": {"first_response": "4h"},
        "P4": {"first_response": "1d"},
    },
    "support_types": {
        "premium": {"calendar": "always", "targets": {"P1": {"first_response": "15m", "resolution": "4h"}}},
        "24x7": {"calendar": "always"},
    },
}


def policy(**changes):
    table = copy.deepcopy(STANDARD)
    table.update(changes)
    return targets.build(table)


def facts(priority, opened_at, support_type=None):
    return TicketFacts(number="T1", priority=priority, opened_at=opened_at, support_type=support_type)


def clocks(pol, f, calendars):
    return {c.kind: c for c in pol.start(f, calendars)}


def test_p1_before_opening_counts_from_opening(calendars):
    pol = policy()
    assert isinstance(pol, SlaPolicy)
    got = pol.start(facts("P1", msk(2026, 2, 2, 9, 0)), calendars)
    assert [c.kind for c in got] == ["first_response", "resolution"]  # update comes from restart only
    first, resolution = got
    assert first.due == msk(2026, 2, 2, 11, 0) and first.warn_at == msk(2026, 2, 2, 10, 48)
    assert resolution.due == msk(2026, 2, 2, 18, 0) and resolution.warn_at == msk(2026, 2, 2, 16, 24)
    assert (first.stop_on, resolution.stop_on) == ("reply", "resolve")
    assert first.calendar == "moscow-8x5" and first.pause_on == ("pending",) and first.escalate_to == 2
    assert first.due.tzinfo is not None


def test_deadline_exactly_at_frame_end_stays_on_that_day(calendars):
    first = clocks(policy(), facts("P1", msk(2026, 2, 2, 18, 0)), calendars)["first_response"]
    assert first.due == msk(2026, 2, 2, 19, 0)
    assert first.warn_at == msk(2026, 2, 2, 18, 48)


def test_friday_evening_runs_over_the_weekend(calendars):
    got = clocks(policy(), facts("P1", msk(2026, 2, 6, 18, 30)), calendars)
    assert got["first_response"].due == msk(2026, 2, 9, 10, 30)
    assert got["first_response"].warn_at == msk(2026, 2, 9, 10, 18)


def test_multi_day_and_day_units(calendars):
    got = clocks(policy(), facts("P2", msk(2026, 2, 2, 11, 0)), calendars)
    assert got["resolution"].due == msk(2026, 2, 3, 18, 0)  # 8h Monday + 8h Tuesday
    # "1d" is 24 hours of working time (durations are plain lengths): 9h + 9h + 6h
    p4 = clocks(policy(), facts("P4", msk(2026, 2, 2, 10, 0)), calendars)
    assert p4["first_response"].due == msk(2026, 2, 4, 16, 0)


def test_priority_without_targets_gets_no_clocks(calendars):
    table = copy.deepcopy(STANDARD)
    del table["targets"]["P4"]
    pol = targets.build(table)
    assert pol.start(facts("P4", msk(2026, 2, 2, 11, 0)), calendars) == []
    assert list(clocks(pol, facts("P3", msk(2026, 2, 2, 11, 0)), calendars)) == ["first_response"]


def test_warn_percentage_versus_lead_time(calendars):
    opened = msk(2026, 2, 6, 18, 30)  # Friday, 30 minutes before closing
    pct = clocks(policy(warn="80%"), facts("P1", opened), calendars)["first_response"]
    lead = clocks(policy(warn="15m"), facts("P1", opened), calendars)["first_response"]
    assert pct.due == lead.due == msk(2026, 2, 9, 10, 30)
    assert pct.warn_at == msk(2026, 2, 9, 10, 18)  # 48 working minutes after opening
    assert lead.warn_at == msk(2026, 2, 9, 10, 15)  # 15 working minutes before due
    # a lead of the target's size or more clamps at the opening (or the next working instant)
    assert clocks(policy(warn="2h"), facts("P1", msk(2026, 2, 2, 11, 0)), calendars)["first_response"].warn_at == msk(
        2026, 2, 2, 11, 0
    )
    assert clocks(policy(warn="1h"), facts("P1", msk(2026, 2, 7, 11, 0)), calendars)["first_response"].warn_at == msk(
        2026, 2, 9, 10, 0
    )
    # a lead longer than the working time left today lands on the previous working day
    res = clocks(policy(warn="2h"), facts("P2", msk(2026, 2, 2, 11, 0)), calendars)["resolution"]
    assert res.warn_at == msk(2026, 2, 3, 16, 0)
    full = clocks(policy(warn="100%"), facts("P1", opened), calendars)["first_response"]
    assert full.warn_at == full.due
    fraction = clocks(policy(warn="87.5%"), facts("P1", msk(2026, 2, 2, 10, 0)), calendars)["first_response"]
    assert fraction.warn_at == msk(2026, 2, 2, 10, 52, 30)
    table = copy.deepcopy(STANDARD)
    del table["warn"]
    assert all(c.warn_at is None for c in targets.build(table).start(facts("P1", opened), calendars))


def test_support_type_overrides(calendars):
    pol = policy()
    night = utc(2026, 2, 7, 0, 0)  # Saturday 03:00 in Moscow
    premium = clocks(pol, facts("P1", night, "premium"), calendars)
    assert premium["first_response"].due == utc(2026, 2, 7, 0, 15)
    assert premium["first_response"].calendar == "always"
    assert premium["resolution"].due == utc(2026, 2, 7, 4, 0)
    # what the override does not name is inherited: warn, escalation, and P1's update target
    assert premium["first_response"].warn_at == utc(2026, 2, 7, 0, 12)
    assert premium["resolution"].escalate_to == 2
    update = pol.restart("update", facts("P1", night, "premium"), utc(2026, 2, 7, 1, 0), calendars)
    assert update.due == utc(2026, 2, 7, 3, 0) and update.calendar == "always"
    # a priority the override does not mention keeps the base targets on the override's calendar
    assert clocks(pol, facts("P2", night, "Premium"), calendars)["resolution"].due == utc(2026, 2, 7, 16, 0)
    assert clocks(pol, facts("P1", night, "24x7"), calendars)["first_response"].due == utc(2026, 2, 7, 1, 0)
    # unknown or missing support type: the base terms
    for kind in ("warranty", None):
        assert clocks(pol, facts("P1", night, kind), calendars)["first_response"].due == msk(2026, 2, 9, 11, 0)
    assert pol.calendar_names() == {"moscow-8x5", "always"}


def test_override_can_change_pause_warn_and_escalation(calendars):
    table = copy.deepcopy(STANDARD)
    table["support_types"]["warranty"] = {"pause_states": ["pending", "new"], "warn": "10m", "escalate_on_breach": 3}
    got = clocks(targets.build(table), facts("P1", msk(2026, 2, 2, 11, 0), "warranty"), calendars)
    assert got["first_response"].pause_on == ("pending", "new")
    assert got["first_response"].warn_at == msk(2026, 2, 2, 11, 50)
    assert got["first_response"].escalate_to == 3
    assert got["first_response"].calendar == "moscow-8x5"


def test_restart_update_counts_from_the_follow_up(calendars):
    pol = policy()
    f = facts("P1", msk(2026, 2, 2, 11, 0))
    update = pol.restart("update", f, msk(2026, 2, 3, 18, 30), calendars)
    assert update.kind == "update" and update.stop_on == "reply"
    assert update.due == msk(2026, 2, 4, 11, 30)
    assert update.warn_at == msk(2026, 2, 4, 11, 6)  # 80% of 2h = 96 working minutes
    assert pol.restart("update", facts("P2", f.opened_at), msk(2026, 2, 3, 18, 30), calendars) is None
    assert pol.restart("nonsense", f, msk(2026, 2, 3, 18, 30), calendars) is None
    again = pol.restart("first_response", f, msk(2026, 2, 3, 12, 0), calendars)
    assert again.due == msk(2026, 2, 3, 13, 0)


def test_dst_weekends_in_berlin(calendars):
    table = {
        "type": "targets",
        "calendar": "berlin-9x5",
        "warn": "50%",
        "targets": {"P1": {"first_response": "30m", "resolution": "2h"}},
        "support_types": {"24x7": {"calendar": "berlin-24x7", "targets": {"P1": {"resolution": "8h"}}}},
    }
    pol = targets.build(table)
    # spring forward on Sunday 2026-03-29: Friday CET (UTC+1), Monday CEST (UTC+2)
    got = clocks(pol, facts("P1", berlin(2026, 3, 27, 16, 0)), calendars)
    assert got["resolution"].due == berlin(2026, 3, 30, 10, 0) == utc(2026, 3, 30, 8, 0)
    assert got["resolution"].warn_at == berlin(2026, 3, 27, 17, 0)
    got = clocks(pol, facts("P1", berlin(2026, 3, 27, 16, 45)), calendars)
    assert got["first_response"].due == utc(2026, 3, 30, 7, 15)
    # fall back on Sunday 2026-10-25: Friday CEST, Monday CET
    got = clocks(pol, facts("P1", berlin(2026, 10, 23, 16, 0)), calendars)
    assert got["resolution"].due == utc(2026, 10, 26, 9, 0)
    # round the clock over the night of the change: 8 real hours, 7 or 9 on the wall clock
    spring = clocks(pol, facts("P1", berlin(2026, 3, 28, 22, 0), "24x7"), calendars)["resolution"]
    assert spring.due == utc(2026, 3, 29, 5, 0) == berlin(2026, 3, 29, 7, 0)
    assert spring.warn_at == berlin(2026, 3, 29, 3, 0)
    autumn = clocks(pol, facts("P1", berlin(2026, 10, 24, 22, 0), "24x7"), calendars)["resolution"]
    assert autumn.due == utc(2026, 10, 25, 4, 0) == berlin(2026, 10, 25, 5, 0)
    local = autumn.warn_at.astimezone(BERLIN)  # the first of the two 02:00s (CEST)
    assert autumn.warn_at == utc(2026, 10, 25, 0, 0)
    assert (local.hour, local.minute, local.utcoffset()) == (2, 0, dt.timedelta(hours=2))


def test_unknown_calendar_at_start_is_a_config_error(calendars):
    pol = targets.build({**STANDARD, "calendar": "nowhere"})
    with pytest.raises(ConfigError, match="unknown calendar 'nowhere'"):
        pol.start(facts("P1", msk(2026, 2, 2, 11, 0)), calendars)
    assert pol.calendar_names() == {"nowhere", "always"}


def test_warn_describe_round_trips():
    assert targets.build(STANDARD).base.warn.describe() == "80%"
    assert policy(warn="1h30m").base.warn.describe() == "1h30m"
    assert policy(warn="1h30m").base.warn.lead == dt.timedelta(minutes=90)
