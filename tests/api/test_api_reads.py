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


@contextmanager
def statements(world) -> Iterator[list[str]]:
    """Each SQL statement sent to the database while the block runs."""
    engine = world.desk.store.db.engine
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_show_reads_articles_with_their_agents_and_merged_history_in_one_statement_each(world):
    """A ticket whose articles another agent wrote: the writers' logins come with the articles,
    and the history of the ticket and of those merged into it is one statement."""
    bob = world.client("bob")
    path = f"/api/v1/tickets/{world.tickets['acme']}"  # alice wrote its note and reply
    bob.get(path)
    with statements(world) as seen:
        answer = bob.get(path)
    assert answer.status_code == 200 and "We are on it" in answer.text
    selects = [s for s in seen if s.startswith("SELECT")]
    assert not [s for s in selects if s.startswith("SELECT agents.") and "WHERE agents.id =" in s], selects
    history = [s for s in selects if "FROM history" in s or s.endswith("WHERE tickets.merged_into_id = ?")]
    assert len(history) == 1, history
    # the token with its agent and rights; the ticket with its names, queue and SLA clocks; the
    # articles with their files; the history (10 before: each of those looked up on its own; 5
    # with the clocks on their own)
    assert len(selects) == 4, selects
    assert not [s for s in selects if s.startswith("SELECT sla_clocks.")], selects


def test_the_token_its_agent_and_its_queue_rights_are_one_statement(world):
    """The token look-up reads the calling agent and its queue rights too, and the policy's
    checks of the request read them from that: no statement of their own."""
    bob = world.client("bob")  # an agent with queue rights, not an admin
    for path in ("/api/v1/tickets?state=open&limit=50", f"/api/v1/tickets/{world.tickets['acme']}"):
        bob.get(path)
        with statements(world) as seen:
            answer = bob.get(path)
        assert answer.status_code == 200, (path, answer.text)
        selects = [s for s in seen if s.startswith("SELECT")]
        assert not [s for s in selects if "WHERE agents.login =" in s], selects
        rights = [s for s in selects if "agent_queue_rights" in s]
        assert len(rights) == 1 and "FROM api_tokens" in rights[0], rights


def test_show_of_articles_with_several_files_and_none(world):
    """Articles read with their attachments in one statement: each article once, in order, with
    its files in the order they were stored, and an article without files has none."""
    from deskframe.model import InboundAttachment, InboundMessage

    number = world.tickets["acme"]
    files = [InboundAttachment(f"{name}.txt", "text/plain", name.encode()) for name in ("b", "a", "c")]
    world.desk.intake.receive(
        InboundMessage(
            channel="email",
            external_id="reads-files",
            received_at=world.clock.now,
            sender="ann@acme.example",
            subject=f"Re: [#{number}] Printer",
            text="three files",
            attachments=tuple(files),
            ticket_number=number,
        )
    )
    world.tick()
    shown = world.client("alice").get(f"/api/v1/tickets/{number}").json()
    expected = world.desk.tickets.get(number, full=True, actor=Actor.agent("alice"))
    assert [a["id"] for a in shown["articles"]] == [a.id for a in expected.articles]
    assert len({a["id"] for a in shown["articles"]}) == len(shown["articles"]) >= 4
    by_text = {a["text"]: a for a in shown["articles"]}
    assert [f["filename"] for f in by_text["three files"]["attachments"]] == ["b.txt", "a.txt", "c.txt"]
    assert by_text["We are on it"]["attachments"] == []


def test_reads_run_on_the_event_loop_on_sqlite_and_in_a_thread_on_postgresql(world):
    """SQLite's reads are local and never wait for the writer: the list and show run on the
    event loop, with no thread hand-off. PostgreSQL's wait for round trips: they run in the
    threadpool, so that the loop goes on meanwhile."""
    import asyncio

    engine = world.desk.store.db.engine
    on_loop: list[bool] = []

    def record(*_args) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            on_loop.append(False)
        else:
            on_loop.append(True)

    bob = world.client("bob")
    for path in ("/api/v1/tickets?state=open&limit=50", f"/api/v1/tickets/{world.tickets['acme']}"):
        event.listen(engine, "before_cursor_execute", record)
        try:
            answer = bob.get(path)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert answer.status_code == 200, (path, answer.text)
    sqlite = world.desk.store.db.dialect == "sqlite"
    assert on_loop and set(on_loop) == {sqlite}, on_loop


def test_list_and_show_build_no_orm_entities(world):
    """The token with its agent, the ticket with its names and everything else the list and
    show read come as Core rows: no mapped row is loaded (an ORM entity's result layer cost more
    Python time than SQLite took to run the statement), for an admin, an agent with queue
    rights and a customer's contact (its row and its customer's key come with the token)."""
    from sqlalchemy.orm import Mapper

    loaded: list[str] = []

    def record(target, _context) -> None:
        loaded.append(type(target).__name__)

    event.listen(Mapper, "load", record)
    try:
        for who in ("alice", "bob", "ann"):
            client = world.client(who)
            for path in ("/api/v1/tickets?state=open&limit=50", f"/api/v1/tickets/{world.tickets['acme']}"):
                client.get(path)
                loaded.clear()
                answer = client.get(path)
                assert answer.status_code == 200, (who, path, answer.text)
                assert loaded == [], (who, path, loaded)
    finally:
        event.remove(Mapper, "load", record)


def test_the_token_its_contact_and_its_customer_are_one_statement(world):
    """The token look-up reads the calling contact and its customer's key too; the policy's
    checks and the contact's rights read them from that: no statement of their own."""
    ann = world.client("ann")
    for path in ("/api/v1/tickets?state=open&limit=50", f"/api/v1/tickets/{world.tickets['acme']}"):
        ann.get(path)
        with statements(world) as seen:
            answer = ann.get(path)
        assert answer.status_code == 200, (path, answer.text)
        selects = [s for s in seen if s.startswith("SELECT")]
        assert not [s for s in selects if "FROM contacts" in s and "FROM api_tokens" not in s], selects
        assert not [s for s in selects if "FROM customers WHERE customers.id =" in s], selects


def test_a_contacts_changed_rights_count_at_the_next_request(world):
    """What the token's statement read of a contact is kept for that request only: a contact
    that stops being its customer's admin sees only its own tickets from the next request on,
    and one moved to another customer no longer sees its old customer's tickets."""
    from deskframe.model import Contact

    ann = world.client("ann")
    listed = "/api/v1/tickets?limit=50"
    others = world.desk.tickets.open(
        subject="Opened by the office", body="b", customer="acme", queue="support", actor=Actor.operator()
    ).number
    assert others in {t["number"] for t in ann.get(listed).json()["items"]}
    op = Actor.operator()
    world.desk.directory.add_contact(
        Contact(name="Ann", email="ann@acme.example", customer="acme", customer_admin=False), actor=op
    )
    try:
        numbers = {t["number"] for t in ann.get(listed).json()["items"]}
        assert others not in numbers and world.tickets["acme"] in numbers
        assert ann.get(f"/api/v1/tickets/{others}").status_code == 404
        world.desk.directory.add_contact(
            Contact(name="Ann", email="ann@acme.example", customer="globex", customer_admin=True), actor=op
        )
        assert world.tickets["acme"] not in {t["number"] for t in ann.get(listed).json()["items"]}
        assert ann.get(f"/api/v1/tickets/{world.tickets['acme']}").status_code == 404
    finally:
        world.desk.directory.add_contact(
            Contact(name="Ann", email="ann@acme.example", customer="acme", customer_admin=True), actor=op
        )
