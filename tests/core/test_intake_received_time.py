"""An inbound article's time: the channel's receipt time, never after the desk's present.

A desk on a simulated or replayed clock (``--now``, the demo) must not show a customer's
request as written after the agent's answer to it.
"""

from __future__ import annotations

import datetime as dt

from deskframe import InboundMessage

DESK_NOW = dt.datetime(2026, 10, 1, 6, 50, tzinfo=dt.timezone.utc)  # 09:50 in Moscow


def message(external_id: str, received_at: dt.datetime | None) -> InboundMessage:
    return InboundMessage(
        channel="mail",
        external_id=external_id,
        received_at=received_at,
        sender="ivan@acme.example",
        subject=f"Request {external_id}",
        text="Help",
        message_id=f"{external_id}@acme.example",
        raw=b"From: ivan@acme.example\r\n\r\nHelp",
    )


def test_a_receipt_time_after_the_desks_clock_becomes_the_desks_clock(make_desk):
    desk = make_desk(clock=lambda: DESK_NOW)
    wall_clock = dt.datetime(2026, 12, 3, 7, 0, tzinfo=dt.timezone.utc)  # the file's real delivery time
    result = desk.intake.receive(message("later", wall_clock))
    assert desk.tickets.get(result.ticket).articles[0].created_at == DESK_NOW


def test_an_earlier_receipt_time_is_kept_and_none_means_now(make_desk):
    desk = make_desk(clock=lambda: DESK_NOW)
    earlier = DESK_NOW - dt.timedelta(hours=3)
    kept = desk.intake.receive(message("earlier", earlier))
    assert desk.tickets.get(kept.ticket).articles[0].created_at == earlier
    unknown = desk.intake.receive(message("unknown", None))
    assert desk.tickets.get(unknown.ticket).articles[0].created_at == DESK_NOW
