"""``deskframe phone import``: a PBX call log, idempotent, bad rows reported by line."""

from __future__ import annotations

import datetime as dt
import json

from deskframe_phone import callog
from deskframe_phone.settings import settings_of

LOG = """\
Date,Caller,Duration,Agent,Summary
2026-03-02 10:15:00,+7 495 123-45-67,305,alice,Printer offline
2026-03-02 11:00:00,8 916 765 43 21,0:02:10,Alice Smith,"Mail quota
second line of the summary"
yesterday,+74951234567,60,alice,Bad date
2026-03-02 12:00:00,+74951234567,60,bob,Unknown agent

2026-03-02 13:00:00,not a number,60,alice,Bad caller
2026-03-02 14:00:00,(812) 555-12-34,,alice@vendor.example,
"""


def run(cli, desk, path, *args):
    return cli(desk)("phone", "import", str(path), *args)


def test_import_reports_bad_rows_by_line_and_is_idempotent(world, cli, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(LOG, encoding="utf-8")
    result = run(cli, world, path)
    assert result.exit_code == 1, result.output
    assert result.stdout.strip() == "6 rows: 3 new tickets, 0 added to tickets, 0 already imported, 3 failed"
    assert result.stderr.splitlines() == [
        "calls.csv: line 5: bad date 'yesterday' (expected %Y-%m-%d %H:%M:%S)",
        "calls.csv: line 6: unknown agent 'bob'",
        (
            "calls.csv: line 8: not a phone number or e-mail address: 'not a number' "
            "(numbers without +country code are read as RU)"
        ),
    ]
    tickets = {t.subject: t for t in (world.tickets.get(r["number"]) for r in world.tickets.list(limit=None))}
    assert set(tickets) == {"Printer offline", "Mail quota", "Phone call from +7 812 555-12-34"}
    printer = tickets["Printer offline"]
    assert (printer.customer, printer.channel, printer.contact) == ("acme", "phone", "ivan@acme.example")
    article = printer.articles[0]
    assert article.created_at == dt.datetime(2026, 3, 2, 7, 15, tzinfo=dt.timezone.utc)  # Moscow time in the log
    assert "Duration: 5m05s" in article.text and "Time: 2026-03-02 10:15 +0300" in article.text
    assert [(h.actor, h.new) for h in printer.history if h.action == "phone_call"] == [("alice", "5m05s")]
    quota = tickets["Mail quota"]
    assert quota.customer == "acme" and quota.articles[0].text.endswith("Mail quota\nsecond line of the summary")
    stranger = tickets["Phone call from +7 812 555-12-34"]
    assert (stranger.queue, stranger.contact) == ("unknown", "+7 812 555-12-34")  # a phone-only contact

    again = run(cli, world, path, "--format", "json")
    assert again.exit_code == 1
    report = json.loads(again.stdout)
    assert (report["rows"], report["created"], report["duplicates"]) == (6, 0, 3)
    assert [f["line"] for f in report["failed"]] == [5, 6, 8]
    assert len(world.tickets.list(limit=None)) == 3


def test_mapped_columns_delimiter_and_zone(phone_desk, cli, tmp_path):
    from deskframe.testing import Factory

    desk = phone_desk(
        phone='[phone]\ndefault_region = "DE"\n[phone.csv]\ndate = "Start"\ncaller = "From"\n'
        'duration = "Secs"\nagent = "Ext"\nsummary = "Note"\ndate_format = "%d.%m.%Y %H:%M"\n'
        'timezone = "Europe/Berlin"\ndelimiter = ";"\n'
    )
    Factory(desk).agent("hans", name="Hans")
    path = tmp_path / "pbx.csv"
    path.write_bytes(
        "\ufeffExt;From;Start;Note;Secs;Extra\nhans;030 1234567;02.03.2026 09:30;Drucker;42;x\n".encode("utf-8")
    )
    result = run(cli, desk, path)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 rows: 1 new tickets, 0 added to tickets, 0 already imported, 0 failed"
    ticket = desk.tickets.get(desk.tickets.list(limit=None)[0]["number"])
    assert ticket.contact == "+49 30 1234567"  # a phone-only contact, named by the number
    assert ticket.articles[0].created_at == dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.timezone.utc)
    assert "Duration: 42s" in ticket.articles[0].text


def test_missing_column_names_the_config_key(world, cli, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text("Date,Number,Duration,Agent,Summary\n", encoding="utf-8")
    result = run(cli, world, path)
    assert result.exit_code == 2
    assert "no column 'Caller' (phone.csv.caller)" in result.output


def test_unreadable_file(world, cli, tmp_path):
    assert "cannot read" in run(cli, world, tmp_path / "missing.csv").output
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "Date,Caller,Duration,Agent,Summary\n2026-03-02 10:00:00,+74951234567,1,alice,Gr\xfc\xdfe\n".encode("latin-1")
    )
    result = run(cli, world, path)
    assert result.exit_code == 2 and "not UTF-8 text" in result.output
    assert world.tickets.list(limit=None) == []


def test_same_call_written_differently_is_one_call(world, tmp_path):
    settings = settings_of(world)
    path = tmp_path / "calls.csv"
    path.write_text(
        "Date,Caller,Duration,Agent,Summary\n"
        "2026-03-02 10:15:00,+7 495 123-45-67,305,alice,Printer\n"
        "2026-03-02 10:15:00,84951234567,0:05:05,Alice Smith,Printer \n",
        encoding="utf-8",
    )
    seen = []
    report = callog.import_calls(
        world, settings, callog.read_rows(path, settings), on_row=lambda row, outcome: seen.append((row.line, outcome))
    )
    assert (report.created, report.duplicates) == (1, 1)
    assert seen == [(2, "created"), (3, "duplicate")]


def test_progress_is_shown_on_a_terminal(world, cli, tmp_path, monkeypatch):
    import io
    import sys
    import types

    from deskframe_phone import commands

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(commands, "sys", types.SimpleNamespace(stderr=terminal, exit=sys.exit))
    path = tmp_path / "calls.csv"
    path.write_text(
        "Date,Caller,Duration,Agent,Summary\n2026-03-02 10:15:00,+74951234567,5,alice,One\n", encoding="utf-8"
    )
    result = run(cli, world, path)
    assert result.exit_code == 0, result.output
    assert "Importing calls" in terminal.getvalue()
