"""The plugin inside a running desk: the core starts the plugin's clocks, the rotation assigns."""

from __future__ import annotations

import datetime as dt

import pytest
from sla_plugin_util import EXAMPLE, msk

from deskframe.actors import Actor
from deskframe.testing import Factory


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(msk(2026, 1, 10, 3, 0))  # Saturday night, inside the New Year holidays


@pytest.fixture
def desk(make_desk, clock):
    desk = make_desk(EXAMPLE, clock=clock)
    f = Factory(desk)
    for login in ("carol", "dave"):
        f.agent(login)
    f.customer("bank")
    f.contract("bank", key="bank-premium", support_type="premium", sla="standard")
    f.customer("shop")
    f.contract("shop", key="shop-hourly", support_type="8x5", sla="studio")
    return desk


def clocks(desk, number):
    return {c.kind: c for c in desk.sla.clocks(number)}


def test_premium_p1_at_night(desk, clock):
    ticket = desk.tickets.open(
        subject="Outage", body="All down", customer="bank", priority="P1", actor=Actor.operator()
    )
    assert desk.tickets.get(ticket.number).owner == "carol"  # Friday's night shift, first week
    got = clocks(desk, ticket.number)
    assert set(got) == {"first_response", "resolution"}
    assert got["first_response"].due_at == msk(2026, 1, 10, 3, 15)
    assert got["resolution"].due_at == msk(2026, 1, 10, 7, 0)
    clock.now = msk(2026, 1, 10, 3, 10)
    desk.tickets.reply(ticket.number, actor=Actor.agent("carol"), body="Looking into it")
    got = clocks(desk, ticket.number)
    assert (got["first_response"].status, got["resolution"].status) == ("met", "running")


def test_studio_request_during_the_holidays(desk, clock):
    ticket = desk.tickets.open(subject="New page", body="Please add a page", customer="shop", actor=Actor.operator())
    assert desk.tickets.get(ticket.number).owner is None  # 8x5: not routed to the night shift
    [ack] = desk.sla.clocks(ticket.number)
    assert ack.kind == "acknowledgement"
    assert ack.due_at == msk(2026, 1, 12, 12, 0)  # the first working day after the RU New Year holidays
    assert ack.remaining_seconds == int(dt.timedelta(hours=2).total_seconds())  # working time left
