"""The ticket lifecycle through Desk: open, reply, note, lock, assign, states, merge, search."""

from __future__ import annotations

import pytest

from deskframe import numbering
from deskframe.actors import Actor
from deskframe.errors import DomainError, NotFound, TicketLocked


@pytest.fixture
def team(factory):
    factory.agent("alice", role="developer")
    factory.agent("bob", line=2)
    return factory


def test_open_gives_valid_datechecksum_number(desk, factory):
    ticket = factory.ticket(subject="Site down")
    assert len(ticket.number) == 16
    assert numbering.is_valid("DateChecksum", "10", ticket.number)
    assert ticket.state == "new" and ticket.priority == "P3" and ticket.queue == "support"
    shown = desk.tickets.get(ticket.number)
    assert [a.text for a in shown.articles] == ["Help, please."]
    assert shown.history[0].action == "created"


def test_reply_takes_lock_sets_owner_and_opens(desk, team):
    ticket = team.ticket()
    article = desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="Looking into it")
    assert article.direction == "out"
    assert f"[Ticket#{ticket.number}]" in article.subject
    shown = desk.tickets.get(ticket.number)
    assert (shown.locked_by, shown.owner, shown.state) == ("alice", "alice", "open")


def test_second_agent_cannot_lock_or_reply_and_is_told_the_holder(desk, team):
    ticket = team.ticket()
    desk.tickets.lock(ticket.number, actor=Actor.agent("alice"))
    with pytest.raises(TicketLocked, match="locked by alice") as info:
        desk.tickets.lock(ticket.number, actor=Actor.agent("bob"))
    assert info.value.holder == "alice"
    with pytest.raises(TicketLocked, match="alice"):
        desk.tickets.reply(ticket.number, actor=Actor.agent("bob"), body="me too")
    # a note is collaboration, not taking over: allowed
    desk.tickets.note(ticket.number, actor=Actor.agent("bob"), body="seen this before, check the cache")


def test_unlock_by_owner_or_by_force_with_reason(desk, team):
    ticket = team.ticket()
    desk.tickets.lock(ticket.number, actor=Actor.agent("alice"))
    with pytest.raises(TicketLocked):
        desk.tickets.unlock(ticket.number, actor=Actor.agent("bob"))
    with pytest.raises(DomainError, match="reason"):
        desk.tickets.unlock(ticket.number, actor=Actor.agent("bob"), force=True)
    desk.tickets.unlock(ticket.number, actor=Actor.agent("bob"), force=True, reason="alice is ill")
    shown = desk.tickets.get(ticket.number)
    assert shown.locked_by is None
    entry = [h for h in shown.history if h.action == "unlock"][-1]
    assert (entry.actor, entry.old, entry.reason) == ("bob", "alice", "alice is ill")
    desk.tickets.lock(ticket.number, actor=Actor.agent("bob"))
    desk.tickets.unlock(ticket.number, actor=Actor.agent("bob"))
    assert desk.tickets.get(ticket.number).locked_by is None


def test_states_priorities_queues_and_history(desk, team):
    ticket = team.ticket()
    desk.directory.add_queue(__import__("deskframe").Queue("billing"), actor=Actor.operator())
    desk.tickets.set_state(ticket.number, "pending", actor=Actor.operator())
    desk.tickets.set_priority(ticket.number, "P1", actor=Actor.operator())
    desk.tickets.move(ticket.number, "billing", actor=Actor.operator())
    desk.tickets.assign(ticket.number, agent="bob", actor=Actor.agent("alice"))
    shown = desk.tickets.get(ticket.number)
    assert (shown.state, shown.priority, shown.queue, shown.owner) == ("pending", "P1", "billing", "bob")
    changes = [(h.action, h.old, h.new) for h in shown.history[1:]]
    assert changes == [
        ("state", "new", "pending"),
        ("priority", "P3", "P1"),
        ("queue", "support", "billing"),
        ("owner", None, "bob"),
    ]
    with pytest.raises(DomainError, match="unknown state 'limbo'"):
        desk.tickets.set_state(ticket.number, "limbo", actor=Actor.operator())
    with pytest.raises(DomainError, match="unknown priority"):
        desk.tickets.set_priority(ticket.number, "P9", actor=Actor.operator())
    with pytest.raises(NotFound):
        desk.tickets.move(ticket.number, "nowhere", actor=Actor.operator())


