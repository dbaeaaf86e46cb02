"""Real OTRS/Znuny databases for the importer tests.

* PostgreSQL: the genuine Znuny schema and seed data from ``shared/otrs`` are loaded
  once into a template database (named after the files' hash, reused by later runs),
  and every test module gets a fresh ``CREATE DATABASE ... TEMPLATE`` copy.
* MariaDB/MySQL: Znuny's tables the importer reads, their DDL translated from the PostgreSQL
  schema with Znuny's type mapping (content columns become LONGBLOB), plus Znuny's seed rows.
* :class:`Writer` inserts rows the way OTRS stores them (all NOT NULL columns filled;
  content base64-encoded in PostgreSQL TEXT columns, raw bytes in MySQL BLOBs) through
  a plain DB-API connection (psycopg and PyMySQL both use ``%s``).
* :func:`populate` writes a realistic help desk: e-mail, phone, chat and internal-note
  articles, koi8-r / windows-1251 mail in ``article_data_mime_plain``, attachments, a
  merged ticket, a renamed closed state, time accounting, and rows that cannot be
  imported (an orphan article, an unknown charset, an empty merge-article sender).

Servers: ``DESKFRAME_TEST_POSTGRES`` (default ``postgresql://postgres@127.0.0.1:5432/test``) and
``DESKFRAME_TEST_MYSQL`` (default ``mysql://root@127.0.0.1:3306/test``). Without PostgreSQL the
tests skip with the reason - unless ``CI=true``, where they fail; without MariaDB they skip unless
``DESKFRAME_TEST_MYSQL`` is set.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
import uuid
from collections.abc import Callable
from email.header import Header
from pathlib import Path
from typing import Any

import attrs
import pytest

HERE = Path(__file__).resolve().parent
SHARED = Path(os.environ.get("DESKFRAME_OTRS_SCHEMA_DIR") or HERE.parents[3] / "shared" / "otrs")
PG_FILES = ("schema.postgresql.sql", "initial_insert.postgresql.sql", "schema-post.postgresql.sql")
PG_ENV = "DESKFRAME_TEST_POSTGRES"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"


def must_run() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def unavailable(what: str, why: str, required: bool | None = None) -> None:
    """Skip (or, on CI, fail) a test whose database server is not there."""
    message = f"{what} not available: {why}"
    if must_run() if required is None else required:
        pytest.fail(message + " (CI=true: this test must run)")
    pytest.skip(message)


# --- PostgreSQL -------------------------------------------------------------------------


def pg_admin_url() -> str:
    return os.environ.get(PG_ENV) or PG_DEFAULT


def _pg_connect(url: str, **kw: Any) -> Any:
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5, **kw)


def _with_db(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name, drivername="postgresql").render_as_string(hide_password=False)


def pg_template() -> str:
    """The template database holding Znuny's schema + seed (created on first use)."""
    for f in PG_FILES:
        if not (SHARED / f).is_file():
            unavailable(
                "Znuny schema files",
                f"{SHARED / f} is missing (set DESKFRAME_OTRS_SCHEMA_DIR to a folder with Znuny's scripts/database/*.postgresql.sql; see docs/import-otrs.md)",
            )
    digest = hashlib.sha256(b"".join((SHARED / f).read_bytes() for f in PG_FILES)).hexdigest()[:12]
    name = f"otrs_tpl_{digest}"
    admin_url = pg_admin_url()
    try:
        admin = _pg_connect(admin_url, autocommit=True)
    except Exception as exc:  # no server, refused, bad password
        unavailable("PostgreSQL", f"{admin_url}: {str(exc).strip().splitlines()[0] if str(exc).strip() else exc}")
    with admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return name
        tmp = f"otrs_tpl_tmp_{uuid.uuid4().hex[:8]}"
        admin.execute(f"CREATE DATABASE \"{tmp}\" ENCODING 'UTF8' TEMPLATE template0")
        try:
            with _pg_connect(_with_db(admin_url, tmp), autocommit=True) as conn:
                for f in PG_FILES:  # the Znuny installer's order: schema, seed, foreign keys
                    conn.execute((SHARED / f).read_text(encoding="utf-8"))
            admin.execute(f'ALTER DATABASE "{tmp}" RENAME TO "{name}"')
        except Exception:
            admin.execute(f'DROP DATABASE IF EXISTS "{tmp}"')
            if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                return name  # another test process won the race
            raise
    return name


