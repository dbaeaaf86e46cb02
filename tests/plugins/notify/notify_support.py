"""Helpers of the notification tests: a desk with an e-mail channel sending to the sink, SLA,
an on-call rotation, billing and ``[notify]``; and the messages the sink received."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from deskframe.actors import Actor
from deskframe.testing import Factory

MSK = ZoneInfo("Europe/Moscow")
OP = Actor.operator()


def msk(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=MSK)


def config(smtp_url: str, notify: str) -> str:
    return (
        'timezone = "Europe/Moscow"\n'
        f"""
[calendars.moscow-8x5]
timezone = "Europe/Moscow"
hours = {{ "mon-fri" = "10:00-19:00" }}

[calendars.always]
hours = "24x7"

[sla.standard]
type = "targets"
calendar = "moscow-8x5"
warn = "80%"
[sla.standard.targets]
P1 = {{ first_response = "1h", resolution = "8h" }}
P2 = {{ first_response = "4h" }}
P3 = {{ first_response = "8h" }}
P4 = {{ first_response = "1d" }}
[sla.standard.support_types.premium]
calendar = "always"
targets = {{ P1 = {{ first_response = "1h", resolution = "4h" }} }}

[oncall.night]
timezone = "Europe/Moscow"
shift = "00:00-24:00"              # round the clock: the business calendar decides
agents = ["carol"]
rotation = "1w"
start = "2026-01-05"
business_calendar = "moscow-8x5"

[billing]
series = "INV"
public_url = "https://desk.example"
[billing.vendor]
name = "Studio LLC"

[pricing.hourly]
model = "hourly"
currency = "RUB"
rates = {{ default = "1500.00" }}

[[channels]]
name = "support-mail"
type = "email"
source = "mbox:/nonexistent/inbox"
address = "support@desk.example"
smtp = {json.dumps(smtp_url)}
timeout = 5

[notify]
{notify}
"""
    )


NOTIFY = """channel = "support-mail"
language = "en"
languages = { "ivan@customer.example" = "ru", carol = "ru" }
watchers = { support = ["bob"] }
"""


def setup(desk: Any) -> Factory:
    f = Factory(desk)
    f.customer("acme", name="ACME")
    from deskframe.model import Contact

    desk.directory.add_contact(
        Contact("Ivan", email="ivan@customer.example", customer="acme", customer_admin=True), actor=OP
    )
    f.contract(
        "acme", key="acme-premium", support_type="premium", sla="standard", pricing="hourly", start=dt.date(2026, 1, 1)
    )
    for login in ("alice", "bob", "carol"):
        f.agent(login)
    return f


def delivered(desk: Any, sink: Any) -> list[Any]:
    """Deliver every due message through ``desk.outbox.deliver_due``; the sink's parsed messages."""
    while desk.outbox.deliver_due("notify-test", limit=100) >= 100:
        pass
    return sink.parsed()


def by_recipient(messages: list[Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for m in messages:
        out.setdefault(str(m["To"]).strip("<>").split("<")[-1].strip(">").lower(), []).append(m)
    return out
