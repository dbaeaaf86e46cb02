"""``Store.one_read``: the reads of one page share one transaction, and the per-transaction
caches of the acting agent (its row, its queue rights) stay correct."""

from __future__ import annotations

import deskframe
from deskframe.actors import Actor


def test_reads_inside_one_read_share_one_repository(desk):
    store = desk.store
    with store.read() as first, store.read() as second:
        assert first is not second  # outside one_read: a transaction each
    with store.one_read():
        with store.read() as first, store.read() as second:
            assert first is second
        with store.one_read(), store.read() as nested:  # nested blocks share the outer one
            assert nested is first
    with store.read() as after:
        assert after is not first


def test_one_read_sees_a_consistent_answer_of_the_services(desk):
    op = Actor.operator()
    desk.directory.add_agent(deskframe.Agent("alice", "Alice", access="admin"), actor=op)
    number = desk.tickets.open(subject="Printer", body="jammed", actor=op).number
    with desk.store.one_read():
        ticket, clocks = desk.sla.ticket_with_clocks(number, actor=Actor.agent("alice"))
        again = desk.tickets.get(number, actor=Actor.agent("alice"))
    assert ticket == again and clocks == desk.sla.clocks(number)


def test_agent_rights_cached_per_transaction_follow_a_change_in_it(desk):
    op = Actor.operator()
    desk.directory.add_agent(deskframe.Agent("q", "Queue", access="agent", queues={}), actor=op)
    with desk.store.write() as repo:
        assert repo.agent("q").queues == {}
        assert repo.agent_row("q") is repo.agent_row("q")
        repo.queue_row("Support", create=True)
        repo.upsert_agent(deskframe.Agent("q", "Queue", access="agent", queues={"Support": "write"}))
        assert repo.agent("q").queues == {"Support": "write"}
