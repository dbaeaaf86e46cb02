"""The queue counters the database keeps (``ticket_counts``, migration 0021) equal a fresh count.

After random runs of opens, state changes, moves, merges, a bulk Core insert, bulk updates
and deletes (on SQLite and, with DESKFRAME_TEST_DATABASE_URL, PostgreSQL), the counters of
every (queue, state type) equal ``GROUP BY`` over the tickets, and so do the sidebar's counts
(``desk.worklist.queue_counts``) and ``desk.directory.queues()``. Dropping any one trigger makes
the same check fail. On PostgreSQL, writers filing into one queue do not wait on each other,
and the delta rows are compacted as they grow.
"""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import text

from deskframe.actors import Actor
from deskframe.model import Queue
from deskframe.services.worklist import OPEN_TYPES

OP = Actor.operator()
QUEUES = ("support", "billing", "field")
STATES = ("new", "open", "pending", "resolved", "closed")
TRIGGERS = ("ticket_counts_insert", "ticket_counts_delete", "ticket_counts_update")


def counted(desk) -> dict[tuple[int, str], int]:
    """(queue id, state type) -> tickets, from the tickets themselves."""
    with desk.store.db.engine.connect() as conn:
        rows = conn.execute(text("SELECT queue_id, state_type, count(*) FROM tickets GROUP BY queue_id, state_type"))
        return {(q, s): int(n) for q, s, n in rows}


def counters(desk) -> dict[tuple[int, str], int]:
    """(queue id, state type) -> tickets, from the counters (keys summing to 0 left out)."""
    with desk.store.db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT queue_id, state_type, sum(n) FROM ticket_counts GROUP BY queue_id, state_type")
        )
        return {(q, s): int(n) for q, s, n in rows if n}


def open_by_queue(desk) -> list[tuple[str, int]]:
    """(queue name, open tickets) of every queue, counted afresh."""
    with desk.store.db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT queues.name, (SELECT count(*) FROM tickets WHERE tickets.queue_id = queues.id"
                " AND tickets.state_type IN ('new', 'open', 'pending')) FROM queues ORDER BY queues.name"
            )
        )
        return [(name, int(n)) for name, n in rows]


def setup_desk(desk, factory) -> list[str]:
    for name in QUEUES[1:]:
        desk.directory.add_queue(Queue(name), actor=OP)
    customers = [factory.customer().key for _ in range(3)]
    return [factory.ticket(customer=random.Random(i).choice(customers)).number for i in range(6)]


def bulk_insert(desk, suffix: str) -> None:
    """A Core INSERT ... SELECT: copies of a third of the tickets in one statement."""
    with desk.store.db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO tickets (number, subject, state, state_type, priority, queue_id, customer_id,"
                " line, created_at, updated_at) SELECT number || :suffix, subject, state, state_type, priority,"
                " queue_id, customer_id, line, created_at, updated_at FROM tickets WHERE id % 3 = 0"
                " AND state_type <> 'merged'"
            ),
            {"suffix": suffix},
        )


def bulk_update(desk, state: str) -> None:
    """A Core UPDATE of several tickets' state and queue in one statement."""
    with desk.store.db.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE tickets SET state = :s, state_type = :s,"
                " queue_id = (SELECT min(id) FROM queues) WHERE id % 4 = 1 AND state_type <> 'merged'"
            ),
            {"s": state},
        )


def delete_copies(desk, rng: random.Random) -> None:
    """DELETE a random half of the bulk-inserted copies (they have no articles or history)."""
    with desk.store.db.engine.begin() as conn:
        ids = [i for (i,) in conn.execute(text("SELECT id FROM tickets WHERE number LIKE '%-copy%' ORDER BY id"))]
        gone = [i for i in ids if rng.random() < 0.5]
        for start in range(0, len(gone), 50):
            chunk = gone[start : start + 50]
            conn.execute(text(f"DELETE FROM tickets WHERE id IN ({', '.join(str(i) for i in chunk)})"))


def compact(desk) -> None:
    if desk.store.db.dialect == "postgresql":
        with desk.store.db.engine.begin() as conn:
            conn.execute(text("SELECT ticket_counts_compact()"))


def random_run(desk, factory, rng: random.Random, numbers: list[str], steps: int) -> None:
    customers = [c.key for c in desk.directory.customers()]
    for step in range(steps):
        live = [n for n in numbers if desk.tickets.get(n, full=False).state_type != "merged"]
        kind = rng.choice(("open", "open", "state", "state", "move", "move", "merge", "bulk", "update", "delete"))
        if kind == "open":
            numbers.append(factory.ticket(customer=rng.choice(customers), queue=rng.choice(QUEUES)).number)
        elif kind == "state":
            desk.tickets.set_state(rng.choice(live), rng.choice(STATES), actor=OP)
        elif kind == "move":
            desk.tickets.move(rng.choice(live), rng.choice(QUEUES), actor=OP)
        elif kind == "merge" and len(live) > 2:
            source, target = rng.sample(live, 2)
            desk.tickets.merge(source, target, actor=OP)
        elif kind == "bulk":
            bulk_insert(desk, f"-copy{step}")
        elif kind == "update":
            bulk_update(desk, rng.choice(("open", "closed")))
        elif kind == "delete":
            delete_copies(desk, rng)
        if rng.random() < 0.2:
            compact(desk)
        assert counters(desk) == counted(desk), f"after step {step} ({kind})"


