"""The importer's pure rules: no database (deskframe_otrs.mapping, .options, .sla, .mail)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import otrs_fixture
import pytest

from deskframe.errors import ConfigError
from deskframe_otrs import mail, mapping, options, sla

STATES = {
    "new": "new",
    "open": "open",
    "waiting": "pending",
    "resolved": "resolved",
    "closed": "closed",
    "merged": "merged",
}


@pytest.mark.parametrize(
    "otrs_type, expected",
    [
        ("new", "new"),
        ("open", "open"),
        ("closed", "closed"),
        ("removed", "closed"),
        ("pending reminder", "waiting"),
        ("pending auto", "waiting"),
        ("merged", "merged"),
    ],
)
def test_states_map_by_type_onto_the_first_configured_state(otrs_type, expected):
    assert mapping.state_for(otrs_type, "whatever it was renamed to", STATES, {}) == (expected, None)


def test_state_map_by_name_wins_and_unknown_types_are_open_with_a_note():
    assert mapping.state_for("closed", "Closed Unsuccessful", STATES, {"closed unsuccessful": "resolved"}) == (
        "resolved",
        None,
    )
    state, note = mapping.state_for("custom", "odd", STATES, {})
    assert state == "open" and "odd" in note
    no_pending = {"new": "new", "open": "open", "closed": "closed", "merged": "merged"}
    assert mapping.state_for("pending reminder", "p", no_pending, {}) == ("open", None)


def test_priorities_by_map_then_by_znuny_number():
    m = options.DEFAULT_PRIORITY_MAP
    assert [mapping.priority_for(n, m)[0] for n in m] == ["P4", "P4", "P3", "P2", "P1"]
    assert mapping.priority_for("5 Sehr hoch", m)[0] == "P1"  # renamed, still numbered
    assert mapping.priority_for("urgent", m) == (
        None,
        "priority 'urgent' is not in priority_map; imported with the default priority",
    )


@pytest.mark.parametrize(
    "sender, visible, expected",
    [
        ("customer", True, ("in", True)),
        ("customer", False, ("in", False)),
        ("agent", True, ("out", True)),
        ("agent", False, ("internal", False)),
        ("system", True, ("internal", False)),
        (None, True, ("internal", False)),
    ],
)
def test_direction_from_sender_type_and_visibility(sender, visible, expected):
    assert mapping.direction_for(sender, visible) == expected


@pytest.mark.parametrize(
    "article_type, expected",
    [
        ("email-external", ("email", True)),
        ("email-internal", ("email", False)),
        ("email-notification-int", ("email", False)),
        ("phone", ("phone", True)),
        ("fax", ("phone", True)),
        ("note-internal", (None, False)),
        ("note-external", (None, True)),
        ("note-report", (None, False)),
        ("webrequest", ("web", True)),
        ("chat-internal", ("chat", False)),
    ],
)
def test_otrs5_article_types(article_type, expected):
    assert mapping.otrs5_type(article_type) == expected


def test_channels():
    assert [mapping.channel_for(n) for n in ("Email", "Phone", "Internal", "Chat", "Web", "SMS")] == [
        "email",
        "phone",
        None,
        "chat",
        "web",
        "sms",
    ]


def test_stored_bytes_base64_text_and_blobs():
    raw = otrs_fixture.koi8_mail()
    assert mapping.stored_bytes(base64.encodebytes(raw).decode()) == raw  # PostgreSQL: base64 in TEXT
    assert mapping.stored_bytes(raw) == raw  # MySQL: BLOB
    assert mapping.stored_bytes(memoryview(raw)) == raw
    plain = "From: a@b.example\nSubject: hi\n\nплain text with spaces"
    assert mapping.stored_bytes(plain) == plain.encode()  # hand-written rows (Znuny's seed ticket)
    assert mapping.stored_bytes(None) is None


def test_stored_bytes_calls_binascii_as_python_3_10_allows(monkeypatch):
    """Python 3.10's a2b_base64 takes no keyword arguments (strict_mode= came in 3.11)."""
    raw = otrs_fixture.koi8_mail()
    text = base64.encodebytes(raw).decode()
    real = binascii.a2b_base64
    monkeypatch.setattr(binascii, "a2b_base64", lambda data, /: real(data))
    assert mapping.stored_bytes(text) == raw
    assert mapping.stored_bytes([text[:1000], text[1000:]]) == raw  # a large value read in slices


def test_minutes_round_half_up():
    assert mapping.minutes_for(Decimal("30.50"), Decimal(1)) == 31
    assert mapping.minutes_for(Decimal("0.25"), Decimal(60)) == 15
    assert mapping.minutes_for(Decimal("0.20"), Decimal(1)) == 0
    assert mapping.minutes_for(Decimal("-2.5"), Decimal(1)) == -3


