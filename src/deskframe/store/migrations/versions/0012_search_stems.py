"""article_fts: search by exact words and by stems in the desk's languages

SQLite: the external-content FTS5 table kept by triggers becomes a contentless
FTS5 table ``article_fts(subject, body, stems)`` written by the application with
the Snowball stems (PyStemmer) of each article. PostgreSQL: the expression index
over a ``simple`` tsvector becomes a table ``article_fts(article_id, vector)``
(``simple`` words plus each language's stems) with a GIN index. Both are filled
for every existing article, with the languages of the desk being upgraded
(``ru`` and ``en`` when run without one). The downgrade restores the 0001 index.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from deskframe.store.search import rebuild
from deskframe.textsearch import DEFAULT_LANGUAGES

revision = "0012"
down_revision = "0010"
branch_labels = None
depends_on = None

_OLD_TRIGGERS = ("articles_fts_insert", "articles_fts_delete", "articles_fts_update")


def upgrade() -> None:
    bind = op.get_bind()
    config = op.get_context().config  # deskframe's own runs always pass one (with the desk's languages)
    languages = config.attributes.get("search_languages", DEFAULT_LANGUAGES) if config else DEFAULT_LANGUAGES
    if bind.dialect.name == "sqlite":
        for trigger in _OLD_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS article_fts")
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5(subject, body, stems, content='', "
            "tokenize='unicode61 remove_diacritics 2')"
        )
    elif bind.dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_articles_fulltext")
        op.execute(
            "CREATE TABLE article_fts (article_id integer PRIMARY KEY "
            "REFERENCES articles(id) ON DELETE CASCADE, vector tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_article_fts_vector ON article_fts USING gin (vector)")
    else:
        return
    rebuild(bind, languages)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS article_fts")
        op.execute(
            "CREATE VIRTUAL TABLE article_fts USING fts5(subject, text, content='articles', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
            "INSERT INTO article_fts(rowid, subject, text) VALUES (new.id, new.subject, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
            "INSERT INTO article_fts(article_fts, rowid, subject, text) "
            "VALUES ('delete', old.id, old.subject, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER articles_fts_update AFTER UPDATE OF subject, text ON articles BEGIN "
            "INSERT INTO article_fts(article_fts, rowid, subject, text) "
            "VALUES ('delete', old.id, old.subject, old.text); "
            "INSERT INTO article_fts(rowid, subject, text) VALUES (new.id, new.subject, new.text); END"
        )
        op.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
    elif dialect == "postgresql":
        op.execute("DROP TABLE IF EXISTS article_fts")
        op.execute(
            "CREATE INDEX ix_articles_fulltext ON articles USING gin "
            "(to_tsvector('simple', coalesce(subject, '') || ' ' || coalesce(text, '')))"
        )