@pytest.mark.parametrize("seed", range(4))
def test_counters_equal_a_fresh_count_after_random_writes(desk, factory, seed):
    rng = random.Random(seed)
    numbers = setup_desk(desk, factory)
    random_run(desk, factory, rng, numbers, steps=30)
    assert counters(desk) == counted(desk)
    sidebar = desk.worklist.queue_counts(actor=OP)
    assert sidebar == open_by_queue(desk)
    assert [(q.name, n) for q, n in desk.directory.queues()] == open_by_queue(desk)
    assert sum(n for _, n in sidebar) == sum(n for (_, s), n in counted(desk).items() if s in OPEN_TYPES)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_a_dropped_trigger_is_noticed(desk, factory, trigger):
    """The check above is no tautology: without any one trigger the counters go wrong."""
    numbers = setup_desk(desk, factory)
    assert counters(desk) == counted(desk)
    with desk.store.db.engine.begin() as conn:
        conn.execute(text(f"DROP TRIGGER {trigger}" + (" ON tickets" if desk.store.db.dialect != "sqlite" else "")))
    bulk_insert(desk, "-copy")
    desk.tickets.set_state(numbers[0], "closed", actor=OP)
    desk.tickets.move(numbers[1], "billing", actor=OP)
    delete_copies(desk, random.Random(1))
    assert counters(desk) != counted(desk)


def test_counts_follow_visibility(desk, factory):
    """An agent with rights on some queues sees only their counts; a contact only its own tickets'."""
    setup_desk(desk, factory)
    acme = factory.customer("acme").key
    desk.directory.add_queue(Queue("secret"), actor=OP)
    factory.ticket(customer=acme, queue="secret")
    factory.ticket(customer=acme, queue="billing")
    mine = factory.ticket(customer=acme, queue="billing", contact="ann@acme.example").number
    factory.agent("limited", access="agent", queues={"billing": "read", "field": "write"})
    counts = desk.worklist.queue_counts(actor=Actor.agent("limited"))
    fresh = dict(open_by_queue(desk))
    assert counts == [("billing", fresh["billing"]), ("field", fresh["field"])]
    assert ("secret", 1) in desk.worklist.queue_counts(actor=OP)
    desk.tickets.set_state(mine, "open", actor=OP)
    contact = Actor.contact("ann@acme.example")
    assert dict(desk.worklist.queue_counts(actor=contact)) == {"billing": 1, "field": 0, "secret": 0, "support": 0}
    assert [(q.name, n) for q, n in desk.directory.queues(actor=contact)] == desk.worklist.queue_counts(actor=contact)


def pg_only(desk) -> None:
    if desk.store.db.dialect != "postgresql":
        pytest.skip("PostgreSQL only (set DESKFRAME_TEST_DATABASE_URL)")


def test_postgresql_writers_to_one_queue_do_not_wait_on_each_other(desk, factory):
    pg_only(desk)
    setup_desk(desk, factory)
    engine = desk.store.db.engine
    insert = text(
        "INSERT INTO tickets (number, subject, state, state_type, priority, queue_id, line, created_at, updated_at)"
        " SELECT :number, 's', 'new', 'new', 'P3', id, 1, now(), now() FROM queues WHERE name = 'support'"
    )
    first = engine.connect()
    try:
        first.begin()
        first.execute(insert, {"number": "held-1"})  # not committed: its delta row is locked by it
        with engine.begin() as second:
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            second.execute(insert, {"number": "held-2"})  # would time out on a shared counter row
        first.commit()
    finally:
        first.close()
    assert counters(desk) == counted(desk)


def test_postgresql_deltas_are_compacted_and_stay_right_under_concurrent_writers(desk, factory):
    pg_only(desk)
    numbers = setup_desk(desk, factory)
    engine = desk.store.db.engine
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            for i in range(80):
                with engine.begin() as conn:
                    conn.execute(
                        text(
                            "INSERT INTO tickets (number, subject, state, state_type, priority, queue_id, line,"
                            " created_at, updated_at) SELECT :number, 's', 'new', 'new', 'P3', id, 1, now(), now()"
                            " FROM queues WHERE name = 'support'"
                        ),
                        {"number": f"w{worker}-{i}"},
                    )
                    conn.execute(
                        text("UPDATE tickets SET state = 'open', state_type = 'open' WHERE number = :number"),
                        {"number": f"w{worker}-{i}"},
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    # 4 x 80 x (1 + 2) = 960 delta rows written: compacted on the way, so far fewer remain
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM ticket_counts")).scalar_one()
    assert rows < 300
    assert counters(desk) == counted(desk)
    desk.tickets.set_state(numbers[0], "closed", actor=OP)
    assert dict(desk.worklist.queue_counts(actor=OP)) == dict(open_by_queue(desk))


def test_counts_of_a_desk_without_tickets(desk, factory):
    desk.directory.add_queue(Queue("empty"), actor=OP)
    factory.agent("someone", access="agent", queues={"empty": "read"})
    assert desk.worklist.queue_counts(actor=Actor.agent("someone")) == [("empty", 0)]