def test_history_names():
    h = mapping.history_entry
    assert h("StateUpdate", "%%new%%closed successful%%") == ("state", "new", "closed successful", None)
    assert h("PriorityUpdate", "%%3 normal%%3%%5 very high%%5") == ("priority", "3 normal", "5 very high", None)
    assert h("Move", "%%Junk%%3%%Raw%%2") == ("queue", "Raw", "Junk", None)
    assert h("OwnerUpdate", "%%alice%%2") == ("owner", None, "alice", None)
    assert h("NewTicket", "New Ticket [2011120910000047] created.") == ("created", None, "2011120910000047", None)
    assert h("SendAutoReply", "%%ivan@acme.example") == ("SendAutoReply", None, None, "ivan@acme.example")
    assert h("Misc", "free text") == ("Misc", None, None, "free text")
    assert h(None, None) == ("Unknown", None, None, None)


def test_merge_target_from_history():
    rows = [("NewTicket", "x"), ("Merged", "%%2024031510000126%%4%%2024031510000117%%2")]
    assert mapping.merge_target(rows, "2024031510000126") == "2024031510000117"
    assert mapping.merge_target(rows, "2024031510000117") is None  # the main ticket is not merged
    assert mapping.merge_target([], "1") is None


def test_addresses():
    assert mapping.address("Иван Петров <ivan@acme.example>") == "ivan@acme.example"
    assert mapping.address('"Doe, John" <john@x.example>') == "john@x.example"
    assert mapping.address("Bob Ivanov") is None and mapping.address("") is None and mapping.address(None) is None
    assert mapping.addresses('"Doe, John" <j@x.example>, k@y.example', "j@x.example", None) == (
        "j@x.example",
        "k@y.example",
    )
    assert mapping.message_ids("<a@b> <c@d>", "<a@b>") == ("<a@b>", "<c@d>")


def test_local_times_become_utc():
    moscow = ZoneInfo("Europe/Moscow")
    assert mapping.local_to_utc(dt.datetime(2024, 3, 15, 10, 0), moscow) == dt.datetime(
        2024, 3, 15, 7, 0, tzinfo=dt.timezone.utc
    )


def test_ticket_numbers_that_thread():
    assert mapping.number_threads("DateChecksum", "10", "2011120910000047")
    assert not mapping.number_threads("DateChecksum", "10", "2021012710123456")  # the seed's check digit
    assert not mapping.number_threads("DateChecksum", "20", "2011120910000047")
    assert mapping.number_threads("AutoIncrement", "10", "1000123")


def test_config_section_validation():
    opts = options.validate(
        {
            "otrs": {
                "unit_minutes": "0.25",
                "already_billed": False,
                "source_timezone": "Europe/Moscow",
                "system_id": 12,
                "batch": 50,
                "reparse": "always",
            }
        }
    )["otrs"]
    assert (opts.unit_minutes, opts.already_billed, opts.system_id, opts.batch) == (Decimal("0.25"), False, "12", 50)
    assert options.validate({"otrs": {}})["otrs"] == options.Options()
    for table, key in [
        ({"zammad": {}}, "zammad"),
        ({"otrs": {"unit": 1}}, "otrs.unit"),
        ({"otrs": {"unit_minutes": "0"}}, "otrs.unit_minutes"),
        ({"otrs": {"unit_minutes": True}}, "otrs.unit_minutes"),
        ({"otrs": {"source_timezone": "Mars/Base"}}, "otrs.source_timezone"),
        ({"otrs": {"batch": 0}}, "otrs.batch"),
        ({"otrs": {"reparse": "never"}}, "otrs.reparse"),
        ({"otrs": {"priority_map": {"1 low": 4}}}, "otrs.priority_map.1 low"),
    ]:
        with pytest.raises(ConfigError) as err:
            options.validate(table)
        assert err.value.key == key, table


def test_config_section_is_claimed_and_checked_against_priorities(make_desk):
    desk = make_desk('[import.otrs]\npriority_map = { "3 normal" = "P2" }\n')
    assert options.from_config(desk.config).priority_map == {"3 normal": "P2"}
    with pytest.raises(ConfigError) as err:
        make_desk('[import.otrs]\npriority_map = { "3 normal" = "P9" }\n')
    assert err.value.key == "import.otrs.priority_map.3 normal"
    with pytest.raises(ConfigError) as err:
        make_desk('[import.otrs]\nstate_map = { "closed unsuccessful" = "rejected" }\n')
    assert err.value.key == "import.otrs.state_map.closed unsuccessful"


