"""Desk.import_tickets: numbers and times kept, idempotent, resumable, merges across batches."""

from __future__ import annotations

import datetime as dt

import pytest

from deskframe import InboundAttachment, InboundMessage
from deskframe.actors import Actor
from deskframe.importing import ImportedArticle, ImportedHistory, ImportedTicket, ImportedTime

T0 = dt.datetime(2011, 12, 9, 10, 0, tzinfo=dt.timezone.utc)


def ticket(ext, number, **kw):
    values = dict(
        external_id=ext,
        number=number,
        subject=f"Old {ext}",
        state="closed",
        priority="P3",
        queue="Raw",
        created_at=T0,
        updated_at=T0,
        customer="acme",
        contact="ivan@acme.example",
        owner="alice",
        articles=[
            ImportedArticle(
                f"a{ext}-1",
                "in",
                T0,
                "Help",
                "Текст письма",
                sender="ivan@acme.example",
                message_id=f"<{ext}@acme>",
                raw=b"From: ivan\r\n\r\nraw",
                attachments=[InboundAttachment("../x.txt", "text/plain", b"x")],
            ),
            ImportedArticle(f"a{ext}-2", "internal", T0, "note", "internal note", agent="alice", visible=False),
        ],
        history=[ImportedHistory(f"h{ext}-1", T0, "created", actor="alice", new=number)],
        time=[ImportedTime(f"t{ext}-1", "alice", 30, T0.date())],
    )
    values.update(kw)
    return ImportedTicket(**values)