def test_closing_releases_the_lock(desk, team):
    ticket = team.ticket()
    desk.tickets.lock(ticket.number, actor=Actor.agent("alice"))
    desk.tickets.set_state(ticket.number, "closed", actor=Actor.agent("alice"))
    assert desk.tickets.get(ticket.number).locked_by is None


def test_merge_moves_articles_and_keeps_both_histories(desk, team):
    a = team.ticket(subject="Printer broken")
    b = team.ticket(subject="Printer still broken")
    desk.tickets.note(a.number, actor=Actor.agent("alice"), body="note on A")
    desk.time.log(a.number, actor=Actor.agent("alice"), minutes=15)
    merged = desk.tickets.merge(a.number, b.number, actor=Actor.agent("alice"))
    assert merged.number == b.number
    assert len(merged.articles) == 3
    actions = [(h.ticket, h.action) for h in merged.history]
    assert (a.number, "created") in actions and (b.number, "created") in actions
    assert (a.number, "merged_into") in actions and (b.number, "merged_from") in actions
    source = desk.tickets.get(a.number)
    assert source.state_type == "merged" and source.merged_into == b.number
    assert [e.ticket for e in desk.time.entries()] == [b.number]
    with pytest.raises(DomainError):
        desk.tickets.merge(a.number, b.number, actor=Actor.operator())
    with pytest.raises(DomainError):
        desk.tickets.merge(b.number, b.number, actor=Actor.operator())


def test_search_finds_cyrillic_word_from_article_body(desk, team):
    hit = team.ticket(subject="Сайт", body="При оплате заказа появляется Ошибка базы данных")
    team.ticket(subject="Другое", body="Всё работает")
    desk.tickets.reply(hit.number, actor=Actor.agent("alice"), body="Проверяем журнал")
    assert [r["number"] for r in desk.tickets.search("ошибка")] == [hit.number]
    assert [r["number"] for r in desk.tickets.search("ЖУРНАЛ")] == [hit.number]
    assert [r["number"] for r in desk.tickets.search("оплате базы")] == [hit.number]
    assert desk.tickets.search("оплате отсутствует") == []
    assert desk.tickets.search('"; DROP TABLE tickets; --') == []


def test_canned_response_placeholders(make_desk):
    desk = make_desk(
        '[canned.ack]\nbody = "Dear {{ customer }}, ticket {{ number }} ({{ priority }}) by {{ agent }}"\n'
        '[tickets.priorities]\nP2 = "high"\n'
    )
    from deskframe.testing import Factory

    f = Factory(desk)
    f.customer("acme", name="ACME LLC")
    f.agent("alice", name="Alice Smith")
    ticket = f.ticket("acme", priority="high")
    text = desk.tickets.render_canned("ack", ticket.number, "alice")
    assert text == f"Dear ACME LLC, ticket {ticket.number} (high) by Alice Smith"
    article = desk.tickets.reply(ticket.number, actor=Actor.agent("alice"), body="More soon.", canned_name="ack")
    assert article.text.startswith("Dear ACME LLC") and article.text.endswith("More soon.")


def test_time_log_and_list(desk, team):
    import datetime as dt

    t1 = team.ticket(customer="acme") if False else team.ticket()
    desk.time.log(t1.number, actor=Actor.agent("alice"), minutes=90, date=dt.date(2026, 10, 5), note="fix")
    desk.time.log(t1.number, actor=Actor.agent("bob"), minutes=30, date=dt.date(2026, 11, 1), billable=False)
    october = desk.time.entries(period="2026-10")
    assert [(e.agent, e.minutes, e.billable) for e in october] == [("alice", 90, True)]
    assert len(desk.time.entries(ticket=t1.number)) == 2
    with pytest.raises(DomainError):
        desk.time.log(t1.number, actor=Actor.agent("alice"), minutes=0)
