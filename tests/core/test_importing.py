"""Desk.import_tickets: numbers and times kept, idempotent, resumable, merges across batches."""

from __future__ import annotations

import datetime as dt

from deskframe import InboundAttachment, InboundMessage
from deskframe.importing import ImportedArticle, ImportedHistory, ImportedTicket, ImportedTime

T0 = dt.datetime(2011, 12, 9, 10, 0, tzinfo=dt.timezone.utc)


def ticket(ext, number, **kw):
    values = dict(external_id=ext, number=number, subject=f"Old {ext}", state="closed", priority="P3",
                  queue="Raw", created_at=T0, updated_at=T0, customer="acme", contact="ivan@acme.example",
                  owner="alice",
                  articles=[ImportedArticle(f"a{ext}-1", "in", T0, "Help", "Текст письма", sender="ivan@acme.example",
                                            message_id=f"<{ext}@acme>", raw=b"From: ivan\r\n\r\nraw",
                                            attachments=[InboundAttachment("../x.txt", "text/plain", b"x")]),
                            ImportedArticle(f"a{ext}-2", "internal", T0, "note", "internal note", agent="alice",
                                            visible=False)],
                  history=[ImportedHistory(f"h{ext}-1", T0, "created", actor="alice", new=number)],
                  time=[ImportedTime(f"t{ext}-1", "alice", 30, T0.date())])
    values.update(kw)
    return ImportedTicket(**values)


def setup(desk, factory):
    factory.customer("acme", domains=["acme.example"])
    factory.agent("alice")


def test_import_keeps_numbers_and_is_idempotent(desk, factory):
    setup(desk, factory)
    batch = [ticket("1", "2011120910000047"), ticket("2", "2011120910000055")]
    counts = desk.import_tickets(batch, namespace="otrs")
    assert (counts.tickets, counts.articles, counts.attachments, counts.history, counts.time_entries) == (2, 4, 2, 2, 2)
    again = desk.import_tickets(batch, namespace="otrs")
    assert (again.tickets, again.articles, again.history, again.time_entries) == (0, 0, 0, 0)
    shown = desk.ticket("2011120910000047")
    assert shown.state == "closed" and shown.owner == "alice" and shown.customer == "acme"
    assert shown.created_at == T0
    assert [a.direction for a in shown.articles] == ["in", "internal"]
    assert shown.articles[1].visible_to_customer is False
    assert shown.articles[0].attachments[0].filename == "x.txt"
    assert desk.clocks("2011120910000047") == []


def test_reply_to_old_subject_threads_into_imported_ticket(desk, factory):
    setup(desk, factory)
    desk.import_tickets([ticket("1", "2011120910000047")], namespace="otrs")
    result = desk.intake(InboundMessage(channel="mail", external_id="new", received_at=T0, sender="ivan@acme.example",
                                        subject="Re: [Ticket#2011120910000047] Help", text="again"))
    assert result.ticket == "2011120910000047" and not result.created
    assert desk.ticket(result.ticket).state == "open"


def test_merge_target_in_a_later_batch_is_linked(desk, factory):
    setup(desk, factory)
    desk.import_tickets([ticket("1", "2011120910000047", state="merged", merged_into="2011120910000055")],
                        namespace="otrs")
    assert desk.ticket("2011120910000047").merged_into is None
    desk.import_tickets([ticket("2", "2011120910000055")], namespace="otrs")
    assert desk.ticket("2011120910000047").merged_into == "2011120910000055"


def test_delta_run_updates_changed_ticket_and_adds_new_articles(desk, factory):
    setup(desk, factory)
    desk.import_tickets([ticket("1", "2011120910000047", state="open")], namespace="otrs")
    later = ticket("1", "2011120910000047", state="closed", updated_at=T0 + dt.timedelta(days=1))
    extra = ImportedArticle("a1-3", "out", T0 + dt.timedelta(days=1), "Re", "done", agent="alice")
    import attrs

    later = attrs.evolve(later, articles=later.articles + (extra,))
    counts = desk.import_tickets([later], namespace="otrs")
    assert (counts.tickets, counts.tickets_updated, counts.articles) == (0, 1, 1)
    assert desk.ticket("2011120910000047").state == "closed"


def test_imported_time_is_never_invoiced(make_desk):
    from tests.core.test_billing_ledger import CONFIG, ModelPlugin

    desk = make_desk(CONFIG, plugins=[ModelPlugin()])
    from deskframe.testing import Factory

    f = Factory(desk)
    f.customer("acme")
    f.agent("alice")
    f.contract("acme", key="acme-hourly", pricing="pm")
    desk.import_tickets([ticket("1", "2011120910000047", contract="acme-hourly",
                                time=[ImportedTime("t1", "alice", 60, dt.date(2026, 10, 1))])],
                        namespace="otrs")
    number = desk.open_ticket(subject="live", body="x", customer="acme").number
    desk.log_time(number, agent="alice", minutes=10, date=dt.date(2026, 10, 2))
    assert desk.ticket("2011120910000047").contract == "acme-hourly"
    desk.ledger.run("2026-10")
    invoice = desk.ledger.invoices(period="2026-10")[0]
    assert [line.ticket for line in invoice.lines] == [number]


def test_skips_a_number_that_already_exists(desk, factory):
    setup(desk, factory)
    live = desk.open_ticket(subject="live", body="x", customer="acme").number
    counts = desk.import_tickets([ticket("9", live)], namespace="otrs")
    assert counts.tickets == 0 and counts.skipped == [("9", f"ticket number {live} already exists")]


def test_reply_to_an_imported_number_of_another_system_id_threads(desk, factory):
    setup(desk, factory)
    desk.import_tickets([ticket("7", "2010010199000017")], namespace="otrs")  # system id 99, not ours
    result = desk.intake(InboundMessage(channel="mail", external_id="x", received_at=T0, sender="ivan@acme.example",
                                        subject="Re: [Ticket#2010010199000017] old", text="still there?"))
    assert result.ticket == "2010010199000017"
    live = desk.intake(InboundMessage(channel="mail", external_id="y", received_at=T0, sender="ivan@acme.example",
                                      subject="[Ticket#2010010199000025] never imported", text="?"))
    assert live.created