def test_sla_snippet():
    text, n = sla.snippet(
        [
            {
                "id": 1,
                "name": "Gold Plus",
                "first_response_time": 90,
                "update_time": 0,
                "solution_time": 1440,
                "first_response_notify": 80,
                "valid_id": 1,
            }
        ],
        [{"id": 2, "name": "Raw", "first_response_time": None}],
    )
    assert n == 1
    assert "[sla.otrs-gold-plus]" in text
    assert 'P3 = { first_response = "1h30m", resolution = "24h" }' in text and 'warn = "80%"' in text
    assert sla.duration(45) == "45m" and sla.duration(120) == "2h"


def test_stdlib_reparse_of_russian_mail():
    parsed = mail.parse(otrs_fixture.koi8_mail())
    assert parsed.problem is None and "Почта не работает" in parsed.text
    assert (parsed.sender, parsed.subject, parsed.message_id) == (
        "ivan@acme.example",
        "Не работает почта",
        "<a1@acme.example>",
    )
    reply = mail.parse(otrs_fixture.cp1251_reply())
    assert "Перезапустили" in reply.text and reply.references == ("<a1@acme.example>",)
    assert reply.html is None  # never unsanitized HTML from the stdlib path
    bad = mail.parse(otrs_fixture.unknown_charset_mail())
    assert bad.text is None and "x-unknown-8bit" in bad.problem
    mail.parse(b"\x00\xff garbage without headers")  # never raises


def test_the_email_plugin_parser_is_used_when_it_accepts_a_table():
    calls = []

    class Registry:
        def __init__(self, parse):
            self.parse = parse

        def get(self, kind, name):
            return self if (kind, name) == ("channel_types", "email") else None

    def good(raw, table):
        calls.append(table["name"])
        return type(
            "M",
            (),
            dict(text="t", html="<p>t</p>", subject="s", sender="a@b", recipients=(), message_id=None, references=()),
        )()

    parser = mail.email_parser(Registry(good), [{"type": "email", "name": "support"}])
    assert parser.note is None and mail.parse(b"x", parser.parse).html == "<p>t</p>"
    assert calls == ["support", "support"]  # the configured channel's table (probe, then the message)

    def refusing(raw, table):
        raise ConfigError("needs a source", key="source")

    fallback = mail.email_parser(Registry(refusing))
    assert fallback.parse is None and "stdlib" in fallback.note
    assert mail.email_parser(None).parse is None


def test_system_id_from_sysconfig_and_layout_detection_errors():
    from deskframe_otrs.source import Source, detect

    class FakeDB:
        def __init__(self, tables, rows=()):
            self._tables, self._rows = tables, rows

        def tables(self):
            return set(self._tables)

        def columns(self, table):
            return [
                "id",
                "tn",
                "queue_id",
                "ticket_state_id",
                "ticket_priority_id",
                "create_time",
                "change_time",
                "article_type_id",
            ]

        def all(self, sql, params=None):
            return list(self._rows) if "sysconfig_modified" in sql else []

    with pytest.raises(ConfigError) as err:
        detect(FakeDB({"ticket", "users"}))
    assert "missing table(s) article" in str(err.value) and err.value.key == "--source"
    tables = {
        "ticket",
        "article",
        "users",
        "queue",
        "ticket_state",
        "ticket_state_type",
        "ticket_priority",
        "ticket_lock_type",
        "article_sender_type",
        "sysconfig_modified",
    }
    layout = detect(FakeDB(tables))
    assert layout.generation == "otrs5" and layout.plain is None
    assert Source(FakeDB(tables, [{"effective_value": b"--- '42'\n"}]), layout).system_id() == "42"
    assert Source(FakeDB(tables), layout).system_id() is None


@pytest.mark.parametrize("text", ["", "x" * 40, "аб" * 20, "日本語" * 9, "a😀" * 12])
@pytest.mark.parametrize("step", [1, 3, 1 << 20])
def test_utf8_prefix_is_the_longest_whole_character_prefix_within_the_limit(text, step):
    from deskframe_otrs import limits

    for limit in range(len(text.encode()) + 2):
        data = text.encode()
        expected = None if len(data) <= limit else data[:limit].decode("utf-8", "ignore")
        assert limits.utf8_prefix(text, limit, step=step) == expected


def test_cut_text_notes_the_cut_visibly_and_counts_the_unread_rest():
    from deskframe_otrs import limits

    assert limits.cut_text("short", 100) == ("short", None)
    text, note = limits.cut_text("x" * 50, 100, original_chars=5000, raw_kept=True)  # read only 50 of 5000
    assert text.startswith("x" * 50 + "\n\n[deskframe: ") and "5000 characters" in note and "raw source" in note
    assert limits.time_problem(1440) is None and limits.time_problem(1441) and limits.time_problem(-1)