def new_pg_database(prefix: str = "otrs") -> tuple[str, Callable[[], None]]:
    """A fresh copy of the Znuny template: (URL, drop)."""
    template = pg_template()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_url = pg_admin_url()
    with _pg_connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')

    def drop() -> None:
        with _pg_connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return _with_db(admin_url, name), drop


def pg_writer(url: str) -> Writer:
    return Writer(_pg_connect(url, autocommit=True), "postgresql")


# --- writing OTRS rows ------------------------------------------------------------------

STAMPED = {
    "ticket",
    "article",
    "article_data_mime",
    "article_data_mime_plain",
    "article_data_mime_attachment",
    "ticket_history",
    "time_accounting",
    "customer_company",
    "customer_user",
    "users",
    "queue",
    "sla",
    "ticket_priority",
    "ticket_state",
    "article_plain",
    "article_attachment",
    "article_type",
}


class Writer:
    """Inserts OTRS rows through a DB-API connection (autocommit)."""

    def __init__(self, conn: Any, dialect: str):
        self.conn = conn
        self.dialect = dialect

    def close(self) -> None:
        self.conn.close()

    def q(self, sql: str, params: tuple | list = ()) -> list[tuple]:
        cur = self.conn.cursor()
        cur.execute(sql, tuple(params))
        rows = cur.fetchall() if cur.description else []
        cur.close()
        return list(rows)

    def one(self, sql: str, params: tuple | list = ()) -> Any:
        rows = self.q(sql, params)
        return rows[0][0] if rows else None

    def id_of(self, table: str, name: str) -> int:
        value = self.one(f"SELECT id FROM {table} WHERE name = %s", (name,))
        assert value is not None, f"no {table} named {name!r}"
        return value

    def blob(self, data: bytes) -> Any:
        """How OTRS stores bytes: base64 text on PostgreSQL (no BLOBs), bytes in MySQL BLOBs."""
        return base64.encodebytes(data).decode("ascii") if self.dialect == "postgresql" else data

    def insert(self, table: str, when: dt.datetime | None = None, by: int = 1, **values: Any) -> int:
        if table in STAMPED:
            stamp = when or dt.datetime(2024, 3, 1, 9, 0)
            values.setdefault("create_time", stamp)
            values.setdefault("create_by", by)
            values.setdefault("change_time", stamp)
            values.setdefault("change_by", by)
        cols = ", ".join(values)
        marks = ", ".join(["%s"] * len(values))
        cur = self.conn.cursor()
        if self.dialect == "postgresql" and table != "customer_company":
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks}) RETURNING id", tuple(values.values()))
            new_id = cur.fetchone()[0]
        else:
            cur.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(values.values()))
            new_id = getattr(cur, "lastrowid", None)
        cur.close()
        return new_id

    # --- directory ---------------------------------------------------------------------
    def company(self, customer_id: str, name: str, **kw: Any) -> None:
        self.insert("customer_company", customer_id=customer_id, name=name, valid_id=1, **kw)

    def customer_user(self, login: str, email: str, customer_id: str, first: str, last: str, **kw: Any) -> int:
        return self.insert(
            "customer_user",
            login=login,
            email=email,
            customer_id=customer_id,
            first_name=first,
            last_name=last,
            valid_id=1,
            **kw,
        )

    def user(self, login: str, first: str, last: str, email: str | None = None) -> int:
        uid = self.insert("users", login=login, pw="{crypt}unused", first_name=first, last_name=last, valid_id=1)
        if email:
            self.insert("user_preferences", user_id=uid, preferences_key="UserEmail", preferences_value=email)
        return uid

    def queue(self, name: str, **kw: Any) -> int:
        return self.insert(
            "queue",
            name=name,
            group_id=1,
            system_address_id=1,
            salutation_id=1,
            signature_id=1,
            follow_up_id=1,
            follow_up_lock=0,
            valid_id=1,
            **kw,
        )

    # --- tickets ---------------------------------------------------------------------
    def ticket(
        self,
        tn: str,
        title: str,
        *,
        queue: str = "Raw",
        state: str = "new",
        priority: str = "3 normal",
        lock: str = "unlock",
        owner: int = 1,
        customer_id: str | None = None,
        customer_user: str | None = None,
        created: dt.datetime | None = None,
        changed: dt.datetime | None = None,
    ) -> int:
        created = created or dt.datetime(2024, 3, 1, 9, 0)
        return self.insert(
            "ticket",
            when=created,
            tn=tn,
            title=title,
            queue_id=self.id_of("queue", queue),
            ticket_lock_id=self.id_of("ticket_lock_type", lock),
            user_id=owner,
            responsible_user_id=owner,
            ticket_priority_id=self.id_of("ticket_priority", priority),
            ticket_state_id=self.id_of("ticket_state", state),
            customer_id=customer_id,
            customer_user_id=customer_user,
            timeout=0,
            until_time=0,
            escalation_time=0,
            escalation_update_time=0,
            escalation_response_time=0,
            escalation_solution_time=0,
            change_time=changed or created,
        )

    def touch(self, ticket_id: int, changed: dt.datetime, state: str | None = None) -> None:
        if state:
            self.q(
                "UPDATE ticket SET change_time = %s, ticket_state_id = %s WHERE id = %s",
                (changed, self.id_of("ticket_state", state), ticket_id),
            )
        else:
            self.q("UPDATE ticket SET change_time = %s WHERE id = %s", (changed, ticket_id))

    def article(
        self,
        ticket_id: int,
        *,
        sender: str,
        channel: str = "Email",
        visible: bool = True,
        by: int = 1,
        when: dt.datetime | None = None,
        a_from: str | None = None,
        a_to: str | None = None,
        a_cc: str | None = None,
        subject: str | None = None,
        body: str = "",
        message_id: str | None = None,
        in_reply_to: str | None = None,
        references: str | None = None,
        raw: bytes | str | None = None,
        content_type: str = "text/plain; charset=utf-8",
        mime: bool = True,
    ) -> int:
        when = when or dt.datetime(2024, 3, 1, 9, 0)
        aid = self.insert(
            "article",
            when=when,
            by=by,
            ticket_id=ticket_id,
            article_sender_type_id=self.id_of("article_sender_type", sender),
            communication_channel_id=self.id_of("communication_channel", channel),
            is_visible_for_customer=1 if visible else 0,
        )
        if mime:
            self.insert(
                "article_data_mime",
                when=when,
                by=by,
                article_id=aid,
                a_from=a_from,
                a_to=a_to,
                a_cc=a_cc,
                a_subject=subject,
                a_message_id=message_id,
                a_in_reply_to=in_reply_to,
                a_references=references,
                a_content_type=content_type,
                a_body=body,
                incoming_time=int(when.replace(tzinfo=dt.timezone.utc).timestamp()),
                content_path=when.strftime("%Y/%m/%d"),
            )
        if raw is not None:
            stored = raw if isinstance(raw, str) else self.blob(raw)
            self.insert("article_data_mime_plain", when=when, by=by, article_id=aid, body=stored)
        return aid

    def attachment(
        self, article_id: int, filename: str, content_type: str, data: bytes, disposition: str = "attachment"
    ) -> int:
        return self.insert(
            "article_data_mime_attachment",
            article_id=article_id,
            filename=filename,
            content_size=str(len(data)),
            content_type=content_type,
            disposition=disposition,
            content=self.blob(data),
        )

    def chat(self, article_id: int, lines: list[tuple[str, str]], when: dt.datetime) -> None:
        for i, (who, text) in enumerate(lines):
            self.insert(
                "article_data_otrs_chat",
                article_id=article_id,
                chat_participant_id=who,
                chat_participant_name=who,
                chat_participant_type="User",
                message_text=text,
                system_generated=0,
                create_time=when + dt.timedelta(minutes=i),
            )

    def history(
        self,
        ticket_id: int,
        type_name: str,
        name: str,
        *,
        by: int = 1,
        when: dt.datetime | None = None,
        article_id: int | None = None,
    ) -> int:
        row = self.q(
            "SELECT queue_id, user_id, ticket_priority_id, ticket_state_id, type_id FROM ticket WHERE id = %s",
            (ticket_id,),
        )[0]
        return self.insert(
            "ticket_history",
            when=when,
            by=by,
            name=name,
            history_type_id=self.id_of("ticket_history_type", type_name),
            ticket_id=ticket_id,
            article_id=article_id,
            type_id=row[4] or 1,
            queue_id=row[0],
            owner_id=row[1],
            priority_id=row[2],
            state_id=row[3],
        )

    def time(
        self, ticket_id: int, units: str, *, by: int, article_id: int | None = None, when: dt.datetime | None = None
    ) -> int:
        return self.insert(
            "time_accounting", when=when, by=by, ticket_id=ticket_id, article_id=article_id, time_unit=units
        )


