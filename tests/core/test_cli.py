"""The ``deskframe`` command end to end: init, directory, the ticket lifecycle, time, output formats.

Most tests drive the click group in-process through the ``cli`` fixture (fast);
``init`` and a few commands after it run the real console script in a subprocess.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import deskframe
from deskframe import PricingModelType, SlaPolicyType, numbering
from deskframe.store import head_revision

SCRIPT = Path(sys.executable).parent / "deskframe"


class NoClocks:
    """An SLA policy that starts no clocks (this file tests the CLI, not SLA arithmetic)."""

    def calendar_names(self) -> set[str]:
        return set()

    def start(self, facts: Any, calendars: Any) -> list[Any]:
        return []

    def restart(self, kind: str, facts: Any, at: Any, calendars: Any) -> None:
        return None


class CliTermsPlugin:
    """An SLA policy type and a pricing model, so contracts can name configured ones."""

    @deskframe.hookimpl
    def register_sla_policies(self, register: Any) -> None:
        register(SlaPolicyType("clitest-sla", build=lambda table: NoClocks()))

    @deskframe.hookimpl
    def register_pricing_models(self, register: Any) -> None:
        register(PricingModelType("clitest-hourly", build=lambda table: table))


CONFIG = """
[sla.gold]
type = "clitest-sla"

[pricing.hourly]
model = "clitest-hourly"

[tickets.priorities]
P1 = "critical"

[canned.thanks]
body = "Hello {{ customer }}, ticket {{ number }} is ours."
"""

DIRECTORY = """
[[queues]]
name = "billing"
description = "Invoices and payments"

[[customers]]
id = "acme"
name = "ACME LLC"
domains = ["acme.example"]

[[customers]]
id = "globex"
name = "Globex"

[[contacts]]
name = "Ann"
email = "ann@acme.example"
customer = "acme"

[[agents]]
login = "alice"
name = "Alice"
email = "alice@vendor.example"

[[agents]]
login = "bob"
name = "Bob"
line = 2

