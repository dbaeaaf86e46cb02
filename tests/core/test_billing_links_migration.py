"""Migration 0009 moves the entry-to-line links into ``invoice_line_entries`` and back, losing none."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from test_billing_ledger import CONFIG, ModelPlugin, linked_entries, log

from deskframe import Money
from deskframe.actors import Actor


def test_links_survive_a_downgrade_and_an_upgrade(make_desk):
    from deskframe.store.migrate import downgrade, upgrade
    from deskframe.testing import Factory

    desk = make_desk(
        CONFIG, plugins=[ModelPlugin()], clock=lambda: dt.datetime(2026, 11, 3, 12, 0, tzinfo=dt.timezone.utc)
    )
    f = Factory(desk)
    f.customer("acme")
    f.contract("acme", key="acme-hourly", pricing="pm", start=dt.date(2026, 1, 1))
    f.agent("alice")
    t = desk.tickets.open(subject="Fix", body="x", customer="acme", actor=Actor.operator())
    billed = [log(desk, t.number, m, dt.date(2026, 10, d)).id for m, d in ((10, 5), (20, 6))]
    desk.billing.run("2026-10", actor=Actor.operator())
    (invoice,) = desk.billing.issue(period="2026-10", actor=Actor.operator())
    unbilled = log(desk, t.number, 30, dt.date(2026, 10, 30)).id  # late: after the issue
    db = desk.store.db

    downgrade(db, "0008")
    with db.engine.connect() as conn:
        column = dict(conn.execute(text("SELECT id, invoice_line_id FROM time_entries")).all())
    assert sorted(e for e, line in column.items() if line is not None) == billed
    assert column[unbilled] is None

    upgrade(db)
    assert linked_entries(desk.billing.invoice(invoice.number)) == billed
    report = desk.billing.run("2026-11", actor=Actor.operator())  # only the late entry is billed again
    assert report.drafted == ["acme-hourly"]
    (november,) = desk.billing.invoices(period="2026-11")
    assert linked_entries(november) == [unbilled]
    assert november.subtotal == Money("45.00", "RUB")