# --- realistic content --------------------------------------------------------------------


def tn(day: dt.date, counter: int, system_id: str = "10") -> str:
    """An OTRS DateChecksum ticket number (deskframe threads replies quoting these)."""
    base = f"{day:%Y%m%d}{system_id}{counter:05d}"
    total = sum(int(d) * (1 if i % 2 == 0 else 2) for i, d in enumerate(base))
    check = 10 - total % 10
    return base + str(1 if check == 10 else check)


def koi8_mail() -> bytes:
    body = "Здравствуйте!\nПочта не работает с утра.\nИван\n"
    head = (
        f"From: {Header('Иван Петров', 'koi8-r').encode()} <ivan@acme.example>\r\n"
        "To: support@vendor.example\r\n"
        f"Subject: {Header('Не работает почта', 'koi8-r').encode()}\r\n"
        "Message-ID: <a1@acme.example>\r\nDate: Fri, 15 Mar 2024 10:00:00 +0300\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="koi8-r"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
    )
    return head.encode("ascii") + body.replace("\n", "\r\n").encode("koi8-r")


REPLY_HTML = "<p>Иван, добрый день!</p><p>Перезапустили почтовый сервер, проверьте, пожалуйста.</p>"


def cp1251_reply() -> bytes:
    text = "Иван, добрый день!\nПерезапустили почтовый сервер, проверьте, пожалуйста.\n"
    html = REPLY_HTML
    head = (
        "From: Alice Smirnova <support@vendor.example>\r\nTo: ivan@acme.example\r\n"
        f"Subject: {Header('Re: Не работает почта', 'windows-1251').encode()}\r\n"
        "Message-ID: <a2@vendor.example>\r\nIn-Reply-To: <a1@acme.example>\r\n"
        "References: <a1@acme.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/alternative; boundary="b1"\r\n\r\n'
    )
    parts = [
        b'--b1\r\nContent-Type: text/plain; charset="windows-1251"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        + text.replace("\n", "\r\n").encode("cp1251"),
        b'--b1\r\nContent-Type: text/html; charset="windows-1251"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
        + html.encode("cp1251")
        + b"\r\n",
        b"--b1--\r\n",
    ]
    return head.encode("ascii") + b"\r\n".join(parts)


