"""``deskframe ticket list`` prints the same bytes on the quick path as on the full path.

Each command runs twice through the CLI against the same desk: once as users run it (the quick
path answers), once with the quick path switched off (``desk.tickets.list``). Table and JSON output,
errors and exit codes must be identical - due times in a zone with a half-hour offset and a DST
change, Cyrillic and over-long subjects, terminal controls in subjects. SQLite, and PostgreSQL
with ``DESKFRAME_TEST_DATABASE_URL``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from listing_world import BASE, STATES_CONFIG, fill

from deskframe import listing
from deskframe.testing import Clock

#: Newfoundland: UTC-2:30 in summer, UTC-3:30 from 2026-11-01 05:30 UTC.
CONFIG = 'timezone = "America/St_Johns"\n'  # appended to the fixture's [desk] table
NOW = dt.datetime(2026, 11, 1, 4, 0, tzinfo=dt.timezone.utc)


def ticket(n: int, **values: Any) -> dict[str, Any]:
    row = {
        "subject": f"Request {n}",
        "state": "open",
        "state_type": "open",
        "priority": "P3",
        "queue": n % 2,
        "customer": n % 3 if n % 4 else None,
        "owner": n % 2 if n % 3 else None,
        "locked_by": 1 if n % 5 == 0 else None,
        "created_at": BASE + dt.timedelta(minutes=n),
        "updated_at": BASE + dt.timedelta(hours=n % 7, microseconds=n),
        "clocks": [],
    }
    row.update(values)
    return row


def clock(status: str, due: dt.datetime, warn: dt.datetime | None = None, breached: dt.datetime | None = None) -> dict:
    return {"status": status, "due_at": due, "warn_at": warn, "paused_at": None, "breached_at": breached}


WORLD = {
    "queues": 2,
    "customers": 4,
    "agents": 2,
    "tickets": [
        ticket(1, subject="Принтер не печатает после обновления драйвера, срочно нужна помощь бухгалтерии"),
        ticket(2, subject="Terminal \x1b[31mred\x1b[0m and a bell \x07 in the subject", state="new", state_type="new"),
        ticket(3, clocks=[clock("running", NOW + dt.timedelta(hours=2), warn=NOW - dt.timedelta(minutes=5))]),
        ticket(
            4, clocks=[clock("running", NOW + dt.timedelta(minutes=90)), clock("running", NOW + dt.timedelta(hours=30))]
        ),
        ticket(5, clocks=[clock("running", NOW - dt.timedelta(hours=1))]),
        ticket(6, clocks=[clock("paused", NOW + dt.timedelta(hours=1), breached=NOW - dt.timedelta(hours=2))]),
        ticket(7, state="closed", state_type="closed", clocks=[clock("met", NOW - dt.timedelta(days=1))]),
        ticket(8, subject="x" * 200, state="pending", state_type="pending", priority="P1"),
        *(ticket(n) for n in range(9, 30)),
    ],
}

COMMANDS = [
    ("ticket", "list"),
    ("ticket", "list", "--format", "json"),
    ("ticket", "list", "--open"),
    ("ticket", "list", "--limit", "0", "--format", "json"),
    ("ticket", "list", "--limit", "3"),
    ("ticket", "list", "--sla", "warning"),
    ("ticket", "list", "--sla", "breached", "--format", "json"),
    ("ticket", "list", "--sla", "breached"),
    ("ticket", "list", "--state", "new"),
    ("ticket", "list", "--state", "pending", "--format", "json"),
    ("ticket", "list", "--customer", "globex", "--owner", "bob"),
    ("ticket", "list", "--queue", "hardware", "--open", "--format", "json"),
    ("ticket", "list", "--customer", "initech"),  # exists, no tickets
    # errors: the quick path leaves them to the full path
    ("ticket", "list", "--customer", "nobody"),
    ("ticket", "list", "--owner", "nobody", "--format", "json"),
    ("ticket", "list", "--queue", "nowhere"),
    ("ticket", "list", "--state", "bogus"),
    # --now moves "now" across the DST change (due times shown in the zone's new offset)
    ("--now", "2026-11-01T06:00:00+00:00", "ticket", "list", "--sla", "breached"),
    ("--now", "2026-10-31T12:00:00-02:30", "ticket", "list", "--sla", "warning", "--format", "json"),
]


@pytest.fixture
def cli_desk(make_desk: Any) -> Any:
    desk = make_desk(CONFIG + STATES_CONFIG, clock=Clock(NOW))
    fill(desk, WORLD)
    return desk


def test_table_and_json_output_are_byte_identical(cli_desk: Any, cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    run = cli(cli_desk)
    answered: list[bool] = []
    quick = listing.quick_ticket_rows

    def watched(*args: Any, **kwargs: Any) -> Any:
        rows = quick(*args, **kwargs)
        answered.append(rows is not None)
        return rows

    outputs = []
    for command in COMMANDS:
        # --now on the command line, else the desk's own clock (which desk.tickets.list reads)
        args = command if command[0] == "--now" else ("--now", NOW.isoformat(), *command)
        answered.clear()
        monkeypatch.setattr(listing, "quick_ticket_rows", watched)
        fast = run(*args)
        monkeypatch.setattr(listing, "quick_ticket_rows", lambda *a, **k: None)
        full = run(*args)
        assert (fast.exit_code, fast.output) == (full.exit_code, full.output), command
        assert fast.exception is None or isinstance(fast.exception, SystemExit), fast.exception
        error = full.exit_code != 0
        assert answered == ([] if "bogus" in command else [not error]), (command, answered)
        outputs.append(full.output)
    # the desk shows what the commands are meant to check
    table = outputs[COMMANDS.index(("ticket", "list"))]
    subject = "Принтер не печатает после обновления драйвера, срочно нужна помощь бухгалтерии"
    assert f"{subject[:57]}..." in table
    assert "Terminal red and a bell  in the subject" in table and "\x1b" not in table
    assert (
        "\n2026100110000000 " in outputs[COMMANDS.index(("ticket", "list", "--customer", "globex", "--owner", "bob"))]
    )
    assert outputs[COMMANDS.index(("ticket", "list", "--customer", "initech"))] == "No tickets.\n"
    assert outputs[COMMANDS.index(("ticket", "list", "--queue", "nowhere"))] == "Error: unknown queue 'nowhere'\n"


def test_due_times_show_in_the_desk_zone_on_both_sides_of_the_dst_change(cli_desk: Any, cli: Any) -> None:
    """Due times are the clocks', in the configured zone (table: UTC-2:30 before 04:30 UTC on
    2026-11-01, UTC-3:30 after) or in UTC with an offset (JSON)."""
    run = cli(cli_desk)
    warning = run("--now", NOW.isoformat(), "ticket", "list", "--sla", "warning").output
    assert "Request 3\n" in warning and "2026-11-01 02:30" in warning, warning  # 06:00 UTC
    breached = run("--now", NOW.isoformat(), "ticket", "list", "--sla", "breached").output
    assert "Request 5\n" in breached and "2026-11-01 00:30" in breached, breached  # 03:00 UTC
    assert "Request 6\n" in breached  # paused, breached earlier: overdue, no running clock, no due time
    as_json = run("--now", NOW.isoformat(), "ticket", "list", "--sla", "warning", "--format", "json").output
    assert '"due": "2026-11-01T06:00:00+00:00"' in as_json, as_json