def setup(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    factory.agent("alice")


def test_import_keeps_numbers_and_is_idempotent(desk, factory):
    setup(desk, factory)
    batch = [ticket("1", "2011120910000047"), ticket("2", "2011120910000055")]
    counts = desk.tickets.import_tickets(batch, namespace="otrs", actor=Actor.operator())
    assert (counts.tickets, counts.articles, counts.attachments, counts.history, counts.time_entries) == (2, 4, 2, 2, 2)
    again = desk.tickets.import_tickets(batch, namespace="otrs", actor=Actor.operator())
    assert (again.tickets, again.articles, again.history, again.time_entries) == (0, 0, 0, 0)
    shown = desk.tickets.get("2011120910000047")
    assert shown.state == "closed" and shown.owner == "alice" and shown.customer == "acme"
    assert shown.created_at == T0
    assert [a.direction for a in shown.articles] == ["in", "internal"]
    assert shown.articles[1].visible_to_customer is False
    assert shown.articles[0].attachments[0].filename == "x.txt"
    assert desk.sla.clocks("2011120910000047") == []


def test_reply_to_old_subject_threads_into_imported_ticket(desk, factory):
    setup(desk, factory)
    desk.tickets.import_tickets([ticket("1", "2011120910000047")], namespace="otrs", actor=Actor.operator())
    result = desk.intake.receive(
        InboundMessage(
            channel="mail",
            external_id="new",
            received_at=T0,
            sender="ivan@acme.example",
            subject="Re: [Ticket#2011120910000047] Help",
            text="again",
        )
    )
    assert result.ticket == "2011120910000047" and not result.created
    assert desk.tickets.get(result.ticket).state == "open"


def test_merge_target_in_a_later_batch_is_linked(desk, factory):
    setup(desk, factory)
    desk.tickets.import_tickets(
        [ticket("1", "2011120910000047", state="merged", merged_into="2011120910000055")],
        namespace="otrs",
        actor=Actor.operator(),
    )
    assert desk.tickets.get("2011120910000047").merged_into is None
    desk.tickets.import_tickets([ticket("2", "2011120910000055")], namespace="otrs", actor=Actor.operator())
    assert desk.tickets.get("2011120910000047").merged_into == "2011120910000055"


def test_delta_run_updates_changed_ticket_and_adds_new_articles(desk, factory):
    setup(desk, factory)
    desk.tickets.import_tickets(
        [ticket("1", "2011120910000047", state="open")], namespace="otrs", actor=Actor.operator()
    )
    later = ticket("1", "2011120910000047", state="closed", updated_at=T0 + dt.timedelta(days=1))
    extra = ImportedArticle("a1-3", "out", T0 + dt.timedelta(days=1), "Re", "done", agent="alice")
    import attrs

    later = attrs.evolve(later, articles=later.articles + (extra,))
    counts = desk.tickets.import_tickets([later], namespace="otrs", actor=Actor.operator())
    assert (counts.tickets, counts.tickets_updated, counts.articles) == (0, 1, 1)
    assert desk.tickets.get("2011120910000047").state == "closed"


def test_imported_time_is_never_invoiced(make_desk):
    from tests.core.test_billing_ledger import CONFIG, ModelPlugin

    desk = make_desk(CONFIG, plugins=[ModelPlugin()])
    from deskframe.testing import Factory

    f = Factory(desk)
    f.customer("acme")
    f.agent("alice")
    f.contract("acme", key="acme-hourly", pricing="pm")
    desk.tickets.import_tickets(
        [
            ticket(
                "1",
                "2011120910000047",
                contract="acme-hourly",
                time=[ImportedTime("t1", "alice", 60, dt.date(2026, 10, 1))],
            )
        ],
        namespace="otrs",
        actor=Actor.operator(),
    )
    number = desk.tickets.open(subject="live", body="x", customer="acme", actor=Actor.operator()).number
    desk.time.log(number, actor=Actor.agent("alice"), minutes=10, date=dt.date(2026, 10, 2))
    assert desk.tickets.get("2011120910000047").contract == "acme-hourly"
    desk.billing.run("2026-10", actor=Actor.operator())
    invoice = desk.billing.invoices(period="2026-10")[0]
    assert [line.ticket for line in invoice.lines] == [number]


def test_skips_a_number_that_already_exists(desk, factory):
    setup(desk, factory)
    live = desk.tickets.open(subject="live", body="x", customer="acme", actor=Actor.operator()).number
    counts = desk.tickets.import_tickets([ticket("9", live)], namespace="otrs", actor=Actor.operator())
    assert counts.tickets == 0 and counts.skipped == [("9", f"ticket number {live} already exists")]


def test_reply_to_an_imported_number_of_another_system_id_threads(desk, factory):
    setup(desk, factory)
    desk.tickets.import_tickets(
        [ticket("7", "2010010199000017")], namespace="otrs", actor=Actor.operator()
    )  # system id 99, not ours
    result = desk.intake.receive(
        InboundMessage(
            channel="mail",
            external_id="x",
            received_at=T0,
            sender="ivan@acme.example",
            subject="Re: [Ticket#2010010199000017] old",
            text="still there?",
        )
    )
    assert result.ticket == "2010010199000017"
    live = desk.intake.receive(
        InboundMessage(
            channel="mail",
            external_id="y",
            received_at=T0,
            sender="ivan@acme.example",
            subject="[Ticket#2010010199000025] never imported",
            text="?",
        )
    )
    assert live.created


def test_small_blobs_go_into_the_database_large_ones_into_files(desk, factory):
    from deskframe.desk import Desk

    setup(desk, factory)
    big = bytes(range(256)) * (desk.blobs.inline_max // 256 + 1)
    large = ImportedArticle(
        "a2-1",
        "in",
        T0,
        "Big",
        "big",
        raw=big,
        attachments=[InboundAttachment("big.bin", "application/octet-stream", big[::-1])],
    )
    desk.tickets.import_tickets(
        [ticket("1", "2011120910000047"), ticket("2", "2011120910000055", articles=[large])],
        namespace="otrs",
        actor=Actor.operator(),
    )
    small = desk.tickets.get("2011120910000047").articles[0]
    assert not desk.blobs.path(small.raw_sha256).exists()  # a row of the blobs table, no file
    assert desk.blobs.exists(small.raw_sha256) and desk.blobs.get(small.raw_sha256) == b"From: ivan\r\n\r\nraw"
    assert desk.blobs.get(small.attachments[0].sha256) == b"x"
    stored = desk.tickets.get("2011120910000055").articles[0]
    assert desk.blobs.path(stored.raw_sha256).read_bytes() == big
    assert desk.blobs.path(stored.attachments[0].sha256).read_bytes() == big[::-1]
    other = Desk(desk.config, desk.plugins)  # another process on the same desk reads both kinds
    try:
        assert (
            other.blobs.get(small.raw_sha256) == b"From: ivan\r\n\r\nraw" and other.blobs.get(stored.raw_sha256) == big
        )
    finally:
        other.close()
    unknown = "0" * 64
    assert not desk.blobs.exists(unknown)
    with pytest.raises(FileNotFoundError):
        desk.blobs.get(unknown)


def test_a_blob_store_without_a_database_keeps_files(tmp_path):
    from deskframe.store import BlobStore

    blobs = BlobStore(tmp_path / "blobs")
    pending: dict[str, bytes] = {}
    sha = blobs.put_in_transaction(b"small", pending)
    blobs.flush()
    assert pending == {} and blobs.path(sha).read_bytes() == b"small" and blobs.get(sha) == b"small"


def test_over_limit_attachment_is_reported_and_the_rest_stored(desk, factory):
    setup(desk, factory)
    desk.blobs.max_bytes = 4
    big = ImportedArticle(
        "a1-9",
        "in",
        T0,
        "Big",
        "big",
        raw=b"From: x\r\n\r\n" + b"y" * 10,
        attachments=[
            InboundAttachment("big.bin", "application/octet-stream", b"z" * 5),
            InboundAttachment("ok.txt", "text/plain", b"ok"),
        ],
    )
    counts = desk.tickets.import_tickets(
        [ticket("1", "2011120910000047", articles=[big])], namespace="otrs", actor=Actor.operator()
    )
    assert counts.skipped == [("a1-9", "attachment 'big.bin' over the size limit")]
    article = desk.tickets.get("2011120910000047").articles[0]
    assert [a.filename for a in article.attachments] == ["ok.txt"]
    assert desk.blobs.get(article.raw_sha256).endswith(b"y" * 10)  # raw sources are never refused


def test_a_batch_costs_the_same_statements_whatever_its_size(desk, factory):
    from sqlalchemy import event

    setup(desk, factory)
    desk.tickets.import_tickets(
        [ticket("0", "2011120910099990")], namespace="otrs", actor=Actor.operator()
    )  # contact and queue now exist
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = desk.store.db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        sizes = []
        for start, n in ((1, 2), (3, 40)):
            statements.clear()
            counts = desk.tickets.import_tickets(
                [ticket(str(i), f"20111209100{i:05d}") for i in range(start, start + n)],
                namespace="otrs",
                actor=Actor.operator(),
            )
            assert (counts.tickets, counts.articles, counts.time_entries) == (n, 2 * n, n)
            sizes.append(len(statements))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sizes[0] == sizes[1], statements


def test_the_import_cursor_commits_with_its_batch(desk, factory):
    from deskframe.errors import DomainError

    setup(desk, factory)
    desk.tickets.import_tickets(
        [ticket("1", "2011120910000047")], namespace="otrs", cursor=("ticket", "1"), actor=Actor.operator()
    )
    assert desk.external_ids.get("otrs", "cursor", "ticket") == "1"
    twice = ImportedArticle("a2-1", "in", T0, "Help", "text")
    with pytest.raises(DomainError):  # the same article id twice: the whole batch rolls back
        desk.tickets.import_tickets(
            [ticket("2", "2011120910000055", articles=[twice, twice])],
            namespace="otrs",
            cursor=("ticket", "2"),
            actor=Actor.operator(),
        )
    assert desk.external_ids.get("otrs", "cursor", "ticket") == "1"
    assert desk.external_ids.get("otrs", "ticket", "2") is None


def test_foreign_database_queries_share_one_connection_inside_one_connection(tmp_path):
    from deskframe.foreign import ForeignDatabase

    db = ForeignDatabase(f"sqlite:///{tmp_path / 'source.db'}")
    with db.one_connection():
        db.all("CREATE TEMP TABLE seen (x INTEGER)")  # a temp table lives on its connection only
        db.all("INSERT INTO seen VALUES (1)")
        with db.one_connection():  # nested: the same connection
            assert db.scalar("SELECT count(*) FROM seen") == 1
        assert db.all("SELECT x FROM seen") == [{"x": 1}]
    assert "no such table" in _error(lambda: db.all("SELECT x FROM seen"))
    db.close()


def _error(call):
    from deskframe.errors import StorageError

    try:
        call()
    except StorageError as exc:
        return str(exc)
    return ""
