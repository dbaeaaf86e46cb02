"""The core SLA clock machinery, driven by a minimal policy plugin defined here."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import deskframe
from deskframe import SlaPolicyType
from deskframe.actors import Actor
from deskframe.sla.policy import ClockSpec

MSK = ZoneInfo("Europe/Moscow")


def msk(*args):
    return dt.datetime(*args, tzinfo=MSK)


class SimplePolicy:
    """first_response / resolution targets per priority, update on follow-ups, warn at 50%."""

    def __init__(self, table):
        self.calendar = table["calendar"]
        self.targets = {p: {k: dt.timedelta(minutes=v) for k, v in t.items()} for p, t in table["targets"].items()}
        self.escalate = table.get("escalate")

    def calendar_names(self):
        return {self.calendar}

    def _spec(self, kind, start, target, calendars):
        cal = calendars[self.calendar]
        return ClockSpec(
            kind=kind,
            calendar=self.calendar,
            due=cal.add(start, target),
            warn_at=cal.add(start, target / 2),
            stop_on="resolve" if kind == "resolution" else "reply",
            escalate_to=self.escalate,
        )

    def start(self, facts, calendars):
        targets = self.targets.get(facts.priority, {})
        return [self._spec(k, facts.opened_at, t, calendars) for k, t in targets.items() if k != "update"]

    def restart(self, kind, facts, at, calendars):
        target = self.targets.get(facts.priority, {}).get(kind)
        return self._spec(kind, at, target, calendars) if target else None


class PolicyPlugin:
    @deskframe.hookimpl
    def register_sla_policies(self, register):
        register(SlaPolicyType("simple", SimplePolicy))


CONFIG = """
[desk]
timezone = "Europe/Moscow"
[tickets]
default_sla = "std"
[calendars.msk]
timezone = "Europe/Moscow"
hours = { mon = "10:00-19:00", tue = "10:00-19:00", wed = "10:00-19:00", thu = "10:00-19:00", fri = "10:00-19:00" }
[sla.std]
type = "simple"
calendar = "msk"
escalate = 2
[sla.std.targets]
P1 = { first_response = 60, resolution = 480, update = 120 }
P3 = { first_response = 240 }
"""


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock(msk(2026, 10, 5, 10, 0))  # a Monday


@pytest.fixture
def sla_desk(make_desk, clock):
    desk = make_desk(
        CONFIG.replace("[desk]\ntimezone", "[desk_]\ntimezone").replace("[desk_]\n", ""),
        plugins=[PolicyPlugin()],
        clock=clock,
    )
    desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=Actor.operator())
    return desk


def clocks(desk, number):
    return {c.kind: c for c in desk.sla.clocks(number)}


def test_reply_stops_first_response_as_met(sla_desk, clock):
    t = sla_desk.tickets.open(subject="s", body="b", priority="P1", actor=Actor.operator())
    c = clocks(sla_desk, t.number)
    assert c["first_response"].due_at == msk(2026, 10, 5, 11, 0)
    assert c["resolution"].due_at == msk(2026, 10, 5, 18, 0)
    clock.now = msk(2026, 10, 5, 10, 30)
    assert clocks(sla_desk, t.number)["first_response"].remaining_seconds == 1800
    sla_desk.tickets.reply(t.number, actor=Actor.agent("alice"), body="on it")
    c = clocks(sla_desk, t.number)
    assert (c["first_response"].status, c["resolution"].status) == ("met", "running")


def test_pending_across_a_weekend_credits_paused_working_time(sla_desk, clock):
    clock.now = msk(2026, 10, 9, 18, 0)  # Friday
    t = sla_desk.tickets.open(subject="s", body="b", priority="P1", actor=Actor.operator())
    assert clocks(sla_desk, t.number)["resolution"].due_at == msk(2026, 10, 12, 17, 0)
    clock.now = msk(2026, 10, 9, 18, 30)
    sla_desk.tickets.set_state(t.number, "pending", actor=Actor.operator())
    assert clocks(sla_desk, t.number)["resolution"].status == "paused"
    clock.now = msk(2026, 10, 12, 12, 0)  # Monday noon: 0.5 h Friday + 2 h Monday paused
    sla_desk.tickets.set_state(t.number, "open", actor=Actor.operator())
    res = clocks(sla_desk, t.number)["resolution"]
    assert res.paused_seconds == 9000
    assert res.due_at == msk(2026, 10, 13, 10, 30)
    assert res.remaining_seconds == 7.5 * 3600


def test_a_ticket_read_with_its_clocks_has_the_clocks_read_on_their_own(sla_desk, clock):
    """``ticket_with_clocks`` (the API's show) reads the clocks with the ticket in one statement:
    the same clocks, in the same order, as ``clocks`` reads on their own, for met, paused and
    running clocks, and none for a ticket without any."""
    t = sla_desk.tickets.open(subject="s", body="b", priority="P1", actor=Actor.operator())
    bare = sla_desk.tickets.open(subject="no clocks", body="b", priority="P4", actor=Actor.operator())
    clock.now = msk(2026, 10, 5, 10, 20)
    sla_desk.tickets.reply(t.number, actor=Actor.agent("alice"), body="hi")
    clock.now = msk(2026, 10, 5, 10, 40)
    sla_desk.tickets.set_state(t.number, "pending", actor=Actor.operator())
    clock.now = msk(2026, 10, 5, 11, 0)
    for actor in (None, Actor.agent("alice")):
        ticket, read = sla_desk.sla.ticket_with_clocks(t.number, actor=actor)
        assert ticket.number == t.number
        assert [c.status for c in read] == ["met", "paused"]
        assert read == sla_desk.sla.clocks(t.number)
    assert sla_desk.sla.clocks(bare.number) == []
    assert sla_desk.sla.ticket_with_clocks(bare.number)[1] == []


def test_resolution_stops_on_resolve_and_update_restarts_on_follow_up(sla_desk, clock):
    t = sla_desk.tickets.open(subject="s", body="b", priority="P1", actor=Actor.operator())
    sla_desk.tickets.reply(t.number, actor=Actor.agent("alice"), body="first")
    clock.now = msk(2026, 10, 5, 12, 0)
    sla_desk.tickets.add_article(t.number, direction="in", body="still broken", actor=Actor.operator())
    upd = clocks(sla_desk, t.number)["update"]
    assert upd.status == "running" and upd.due_at == msk(2026, 10, 5, 14, 0)
    clock.now = msk(2026, 10, 5, 15, 0)
    sla_desk.tickets.reply(t.number, actor=Actor.agent("alice"), body="fixed")
    clock.now = msk(2026, 10, 5, 16, 0)
    sla_desk.tickets.set_state(t.number, "resolved", actor=Actor.agent("alice"))
    c = clocks(sla_desk, t.number)
    assert (c["update"].status, c["resolution"].status) == ("missed", "met")


def test_priority_change_retargets_running_clocks(sla_desk, clock):
    t = sla_desk.tickets.open(subject="s", body="b", priority="P3", actor=Actor.operator())
    assert clocks(sla_desk, t.number)["first_response"].due_at == msk(2026, 10, 5, 14, 0)
    sla_desk.tickets.set_priority(t.number, "P1", actor=Actor.operator())
    assert clocks(sla_desk, t.number)["first_response"].due_at == msk(2026, 10, 5, 11, 0)


class Recorder:
    def __init__(self):
        self.events = []

    @deskframe.hookimpl
    def sla_warning(self, event, desk):
        self.events.append(("warning", event.ticket.number, event.clock))

    @deskframe.hookimpl
    def sla_breached(self, event, desk):
        self.events.append(("breached", event.ticket.number, event.clock))


def test_check_warns_then_breaches_once_and_escalates(sla_desk, clock):
    recorder = Recorder()
    from deskframe.testing import registered

    with registered(sla_desk, recorder):
        t = sla_desk.tickets.open(subject="s", body="b", priority="P1", actor=Actor.operator())
        result = sla_desk.sla.check(msk(2026, 10, 5, 10, 31))
        assert (result.warnings, result.breaches) == (1, 0)
        assert sla_desk.sla.check(msk(2026, 10, 5, 10, 45)).warnings == 0
        result = sla_desk.sla.check(msk(2026, 10, 5, 11, 1))
        assert (result.breaches, result.escalations) == (1, 1)
        assert sla_desk.sla.check(msk(2026, 10, 5, 11, 30)).breaches == 0
    assert recorder.events == [("warning", t.number, "first_response"), ("breached", t.number, "first_response")]
    ticket = sla_desk.tickets.get(t.number)
    assert ticket.line == 2
    assert [h.action for h in ticket.history].count("sla_breached") == 1


def _check(config: str, now: str, start) -> tuple[int, int]:
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins

    plugins = build_plugins(entry_points=False, extra=[("policy", PolicyPlugin())])
    desk = Desk(load_config(Path(config), plugins.registry), plugins)
    start.wait(30)
    result = desk.sla.check(dt.datetime.fromisoformat(now))
    desk.close()
    return result.warnings, result.breaches


@pytest.mark.slow
def test_several_check_processes_announce_each_breach_once(sla_desk, clock):
    numbers = [
        sla_desk.tickets.open(subject=f"s{i}", body="b", priority="P1", actor=Actor.operator()).number
        for i in range(30)
    ]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(3) as pool:
        start = manager.Event()
        jobs = [
            pool.apply_async(_check, (str(sla_desk.config.path), msk(2026, 10, 6, 12, 0).isoformat(), start))
            for _ in range(3)
        ]
        start.set()
        results = [j.get(timeout=120) for j in jobs]
    assert sum(b for _, b in results) == 60  # 30 tickets x (first_response, resolution)
    for number in numbers:
        history = [h.action for h in sla_desk.tickets.get(number).history]
        assert history.count("sla_breached") == 2


def test_cli_sla_due_check_report_and_show(sla_desk, clock, cli):
    run = cli(sla_desk)
    due = run(
        "sla",
        "due",
        "--calendar",
        "msk",
        "--start",
        "2026-10-09T18:30:00+03:00",
        "--duration",
        "1h",
        "--format",
        "json",
    )
    assert due.exit_code == 0, due.output
    assert json.loads(due.output)["due"] == "2026-10-12T07:30:00+00:00"
    plain = run("sla", "due", "--calendar", "msk", "--start", "2026-10-05T18:00:00+03:00", "--duration", "1h")
    assert plain.output.strip() == "2026-10-05T19:00:00+03:00"
    bad = run("sla", "due", "--calendar", "nope", "--start", "2026-10-05T18:00:00Z", "--duration", "1h")
    assert bad.exit_code == 2 and "unknown calendar" in bad.output
    naive = run("sla", "due", "--calendar", "msk", "--start", "2026-10-05T18:00:00", "--duration", "1h")
    assert naive.exit_code == 2 and "offset" in naive.output

    sla_desk.directory.add_customer(deskframe.Customer("acme", "ACME"), actor=Actor.operator())
    t = sla_desk.tickets.open(subject="s", body="b", priority="P1", customer="acme", actor=Actor.operator())
    clock.now = msk(2026, 10, 5, 10, 20)
    sla_desk.tickets.reply(t.number, actor=Actor.agent("alice"), body="hi")
    shown = json.loads(run("ticket", "show", t.number, "--format", "json").output)
    assert {c["kind"]: c["status"] for c in shown["clocks"]} == {"first_response": "met", "resolution": "running"}
    text = run("ticket", "show", t.number).output  # the CLI's own desk runs on the real clock: overdue
    assert "SLA clocks:" in text and "resolution" in text and "overdue by" in text
    check = run("sla", "check", "--now", "2026-10-06T12:00:00+03:00", "--format", "json")
    assert json.loads(check.output)["breaches"] == 1
    report = json.loads(run("sla", "report", "--customer", "acme", "--period", "2026-10", "--format", "json").output)
    by_kind = {r["kind"]: r for r in report}
    assert by_kind["first_response"]["met"] == 1 and by_kind["first_response"]["median_seconds"] == 1200
    assert by_kind["resolution"]["breached"] == 1


def test_escalate_command(sla_desk, cli):
    t = sla_desk.tickets.open(subject="s", body="b", actor=Actor.operator())
    out = cli(sla_desk)("ticket", "escalate", t.number, "--to", "3", "--reason", "needs a developer")
    assert out.exit_code == 0, out.output
    ticket = sla_desk.tickets.get(t.number)
    assert ticket.line == 3
    assert ticket.history[-1].reason == "needs a developer"


def test_canned_due_placeholder_is_the_next_sla_due_time(make_desk, clock):
    config = CONFIG.replace("[desk]\ntimezone", "[desk_]\ntimezone").replace("[desk_]\n", "")
    desk = make_desk(
        config + '[canned.ack]\nbody = "Ticket {{ number }}: answer by {{ due }}"\n',
        plugins=[PolicyPlugin()],
        clock=clock,
    )
    ticket = desk.tickets.open(subject="s", body="b", priority="P1", actor=Actor.operator())
    text = desk.tickets.render_canned("ack", ticket.number)
    assert text == f"Ticket {ticket.number}: answer by 2026-10-05 11:00"  # shown in [desk] timezone (Moscow)
    assert desk.tickets.render_canned("ack", ticket.number, values={"due": "soon"}).endswith("by soon")


def test_sla_history_reason_names_the_due_time_in_the_desks_zone(sla_desk, clock, cli):
    """Issue 17, item 5: was ``(due 2026-10-05T08:00:00+00:00)`` in a Moscow desk's ticket show."""
    t = sla_desk.tickets.open(
        subject="s", body="b", priority="P1", actor=Actor.operator()
    )  # first response due 11:00 Moscow
    sla_desk.sla.check(msk(2026, 10, 5, 12, 0))
    run = cli(sla_desk)
    data = json.loads(run("ticket", "show", t.number, "--format", "json").output)
    reasons = {h["action"]: h["reason"] for h in data["history"] if h["action"].startswith("sla_")}
    assert reasons["sla_breached"] == "due 2026-10-05T11:00:00+03:00"  # JSON: ISO 8601 with the offset
    text = run("ticket", "show", t.number).output
    assert "sla_breached first_response (due 2026-10-05 11:00)" in text, text
    assert "+00:00" not in text
