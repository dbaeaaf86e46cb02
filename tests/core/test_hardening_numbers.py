"""Issue 18, defect 7: every number typed on the command line or given to a service is bounded.

``time log --minutes 2147483648`` was a 93-line PostgreSQL traceback, ``--minutes 10^23``
an OverflowError on SQLite, ``invoice show draft-99999999999999999999999`` an
OverflowError, and 99,999,999,999,999 minutes were accepted and invoiced. Now each is
one ``Error:`` line with exit code 2 (a bad value) or 1 (refused by the desk), and the
service methods refuse what the CLI would not let through. Runs on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from deskframe.actors import Actor
from deskframe.errors import DomainError

BIG = "1" + "0" * 23


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # `demo` writes into the working directory if its options pass


@pytest.fixture
def ticket(desk, factory):  # type: ignore[no-untyped-def]
    factory.agent("alice")
    return factory.ticket(customer=factory.customer("acme").key)


def no_traceback(result) -> str:  # type: ignore[no-untyped-def]
    """The CLI result ended in an exit code, never an uncaught exception; its output."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result.output


CASES = [
    (("time", "log", "{n}", "--agent", "alice", "--minutes", "2147483648"), 2, "--minutes"),
    (("time", "log", "{n}", "--agent", "alice", "--minutes", BIG), 2, "--minutes"),
    (("time", "log", "{n}", "--agent", "alice", "--minutes", "99999999999999"), 2, "--minutes"),
    (("time", "log", "{n}", "--agent", "alice", "--minutes", "1441"), 2, "--minutes"),
    (("time", "log", "{n}", "--agent", "alice", "--minutes", "0"), 2, "--minutes"),
    (("invoice", "show", "draft-99999999999999999999999"), 2, "unknown invoice"),
    (("invoice", "show", "draft-2147483648"), 2, "unknown invoice"),
    (("invoice", "show", "draft-²"), 2, "unknown invoice"),
    (("invoice", "issue", "draft-99999999999999999999999"), 2, "unknown invoice"),
    (("invoice", "run", "--period", "9999-12"), 2, "bad period"),
    (("time", "list", "--period", "99999999999999999999-01"), 2, "bad period"),
    (("sla", "report", "--customer", "acme", "--period", "2026-" + "1" * 30), 2, "bad period"),
    (("ticket", "list", "--limit", BIG), 2, "--limit"),
    (("ticket", "list", "--limit", "-5"), 2, "--limit"),
    (("ticket", "search", "x", "--limit", BIG), 2, "--limit"),
    (("ticket", "estimate", "{n}", "--hours", "1e30"), 2, "--hours"),
    (("ticket", "estimate", "{n}", "--hours", "NaN"), 2, "--hours"),
    (("ticket", "estimate", "{n}", "--hours", "99999999999999999999999999"), 2, "--hours"),
    (("intake", "quarantine", "show", BIG), 2, "ITEM_ID"),
    (("intake", "quarantine", "show", "2147483648"), 2, "ITEM_ID"),
    (("intake", "quarantine", "retry", BIG), 2, "ITEM_IDS"),
    (("intake", "quarantine", "drop", "2147483648"), 2, "ITEM_IDS"),
    (("intake", "run", "--interval", BIG), 2, "--interval"),
    (
        ("sla", "due", "--calendar", "always", "--start", "2026-01-01T00:00:00Z", "--duration", "99999999w"),
        2,
        "--duration",
    ),
    (("sla", "due", "--calendar", "always", "--start", "9999-12-31T00:00:00Z", "--duration", "2d"), 2, "--start"),
    (("serve", "--port", BIG), 2, "--port"),
    (("demo", "--port", BIG), 2, "--port"),
    (
        ("phone", "log", "--caller", "+79001234567", "--agent", "alice", "--summary", "x", "--duration", BIG + "s"),
        2,
        "--duration",
    ),
]


def test_out_of_range_numbers_give_one_error(desk, cli, ticket) -> None:  # type: ignore[no-untyped-def]
    """Every case on one desk (a desk per case would cost a migration each)."""
    run = cli(desk)
    for args, code, words in CASES:
        result = run(*[a.replace("{n}", ticket.number) for a in args])
        output = no_traceback(result)
        assert result.exit_code == code, (args, output)
        assert words in output, (args, output)
    assert desk.time.entries(ticket=ticket.number) == []


def test_a_day_is_the_most_one_entry_holds(desk, cli, ticket) -> None:  # type: ignore[no-untyped-def]
    result = cli(desk)("time", "log", ticket.number, "--agent", "alice", "--minutes", "1440")
    assert result.exit_code == 0, result.output
    assert [e.minutes for e in desk.time.entries(ticket=ticket.number)] == [1440]


def test_log_time_service_refuses_minutes_out_of_range(desk, ticket) -> None:  # type: ignore[no-untyped-def]
    for minutes in (0, -5, 1441, 2**31, 99_999_999_999_999, 10**23, True, "30"):
        with pytest.raises(DomainError, match="minutes must be from 1 to 1440"):
            desk.time.log(ticket.number, actor=Actor.agent("alice"), minutes=minutes, date=dt.date(2026, 10, 5))
    assert desk.time.entries(ticket=ticket.number) == []


def test_estimate_service_refuses_hours_out_of_range(desk, ticket) -> None:  # type: ignore[no-untyped-def]
    for hours in (Decimal("1e30"), Decimal("NaN"), Decimal("100000"), Decimal("1.001"), Decimal("-1")):
        with pytest.raises(DomainError, match="estimate hours"):
            desk.tickets.estimate(ticket.number, hours=hours, actor=Actor.operator())
    assert desk.tickets.estimate(ticket.number, hours=Decimal("99999.99"), actor=Actor.operator()).hours == Decimal(
        "99999.99"
    )
