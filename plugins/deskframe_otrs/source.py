"""Reading an OTRS/Znuny database through :class:`deskframe.foreign.ForeignDatabase`.

The layout is discovered at run time: Znuny / OTRS 6+ keep a slim ``article`` with
``article_data_mime*`` tables, OTRS <= 5 a wide ``article`` with ``article_type``,
``article_plain`` and ``article_attachment``. Optional columns are selected only
when the source has them. Every statement is plain SQL that PostgreSQL and
MySQL/MariaDB both accept; lists of ids are bound one parameter each.

The queries of one ticket batch run on one connection (:meth:`Source.batch`):
one pool checkout and one short read transaction instead of one per query.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import attrs

from deskframe.errors import ConfigError

REQUIRED = (
    "ticket",
    "article",
    "users",
    "queue",
    "ticket_state",
    "ticket_state_type",
    "ticket_priority",
    "ticket_lock_type",
    "article_sender_type",
)
MIME_COLUMNS = (
    "a_from",
    "a_reply_to",
    "a_to",
    "a_cc",
    "a_bcc",
    "a_subject",
    "a_message_id",
    "a_in_reply_to",
    "a_references",
    "a_content_type",
    "a_body",
    "content_path",
)
TICKET_COLUMNS = (
    "id",
    "tn",
    "title",
    "queue_id",
    "ticket_lock_id",
    "user_id",
    "ticket_priority_id",
    "ticket_state_id",
    "customer_id",
    "customer_user_id",
    "sla_id",
    "create_time",
    "change_time",
)
ATTACHMENT_COLUMNS = (
    "id",
    "article_id",
    "filename",
    "content_type",
    "content_id",
    "content_alternative",
    "disposition",
    "content_size",
    "content",
)
#: Characters of an article body read from the source (bound as ``:body_chars``); the full length
#: comes as ``a_body_chars``, so a body over the limit is never read whole.
_BODY = "SUBSTRING({a}.a_body, 1, :body_chars) AS a_body, CHAR_LENGTH({a}.a_body) AS a_body_chars"
#: Attachment content only up to ``:content_chars`` (base64 text on PostgreSQL, bytes on MySQL);
#: ``content_length`` tells how large a content left unread is.
_CONTENT = (
    "CASE WHEN LENGTH(x.content) <= :content_chars THEN x.content END AS content, LENGTH(x.content) AS content_length"
)


@attrs.frozen
class Layout:
    """What the source looks like: its generation and the columns it has."""

    generation: str  # "otrs6" (Znuny / OTRS 6+) or "otrs5"
    article: str  # the article SELECT list (aliases a / m)
    article_from: str  # FROM clause for articles
    plain: str | None  # table of raw sources
    attachment: str | None
    attachment_columns: tuple[str, ...]
    ticket_columns: tuple[str, ...]
    chat: bool
    history: bool
    time: bool
    tables: frozenset[str]

    @property
    def label(self) -> str:
        return "Znuny / OTRS 6+ (article_data_mime)" if self.generation == "otrs6" else "OTRS 5 (wide article)"


def _present(db: Any, table: str, wanted: Sequence[str]) -> list[str]:
    have = {c.lower() for c in db.columns(table)}
    return [c for c in wanted if c in have]


def detect(db: Any) -> Layout:
    """Inspect the source; ConfigError if it is not an OTRS/Znuny database."""
    tables = frozenset(t.lower() for t in db.tables())
    missing = [t for t in REQUIRED if t not in tables]
    if missing:
        raise ConfigError(f"not an OTRS/Znuny database: missing table(s) {', '.join(missing)}", key="--source")
    article_cols = {c.lower() for c in db.columns("article")}
    ticket_cols = tuple(_present(db, "ticket", TICKET_COLUMNS))
    for needed in ("id", "tn", "queue_id", "ticket_state_id", "ticket_priority_id", "create_time", "change_time"):
        if needed not in ticket_cols:
            raise ConfigError(f"not an OTRS/Znuny database: ticket.{needed} is missing", key="--source")
    if "article_data_mime" in tables:
        mime = _present(db, "article_data_mime", MIME_COLUMNS)
        base = ["a.id", "a.ticket_id", "a.article_sender_type_id", "a.create_time", "a.create_by"]
        base += [f"a.{c}" for c in ("communication_channel_id", "is_visible_for_customer") if c in article_cols]
        select = ", ".join(
            base + [_BODY.format(a="m") if c == "a_body" else f"m.{c}" for c in mime] + ["m.id AS mime_id"]
        )
        plain = "article_data_mime_plain" if "article_data_mime_plain" in tables else None
        attachment = "article_data_mime_attachment" if "article_data_mime_attachment" in tables else None
        generation, article_from = "otrs6", "article a LEFT JOIN article_data_mime m ON m.article_id = a.id"
    elif "article_type_id" in article_cols:
        mime = [c for c in MIME_COLUMNS if c in article_cols]
        base = ["a.id", "a.ticket_id", "a.article_sender_type_id", "a.article_type_id", "a.create_time", "a.create_by"]
        select = ", ".join(
            base + [_BODY.format(a="a") if c == "a_body" else f"a.{c}" for c in mime] + ["a.id AS mime_id"]
        )
        plain = "article_plain" if "article_plain" in tables else None
        attachment = "article_attachment" if "article_attachment" in tables else None
        generation, article_from = "otrs5", "article a"
    else:
        raise ConfigError(
            "not an OTRS/Znuny database: neither article_data_mime nor article.article_type_id", key="--source"
        )
    att_cols = tuple(_present(db, attachment, ATTACHMENT_COLUMNS)) if attachment else ()
    return Layout(
        generation=generation,
        article=select,
        article_from=article_from,
        plain=plain,
        attachment=attachment,
        attachment_columns=att_cols,
        ticket_columns=ticket_cols,
        chat="article_data_otrs_chat" in tables,
        history="ticket_history" in tables,
        time="time_accounting" in tables,
        tables=tables,
    )


#: A raw source larger than this (stored characters or bytes) is read in slices of this size,
#: so the driver never holds it whole beside its decoded bytes.
RAW_SLICE = 4 * 1024 * 1024


@attrs.frozen
class Slices:
    """A large raw source, read slice by slice each time it is iterated."""

    source: Source
    plain_id: Any
    length: int

    def __iter__(self) -> Iterator[Any]:
        for start in range(1, self.length + 1, RAW_SLICE):
            yield self.source.plain_slice(self.plain_id, start, RAW_SLICE)


def in_list(prefix: str, values: Sequence[Any]) -> tuple[str, dict[str, Any]]:
    """``(:p0, :p1, ...)`` and its parameters (ForeignDatabase takes plain SQL text)."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    return "(" + ", ".join(f":{n}" for n in names) + ")", dict(zip(names, values))


