"""deskframe import otrs against the genuine Znuny schema on PostgreSQL: every mapping, re-runs, deltas."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import otrs_fixture
import pytest

from deskframe import InboundMessage

pytestmark = pytest.mark.postgres

UTC = dt.timezone.utc


def email_plugin(desk) -> bool:
    ct = desk.plugins.registry.get("channel_types", "email")
    return getattr(ct, "parse", None) is not None


def reasons(summary, key, kind, otrs_id):
    return [r["reason"] for r in summary[key] if r["kind"] == kind and r["otrs_id"] == str(otrs_id)]


def test_import_maps_directory_tickets_articles_history_and_time(desk, otrs_source, run_import):
    src = otrs_source()
    d = src.data
    summary = run_import(desk, src.url)

    # --- summary counts
    assert summary["layout"].startswith("Znuny")
    assert summary["tickets"] == {"read": 8, "new": 8, "updated": 0, "already_imported": 0}
    assert summary["articles"] == 14  # the seed ticket's 1 + 13 (the orphan is not one of them)
    assert summary["history"] == 11
    assert (summary["time_entries"], summary["minutes"]) == (3, 15 + 31 + 45)
    assert summary["directory"]["customers"] == {"created": 2}
    assert summary["directory"]["agents"] == {"created": 3}

    # --- directory: organizations, contacts (links are strings: none dropped), agents, queues
    assert [(c.key, c.name) for c in desk.directory.customers()] == [("acme", "ACME Ltd"), ("globex", "Globex LLC")]
    contacts = {c.name: c for c in desk.directory.contacts()}
    assert contacts["Иван Петров"].email == "ivan@acme.example"
    assert contacts["Иван Петров"].customer == "acme" and contacts["Иван Петров"].phone == "+7 495 123-45-67"
    assert contacts["Ольга Смирнова"].email == "olga@globex.example"  # e-mail keys are lower case
    assert contacts["Pavel Novak"].customer is None  # customer_id names no company: kept, no customer
    assert contacts["ghost"].email == "ghost@nowhere.example"  # login unknown to customer_user, sender known
    assert contacts["phantom"].email is None  # unknown login, no address anywhere: a named contact
    agents = {a.login: a for a in desk.directory.agents()}
    assert agents["alice"].name == "Alice Smirnova" and agents["alice"].email == "alice@vendor.example"
    assert set(agents) == {"alice", "bob", "root@localhost"}
    assert {"Support", "Support::Hardware", "Raw"} <= {q.name for q, _ in desk.directory.queues()}

    # --- T1: number kept, renamed closed state by type, priority map, lock -> locked_by owner
    t1 = desk.tickets.get(d.numbers["t1"])
    assert (t1.state, t1.state_type, t1.priority, t1.queue) == ("closed", "closed", "P2", "Support")
    assert (t1.owner, t1.locked_by, t1.customer, t1.contact) == ("alice", "alice", "acme", "ivan@acme.example")
    assert t1.created_at == dt.datetime(2024, 3, 15, 7, 0, tzinfo=UTC)
    assert t1.updated_at == dt.datetime(2024, 3, 15, 12, 0, tzinfo=UTC)
    assert t1.channel == "email" and t1.subject == "Не работает почта"
    assert desk.sla.clocks(t1.number) == []  # imported tickets start no SLA clocks

    first, auto, reply, note = t1.articles  # in creation order
    assert (first.direction, first.channel, first.visible_to_customer) == ("in", "email", True)
    assert first.sender == "ivan@acme.example" and first.message_id == "<a1@acme.example>"
    assert "Почта не работает с утра." in first.text
    assert desk.blobs.get(first.raw_sha256) == otrs_fixture.koi8_mail()  # base64 in PostgreSQL -> bytes
    files = {a.filename: a for a in first.attachments}
    assert files["схема.pdf"].content_type == "application/pdf"
    assert desk.blobs.get(files["схема.pdf"].sha256) == otrs_fixture.PDF
    # an HTML body OTRS keeps as inline "file-2": the article's html when the e-mail plugin parses
    # the raw mail (sanitized), otherwise kept as a file
    assert (auto.direction, auto.visible_to_customer, auto.agent) == ("internal", False, None)  # system sender
    assert (reply.direction, reply.agent, reply.visible_to_customer) == ("out", "alice", True)
    assert reply.recipients == ("ivan@acme.example", "boss@acme.example")
    assert reply.message_id == "<a2@vendor.example>"
    assert desk.blobs.get(reply.raw_sha256) == otrs_fixture.cp1251_reply()
    if email_plugin(desk):
        assert "Перезапустили почтовый сервер" in (reply.html or "")
        assert [a.filename for a in reply.attachments] == []
    else:
        assert reply.html is None and [a.filename for a in reply.attachments] == ["file-2.html"]
    assert "Перезапустили почтовый сервер" in reply.text
    assert (note.direction, note.channel, note.visible_to_customer, note.agent) == ("internal", None, False, "alice")

    history = [(h.action, h.actor, h.old, h.new) for h in t1.history if h.ticket == t1.number]
    assert ("created", "root@localhost", None, t1.number) in history
    assert ("owner", "alice", None, "alice") in history
    assert ("priority", "alice", "3 normal", "4 high") in history
    assert ("state", "alice", "new", "erledigt") in history  # OTRS's own state names kept in history
    assert ("merged", "alice", d.numbers["t3"], t1.number) in history

    # --- T2: phone and chat, open, very high priority, owned but not locked
    t2 = desk.tickets.get(d.numbers["t2"])
    assert (t2.state, t2.priority, t2.owner, t2.locked_by, t2.queue) == ("open", "P1", "bob", None, "Support::Hardware")
    phone, call_back, chat = t2.articles
    assert (phone.direction, phone.channel, phone.sender) == ("in", "phone", "olga@globex.example")
    assert (call_back.direction, call_back.channel, call_back.agent) == ("out", "phone", "bob")
    assert (chat.direction, chat.channel) == ("in", "chat")
    assert "olga: Сервер снова упал" in chat.text and "bob: Смотрю" in chat.text
    assert t2.channel == "phone"

    # --- T3: merged into T1; its merge note had no sender
    t3 = desk.tickets.get(d.numbers["t3"])
    assert (t3.state_type, t3.merged_into) == ("merged", t1.number)
    merge_note = t3.articles[-1]
    assert merge_note.sender is None and f"Merged Ticket {t3.number}" in merge_note.text
    assert "empty sender (merge article); imported without a sender" in reasons(
        summary, "warnings", "article", d.articles["t3_merge"]
    )

    # --- T4/T5: customer logins are strings, never dropped
    assert desk.tickets.get(d.numbers["t4"]).contact == "ghost@nowhere.example"
    assert desk.tickets.get(d.numbers["t5"]).contact is None
    assert any("'phantom'" in r for r in reasons(summary, "warnings", "ticket", d.ids["t5"]))

    # --- T6: OTRS's decoded body was broken, the raw mail declares an unknown charset
    t6 = desk.tickets.get(d.numbers["t6"])
    bad = t6.articles[0]
    assert desk.blobs.get(bad.raw_sha256) == otrs_fixture.unknown_charset_mail()
    assert t6.contact == "pavel@solo.example" and t6.customer is None
    assert reasons(summary, "warnings", "article", d.articles["t6_bad"])  # reported with its id and reason

    # --- T7: pending type, a priority outside the map, owned by OTRS's admin (= nobody)
    t7 = desk.tickets.get(d.numbers["t7"])
    assert (t7.state_type, t7.priority, t7.owner) == ("pending", "P3", None)
    assert any("urgent!!" in w["reason"] for w in summary["warnings"])

    # --- the seed ticket
    demo = desk.tickets.get("2021012710123456")
    assert demo.subject == "Znuny says hi!" and demo.articles[0].sender == "hello@znuny.org"
    assert "We welcome you to Znuny" in demo.articles[0].text
    assert desk.blobs.get(demo.articles[0].raw_sha256).startswith(b"From: Znuny <hello@znuny.org>")

    # --- time accounting: units -> minutes, per agent and work date
    entries = sorted((e.ticket, e.agent, e.minutes, e.work_date, e.note) for e in desk.time.entries())
    assert entries == sorted(
        [
            (t1.number, "alice", 15, dt.date(2024, 3, 15), "Re: Не работает почта"),
            (t1.number, "alice", 31, dt.date(2024, 3, 15), "Note"),  # 30.50 units, rounded half up
            (t2.number, "bob", 45, dt.date(2024, 6, 1), ""),
        ]
    )

    # --- rows that cannot be imported: reported with OTRS id and reason, the run went on
    assert "orphan article: ticket 999999 does not exist" in reasons(
        summary, "skipped", "article", src.orphans["article"]
    )
    assert reasons(summary, "skipped", "time_accounting", src.orphans["time"])
    assert any("0 minutes" in r for r in reasons(summary, "skipped", "time_accounting", d.ids["time_zero"]))
    assert summary["skipped_total"] == 3


def test_without_the_email_plugin_raw_mail_is_reparsed_by_the_stdlib(make_desk, otrs_source, run_import, monkeypatch):
    monkeypatch.setenv("DESKFRAME_DISABLE_PLUGINS", "email")
    desk = make_desk()
    assert not email_plugin(desk)
    src = otrs_source(orphans=False)
    summary = run_import(desk, src.url)
    bad = desk.tickets.get(src.data.numbers["t6"]).articles[0]
    assert bad.text == otrs_fixture.BAD_BODY  # nothing better to be had: OTRS's body, reported
    assert reasons(summary, "warnings", "article", src.data.articles["t6_bad"]) == [
        "unknown charset 'x-unknown-8bit' in the raw source; kept the body OTRS decoded"
    ]
    reply = desk.tickets.get(src.data.numbers["t1"]).articles[2]
    assert reply.html is None  # no sanitizer: the HTML body stays a file
    assert [(a.filename, desk.blobs.get(a.sha256)) for a in reply.attachments] == [
        ("file-2.html", otrs_fixture.REPLY_HTML.encode("cp1251"))
    ]


def test_second_run_adds_nothing_and_a_full_reread_changes_nothing(desk, otrs_source, run_import):
    src = otrs_source()
    first = run_import(desk, src.url)
    again = run_import(desk, src.url)
    assert again["tickets"] == {"read": 0, "new": 0, "updated": 0, "already_imported": 0}
    assert again["resumed_after_ticket_id"] == src.data.ids["t7"]
    for kind in ("customers", "contacts", "agents", "queues"):
        assert set(again["directory"][kind]) == {"unchanged"}, kind
    reread = run_import(desk, src.url, "--since", "2000-01-01")  # every ticket again, through the id map
    assert reread["tickets"] == {"read": 8, "new": 0, "updated": 0, "already_imported": 0}
    assert (reread["articles"], reread["attachments"], reread["history"], reread["time_entries"]) == (0, 0, 0, 0)
    assert len(desk.tickets.list(limit=None)) == 8
    assert sum(e.minutes for e in desk.time.entries()) == first["minutes"] == 91
    assert len(desk.time.entries()) == 3


def test_since_imports_the_final_delta(desk, otrs_source, run_import):
    src = otrs_source()
    w, d = src.writer, src.data
    run_import(desk, src.url)
    later = dt.datetime(2025, 1, 10, 9, 0)
    w.article(
        d.ids["t2"],
        sender="customer",
        when=later,
        a_from="olga@globex.example",
        subject="Спасибо",
        body="Всё работает, закрывайте.",
        message_id="<late@globex.example>",
    )
    w.time(d.ids["t2"], "10", by=d.ids["bob"], when=later)
    w.touch(d.ids["t2"], later, state="erledigt")
    new_id = w.ticket(
        otrs_fixture.tn(dt.date(2025, 1, 10), 1),
        "After the switch date",
        created=later,
        customer_id="acme",
        customer_user="ivan",
    )
    w.article(new_id, sender="customer", when=later, a_from="ivan@acme.example", subject="New", body="New one")

    delta = run_import(desk, src.url, "--since", "2025-01-01")
    assert delta["tickets"] == {"read": 2, "new": 1, "updated": 1, "already_imported": 0}
    assert (delta["articles"], delta["time_entries"], delta["minutes"]) == (2, 1, 10)
    t2 = desk.tickets.get(d.numbers["t2"])
    assert t2.state == "closed" and t2.articles[-1].text == "Всё работает, закрывайте."
    assert sum(e.minutes for e in desk.time.entries()) == 91 + 10
    # and the delta itself is idempotent
    again = run_import(desk, src.url, "--since", "2025-01-01")
    assert (again["tickets"]["new"], again["tickets"]["updated"], again["articles"], again["time_entries"]) == (
        0,
        0,
        0,
        0,
    )


def test_dry_run_writes_nothing(desk, cli, otrs_source, run_import, tmp_path):
    src = otrs_source()
    text = cli(desk)("import", "otrs", "--source", src.url, "--dry-run")
    assert text.exit_code == 0, text.output
    assert "Would import from postgresql://" in text.stdout and "dry run: nothing was written" in text.stdout
    assert "tickets:      8 read, 8 new, 0 updated, 0 already imported" in text.stdout
    assert "Skipped rows (3):" in text.stdout and "orphan article: ticket 999999 does not exist" in text.stdout
    summary = run_import(desk, src.url, "--dry-run")
    assert summary["dry_run"] is True
    assert summary["tickets"]["new"] == 8 and summary["articles"] == 14 and summary["minutes"] == 91
    assert summary["directory"]["customers"] == {"created": 2}
    assert desk.tickets.list(limit=None) == [] and desk.directory.customers() == [] and desk.time.entries() == []
    assert summary["sla_file"] is None
    assert not (desk.config.data_dir / "otrs-sla-suggestions.toml").exists()


def test_customer_reply_to_an_old_subject_threads_into_the_imported_ticket(desk, otrs_source, run_import):
    src = otrs_source()
    run_import(desk, src.url)
    number = src.data.numbers["t1"]
    result = desk.intake.receive(
        InboundMessage(
            channel="mail",
            external_id="late-1",
            received_at=dt.datetime.now(UTC),
            sender="ivan@acme.example",
            subject=f"Re: [Ticket#{number}] Не работает почта",
            text="Опять не работает",
        )
    )
    assert result.ticket == number and not result.created
    assert desk.tickets.get(number).state_type == "open"  # reopened


def test_config_section_maps_priorities_units_and_billing(make_desk, otrs_source, run_import):
    desk = make_desk(
        '[import.otrs]\npriority_map = { "4 high" = "P1", "5 very high" = "P2", "urgent!!" = "P4" }\n'
        'unit_minutes = "0.5"\nalready_billed = false\nsource_timezone = "Europe/Moscow"\n'
    )
    src = otrs_source()
    summary = run_import(desk, src.url)
    t1 = desk.tickets.get(src.data.numbers["t1"])
    assert t1.priority == "P1"
    assert t1.created_at == dt.datetime(2024, 3, 15, 4, 0, tzinfo=UTC)  # 07:00 in Moscow
    assert desk.tickets.get(src.data.numbers["t2"]).priority == "P2"
    assert desk.tickets.get(src.data.numbers["t7"]).priority == "P4"
    assert "urgent!!" not in json.dumps(summary["warnings"], ensure_ascii=False)
    # 15 * 0.5 = 7.5 -> 8, 30.5 * 0.5 = 15.25 -> 15, 45 * 0.5 = 22.5 -> 23; 0.2 * 0.5 -> 0 (skipped)
    assert sorted(e.minutes for e in desk.time.entries()) == [8, 15, 23]


def test_imported_time_is_marked_billed_unless_told_otherwise(desk, otrs_source, monkeypatch):
    """What the importer hands the core: already_billed from config/flags, billable kept."""
    from deskframe.foreign import ForeignDatabase
    from deskframe_otrs.importer import OtrsImport
    from deskframe_otrs.options import Options

    src = otrs_source()
    seen = []
    real = desk.tickets.import_tickets

    def recording(batch, *, namespace, **options):
        seen.extend(e for t in batch for e in t.time)
        return real(batch, namespace=namespace, **options)

    monkeypatch.setattr(desk.tickets, "import_tickets", recording)
    db = ForeignDatabase(src.url)
    try:
        OtrsImport(desk, db, Options()).run()
        assert seen and all(e.already_billed and e.billable for e in seen)
        seen.clear()
        OtrsImport(desk, db, Options(already_billed=False, namespace="otrs-b")).run()
    finally:
        db.close()
    assert seen and not any(e.already_billed for e in seen)


def test_bad_config_and_bad_source_are_one_line_errors(make_desk, cli, otrs_source, tmp_path):
    empty = otrs_source(populate=False, orphans=False)  # (skips here without a server)
    bad = make_desk()
    path = bad.config.path
    path.write_text(path.read_text() + '[import.otrs]\nunit_minutes = "zero"\n', encoding="utf-8")
    result = cli(bad)("import", "otrs", "--source", "postgresql://x@127.0.0.1:1/none")
    assert result.exit_code == 2 and "import.otrs.unit_minutes" in result.output
    assert "Traceback" not in result.output

    desk = make_desk()
    result = cli(desk)("import", "otrs", "--source", otrs_fixture.pg_admin_url())  # a database, not OTRS
    assert result.exit_code == 2 and "not an OTRS/Znuny database" in result.output
    result = cli(desk)("import", "otrs", "--source", "not a url")
    assert result.exit_code == 2 and "--source" in result.output
    result = cli(desk)("import", "otrs", "--source", empty.url, "--since", "yesterday")
    assert result.exit_code == 2 and "--since" in result.output


def test_sla_suggestions_are_loadable_policies(make_desk, otrs_source, run_import):
    desk = make_desk()
    src = otrs_source()
    summary = run_import(desk, src.url)
    assert summary["sla_suggestions"] == 2  # SLA "Gold" and queue "Support"; "Bronze" has no targets
    snippet = Path(summary["sla_file"]).read_text(encoding="utf-8")
    assert "[sla.otrs-gold]" in snippet and "[sla.otrs-queue-support]" in snippet
    assert 'P1 = { first_response = "30m", update = "1h", resolution = "4h" }' in snippet
    assert 'warn = "75%"' in snippet
    loaded = make_desk(snippet)  # the deskframe_sla plugin accepts it as configuration
    assert {"otrs-gold", "otrs-queue-support"} <= set(loaded.config.sla)


def test_article_storage_fs_directory(desk, otrs_source, run_import, tmp_path):
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    when = dt.datetime(2024, 5, 5, 10, 0)
    t = w.ticket(otrs_fixture.tn(when.date(), 1), "FS storage", created=when)
    aid = w.article(
        t,
        sender="customer",
        when=when,
        a_from="fs@files.example",
        subject="FS",
        body="Body in DB",
        message_id="<fs@files.example>",
    )
    folder = tmp_path / "article" / when.strftime("%Y/%m/%d") / str(aid)
    folder.mkdir(parents=True)
    raw = b"From: fs@files.example\r\nSubject: FS\r\nMessage-ID: <fs@files.example>\r\n\r\nBody in DB\r\n"
    (folder / "plain.txt").write_bytes(raw)
    (folder / "log.txt").write_bytes(b"disk attachment")
    (folder / "log.txt.content_type").write_text("text/plain")
    run_import(desk, src.url, "--article-dir", str(tmp_path / "article"))
    article = desk.tickets.get(otrs_fixture.tn(when.date(), 1)).articles[0]
    assert desk.blobs.get(article.raw_sha256) == raw
    assert [(a.filename, a.content_type) for a in article.attachments] == [("log.txt", "text/plain")]


def test_otrs5_layout_is_detected_and_mapped(desk, otrs_source, run_import):
    """OTRS <= 5: wide ``article`` with ``article_type``, ``article_plain``, ``article_attachment``."""
    src = otrs_source(populate=False, orphans=False)
    w = src.writer
    w.q("DROP TABLE article CASCADE")
    for table in (
        "article_data_mime",
        "article_data_mime_plain",
        "article_data_mime_attachment",
        "article_data_otrs_chat",
        "article_data_mime_send_error",
    ):
        w.q(f"DROP TABLE IF EXISTS {table} CASCADE")
    w.q((otrs_fixture.HERE / "fixtures" / "otrs5-article-tables.postgresql.sql").read_text(encoding="utf-8"))
    for name in ("email-external", "email-internal", "phone", "note-internal", "note-external", "webrequest"):
        w.insert("article_type", name=name, valid_id=1)
    alice = w.user("alice", "Alice", "Smirnova", "alice@vendor.example")
    when = dt.datetime(2016, 2, 1, 10, 0)
    number = otrs_fixture.tn(when.date(), 7)
    t = w.ticket(number, "Old OTRS 5 ticket", created=when, state="open")

    def article(type_name, sender, body, a_from, by=1):
        return w.insert(
            "article",
            when=when,
            by=by,
            ticket_id=t,
            article_type_id=w.id_of("article_type", type_name),
            article_sender_type_id=w.id_of("article_sender_type", sender),
            a_from=a_from,
            a_subject="Old",
            a_body=body,
            incoming_time=0,
            valid_id=1,
            a_message_id=f"<{type_name}@old.example>",
        )

    first = article("email-external", "customer", "Hello from 2016", "old@customer.example")
    w.insert("article_plain", when=when, article_id=first, body=w.blob(otrs_fixture.koi8_mail()))
    w.insert(
        "article_attachment",
        when=when,
        article_id=first,
        filename="old.pdf",
        content_type="application/pdf",
        content=w.blob(otrs_fixture.PDF),
        content_size=str(len(otrs_fixture.PDF)),
        disposition="attachment",
    )
    article("note-internal", "agent", "Internal remark", "Alice <alice@vendor.example>", by=alice)
    article("note-external", "agent", "Visible note", "Alice <alice@vendor.example>", by=alice)
    article("phone", "customer", "Called", "old@customer.example")

    summary = run_import(desk, src.url)
    assert summary["layout"].startswith("OTRS 5")
    arts = desk.tickets.get(number).articles
    assert [(a.direction, a.channel, a.visible_to_customer) for a in arts] == [
        ("in", "email", True),
        ("internal", None, False),
        ("out", None, True),
        ("in", "phone", True),
    ]
    assert desk.blobs.get(arts[0].raw_sha256) == otrs_fixture.koi8_mail()
    assert [a.filename for a in arts[0].attachments] == ["old.pdf"]
    assert arts[1].agent == "alice"
