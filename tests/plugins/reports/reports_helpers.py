"""A hand-built desk for the report tests: known tickets, SLA clocks and time in October 2026.

Calendar ``msk``: 10:00-19:00 Moscow time, Monday to Friday; 2 October 2026 (a Friday) is
an extra holiday, so Friday's hours do not count. SLA ``std`` (targets policy): P1 first
response 1 h, resolution 8 h; P3 first response 4 h, resolution 16 h. Customer ``acme``
has the 8x5 contract ``acme-8x5`` with 10 included hours. Every event is placed with a
:class:`deskframe.testing.Clock`; the report is made on 2026-11-05 12:00 UTC.

October (local times; working hours in brackets):

====  ===  =========================  ===================  ===================  ==========
T     pri  opened                     first reply          resolved             outcome
====  ===  =========================  ===================  ===================  ==========
t1    P1   Thu 1 Oct 10:00            10:30 (0.5 h met)    15:00 (5 h met)
t2    P1   Thu 1 Oct 18:00            Mon 5 11:30 (2.5 h)  Mon 5 18:00 (9 h)    both missed
t3    P3   Sat 3 Oct 12:00 (outside)  Mon 5 10:30 (0.5 h)  -                    resolution overdue
t4    P3   Tue 6 Oct 20:00 (outside)  Wed 7 12:00 (2 h)    Wed 7 18:00 (8 h)
v1-3  P3   Mon 12 Oct 11:00, 12:00,   -                    -                    open; first response
           13:00 "VPN timeout ..."                                              overdue
====  ===  =========================  ===================  ===================  ==========

Plus ``s1`` (P3) opened Tue 15 Sep 11:00 and resolved Thu 1 Oct 12:00 (resolved in
October, opened in September), and ``s2`` opened and resolved in September.

Time: October: anna 120 min billable on t1, 30 min non-billable on t2; boris 90 min
billable on t4. September: anna 60 min on s2. August: nothing. So 3.5 h of 10 h (35 %)
were used in October, 10 % in September and 0 % in August.
"""

from __future__ import annotations

import datetime as dt
import json

import attrs
from sqlalchemy import update

from deskframe.actors import Actor
from deskframe.store.rows import SlaClockRow
from deskframe.testing import Clock
from deskframe_reports import build_report, render_report

#: The local operator, who sets up the directory.
OP = Actor.operator()

MSK = dt.timezone(dt.timedelta(hours=3))
NOW = dt.datetime(2026, 11, 5, 12, 0, tzinfo=dt.timezone.utc)
HOSTILE = "<script>alert('x')</script> VPN timeout & login"

CONFIG = """timezone = "Europe/Moscow"
[tickets]
default_sla = "std"
[tickets.priorities]
P1 = "critical"
P2 = "high"
P3 = "normal"
P4 = "low"
[calendars.msk]
timezone = "Europe/Moscow"
hours = { mon = "10:00-19:00", tue = "10:00-19:00", wed = "10:00-19:00", thu = "10:00-19:00", fri = "10:00-19:00" }
extra_holidays = ["2026-10-02"]
[sla.std]
type = "targets"
calendar = "msk"
[sla.std.targets]
P1 = { first_response = "1h", resolution = "8h" }
P3 = { first_response = "4h", resolution = "16h" }
[sla.std.support_types.24x7]
calendar = "always"
[oncall.night]
timezone = "Europe/Moscow"
shift = "19:00-10:00"
agents = ["boris"]
rotation = "1w"
start = "2026-01-05"
business_calendar = "msk"
support_types = ["24x7", "premium"]
[billing]
locale = "en"
"""