def unknown_charset_mail() -> bytes:
    head = (
        "From: Pavel <pavel@solo.example>\r\nTo: support@vendor.example\r\nSubject: charset test\r\n"
        "Message-ID: <bad@solo.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain; charset="x-unknown-8bit"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
    )
    return head.encode("ascii") + "Привет из неизвестной кодировки\r\n".encode("cp1251")


#: What OTRS made of the unknown charset: replacement characters.
BAD_BODY = "Привет из неизвестной кодировки".encode("cp1251").decode("utf-8", "replace")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@attrs.define
class Data:
    """What :func:`populate` wrote: ids and numbers the tests look up."""

    numbers: dict[str, str] = attrs.field(factory=dict)
    ids: dict[str, int] = attrs.field(factory=dict)
    articles: dict[str, int] = attrs.field(factory=dict)
    time_units: list[str] = attrs.field(factory=list)


def populate(w: Writer) -> Data:
    d = Data()
    d.numbers["demo"] = "2021012710123456"
    d.ids["demo"] = 1
    seeded = dt.datetime(2021, 1, 27, 10, 0)  # the seed ticket is stamped at install time: pin it
    for table, column in (("ticket", "id"), ("article", "ticket_id"), ("ticket_history", "ticket_id")):
        w.q(f"UPDATE {table} SET create_time = %s, change_time = %s WHERE {column} = 1", (seeded, seeded))
    t0 = dt.datetime(2024, 3, 15, 7, 0)
    # directory
    alice = w.user("alice", "Alice", "Smirnova", "alice@vendor.example")
    bob = w.user("bob", "Bob", "Ivanov", "bob@vendor.example")
    d.ids.update(alice=alice, bob=bob)
    w.company("acme", "ACME Ltd", url="https://acme.example")
    w.company("globex", "Globex LLC")
    w.customer_user("ivan", "ivan@acme.example", "acme", "Иван", "Петров", phone="+7 495 123-45-67")
    w.customer_user("olga", "Olga@Globex.example", "globex", "Ольга", "Смирнова")
    w.customer_user("pavel", "pavel@solo.example", "solo-gmbh", "Pavel", "Novak")  # names no company
    w.queue(
        "Support",
        first_response_time=60,
        first_response_notify=80,
        update_time=120,
        solution_time=480,
        comments="First line",
    )
    w.queue("Support::Hardware")
    w.insert(
        "sla",
        name="Gold",
        calendar_name="1",
        first_response_time=30,
        first_response_notify=75,
        update_time=60,
        solution_time=240,
        valid_id=1,
    )
    w.insert("sla", name="Bronze", first_response_time=0, update_time=0, solution_time=0, valid_id=1)
    # a renamed closed state and a custom priority
    w.q("UPDATE ticket_state SET name = %s WHERE name = %s", ("erledigt", "closed successful"))
    w.insert("ticket_priority", name="urgent!!", valid_id=1, color="#ff0000")

    # T1: Cyrillic e-mail conversation, closed (renamed state), locked by alice, time accounted
    n1 = d.numbers["t1"] = tn(dt.date(2024, 3, 15), 11)
    t1 = d.ids["t1"] = w.ticket(
        n1,
        "Не работает почта",
        queue="Support",
        state="erledigt",
        priority="4 high",
        lock="lock",
        owner=alice,
        customer_id="acme",
        customer_user="ivan",
        created=t0,
        changed=t0 + dt.timedelta(hours=5),
    )
    a1 = d.articles["t1_in"] = w.article(
        t1,
        sender="customer",
        when=t0,
        a_from="Иван Петров <ivan@acme.example>",
        a_to="support@vendor.example",
        subject="Не работает почта",
        body="Здравствуйте!\nПочта не работает с утра.\nИван\n",
        message_id="<a1@acme.example>",
        raw=koi8_mail(),
        content_type="text/plain; charset=koi8-r",
    )
    w.attachment(a1, "схема.pdf", "application/pdf", PDF)
    w.attachment(a1, "file-2", 'text/html; charset="utf-8"', "<p>Здравствуйте!</p>".encode(), disposition="inline")
    a2 = d.articles["t1_reply"] = w.article(
        t1,
        sender="agent",
        by=alice,
        when=t0 + dt.timedelta(hours=1),
        a_from="Alice Smirnova <support@vendor.example>",
        a_to="ivan@acme.example",
        a_cc="boss@acme.example",
        subject="Re: Не работает почта",
        body="Иван, добрый день!\nПерезапустили почтовый сервер, проверьте, пожалуйста.\n",
        message_id="<a2@vendor.example>",
        in_reply_to="<a1@acme.example>",
        references="<a1@acme.example>",
        raw=cp1251_reply(),
    )
    w.attachment(a2, "file-2", 'text/html; charset="windows-1251"', REPLY_HTML.encode("cp1251"), disposition="inline")
    a3 = d.articles["t1_note"] = w.article(
        t1,
        sender="agent",
        channel="Internal",
        visible=False,
        by=alice,
        when=t0 + dt.timedelta(hours=2),
        a_from="Alice Smirnova <alice@vendor.example>",
        subject="Note",
        body="Проблема в DNS, исправлено.",
    )
    d.articles["t1_auto"] = w.article(
        t1,
        sender="system",
        when=t0 + dt.timedelta(minutes=1),
        a_from="support@vendor.example",
        a_to="ivan@acme.example",
        subject="[Ticket#" + n1 + "] Auto reply",
        body="We got your mail.",
    )
    w.history(t1, "NewTicket", f"New Ticket [{n1}] created.", when=t0, article_id=a1)
    w.history(t1, "OwnerUpdate", f"%%alice%%{alice}", by=alice, when=t0 + dt.timedelta(minutes=30))
    w.history(t1, "Lock", "%%lock", by=alice, when=t0 + dt.timedelta(minutes=30))
    w.history(t1, "PriorityUpdate", "%%3 normal%%3%%4 high%%4", by=alice, when=t0 + dt.timedelta(minutes=31))
    w.history(t1, "SendAnswer", "%%ivan@acme.example", by=alice, when=t0 + dt.timedelta(hours=1), article_id=a2)
    w.history(t1, "AddNote", "%%Note", by=alice, when=t0 + dt.timedelta(hours=2), article_id=a3)
    w.history(t1, "StateUpdate", "%%new%%erledigt%%", by=alice, when=t0 + dt.timedelta(hours=5))
    for units, article in (("15.00", a2), ("30.50", a3)):
        w.time(t1, units, by=alice, article_id=article, when=t0 + dt.timedelta(hours=2))
        d.time_units.append(units)
    d.ids["time_zero"] = w.time(t1, "0.20", by=alice, when=t0 + dt.timedelta(hours=3))  # rounds to 0 minutes

    # T2: phone and chat with globex, open, very high priority, owned by bob (not locked)
    n2 = d.numbers["t2"] = tn(dt.date(2024, 6, 1), 5)
    t2_at = dt.datetime(2024, 6, 1, 8, 0)
    t2 = d.ids["t2"] = w.ticket(
        n2,
        "Сервер недоступен",
        queue="Support::Hardware",
        state="open",
        priority="5 very high",
        owner=bob,
        customer_id="globex",
        customer_user="olga",
        created=t2_at,
    )
    d.articles["t2_phone"] = w.article(
        t2,
        sender="customer",
        channel="Phone",
        when=t2_at,
        a_from="Ольга Смирнова <olga@globex.example>",
        subject="Звонок",
        body="Клиент звонил: сервер недоступен.",
    )
    d.articles["t2_call_back"] = w.article(
        t2,
        sender="agent",
        channel="Phone",
        by=bob,
        when=t2_at + dt.timedelta(minutes=20),
        a_from="Bob Ivanov",
        subject="Перезвонил",
        body="Перезвонил клиенту.",
    )
    chat = d.articles["t2_chat"] = w.article(
        t2, sender="customer", channel="Chat", when=t2_at + dt.timedelta(hours=1), mime=False
    )
    w.chat(chat, [("olga", "Сервер снова упал"), ("bob", "Смотрю")], t2_at + dt.timedelta(hours=1))
    w.history(t2, "NewTicket", f"New Ticket [{n2}] created.", when=t2_at)
    w.time(t2, "45", by=bob, when=t2_at + dt.timedelta(minutes=20))
    d.time_units.append("45")

    # T3: merged into T1; the merge note has no sender
    n3 = d.numbers["t3"] = tn(dt.date(2024, 3, 15), 12)
    t3 = d.ids["t3"] = w.ticket(
        n3,
        "Почта опять",
        queue="Support",
        state="merged",
        customer_id="acme",
        customer_user="ivan",
        created=t0 + dt.timedelta(hours=3),
        changed=t0 + dt.timedelta(hours=4),
    )
    d.articles["t3_in"] = w.article(
        t3,
        sender="customer",
        when=t0 + dt.timedelta(hours=3),
        a_from="ivan@acme.example",
        subject="Почта опять",
        body="Снова не работает.",
        message_id="<a3@acme.example>",
        raw="From: ivan@acme.example\nSubject: =?utf-8?b?0J/QvtGH0YLQsCDQvtC/0Y/RgtGM?=\n"
        "Message-ID: <a3@acme.example>\nContent-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\nСнова не работает.\n",
    )
    merge = d.articles["t3_merge"] = w.article(
        t3,
        sender="agent",
        channel="Internal",
        by=alice,
        when=t0 + dt.timedelta(hours=4),
        a_from=None,
        subject="",
        body=f"Merged Ticket {n3} to {n1}.",
    )
    merged_name = f"%%{n3}%%{t3}%%{n1}%%{t1}"
    w.history(t3, "Merged", merged_name, by=alice, when=t0 + dt.timedelta(hours=4), article_id=merge)
    w.history(t1, "Merged", merged_name, by=alice, when=t0 + dt.timedelta(hours=4))

    # T4: a customer login with no customer_user row (a string, not a key)
    n4 = d.numbers["t4"] = tn(dt.date(2024, 3, 16), 1)
    t4 = d.ids["t4"] = w.ticket(n4, "Question", customer_user="ghost", created=t0 + dt.timedelta(days=1))
    w.article(
        t4,
        sender="customer",
        when=t0 + dt.timedelta(days=1),
        a_from="Ghost <ghost@nowhere.example>",
        subject="Question",
        body="Who am I?",
    )

    # T5: an unknown login and no customer article: a named contact without e-mail
    n5 = d.numbers["t5"] = tn(dt.date(2024, 3, 16), 2)
    t5 = d.ids["t5"] = w.ticket(n5, "Call from phantom", customer_user="phantom", created=t0 + dt.timedelta(days=1))
    w.article(
        t5,
        sender="agent",
        channel="Internal",
        visible=False,
        by=bob,
        when=t0 + dt.timedelta(days=1),
        a_from="Bob Ivanov <bob@vendor.example>",
        subject="Call",
        body="Phantom called.",
    )

    # T6: raw source in a charset nobody knows; OTRS's decoded a_body is fine
    n6 = d.numbers["t6"] = tn(dt.date(2024, 3, 17), 1)
    t6 = d.ids["t6"] = w.ticket(
        n6, "charset test", customer_id="solo-gmbh", customer_user="pavel", created=t0 + dt.timedelta(days=2)
    )
    d.articles["t6_bad"] = w.article(
        t6,
        sender="customer",
        when=t0 + dt.timedelta(days=2),
        a_from="Pavel <pavel@solo.example>",
        subject="charset test",
        body=BAD_BODY,
        message_id="<bad@solo.example>",
        raw=unknown_charset_mail(),
    )

    # T7: pending, a priority outside the map, owned by the admin (= nobody)
    n7 = d.numbers["t7"] = tn(dt.date(2024, 3, 18), 1)
    t7 = d.ids["t7"] = w.ticket(
        n7,
        "Waiting for customer",
        state="pending reminder",
        priority="urgent!!",
        customer_id="acme",
        customer_user="ivan",
        created=t0 + dt.timedelta(days=3),
    )
    w.article(
        t7,
        sender="agent",
        by=alice,
        when=t0 + dt.timedelta(days=3),
        a_from="support@vendor.example",
        a_to="ivan@acme.example",
        subject="Need logs",
        body="Please send logs.",
    )
    return d


