"""``Store.write_series``: one-statement transactions (``finish_outbox``) and whole transactions
(``series()``) mix on one held connection in any order - with ``lazy_commit`` (PostgreSQL:
autocommit between transactions) too."""

from __future__ import annotations

import datetime as dt

import pytest

import deskframe
from deskframe.actors import Actor


def entries(desk, count: int) -> list[int]:
    messages = [
        deskframe.OutboundMessage(kind="file", recipients=("ivan@customer.example",), subject=f"Hello {n}", text="Hi")
        for n in range(count)
    ]
    ids = desk.outbox.enqueue(messages, actor=Actor.system("test"))
    with desk.store.write() as repo:
        repo.claim_outbox("w1", lease_until=repo.now + dt.timedelta(minutes=5), limit=count)
    return ids


@pytest.mark.parametrize("lazy_commit", [True, False])
def test_whole_transactions_and_one_statement_ones_alternate(desk, lazy_commit):
    first, second, third, fourth = entries(desk, 4)
    with desk.store.write_series(lazy_commit=lazy_commit) as write:
        assert write.finish_outbox(first, "someone-else", state="sent", last_error=None) is False
        assert write.finish_outbox(first, "w1", state="sent", last_error=None) is True
        with write() as repo:  # a whole transaction right after a one-statement one
            assert repo.finish_outbox(second, "w1", state="queued", last_error="busy")
        assert write.finish_outbox(third, "w1", state="sent", last_error=None) is True
        with write() as repo:
            assert repo.finish_outbox(fourth, "w1", state="failed", last_error="gave up")
    states = {entry.id: entry.state for entry in desk.outbox.list()}
    assert states == {first: "sent", second: "queued", third: "sent", fourth: "failed"}