class Source:
    """The queries the importer runs against one OTRS database."""

    def __init__(
        self, db: Any, layout: Layout, *, body_bytes: int = 25 * 1024 * 1024, attachment_bytes: int = 25 * 1024 * 1024
    ):
        self.db = db
        self.layout = layout
        #: article bodies are read up to this many characters (the text is cut to as many bytes later)
        self.body_bytes = body_bytes
        #: attachment contents are read only if their stored form is within this size (base64
        #: text with OTRS's line breaks on PostgreSQL; bytes on MySQL, where the core checks again)
        base64_chars = (attachment_bytes + 2) // 3 * 4
        self._content_chars = base64_chars + base64_chars // 76 + 2

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Run the queries inside the block on one connection of the source database."""
        shared = getattr(self.db, "one_connection", None)
        if shared is None:
            yield
            return
        with shared():
            yield

    def _all(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return self.db.all(sql, params)

    # --- lookups (small tables, read once) -----------------------------------------
    def lookup(self, table: str, columns: str = "id, name") -> dict[Any, dict[str, Any]]:
        if table not in self.layout.tables:
            return {}
        return {r["id"]: r for r in self.db.all(f"SELECT {columns} FROM {table}")}

    def states(self) -> dict[Any, dict[str, Any]]:
        return {
            r["id"]: r
            for r in self.db.all(
                "SELECT s.id, s.name, t.name AS type_name FROM ticket_state s "
                "LEFT JOIN ticket_state_type t ON t.id = s.type_id"
            )
        }

    def users(self) -> list[dict[str, Any]]:
        cols = _present(self.db, "users", ("id", "login", "first_name", "last_name", "valid_id", "change_time"))
        return self.db.all(f"SELECT {', '.join(cols)} FROM users ORDER BY id")

    def user_emails(self) -> dict[Any, Any]:
        if "user_preferences" not in self.layout.tables:
            return {}
        rows = self.db.all(
            "SELECT user_id, preferences_value FROM user_preferences WHERE preferences_key = :key", {"key": "UserEmail"}
        )
        return {r["user_id"]: r["preferences_value"] for r in rows}

    def queues(self) -> list[dict[str, Any]]:
        cols = _present(
            self.db,
            "queue",
            (
                "id",
                "name",
                "comments",
                "valid_id",
                "first_response_time",
                "first_response_notify",
                "update_time",
                "update_notify",
                "solution_time",
                "solution_notify",
                "calendar_name",
            ),
        )
        return self.db.all(f"SELECT {', '.join(cols)} FROM queue ORDER BY id")

    def slas(self) -> list[dict[str, Any]]:
        if "sla" not in self.layout.tables:
            return []
        cols = _present(
            self.db,
            "sla",
            (
                "id",
                "name",
                "comments",
                "valid_id",
                "first_response_time",
                "first_response_notify",
                "update_time",
                "update_notify",
                "solution_time",
                "solution_notify",
                "calendar_name",
            ),
        )
        return self.db.all(f"SELECT {', '.join(cols)} FROM sla ORDER BY id")

    def companies(self, batch: int) -> Iterator[list[dict[str, Any]]]:
        if "customer_company" not in self.layout.tables:
            return iter(())
        cols = _present(self.db, "customer_company", ("customer_id", "name", "url", "valid_id", "change_time"))
        return self.db.stream(f"SELECT {', '.join(cols)} FROM customer_company ORDER BY customer_id", batch=batch)

    def customer_users(self, batch: int) -> Iterator[list[dict[str, Any]]]:
        if "customer_user" not in self.layout.tables:
            return iter(())
        cols = _present(
            self.db,
            "customer_user",
            (
                "id",
                "login",
                "email",
                "customer_id",
                "first_name",
                "last_name",
                "phone",
                "mobile",
                "valid_id",
                "change_time",
            ),
        )
        return self.db.stream(f"SELECT {', '.join(cols)} FROM customer_user ORDER BY login", batch=batch)

    def customer_users_by_login(self, logins: Sequence[str]) -> dict[str, dict[str, Any]]:
        if not logins or "customer_user" not in self.layout.tables:
            return {}
        clause, params = in_list("l", logins)
        rows = self._all(f"SELECT login, email, customer_id FROM customer_user WHERE login IN {clause}", params)
        return {r["login"]: r for r in rows}

    def companies_by_id(self, ids: Sequence[str]) -> set[str]:
        if not ids or "customer_company" not in self.layout.tables:
            return set()
        clause, params = in_list("c", ids)
        return {
            r["customer_id"]
            for r in self.db.all(f"SELECT customer_id FROM customer_company WHERE customer_id IN {clause}", params)
        }

    def system_id(self) -> str | None:
        """OTRS's SystemID from the sysconfig tables (Znuny / OTRS 6+), if it is stored there."""
        for table in ("sysconfig_modified", "sysconfig_default"):
            if table not in self.layout.tables:
                continue
            rows = self.db.all(f"SELECT effective_value FROM {table} WHERE name = :name", {"name": "SystemID"})
            for row in rows:
                value = row["effective_value"]
                if isinstance(value, (bytes, bytearray)):
                    value = bytes(value).decode("utf-8", "replace")
                digits = "".join(ch for ch in str(value or "").replace("---", "") if ch.isdigit())
                if digits:
                    return digits
        return None

    # --- tickets ---------------------------------------------------------------------
    def _since_clause(self) -> str:
        parts = [
            "SELECT id FROM ticket WHERE change_time >= :since",
            "SELECT ticket_id FROM article WHERE create_time >= :since OR change_time >= :since",
        ]
        if self.layout.history:
            parts.append("SELECT ticket_id FROM ticket_history WHERE create_time >= :since")
        if self.layout.time:
            parts.append("SELECT ticket_id FROM time_accounting WHERE create_time >= :since OR change_time >= :since")
        return " UNION ".join(parts)

    def count_tickets(self, after: int) -> int:
        return int(self.db.scalar("SELECT count(*) FROM ticket WHERE id > :after", {"after": after}) or 0)

    def changed_ticket_ids(self, since: dt.datetime) -> list[int]:
        """Ids of tickets changed, or given an article, history row or time entry, since ``since``."""
        rows = self.db.all(
            f"SELECT DISTINCT id FROM ticket WHERE id IN ({self._since_clause()}) ORDER BY id", {"since": since}
        )
        return [r["id"] for r in rows]

    def _ticket_select(self) -> str:
        return "SELECT " + ", ".join(f"t.{c}" for c in self.layout.ticket_columns) + " FROM ticket t"

    def ticket_batches(self, after: int, batch: int) -> Iterator[list[dict[str, Any]]]:
        """Tickets with id above ``after`` in id order, ``batch`` at a time (keyset pages, no open cursor)."""
        params: dict[str, Any] = {"after": after, "n": batch}
        while True:
            rows = self.db.all(f"{self._ticket_select()} WHERE t.id > :after ORDER BY t.id LIMIT :n", params)
            if not rows:
                return
            yield rows
            params["after"] = rows[-1]["id"]
            if len(rows) < batch:
                return

    def tickets_by_id(self, ids: Sequence[Any]) -> list[dict[str, Any]]:
        clause, params = in_list("t", ids)
        return self._all(f"{self._ticket_select()} WHERE t.id IN {clause} ORDER BY t.id", params)

    def articles(self, ticket_ids: Sequence[Any]) -> list[dict[str, Any]]:
        clause, params = in_list("t", ticket_ids)
        params["body_chars"] = self.body_bytes
        return self._all(
            f"SELECT {self.layout.article} FROM {self.layout.article_from} "
            f"WHERE a.ticket_id IN {clause} ORDER BY a.ticket_id, a.id",
            params,
        )

    def plains(self, ticket_ids: Sequence[Any]) -> dict[Any, Any]:
        if not self.layout.plain:
            return {}
        clause, params = in_list("t", ticket_ids)
        params["slice"] = RAW_SLICE
        rows = self._all(
            f"SELECT p.id, p.article_id, LENGTH(p.body) AS body_length, "
            f"CASE WHEN LENGTH(p.body) <= :slice THEN p.body END AS body FROM {self.layout.plain} p "
            f"JOIN article a ON a.id = p.article_id WHERE a.ticket_id IN {clause} ORDER BY p.id",
            params,
        )
        out: dict[Any, Any] = {}
        for r in rows:
            if r["article_id"] not in out:
                large = r["body"] is None and (r["body_length"] or 0) > 0
                out[r["article_id"]] = Slices(self, r["id"], r["body_length"]) if large else r["body"]
        return out

    def plain_slice(self, plain_id: Any, start: int, size: int) -> Any:
        """Characters (bytes on MySQL) ``start`` (1-based) .. ``start + size - 1`` of one raw source."""
        return self.db.scalar(
            f"SELECT SUBSTRING(body, :start, :n) FROM {self.layout.plain} WHERE id = :id",
            {"start": start, "n": size, "id": plain_id},
        )

    def attachments(self, ticket_ids: Sequence[Any]) -> dict[Any, list[dict[str, Any]]]:
        if not self.layout.attachment:
            return {}
        clause, params = in_list("t", ticket_ids)
        params["content_chars"] = self._content_chars
        cols = ", ".join(_CONTENT if c == "content" else f"x.{c}" for c in self.layout.attachment_columns)
        rows = self._all(
            f"SELECT {cols} FROM {self.layout.attachment} x JOIN article a ON a.id = x.article_id "
            f"WHERE a.ticket_id IN {clause} ORDER BY x.id",
            params,
        )
        out: dict[Any, list[dict[str, Any]]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(r)
        return out

    def chats(self, ticket_ids: Sequence[Any]) -> dict[Any, list[dict[str, Any]]]:
        if not self.layout.chat:
            return {}
        clause, params = in_list("t", ticket_ids)
        rows = self._all(
            "SELECT c.article_id, c.chat_participant_name, c.message_text, c.create_time "
            "FROM article_data_otrs_chat c JOIN article a ON a.id = c.article_id "
            f"WHERE a.ticket_id IN {clause} ORDER BY c.id",
            params,
        )
        out: dict[Any, list[dict[str, Any]]] = {}
        for r in rows:
            out.setdefault(r["article_id"], []).append(r)
        return out

    def history(self, ticket_ids: Sequence[Any]) -> list[dict[str, Any]]:
        if not self.layout.history:
            return []
        clause, params = in_list("t", ticket_ids)
        return self._all(
            "SELECT id, ticket_id, article_id, name, history_type_id, create_time, create_by "
            f"FROM ticket_history WHERE ticket_id IN {clause} ORDER BY ticket_id, id",
            params,
        )

    def time(self, ticket_ids: Sequence[Any]) -> list[dict[str, Any]]:
        if not self.layout.time:
            return []
        clause, params = in_list("t", ticket_ids)
        return self._all(
            "SELECT id, ticket_id, article_id, time_unit, create_time, create_by "
            f"FROM time_accounting WHERE ticket_id IN {clause} ORDER BY ticket_id, id",
            params,
        )

    # --- rows that belong to no ticket -----------------------------------------------
    def orphan_articles(self) -> list[dict[str, Any]]:
        return self.db.all(
            "SELECT a.id, a.ticket_id FROM article a LEFT JOIN ticket t ON t.id = a.ticket_id "
            "WHERE t.id IS NULL ORDER BY a.id"
        )

    def orphan_time(self) -> list[dict[str, Any]]:
        if not self.layout.time:
            return []
        return self.db.all(
            "SELECT x.id, x.ticket_id, x.time_unit FROM time_accounting x "
            "LEFT JOIN ticket t ON t.id = x.ticket_id WHERE t.id IS NULL ORDER BY x.id"
        )