def add_orphans(w: Writer) -> dict[str, int]:
    """An article and a time entry of a ticket that does not exist (FKs bypassed, as in old dumps)."""
    if w.dialect == "postgresql":
        w.q("SET session_replication_role = replica")
    else:
        w.q("SET FOREIGN_KEY_CHECKS = 0")
    try:
        article = w.article(999_999, sender="customer", a_from="lost@nowhere.example", subject="lost", body="lost")
        time_id = w.time(999_999, "5", by=1)
    finally:
        w.q("SET session_replication_role = DEFAULT" if w.dialect == "postgresql" else "SET FOREIGN_KEY_CHECKS = 1")
    return {"article": article, "time": time_id}


def bulk(
    w: Writer, tickets: int, *, start: dt.datetime = dt.datetime(2024, 1, 2, 9, 0), articles: int = 2
) -> dict[str, Any]:
    """Simple tickets, each with ``articles`` e-mail articles, a history row and a time entry."""
    agent = w.one("SELECT id FROM users WHERE login = %s", ("alice",)) or w.user(
        "alice", "Alice", "Smirnova", "alice@vendor.example"
    )
    units = []
    for i in range(tickets):
        when = start + dt.timedelta(hours=i)
        t = w.ticket(
            tn(when.date(), 100 + i),
            f"Bulk {i}",
            state="open",
            created=when,
            owner=agent,
            customer_user=f"user{i % 5}@bulk.example",
        )
        for j in range(articles):
            w.article(
                t,
                sender="customer" if j % 2 == 0 else "agent",
                by=agent,
                when=when + dt.timedelta(minutes=j),
                a_from=f"user{i % 5}@bulk.example",
                subject=f"Bulk {i}.{j}",
                body=f"Body {i}.{j} тест",
                message_id=f"<bulk{i}.{j}@bulk.example>",
            )
        w.history(t, "NewTicket", "New Ticket [x] created.", when=when)
        unit = f"{(i % 7) + 1}.50"
        w.time(t, unit, by=agent, when=when)
        units.append(unit)
    return {"units": units}


