"""The API's ticket list and show read in one transaction per request (the token, the caller's
rights and the route's own reads share it), and nothing of the caller is kept between requests:
changed queue rights and a revoked token count at the very next request.

(Its own module: it changes an agent's rights and revokes a token of the shared desk.)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from deskframe.accounts.service import Accounts
from deskframe.actors import Actor
from deskframe.model import Agent


@contextmanager
def checkouts(world) -> Iterator[list[str]]:
    """Each database connection check-out (one per transaction) while the block runs."""
    pool = world.desk.store.db.engine.pool
    seen: list[str] = []

    def record(*_args) -> None:
        seen.append("checkout")

    event.listen(pool, "checkout", record)
    try:
        yield seen
    finally:
        event.remove(pool, "checkout", record)


def test_list_and_show_take_one_read_transaction_with_the_token(world):
    carl = world.client("carl")
    number = world.tickets["acme"]
    for path in ("/api/v1/tickets?state=open&limit=50", f"/api/v1/tickets/{number}", "/api/v1/tickets"):
        carl.get(path)  # warm: the first request of a client may set the connection up
        with checkouts(world) as seen:
            answer = carl.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert len(seen) == 1, (path, seen)


def test_changed_queue_rights_count_at_the_next_request(world):
    carl = world.client("carl")
    number = world.tickets["acme"]
    op = Actor.operator()
    assert carl.get(f"/api/v1/tickets/{number}").status_code == 200
    assert number in [t["number"] for t in carl.get("/api/v1/tickets").json()["items"]]
    world.desk.directory.upsert([Agent(login="carl", name="Carl", queues={"support": "none"})], actor=op)
    hidden = carl.get(f"/api/v1/tickets/{number}")
    assert hidden.status_code == 404 and "Printer" not in hidden.text
    assert carl.get("/api/v1/tickets").json()["items"] == []
    world.desk.directory.upsert([Agent(login="carl", name="Carl", queues={"support": "read"})], actor=op)
    assert carl.get(f"/api/v1/tickets/{number}").status_code == 200


def test_a_revoked_token_is_refused_at_the_next_request(world):
    accounts = Accounts.of(world.desk)
    secret, token = accounts.create_token("agent", "bob", actor=Actor.operator())
    client = world.client()
    client.headers["Authorization"] = f"Bearer {secret}"
    number = world.tickets["acme"]
    assert client.get(f"/api/v1/tickets/{number}").status_code == 200
    accounts.revoke_token(token.id, actor=Actor.operator())
    for path in (f"/api/v1/tickets/{number}", "/api/v1/tickets"):
        refused = client.get(path)
        assert refused.status_code == 401 and "Printer" not in refused.text