def at(day: int, hour: int, minute: int = 0, month: int = 10) -> dt.datetime:
    """A Moscow wall-clock time of 2026 as an aware instant."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=MSK)


@attrs.define
class Scenario:
    """The desk, its clock and the ticket numbers by name."""

    desk: object
    clock: Clock
    t: dict[str, str]

    def open(self, name: str, when: dt.datetime, priority: str, subject: str | None = None, **kw: object) -> str:
        self.clock.now = when
        ticket = self.desk.tickets.open(
            subject=subject or f"Ticket {name}", body="Help", priority=priority, actor=Actor.operator(), **kw
        )
        self.t[name] = ticket.number
        return ticket.number

    def reply(self, name: str, when: dt.datetime, agent: str = "anna") -> None:
        self.clock.now = when
        self.desk.tickets.reply(self.t[name], actor=Actor.agent(agent), body="On it.")

    def resolve(self, name: str, when: dt.datetime, agent: str = "anna") -> None:
        self.clock.now = when
        self.desk.tickets.set_state(self.t[name], "resolved", actor=Actor.agent(agent))

    def log(self, name: str, agent: str, minutes: int, day: dt.date, billable: bool = True) -> None:
        self.clock.now = max(self.clock.now, dt.datetime.combine(day, dt.time(16), MSK))
        self.desk.time.log(self.t[name], actor=Actor.agent(agent), minutes=minutes, date=day, billable=billable)


def build(
    make_desk,
    *,
    vpn_subjects: tuple[str, ...] | None = None,
    included_hours: int = 10,
    public_url: str | None = None,
) -> Scenario:
    """The scenario of this module's docstring (``vpn_subjects`` replaces the three VPN subjects;
    ``public_url`` is set as ``[billing] public_url`` when given)."""
    from deskframe.model import Agent, Contract, Customer

    clock = Clock(at(1, 9, month=8))
    extra = "" if public_url is None else f"public_url = {json.dumps(public_url)}\n"
    desk = make_desk(CONFIG + extra, clock=clock)
    desk.directory.add_customer(Customer(key="acme", name="Acme & Co"), actor=OP)
    desk.directory.add_agent(
        Agent(login="anna", name="Anna Petrova", email="anna@vendor.example", access="admin"), actor=OP
    )
    desk.directory.add_agent(Agent(login="boris", name="Boris", email="boris@vendor.example", access="admin"), actor=OP)
    desk.directory.add_contract(
        Contract(
            key="acme-8x5",
            customer="acme",
            support_type="8x5",
            sla="std",
            params={"included_hours": included_hours},
            start=dt.date(2026, 1, 1),
        ),
        actor=OP,
    )
    s = Scenario(desk, clock, {})
    vpn = vpn_subjects or ("VPN timeout on login", "Re: VPN timeouts again", HOSTILE)
    s.open("s1", at(15, 11, month=9), "P3", customer="acme")
    s.reply("s1", at(15, 11, 30, month=9))
    s.open("s2", at(16, 11, month=9), "P3", customer="acme")
    s.reply("s2", at(16, 11, 30, month=9))
    s.resolve("s2", at(16, 14, month=9))
    s.log("s2", "anna", 60, dt.date(2026, 9, 16))
    s.open("t1", at(1, 10), "P1", customer="acme")
    s.reply("t1", at(1, 10, 30))
    s.resolve("s1", at(1, 12))
    s.resolve("t1", at(1, 15))
    s.log("t1", "anna", 120, dt.date(2026, 10, 1))
    s.open("t2", at(1, 18), "P1", customer="acme")
    s.open("t3", at(3, 12), "P3", customer="acme")
    s.reply("t3", at(5, 10, 30))
    s.reply("t2", at(5, 11, 30))
    s.resolve("t2", at(5, 18))
    s.log("t2", "anna", 30, dt.date(2026, 10, 5), billable=False)
    s.open("t4", at(6, 20), "P3", customer="acme")
    s.reply("t4", at(7, 12), agent="boris")
    s.resolve("t4", at(7, 18), agent="boris")
    s.log("t4", "boris", 90, dt.date(2026, 10, 7))
    for i, subject in enumerate(vpn, start=1):
        s.open(f"v{i}", at(12, 10 + i), "P3", subject=subject, customer="acme")
    clock.now = NOW
    return s


def october_outputs(scenario):
    """The October report of ``acme`` and its json, html, csv and text renderings."""
    report, locale = build_report(scenario.desk, "acme", "2026-10")
    return report, [render_report(scenario.desk, report, fmt, locale) for fmt in ("json", "html", "csv", "text")]


def set_clock_column(scenario, column, value, number=None, kind=None):
    """Set one stored figure of the SLA clocks (``business_us``, ``target_us``) to ``value``: of
    every clock, or of ticket ``number``'s ``kind`` clock - as a migration leaves older clocks."""
    with scenario.desk.store.write() as repo:
        query = update(SlaClockRow).values({column: value})
        if number is not None:
            ticket = repo.ticket_row(number)
            query = query.where(SlaClockRow.ticket_id == ticket.id, SlaClockRow.kind == kind)
        repo.session.execute(query)