# --- MariaDB / MySQL ----------------------------------------------------------------------

MYSQL_ENV = "DESKFRAME_TEST_MYSQL"
MYSQL_DEFAULT = "mysql://root@127.0.0.1:3306/test"
#: The tables the importer reads (and the tests write), created on MySQL from Znuny's DDL.
MYSQL_TABLES = (
    "users",
    "user_preferences",
    "customer_company",
    "customer_user",
    "queue",
    "sla",
    "ticket_priority",
    "ticket_type",
    "ticket_lock_type",
    "ticket_state",
    "ticket_state_type",
    "ticket",
    "ticket_history",
    "ticket_history_type",
    "article_sender_type",
    "communication_channel",
    "article",
    "article_data_mime",
    "article_data_mime_plain",
    "article_data_mime_attachment",
    "article_data_otrs_chat",
    "time_accounting",
)


def mysql_admin_url() -> str:
    return os.environ.get(MYSQL_ENV) or MYSQL_DEFAULT


def _mysql_connect(url: str, database: str | None = None) -> Any:
    import pymysql
    from sqlalchemy.engine import make_url

    u = make_url(url)
    return pymysql.connect(
        host=u.host or "127.0.0.1",
        port=u.port or 3306,
        user=u.username or "root",
        password=u.password or "",
        database=database if database is not None else u.database,
        charset="utf8mb4",
        autocommit=True,
        connect_timeout=5,
    )


