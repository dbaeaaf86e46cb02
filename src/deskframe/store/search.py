"""The full-text index of articles (``article_fts``) on SQLite and PostgreSQL.

Every article is indexed twice over: its exact words (so any word in any
language matches as written) and its stems in the desk's search languages (so
``ошибка`` finds «по ошибке» and ``errors`` finds "error").

* SQLite: a contentless FTS5 table ``article_fts(subject, body, stems)`` keyed
  by the article id; the words go in as (normalised) text, the Snowball stems
  (PyStemmer) as a space-separated list. Ranked by ``bm25``.
* PostgreSQL: a table ``article_fts(article_id, vector)`` with a GIN index; the
  vector is built by the server from the ``simple`` configuration (exact words)
  and each language's configuration (stems), weighted subject over body and
  words over stems. Ranked by ``ts_rank``.

The index is written in the same transaction as the articles, one statement per
batch (:func:`index_articles`); :func:`rebuild` re-creates it for all articles
(migration 0012 and ``deskframe ticket reindex``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from ..textsearch import INDEXED_CHARS, LANGUAGES, Term, normalize, query_terms, stems, term_stems, words

#: bm25 weights of the SQLite columns: subject words, body words, stems.
SQLITE_WEIGHTS = (4.0, 2.0, 1.0)
_REBUILD_CHUNK = 1000


def _dialect(bind: Any) -> str:
    return (bind.get_bind() if isinstance(bind, Session) else bind).dialect.name


# --- writing -------------------------------------------------------------------
def sqlite_entry(article_id: int, subject: str | None, body: str | None, languages: Iterable[str]) -> dict[str, Any]:
    """The FTS5 row of one article: normalised subject and body, and the stems of both."""
    subject, body = normalize(subject or ""), normalize(body or "")
    return {
        "rowid": article_id,
        "subject": subject,
        "body": body,
        "stems": " ".join(stems(words(subject) + words(body), languages)),
    }


#: PostgreSQL's parser keeps e-mail addresses, host and file names, URLs and hyphenated words
#: whole (``report_2026.pdf`` is one token); these characters become spaces first, so a word
#: is what it is on SQLite and in a query: a run of letters and digits. ``ё`` becomes ``е``.
_PG_FROM = "ёЁ_.@/-:<>&;=+#~|"
_PG_TO = "еЕ" + " " * (len(_PG_FROM) - 2)


def _pg_vector(languages: Iterable[str]) -> str:
    """SQL for an article's tsvector from the normalised columns ``s`` (subject) and ``b`` (body);
    weights A-D: subject words, body words, subject stems, body stems."""
    parts = ["setweight(to_tsvector('simple', s), 'A')", "setweight(to_tsvector('simple', b), 'B')"]
    for language in languages:
        config = LANGUAGES[language]  # a fixed table of names: never user text in the SQL
        parts += [f"setweight(to_tsvector('{config}', s), 'C')", f"setweight(to_tsvector('{config}', b), 'D')"]
    return " || ".join(parts)


def _pg_insert(languages: Iterable[str], where: str) -> str:
    """INSERT ... SELECT indexing the articles matching ``where`` (each text normalised once)."""
    return (
        f"INSERT INTO article_fts(article_id, vector) SELECT id, {_pg_vector(languages)} FROM "
        f"(SELECT id, translate(coalesce(subject, ''), '{_PG_FROM}', '{_PG_TO}') AS s, "
        f"translate(left(coalesce(text, ''), {INDEXED_CHARS}), '{_PG_FROM}', '{_PG_TO}') AS b "
        f"FROM articles {where} OFFSET 0) normalised"
    )


def index_articles(bind: Any, articles: Sequence[tuple[int, str | None, str | None]], languages: Sequence[str]) -> None:
    """Add new articles ``(id, subject, text)`` to the index, in one statement (inside the
    caller's transaction). ``bind`` is a Session or a Connection."""
    if not articles:
        return
    if _dialect(bind) == "sqlite":
        bind.execute(
            text("INSERT INTO article_fts(rowid, subject, body, stems) VALUES (:rowid, :subject, :body, :stems)"),
            [sqlite_entry(i, subject, body, languages) for i, subject, body in articles],
        )
    else:
        bind.execute(text(_pg_insert(languages, "WHERE id = ANY(:ids)")), {"ids": [a[0] for a in articles]})


def rebuild(bind: Any, languages: Sequence[str]) -> int:
    """Empty the index and index every article again; returns how many were indexed."""
    if _dialect(bind) != "sqlite":
        bind.execute(text("DELETE FROM article_fts"))
        result = bind.execute(text(_pg_insert(languages, "")))
        return int(result.rowcount or 0)
    bind.execute(text("INSERT INTO article_fts(article_fts) VALUES ('delete-all')"))
    count, last = 0, 0
    while True:
        chunk = bind.execute(
            text("SELECT id, subject, text FROM articles WHERE id > :last ORDER BY id LIMIT :n"),
            {"last": last, "n": _REBUILD_CHUNK},
        ).all()
        if not chunk:
            return count
        index_articles(bind, [tuple(r) for r in chunk], languages)
        count += len(chunk)
        last = chunk[-1][0]


# --- reading -------------------------------------------------------------------
def _fts5_string(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def sqlite_match(terms: Sequence[Term], languages: Sequence[str]) -> str:
    """An FTS5 MATCH expression: every term as a word (subject or body) or as one of its stems."""
    clauses = []
    for term in terms:
        star = "*" if term.prefix else ""
        options = [f"{{subject body}}: {_fts5_string(term.word)}{star}"]
        options += [f"stems: {_fts5_string(s)}{star}" for s in term_stems(term, languages)]
        clauses.append("(" + " OR ".join(options) + ")")
    return " AND ".join(clauses)


def _pg_query(terms: Sequence[Term], languages: Sequence[str]) -> tuple[str, dict[str, str]]:
    """SQL for the tsquery of ``terms`` (all must match; each in ``simple`` or any language), and its
    parameters. Terms are letters and digits only, so quoting them makes them plain lexemes."""
    configs = ["simple"] + [LANGUAGES[language] for language in languages]
    clauses, params = [], {}
    for i, term in enumerate(terms):
        params[f"t{i}"] = f"'{term.word}'" + (":*" if term.prefix else "")
        clauses.append("(" + " || ".join(f"to_tsquery('{c}', :t{i})" for c in configs) + ")")
    return " && ".join(clauses), params


def scope_sql(
    *,
    queues: Iterable[str] | None = None,
    customer: str | None = None,
    contact: str | None = None,
    visible_only: bool = False,
) -> tuple[str, dict[str, Any]] | None:
    """A condition on article ``a`` keeping what an actor may see: articles visible to the customer
    (``visible_only``), of tickets in ``queues``, of ``customer``, opened by ``contact`` (an e-mail);
    ``("", {})`` when nothing is filtered, None when nothing can match (no queues)."""
    parts: list[str] = []
    params: dict[str, Any] = {}
    if visible_only:
        parts.append("a.visible = :scope_visible AND a.direction != 'internal'")
        params["scope_visible"] = True
    ticket: list[str] = []
    if queues is not None:
        names = sorted(set(queues))
        if not names:
            return None
        marks = ", ".join(f":scope_q{i}" for i in range(len(names)))
        ticket.append(f"t.queue_id IN (SELECT q.id FROM queues q WHERE q.name IN ({marks}))")
        params.update({f"scope_q{i}": name for i, name in enumerate(names)})
    if customer is not None:
        ticket.append("t.customer_id IN (SELECT c.id FROM customers c WHERE c.key = :scope_customer)")
        params["scope_customer"] = customer
    if contact is not None:
        ticket.append("t.contact_id IN (SELECT k.id FROM contacts k WHERE k.email = :scope_contact)")
        params["scope_contact"] = contact.strip().lower()
    if ticket:
        parts.append(f"a.ticket_id IN (SELECT t.id FROM tickets t WHERE {' AND '.join(ticket)})")
    return " AND ".join(parts), params


def ticket_ids(
    session: Session,
    query: str,
    languages: Sequence[str],
    limit: int,
    scope: tuple[str, dict[str, Any]] | None = ("", {}),
) -> list[int]:
    """Ids of the tickets with an article matching every term of ``query``, best first: by the
    relevance of their best article, then by the time of their newest matching article.
    ``scope`` (from :func:`scope_sql`) keeps only articles an actor may see; None: nothing."""
    terms = query_terms(query)
    if not terms or limit <= 0 or scope is None:
        return []
    where, scope_params = scope
    extra = f" AND {where}" if where else ""
    if _dialect(session) == "sqlite":
        weights = ", ".join(str(w) for w in SQLITE_WEIGHTS)
        # bm25 through the ``rank`` column: an auxiliary function may not be called in a grouped query
        sql = (
            "SELECT ticket_id FROM (SELECT a.ticket_id AS ticket_id, a.created_at AS created_at, a.id AS id, "
            "article_fts.rank AS score FROM article_fts JOIN articles a ON a.id = article_fts.rowid "
            f"WHERE article_fts MATCH :match AND article_fts.rank MATCH 'bm25({weights})'{extra}) "
            "GROUP BY ticket_id ORDER BY min(score), max(created_at) DESC, max(id) DESC LIMIT :limit"
        )
        params: dict[str, Any] = {"match": sqlite_match(terms, languages), "limit": limit, **scope_params}
    else:
        tsquery, term_params = _pg_query(terms, languages)
        sql = (
            f"SELECT a.ticket_id FROM article_fts f JOIN articles a ON a.id = f.article_id, "
            f"(SELECT {tsquery} AS q) qq WHERE f.vector @@ qq.q{extra} GROUP BY a.ticket_id "
            "ORDER BY max(ts_rank(f.vector, qq.q)) DESC, max(a.created_at) DESC, max(a.id) DESC LIMIT :limit"
        )
        params = {**term_params, "limit": limit, **scope_params}
    return [row[0] for row in session.execute(text(sql), params)]
