"""RELIABILITY 18: exactly one of two simultaneous lockers wins; numbers unique across processes."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from deskframe import numbering
from deskframe.actors import Actor
from deskframe.errors import TicketLocked

pytestmark = pytest.mark.slow


def _open_many(config: str, count: int, tag: str, start: multiprocessing.synchronize.Event) -> list[str]:
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins

    plugins = build_plugins(entry_points=False)
    desk = Desk(load_config(Path(config), plugins.registry), plugins)
    start.wait(30)
    numbers = [desk.tickets.open(subject=f"{tag} {i}", body="x", actor=Actor.operator()).number for i in range(count)]
    desk.close()
    return numbers


def test_concurrent_ticket_creation_from_processes_gives_distinct_valid_numbers(desk):
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(3) as pool:
        start = manager.Event()
        jobs = [pool.apply_async(_open_many, (str(desk.config.path), 40, f"p{i}", start)) for i in range(3)]
        start.set()
        results = [job.get(timeout=120) for job in jobs]
    numbers = [n for chunk in results for n in chunk]
    assert len(numbers) == 120
    assert len(set(numbers)) == 120
    assert all(numbering.is_valid("DateChecksum", "10", n) for n in numbers)
    assert len(desk.tickets.list(limit=None)) == 120


@pytest.mark.parametrize("round_", range(5))
def test_two_agents_locking_at_the_same_instant_exactly_one_wins(desk, factory, round_):
    factory.agent("alice")
    factory.agent("bob")
    ticket = factory.ticket()
    barrier = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def attempt(agent: str) -> None:
        barrier.wait()
        try:
            desk.tickets.lock(ticket.number, actor=Actor.agent(agent))
            outcome[agent] = "won"
        except TicketLocked as exc:
            outcome[agent] = exc

    threads = [threading.Thread(target=attempt, args=(a,)) for a in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    winners = [a for a, r in outcome.items() if r == "won"]
    losers = [r for r in outcome.values() if isinstance(r, TicketLocked)]
    assert len(winners) == 1 and len(losers) == 1
    assert losers[0].holder == winners[0]
    assert desk.tickets.get(ticket.number).locked_by == winners[0]


def _lock(config: str, number: str, agent: str, start: multiprocessing.synchronize.Event) -> str:
    from deskframe.config import load_config
    from deskframe.desk import Desk
    from deskframe.plugins import build_plugins

    plugins = build_plugins(entry_points=False)
    desk = Desk(load_config(Path(config), plugins.registry), plugins)
    start.wait(30)
    try:
        desk.tickets.lock(number, actor=Actor.agent(agent))
        return "won"
    except TicketLocked as exc:
        return f"lost to {exc.holder}"
    finally:
        desk.close()


def test_two_processes_locking_the_same_ticket(desk, factory):
    factory.agent("alice")
    factory.agent("bob")
    ticket = factory.ticket()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as manager, ctx.Pool(2) as pool:
        start = manager.Event()
        jobs = {a: pool.apply_async(_lock, (str(desk.config.path), ticket.number, a, start)) for a in ("alice", "bob")}
        start.set()
        results = {a: j.get(timeout=60) for a, j in jobs.items()}
    winner = [a for a, r in results.items() if r == "won"]
    assert len(winner) == 1
    loser = "bob" if winner == ["alice"] else "alice"
    assert results[loser] == f"lost to {winner[0]}"