def mysql_ddl(pg_schema: str, tables: tuple[str, ...] = MYSQL_TABLES) -> list[str]:
    """``CREATE TABLE`` statements for MySQL, translated from Znuny's PostgreSQL DDL.

    Znuny generates both files from one XML schema; this applies its type mapping in
    reverse: ``serial``/``bigserial`` -> AUTO_INCREMENT, ``timestamp(0)`` -> DATETIME,
    ``TEXT`` (XML longblob: raw mail, attachment content, preferences) -> LONGBLOB,
    unsized ``VARCHAR`` -> MEDIUMTEXT, long ``VARCHAR`` -> TEXT, UNIQUE constraints -> indexes.
    """
    import re

    out = []
    for table in tables:
        m = re.search(r"CREATE TABLE " + table + r" \((.*?)\n\);", pg_schema, re.S)
        assert m, f"no table {table} in the Znuny schema"
        lines = []
        for line in m.group(1).strip().splitlines():
            line = line.strip().rstrip(",")
            line = re.sub(r"^(\w+) bigserial NOT NULL", r"\1 BIGINT NOT NULL AUTO_INCREMENT", line)
            line = re.sub(r"^(\w+) serial NOT NULL", r"\1 INTEGER NOT NULL AUTO_INCREMENT", line)
            line = line.replace("timestamp(0)", "DATETIME")
            line = re.sub(r"^(\w+) TEXT\b", r"\1 LONGBLOB", line)
            line = re.sub(r"^(\w+) VARCHAR (NULL|NOT NULL)", r"\1 MEDIUMTEXT \2", line)
            line = re.sub(
                r"^(\w+) VARCHAR \((\d+)\)",
                lambda x: f"{x.group(1)} TEXT" if int(x.group(2)) > 1000 else x.group(0),
                line,
            )
            line = re.sub(r"^CONSTRAINT (\w+) UNIQUE \((.*)\)$", r"UNIQUE INDEX \1 (\2)", line)
            lines.append("    " + line)
        out.append(f"CREATE TABLE {table} (\n" + ",\n".join(lines) + "\n)")
    return out


