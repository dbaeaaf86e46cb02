"""``ticket_opened``: out-of-hours tickets of covered support types go to the agent on duty."""

from __future__ import annotations

import pytest
from sla_plugin_util import msk

import deskframe
from deskframe.testing import Factory

CONFIG = """
[calendars.moscow-8x5]
timezone = "Europe/Moscow"
hours = { "mon-fri" = "10:00-19:00" }

[oncall.night]
timezone = "Europe/Moscow"
shift = "19:00-10:00"
agents = ["carol", "dave"]
rotation = "1w"
start = "2026-01-05"
business_calendar = "moscow-8x5"
support_types = ["24x7", "premium"]

[oncall.weekend]                     # round the clock, but only outside business hours
timezone = "Europe/Moscow"
shift = "00:00-24:00"
agents = ["erin"]
rotation = "1d"
start = "2026-01-05"
business_calendar = "moscow-8x5"
support_types = ["premium"]
"""


class Recorder:
    """Collects ticket_changed events."""

    def __init__(self):
        self.changes = []

    @deskframe.hookimpl
    def ticket_changed(self, event, desk):
        self.changes.append(event)


def open_at(make_desk, when, support_type="premium", config=CONFIG, agents=("carol", "dave", "erin")):
    recorder = Recorder()
    desk = make_desk(config, plugins=[recorder], clock=lambda: when)
    f = Factory(desk)
    for login in agents:
        f.agent(login)
    f.customer("acme")
    if support_type:
        f.contract("acme", key="acme-1", support_type=support_type)
    ticket = f.ticket("acme")
    return desk, desk.tickets.get(ticket.number), recorder


def test_premium_ticket_at_night_goes_to_the_duty_agent(make_desk):
    desk, ticket, recorder = open_at(make_desk, msk(2026, 1, 6, 23, 0))  # Tuesday night
    assert ticket.owner == "carol"
    assert [(h.action, h.actor, h.new) for h in ticket.history if h.action == "owner"] == [("owner", "oncall", "carol")]
    assert [(e.action, e.new, e.actor) for e in recorder.changes] == [("owner", "carol", "oncall")]
    assert desk.last_hook_failures == []


def test_next_week_goes_to_the_next_agent(make_desk):
    _, ticket, _ = open_at(make_desk, msk(2026, 1, 13, 2, 0), support_type="24x7")
    assert ticket.owner == "dave"


def test_business_hours_ticket_is_not_assigned(make_desk):
    _, ticket, recorder = open_at(make_desk, msk(2026, 1, 6, 11, 0))
    assert ticket.owner is None and recorder.changes == []


def test_weekend_day_falls_through_to_the_next_rotation(make_desk):
    # Saturday noon: nobody on the night shift, the weekend rotation covers it
    _, ticket, _ = open_at(make_desk, msk(2026, 1, 10, 12, 0))
    assert ticket.owner == "erin"


@pytest.mark.parametrize("support_type", ["8x5", None])
def test_uncovered_or_no_contract_is_left_alone(make_desk, support_type):
    _, ticket, recorder = open_at(make_desk, msk(2026, 1, 6, 23, 0), support_type=support_type)
    assert ticket.owner is None and recorder.changes == []


def test_nobody_on_duty_before_the_rotation_starts(make_desk):
    _, ticket, _ = open_at(make_desk, msk(2025, 12, 30, 23, 0))
    assert ticket.owner is None


def test_unknown_agent_is_a_reported_hook_failure(make_desk):
    desk, ticket, _ = open_at(make_desk, msk(2026, 1, 6, 23, 0), agents=("dave",))
    assert ticket.owner is None
    assert [(f.plugin, f.hook) for f in desk.last_hook_failures] == [("sla", "ticket_opened")]
    assert "carol" in desk.last_hook_failures[0].error


def test_unknown_business_calendar_stops_start_up_naming_the_key(make_desk):
    from deskframe.errors import ConfigError

    config = CONFIG.replace(
        'business_calendar = "moscow-8x5"\nsupport_types = ["24x7"',
        'business_calendar = "nowhere"\nsupport_types = ["24x7"',
    )
    with pytest.raises(ConfigError, match=r"oncall\.night\.business_calendar: unknown calendar 'nowhere'"):
        make_desk(config)
