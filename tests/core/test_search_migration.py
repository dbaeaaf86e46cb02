"""Migration 0012: tickets stored before it are found by stems after it; the downgrade restores 0001's index."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, inspect, text

from deskframe.actors import Actor
from deskframe.store.migrate import downgrade, upgrade
from deskframe.store.rows import ArticleRow
from deskframe.testing import Factory

T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.timezone.utc)


def numbers(rows):
    return [r["number"] for r in rows]


def old_index_finds(db, word: str) -> list[int]:
    """Article ids the 0001 index finds for one exact word (FTS5 triggers / GIN expression)."""
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            sql = "SELECT rowid FROM article_fts WHERE article_fts MATCH :w ORDER BY rowid"
        else:
            assert "ix_articles_fulltext" in {i["name"] for i in inspect(conn).get_indexes("articles")}
            sql = (
                "SELECT id FROM articles WHERE to_tsvector('simple', coalesce(subject, '') || ' ' || "
                "coalesce(text, '')) @@ plainto_tsquery('simple', :w) ORDER BY id"
            )
        return [r[0] for r in conn.execute(text(sql), {"w": word})]


def add_article_at_0009(db, ticket_id: int, body: str) -> int:
    """An article written by a deskframe of revision 0009 (straight into the table)."""
    with db.engine.begin() as conn:
        return conn.execute(
            insert(ArticleRow.__table__)
            .returning(ArticleRow.id)
            .values(
                ticket_id=ticket_id,
                direction="in",
                channel="mail",
                sender="ivan@acme.example",
                recipients=[],
                subject="Старое письмо",
                text=body,
                html=None,
                message_id=None,
                references=[],
                agent_id=None,
                visible=True,
                raw_sha256=None,
                created_at=T0,
            )
        ).scalar_one()


def test_existing_articles_are_indexed_by_the_upgrade_and_the_downgrade_keeps_search(desk, factory):
    factory.customer("acme")
    before = factory.ticket("acme", subject="Оплата", body="Списали деньги по ошибке")
    other = factory.ticket("acme", subject="Прочее", body="Всё работает")
    db = desk.store.db

    downgrade(db, "0009")
    assert len(old_index_finds(db, "ошибке")) == 1  # the 0001 index is back and filled
    with db.engine.connect() as conn:
        other_id = conn.execute(text("SELECT id FROM tickets WHERE number = :n"), {"n": other.number}).scalar_one()
    late = add_article_at_0009(db, other_id, "Счета за октябрь не пришли")
    assert late in old_index_finds(db, "счета")  # kept by the old triggers / expression

    upgrade(db)
    assert numbers(desk.tickets.search("ошибка")) == [before.number]
    assert numbers(desk.tickets.search("ошибк*")) == [before.number]
    assert numbers(desk.tickets.search("счёт")) == [other.number]  # written under 0009, indexed by 0012
    reply = desk.tickets.add_article(
        before.number, direction="in", body="Повторная ошибка в счёте", actor=Actor.operator()
    )
    assert reply.id > late
    assert set(numbers(desk.tickets.search("счет"))) == {before.number, other.number}


def test_the_upgrade_indexes_with_the_desks_languages(make_desk):
    desk = make_desk('[search]\nlanguages = ["de"]\n')
    f = Factory(desk)
    f.customer("acme")
    hit = f.ticket("acme", body="Fehlermeldungen beim Drucken")
    downgrade(desk.store.db, "0009")
    desk.upgrade()
    assert numbers(desk.tickets.search("Fehlermeldung")) == [hit.number]
    assert desk.tickets.search("Fehler") == []