def seed_inserts(tables: tuple[str, ...] = MYSQL_TABLES) -> list[str]:
    """Znuny's seed ``INSERT`` statements for ``tables`` (portable SQL: literals and current_timestamp)."""
    import re

    text = (SHARED / "initial_insert.postgresql.sql").read_text(encoding="utf-8")
    return [
        m.group(0).rstrip(";")
        for m in re.finditer(r"^INSERT INTO (\w+) \(.*?\);$", text, re.S | re.M)
        if m.group(1) in tables
    ]


def new_mysql_database(prefix: str = "otrs") -> tuple[str, Callable[[], None]]:
    """A MariaDB/MySQL database with Znuny's tables (translated DDL) and seed rows: (URL, drop)."""
    from sqlalchemy.engine import make_url

    if not (SHARED / "schema.postgresql.sql").is_file():
        unavailable(
            "Znuny schema files",
            f"{SHARED} is missing (set DESKFRAME_OTRS_SCHEMA_DIR to a folder with Znuny's scripts/database/*.postgresql.sql; see docs/import-otrs.md)",
        )
    admin_url = mysql_admin_url()
    try:
        admin = _mysql_connect(admin_url)
    except Exception as exc:  # optional on CI: required only when DESKFRAME_TEST_MYSQL names a server
        unavailable("MariaDB/MySQL", f"{admin_url}: {exc}", required=bool(os.environ.get(MYSQL_ENV)))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    admin.close()
    conn = _mysql_connect(admin_url, name)
    with conn.cursor() as cur:
        for statement in mysql_ddl((SHARED / "schema.postgresql.sql").read_text(encoding="utf-8")):
            cur.execute(statement)
        for statement in seed_inserts():
            cur.execute(statement)
    conn.close()

    def drop() -> None:
        c = _mysql_connect(admin_url)
        with c.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        c.close()

    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    return url, drop


def mysql_writer(url: str) -> Writer:
    return Writer(_mysql_connect(url), "mysql")
