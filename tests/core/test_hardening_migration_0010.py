"""Migration 0010 (outside text unbounded, intake keys hashed) upgrades and downgrades stored data."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import inspect, text

from deskframe import InboundMessage

NOW = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def _message(n: int, **kw) -> InboundMessage:
    values = dict(
        channel="mail",
        external_id=f"<key-{n}@customer.example>",
        received_at=NOW,
        sender=f"user{n}@customer.example",
        subject=f"Question {n}",
        text="x",
        message_id=f"<key-{n}@customer.example>",
    )
    values.update(kw)
    return InboundMessage(**values)


def test_intake_keys_and_long_text_survive_a_downgrade_and_an_upgrade(desk):
    from deskframe.store.migrate import downgrade, upgrade

    db = desk.store.db
    short = [_message(n) for n in range(3)]
    long_key = _message(9, external_id="k" * 600, sender="s" * 240 + "@customer.example")
    first = desk.intake.receive_many(short + [long_key])

    downgrade(db, "0009")
    with db.engine.connect() as conn:
        keys = dict(conn.execute(text("SELECT key, article_id FROM intake_keys")).all())
        actor = conn.execute(text("SELECT max(length(actor)) FROM history")).scalar_one()
    assert keys == {m.external_id: r.article_id for m, r in zip(short, first)}  # the 600-character key is dropped
    columns = {c["name"]: c["type"] for c in inspect(db.engine).get_columns("history")}
    if db.dialect == "postgresql":
        assert actor == 200 and getattr(columns["actor"], "length", None) == 200  # cut to the old column
    assert "key_sha256" not in {c["name"] for c in inspect(db.engine).get_columns("intake_keys")}

    upgrade(db)
    with db.engine.connect() as conn:
        hashed = dict(conn.execute(text("SELECT key_sha256, key FROM intake_keys")).all())
    assert hashed == {hashlib.sha256(m.external_id.encode()).hexdigest(): m.external_id for m in short}
    again = desk.intake.receive_many(short)  # still known after the round trip: duplicates
    assert [r.duplicate for r in again] == [True] * 3
    assert [r.article_id for r in again] == [r.article_id for r in first[:3]]
    stored = desk.intake.receive_many([_message(10, external_id="z" * 2000, sender="t" * 300 + "@customer.example")])
    assert not stored[0].duplicate and desk.intake.receive_many([_message(10, external_id="z" * 2000)])[0].duplicate