[[contracts]]
id = "acme-2026"
customer = "acme"
support_type = "8x5"
sla = "gold"
pricing = "hourly"
params = { users = 1200, servers = 3 }
start = 2026-01-01
"""


class Run:
    """``run(*args)`` -> click Result; ``run.ok(*args)`` asserts success; ``run.json(*args)`` parses stdout."""

    def __init__(self, invoke: Callable[..., Any]):
        self.invoke = invoke

    def __call__(self, *args: str) -> Any:
        return self.invoke(*args)

    def ok(self, *args: str) -> str:
        result = self.invoke(*args)
        assert result.exit_code == 0, f"{args}: {result.output}"
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format", "json"))

    def fails(self, code: int, *args: str) -> str:
        result = self.invoke(*args)
        assert result.exit_code == code, f"{args}: {result.output}"
        assert "Traceback" not in result.output
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        return lines[0]


@pytest.fixture
def run(make_desk: Any, cli: Any) -> Run:
    desk = make_desk(CONFIG, plugins=[CliTermsPlugin()], entry_points=False)
    return Run(cli(desk))


@pytest.fixture
def applied(run: Run, tmp_path: Path) -> Run:
    path = tmp_path / "directory.toml"
    path.write_text(DIRECTORY, encoding="utf-8")
    run.ok("apply", str(path))
    return run


def open_ticket(run: Run, *args: str) -> str:
    number = run.ok("ticket", "open", *args).strip()
    assert numbering.is_valid("DateChecksum", "10", number), number
    return number


# --- init and the database, through the real console script ---------------------


def script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_")}
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [str(SCRIPT), *args], cwd=cwd, env=env, capture_output=True, text=True, encoding="utf-8", timeout=60
    )


def test_init_then_commands_through_the_console_script(tmp_path: Path) -> None:
    init = script("init", "site", "--timezone", "Europe/Moscow", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    config = tmp_path / "site" / "deskframe.toml"
    assert f"wrote {Path('site') / 'deskframe.toml'}" in init.stdout
    assert "database ready" in init.stdout
    assert 'timezone = "Europe/Moscow"' in config.read_text(encoding="utf-8")
    assert (tmp_path / "site" / "deskframe.db").exists()  # relative to the config file, not the cwd
    assert not (tmp_path / "deskframe.db").exists()

    status = script("--config", str(config), "db", "status", "--format", "json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    [row] = json.loads(status.stdout)
    assert row["current"] is True and row["revision"] == row["head"] == head_revision()

    opened = script(
        "--config", str(config), "ticket", "open", "--subject", "Первый запрос", "--body", "Тест", cwd=tmp_path
    )
    assert opened.returncode == 0, opened.stderr
    number = opened.stdout.strip()
    assert numbering.is_valid("DateChecksum", "10", number)

    # the same installation, in-process: the init'd config works and the ticket is there
    from click.testing import CliRunner

    from deskframe.cli import build_cli
    from deskframe.plugins import build_plugins

    def local(*args: str) -> Any:
        return CliRunner().invoke(build_cli(build_plugins(entry_points=False)), ["--config", str(config), *args])

    rows = json.loads(local("ticket", "list", "--format", "json").stdout)
    assert [(r["number"], r["subject"]) for r in rows] == [(number, "Первый запрос")]
    again = local("init", str(tmp_path / "site"))
    assert again.exit_code == 0 and "exists; upgrading its database" in again.stdout
    canned = json.loads(local("canned", "list", "--format", "json").stdout)
    assert [c["name"] for c in canned] == ["thanks"]
    shown = local("ticket", "show", number)
    assert shown.exit_code == 0 and "Первый запрос" in shown.stdout


def test_command_on_an_uninitialized_database_says_what_to_do(tmp_path: Path) -> None:
    config = tmp_path / "fresh.toml"
    config.write_text('[desk]\ndatabase = "sqlite:///fresh.db"\n', encoding="utf-8")
    from click.testing import CliRunner

    from deskframe.cli import build_cli
    from deskframe.plugins import build_plugins

    def local(*args: str) -> Any:
        return CliRunner().invoke(build_cli(build_plugins(entry_points=False)), ["--config", str(config), *args])

    result = local("ticket", "list")
    assert result.exit_code == 1
    assert "deskframe db upgrade" in result.stderr and "Traceback" not in result.output
    upgraded = local("db", "upgrade")
    assert upgraded.exit_code == 0 and f"database at revision {head_revision()}" in upgraded.stdout


def test_db_upgrade_and_status(run: Run) -> None:
    assert "database at revision" in run.ok("db", "upgrade")
    [row] = run.json("db", "status")
    assert row["current"] is True and row["revision"] == head_revision()
    assert row["url"].startswith(("sqlite", "postgresql"))


# --- directory ------------------------------------------------------------------


def test_customer_add_update_list(run: Run) -> None:
    assert (
        run.ok("customer", "add", "--id", "acme", "--name", "ACME", "--domain", "acme.example").strip()
        == "customer acme created"
    )
    assert (
        run.ok("customer", "add", "--id", "acme", "--name", "ACME", "--domain", "acme.example").strip()
        == "customer acme unchanged"
    )
    assert (
        run.ok(
            "customer", "add", "--id", "acme", "--name", "ACME LLC", "--domain", "acme.example", "--domain", "acme.test"
        ).strip()
        == "customer acme updated"
    )
    run.ok("customer", "add", "--id", "globex", "--name", "Globex")
    assert run.json("customer", "list") == [
        {
            "id": "acme",
            "name": "ACME LLC",
            "domains": ["acme.example", "acme.test"],
            "inn": None,
            "kpp": None,
            "address": None,
        },
        {"id": "globex", "name": "Globex", "domains": [], "inn": None, "kpp": None, "address": None},
    ]
    table = run.ok("customer", "list")
    assert table.splitlines()[0].split() == ["ID", "NAME", "DOMAINS"]
    assert "acme.example,acme.test" in table


def test_agent_add_list(run: Run) -> None:
    run.ok("agent", "add", "--login", "alice", "--name", "Alice", "--email", "alice@vendor.example")
    run.ok("agent", "add", "--login", "bob", "--name", "Bob", "--role", "developer", "--line", "3")
    assert run.json("agent", "list") == [
        {
            "login": "alice",
            "name": "Alice",
            "role": "engineer",
            "line": 1,
            "email": "alice@vendor.example",
            "access": "agent",
            "queues": {},
        },
        {"login": "bob", "name": "Bob", "role": "developer", "line": 3, "email": None, "access": "agent", "queues": {}},
    ]
    result = run("agent", "add", "--login", "carol", "--name", "Carol", "--line", "4")
    assert result.exit_code == 2 and "--line" in result.output  # click rejects the range


def test_contact_add_list(run: Run) -> None:
    run.ok("customer", "add", "--id", "acme", "--name", "ACME")
    run.ok("customer", "add", "--id", "globex", "--name", "Globex")
    run.ok("contact", "add", "--customer", "acme", "--name", "Ann", "--email", "ann@acme.example")
    run.ok(
        "contact",
        "add",
        "--customer",
        "globex",
        "--name",
        "Pat",
        "--email",
        "pat@globex.example",
        "--phone",
        "+1 555 0100",
    )
    everyone = run.json("contact", "list")
    assert {c["email"]: c["customer"] for c in everyone} == {"ann@acme.example": "acme", "pat@globex.example": "globex"}
    assert run.json("contact", "list", "--customer", "globex") == [
        {
            "name": "Pat",
            "email": "pat@globex.example",
            "phone": "+1 555 0100",
            "customer": "globex",
            "customer_admin": False,
        }
    ]
    line = run.fails(2, "contact", "add", "--name", "X", "--email", "not-an-address")
    assert "email: not an e-mail address" in line


def test_queue_add_list_with_open_counts(run: Run) -> None:
    run.ok("queue", "add", "--name", "billing", "--description", "Money")
    open_ticket(run, "--subject", "Invoice wrong", "--body", "x", "--queue", "billing")
    closed = open_ticket(run, "--subject", "Refund", "--body", "x", "--queue", "billing")
    run.ok("ticket", "state", closed, "closed")
    queues = {q["name"]: q for q in run.json("queue", "list")}
    assert queues["billing"] == {"name": "billing", "description": "Money", "open": 1}


def test_contract_add_list_with_params(run: Run) -> None:
    run.ok("customer", "add", "--id", "acme", "--name", "ACME")
    out = run.ok(
        "contract",
        "add",
        "--id",
        "acme-2026",
        "--customer",
        "acme",
        "--support-type",
        "24x7",
        "--sla",
        "gold",
        "--pricing",
        "hourly",
        "--params",
        '{"users": 1200, "servers": 3}',
        "--channel",
        "email",
        "--channel",
        "phone",
        "--line",
        "2",
        "--line",
        "1",
        "--line",
        "2",
        "--start",
        "2026-01-01",
        "--end",
        "2026-12-31",
    )
    assert out.strip() == "contract acme-2026 created"
    assert run.json("contract", "list") == [
        {
            "id": "acme-2026",
            "customer": "acme",
            "support_type": "24x7",
            "sla": "gold",
            "pricing": "hourly",
            "params": {"users": 1200, "servers": 3},
            "channels": ["email", "phone"],
            "lines": [1, 2],
            "start": "2026-01-01",
            "end": "2026-12-31",
        }
    ]
    assert run.json("contract", "list", "--customer", "acme")[0]["id"] == "acme-2026"


@pytest.mark.parametrize(
    ("args", "code", "needles"),
    [
        (("--sla", "platinum"), 2, ("contract 'c1'", "unknown SLA policy 'platinum'", "configured: gold")),
        (("--pricing", "barter"), 2, ("unknown pricing model 'barter'", "configured: hourly")),
        (("--params", "{users: 5}"), 2, ("--params: not valid JSON",)),
        (("--start", "2026-05-01", "--end", "2026-04-01"), 2, ("end 2026-04-01 is before start 2026-05-01",)),
        (
            (
                "--start",
                "May 1st",
            ),
            2,
            ("start: must be a date",),
        ),
    ],
    ids=["unknown-sla", "unknown-pricing", "bad-params", "end-before-start", "bad-date"],
)
def test_contract_add_rejects_bad_input_in_one_line(
    run: Run, args: tuple[str, ...], code: int, needles: tuple[str, ...]
) -> None:
    run.ok("customer", "add", "--id", "acme", "--name", "ACME")
    line = run.fails(code, "contract", "add", "--id", "c1", "--customer", "acme", "--support-type", "8x5", *args)
    for needle in needles:
        assert needle in line
    assert run.json("contract", "list") == []


def test_contract_for_unknown_customer(run: Run) -> None:
    line = run.fails(2, "contract", "add", "--id", "c1", "--customer", "nobody", "--support-type", "8x5")
    assert "unknown customer 'nobody'" in line


def test_apply_twice_changes_nothing_the_second_time(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "directory.toml"
    path.write_text(DIRECTORY, encoding="utf-8")
    first = run.ok("apply", str(path)).splitlines()
    assert first == [
        "agents created: 2",
        "contacts created: 1",
        "contracts created: 1",
        "customers created: 2",
        "queues created: 1",
    ]
    second = run.ok("apply", str(path)).splitlines()
    assert second == [
        "agents unchanged: 2",
        "contacts unchanged: 1",
        "contracts unchanged: 1",
        "customers unchanged: 2",
        "queues unchanged: 1",
    ]
    assert len(run.json("customer", "list")) == 2
    assert len(run.json("contact", "list")) == 1
    assert len(run.json("agent", "list")) == 2
    assert len(run.json("contract", "list")) == 1
    assert [q["name"] for q in run.json("queue", "list")].count("billing") == 1
    contract = run.json("contract", "list")[0]
    assert contract["params"] == {"users": 1200, "servers": 3} and contract["start"] == "2026-01-01"

    path.write_text(DIRECTORY.replace('name = "Globex"', 'name = "Globex Corp"'), encoding="utf-8")
    third = run.ok("apply", str(path)).splitlines()
    assert "customers updated: 1" in third and "customers unchanged: 1" in third


def test_apply_entry_breaking_a_domain_rule_names_it(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "directory.toml"
    path.write_text(
        '[[customers]]\nid = "acme"\nname = "ACME"\n\n[[contracts]]\nid = "c1"\ncustomer = "acme"\n'
        'support_type = "8x5"\nsla = "bronze"\n',
        encoding="utf-8",
    )
    line = run.fails(2, "apply", str(path))
    assert "directory.toml" in line and "contracts[0].sla" in line and "unknown SLA policy 'bronze'" in line


def test_apply_empty_file(run: Run, tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text("", encoding="utf-8")
    assert run.ok("apply", str(path)).strip() == f"{path}: nothing to apply"


# --- tickets ----------------------------------------------------------------------


def test_ticket_open_prints_the_number_and_json(applied: Run) -> None:
    number = open_ticket(applied, "--customer", "acme", "--subject", "Printer", "--body", "It is on fire")
    data = applied.json(
        "ticket",
        "open",
        "--customer",
        "acme",
        "--subject",
        "Second",
        "--body",
        "x",
        "--priority",
        "critical",
        "--channel",
        "phone",
        "--agent",
        "alice",
    )
    assert data["number"] != number
    assert (data["priority"], data["channel"], data["customer"], data["contract"]) == (
        "P1",
        "phone",
        "acme",
        "acme-2026",
    )
    assert "articles" not in data
    line = applied.fails(2, "ticket", "open", "--subject", "x", "--body", "y", "--priority", "P7")
    assert "unknown priority 'P7'" in line and "P1 (critical)" in line
    line = applied.fails(2, "ticket", "open", "--subject", "x", "--body", "y", "--customer", "nobody")
    assert "unknown customer 'nobody'" in line


def test_ticket_list_filters_and_json_rows(applied: Run) -> None:
    a = open_ticket(applied, "--customer", "acme", "--subject", "A", "--body", "x")
    b = open_ticket(applied, "--customer", "globex", "--subject", "B", "--body", "x", "--queue", "billing")
    c = open_ticket(applied, "--customer", "acme", "--subject", "C", "--body", "x")
    applied.ok("ticket", "assign", a, "--agent", "alice")
    applied.ok("ticket", "lock", a, "--agent", "alice")
    applied.ok("ticket", "state", c, "pending")

    rows = applied.json("ticket", "list")
    assert {r["number"] for r in rows} == {a, b, c}
    row_a = next(r for r in rows if r["number"] == a)
    for key in ("number", "subject", "state", "priority", "customer", "owner", "locked_by", "queue"):
        assert key in row_a
    assert (
        row_a["subject"],
        row_a["state"],
        row_a["priority"],
        row_a["customer"],
        row_a["owner"],
        row_a["locked_by"],
        row_a["queue"],
    ) == ("A", "new", "P3", "acme", "alice", "alice", "support")
    assert rows[0]["number"] == c  # most recently changed first

    def numbers(*args: str) -> set[str]:
        return {r["number"] for r in applied.json("ticket", "list", *args)}

    assert numbers("--state", "pending") == {c}
    assert numbers("--state", "new") == {a, b}
    assert numbers("--queue", "billing") == {b}
    assert numbers("--owner", "alice") == {a}
    assert numbers("--owner", "bob") == set()
    assert numbers("--customer", "acme") == {a, c}
    assert numbers("--customer", "acme", "--state", "new") == {a}
    assert len(applied.json("ticket", "list", "--limit", "1")) == 1
    applied.ok("ticket", "state", b, "closed")
    assert numbers("--open") == {a, c}
    assert numbers("--state", "closed") == {b}
    assert "unknown state 'limbo'" in applied.fails(2, "ticket", "list", "--state", "limbo")

    table = applied.ok("ticket", "list", "--queue", "support")
    assert table.splitlines()[0].split() == [
        "NUMBER",
        "STATE",
        "PRIORITY",
        "DUE",
        "QUEUE",
        "CUSTOMER",
        "OWNER",
        "LOCKED_BY",
        "SUBJECT",
    ]
    assert "unknown queue 'nowhere'" in applied.fails(2, "ticket", "list", "--queue", "nowhere")  # a typo, not "none"
    assert "unknown agent 'zed'" in applied.fails(2, "ticket", "list", "--owner", "zed")


def test_ticket_show_json_carries_articles_and_history(applied: Run) -> None:
    number = open_ticket(
        applied,
        "--customer",
        "acme",
        "--contact",
        "ann@acme.example",
        "--subject",
        "Login fails",
        "--body",
        "Since Monday",
    )
    applied.ok("ticket", "reply", number, "--agent", "alice", "--body", "Which browser?")
    applied.ok("ticket", "note", number, "--agent", "bob", "--body", "Probably SSO")
    data = applied.json("ticket", "show", number)
    assert (data["number"], data["subject"], data["customer"], data["contact"]) == (
        number,
        "Login fails",
        "acme",
        "ann@acme.example",
    )
    assert [(a["direction"], a["text"]) for a in data["articles"]] == [
        ("in", "Since Monday"),
        ("out", "Which browser?"),
        ("internal", "Probably SSO"),
    ]
    assert data["articles"][1]["agent"] == "alice" and data["articles"][2]["visible_to_customer"] is False
    actions = [h["action"] for h in data["history"]]
    assert actions[0] == "created" and {"lock", "owner", "state", "reply", "note"} <= set(actions)
    text = applied.ok("ticket", "show", number)
    assert text.startswith(f"Ticket#{number}  Login fails") and "Articles (3):" in text and "History:" in text
    assert "unknown ticket" in applied.fails(2, "ticket", "show", "2026010110999999")


def test_reply_note_lock_unlock_and_the_holder_is_named(applied: Run) -> None:
    number = open_ticket(applied, "--customer", "acme", "--subject", "Lock me", "--body", "x")
    assert applied.ok("ticket", "lock", number, "--agent", "alice").strip() == f"{number} locked by alice"
    for args in (
        ("ticket", "lock", number, "--agent", "bob"),
        ("ticket", "reply", number, "--agent", "bob", "--body", "mine"),
        ("ticket", "unlock", number, "--agent", "bob"),
        ("ticket", "state", number, "closed", "--agent", "bob"),
    ):
        line = applied.fails(1, *args)
        assert line == f"Error: ticket {number} is locked by alice", args
    # a note is allowed whoever holds the lock
    assert applied.ok("ticket", "note", number, "--agent", "bob", "--body", "FYI").startswith("note ")
    assert "needs a reason" in applied.fails(2, "ticket", "unlock", number, "--agent", "bob", "--force")
    applied.ok("ticket", "unlock", number, "--agent", "bob", "--force", "--reason", "alice is away")
    assert applied.ok("ticket", "reply", number, "--agent", "bob", "--body", "Fixed").startswith("reply ")
    data = applied.json("ticket", "show", number)
    assert (data["locked_by"], data["owner"], data["state"]) == ("bob", "bob", "open")
    applied.ok("ticket", "unlock", number, "--agent", "bob")
    assert applied.json("ticket", "show", number)["locked_by"] is None


def test_reply_with_canned_response(applied: Run) -> None:
    number = open_ticket(applied, "--customer", "acme", "--subject", "Hi", "--body", "x")
    applied.ok("ticket", "reply", number, "--agent", "alice", "--canned", "thanks", "--body", "More soon.")
    text = applied.json("ticket", "show", number)["articles"][-1]["text"]
    assert text == f"Hello ACME LLC, ticket {number} is ours.\n\nMore soon."
    assert applied.ok("canned", "show", "thanks", number).strip() == f"Hello ACME LLC, ticket {number} is ours."
    assert "unknown canned response 'nope'" in applied.fails(2, "canned", "show", "nope", number)


def test_assign_state_priority_move(applied: Run) -> None:
    number = open_ticket(applied, "--customer", "acme", "--subject", "Move me", "--body", "x")
    assert applied.ok("ticket", "assign", number, "--agent", "bob", "--by", "alice").strip() == f"{number} owned by bob"
    assert (
        applied.ok("ticket", "state", number, "pending", "--reason", "waiting for logs").strip()
        == f"{number} is pending"
    )
    assert applied.ok("ticket", "priority", number, "critical").strip() == f"{number} priority P1"
    applied.ok("ticket", "move", number, "billing")
    data = applied.json("ticket", "show", number)
    assert (data["owner"], data["state"], data["priority"], data["queue"]) == ("bob", "pending", "P1", "billing")
    owner = next(h for h in data["history"] if h["action"] == "owner")
    assert (owner["actor"], owner["new"]) == ("alice", "bob")
    assert "unknown agent 'zed'" in applied.fails(2, "ticket", "assign", number, "--agent", "zed")
    assert "unknown state 'limbo'" in applied.fails(2, "ticket", "state", number, "limbo")
    assert "ticket merge" in applied.fails(2, "ticket", "state", number, "merged")
    assert "unknown queue 'nowhere'" in applied.fails(2, "ticket", "move", number, "nowhere")


def test_merge(applied: Run) -> None:
    a = open_ticket(applied, "--customer", "acme", "--subject", "Printer broken", "--body", "first")
    b = open_ticket(applied, "--customer", "acme", "--subject", "Printer still broken", "--body", "second")
    applied.ok("time", "log", a, "--agent", "alice", "--minutes", "20", "--date", "2026-10-05")
    assert applied.ok("ticket", "merge", a, b, "--agent", "alice").strip() == f"{a} merged into {b}"
    target = applied.json("ticket", "show", b)
    assert sorted(x["text"] for x in target["articles"]) == ["first", "second"]
    source = applied.json("ticket", "show", a)
    assert (source["state"], source["merged_into"]) == ("merged", b)
    assert [e["ticket"] for e in applied.json("time", "list")] == [b]
    assert "already merged" in applied.fails(1, "ticket", "merge", a, b)
    assert "into itself" in applied.fails(2, "ticket", "merge", b, b)


def test_search_cyrillic(applied: Run) -> None:
    hit = open_ticket(
        applied,
        "--customer",
        "acme",
        "--subject",
        "Оплата",
        "--body",
        "При оплате заказа появляется Ошибка базы данных",
    )
    open_ticket(applied, "--customer", "acme", "--subject", "Другое", "--body", "Всё работает")
    rows = applied.json("ticket", "search", "ошибка БАЗЫ")
    assert [r["number"] for r in rows] == [hit]
    assert rows[0]["subject"] == "Оплата"
    out = applied.ok("ticket", "search", "ошибка")
    assert hit in out and "Оплата" in out
    assert applied.ok("ticket", "search", "несуществующее").strip() == "No matching tickets."


def test_time_log_and_list_by_period(applied: Run) -> None:
    a = open_ticket(applied, "--customer", "acme", "--subject", "A", "--body", "x")
    b = open_ticket(applied, "--customer", "globex", "--subject", "B", "--body", "x")
    assert (
        applied.ok(
            "time", "log", a, "--agent", "alice", "--minutes", "90", "--date", "2026-10-05", "--note", "debugging"
        ).strip()
        == f"logged 90 min on {a} for alice (2026-10-05)"
    )
    applied.ok("time", "log", b, "--agent", "bob", "--minutes", "30", "--date", "2026-10-31", "--non-billable")
    applied.ok("time", "log", a, "--agent", "bob", "--minutes", "15", "--date", "2026-11-01")
    october = applied.json("time", "list", "--period", "2026-10")
    assert sorted((e["ticket"], e["agent"], e["minutes"], e["billable"], e["customer"]) for e in october) == sorted(
        [(a, "alice", 90, True, "acme"), (b, "bob", 30, False, "globex")]
    )
    assert [e["minutes"] for e in applied.json("time", "list", "--period", "2026-11")] == [15]
    assert {e["minutes"] for e in applied.json("time", "list", "--ticket", a)} == {90, 15}
    assert {e["minutes"] for e in applied.json("time", "list", "--customer", "globex")} == {30}
    table = applied.ok("time", "list", "--period", "2026-10")
    assert table.rstrip().splitlines()[-1] == "total 120 min (2.00 h)"
    assert "bad period" in applied.fails(2, "time", "list", "--period", "October")
    assert "bad --date" in applied.fails(
        2, "time", "log", a, "--agent", "alice", "--minutes", "5", "--date", "05.10.2026"
    )
    assert applied("time", "log", a, "--agent", "alice", "--minutes", "0").exit_code == 2  # click's range


def test_plugins_all_json_and_canned_list(run: Run) -> None:
    rows = run.json("plugins", "--all")
    by_name = {r["name"]: r for r in rows}
    assert by_name["deskframe.defaults"]["distribution"] == "deskframe"
    assert by_name["deskframe.defaults"]["version"] == deskframe.__version__
    plugin = next(r for r in rows if r["registered"].get("sla_policies") == ["clitest-sla"])
    assert plugin["registered"] == {"pricing_models": ["clitest-hourly"], "sla_policies": ["clitest-sla"]}
    assert plugin["hooks"] == ["register_pricing_models", "register_sla_policies"]
    assert run.json("canned", "list") == [
        {"name": "thanks", "body": "Hello {{ customer }}, ticket {{ number }} is ours."}
    ]
    assert run.ok("canned", "list").splitlines()[0].split() == ["NAME", "BODY"]


def test_errors_exit_codes(applied: Run) -> None:
    assert "unknown ticket" in applied.fails(
        2, "ticket", "reply", "2026010110999999", "--agent", "alice", "--body", "x"
    )
    result = applied("ticket", "frobnicate")
    assert result.exit_code == 2 and "No such command" in result.output


# --- every list/show command speaks JSON ----------------------------------------------

JSON_COMMANDS = [
    ("db", "status"),
    ("customer", "list"),
    ("contact", "list"),
    ("contact", "list", "--customer", "acme"),
    ("agent", "list"),
    ("queue", "list"),
    ("contract", "list"),
    ("contract", "list", "--customer", "acme"),
    ("ticket", "list"),
    ("ticket", "list", "--open"),
    ("ticket", "show", "{number}"),
    ("ticket", "search", "printer"),
    ("time", "list"),
    ("time", "list", "--period", "2026-10"),
    ("plugins",),
    ("plugins", "--all"),
    ("canned", "list"),
]


@pytest.mark.parametrize("command", JSON_COMMANDS, ids=[" ".join(c) for c in JSON_COMMANDS])
def test_every_list_and_show_command_emits_valid_json(applied: Run, command: tuple[str, ...]) -> None:
    number = open_ticket(
        applied,
        "--customer",
        "acme",
        "--contact",
        "ann@acme.example",
        "--subject",
        "Printer «Ёлка» jammed",
        "--body",
        "paper",
    )
    applied.ok("time", "log", number, "--agent", "alice", "--minutes", "10", "--date", "2026-10-05")
    args = [a.replace("{number}", number) for a in command]
    data = applied.json(*args)
    assert isinstance(data, (list, dict))
    if command[0] != "plugins":
        assert data, f"{command}: empty result"
    assert not applied.ok(*args).lstrip().startswith(("[", "{"))  # the default is for people, not JSON
    result = applied(*args, "--format", "xml")
    assert result.exit_code == 2 and "xml" in result.output


def test_json_keeps_non_ascii_readable(applied: Run) -> None:
    number = open_ticket(applied, "--customer", "acme", "--subject", "Принтер «Ёлка»", "--body", "x")
    raw = applied.ok("ticket", "show", number, "--format", "json")
    assert "Принтер «Ёлка»" in raw
    assert json.loads(raw)["subject"] == "Принтер «Ёлка»"


def test_init_creates_the_session_signing_key_with_mode_0600(tmp_path: Path) -> None:
    """Issue 14: ``deskframe init`` creates the secret that signs web sessions, readable by its owner only."""
    from click.testing import CliRunner

    from deskframe.cli import build_cli
    from deskframe.plugins import build_plugins

    result = CliRunner().invoke(build_cli(build_plugins(entry_points=False)), ["init", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    key = tmp_path / "site" / "data" / "web-secret.key"
    assert key.is_file() and f"session signing key: {key}" in result.output
    assert len(key.read_text(encoding="ascii").strip()) >= 32
    if os.name == "posix":
        assert key.stat().st_mode & 0o777 == 0o600
    # a desk whose [web] names the key's environment variable gets no file
    other = tmp_path / "env"
    other.mkdir()
    config = other / "deskframe.toml"
    config.write_text(
        '[desk]\ndatabase = "sqlite:///deskframe.db"\ntimezone = "UTC"\n[web]\nsecret_key_env = "DESK_KEY"\n',
        encoding="utf-8",
    )
    again = CliRunner().invoke(build_cli(build_plugins(entry_points=False)), ["init", str(other)])
    assert again.exit_code == 0, again.output
    assert not (other / "data" / "web-secret.key").exists() and "signing key" not in again.output
