"""Issue 18, defect 4: database passwords were printed.

``db status`` (table and JSON) showed ``postgresql+psycopg://user:PASSWORD@...``, ``init``
printed ``database ready: <URL with password>``, and an unparseable URL was echoed whole.
This test plants a password in a PostgreSQL URL (trust authentication ignores it), runs
every command of the CLI it can, in every output format, and greps stdout, stderr and
any exception for the password. A walk over the command tree makes sure no command is
forgotten: a new command must be added to :data:`INVOCATIONS` (or to :data:`NOT_RUN`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from deskframe.cli import build_cli
from deskframe.plugins import build_plugins
from deskframe.store.scratch import scratch_database

PLANT = "s3cr3tPLANT"
SERVER = os.environ.get("DESKFRAME_TEST_DATABASE_URL", "")
#: Commands that block or write outside the test's desk: only their --help is run.
NOT_RUN = {"serve": "blocks serving HTTP", "demo": "builds its own SQLite desk"}
#: What commands read from stdin: the planted secret doubles as the password they set.
STDIN = {"password": PLANT + "\n"}


def planted(url: str) -> str:
    """``url`` (a PostgreSQL URL) with the user's password set to :data:`PLANT`."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(password=PLANT).render_as_string(hide_password=False)


def postgres_url() -> str:
    url = SERVER if SERVER.startswith("postgresql") else "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    try:
        import psycopg

        psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
    except Exception as exc:
        pytest.skip(f"no PostgreSQL server at {url}: {exc}")
    return url


def leaf_commands(group: click.Group, path: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            out |= leaf_commands(command, (*path, name))
        else:
            out.add((*path, name))
    return out


def invocations(tmp: Path, url: str) -> list[tuple[str, ...]]:
    """One or more runs of every command (``{n}``, ``{m}``: two ticket numbers made on the way)."""
    directory = tmp / "directory.toml"
    directory.write_text(
        '[[queues]]\nname = "hardware"\n\n[[customers]]\nid = "globex"\nname = "Globex"\n', encoding="utf-8"
    )
    calls = tmp / "calls.csv"
    calls.write_text(
        "Date,Caller,Duration,Agent,Summary\n2026-10-05 10:00:00,+74951234567,5:00,alice,Printer\n", encoding="utf-8"
    )
    chat = tmp / "chat.jsonl"
    chat.write_text(
        '{"message_id": "m1", "conversation_id": "c1", "timestamp": "2026-10-05T10:00:00Z", '
        '"sender": {"id": "v1", "name": "Ann"}, "text": "Hi"}\n',
        encoding="utf-8",
    )
    bad_source = url.rsplit("/", 1)[0] + "/no_such_database_x"
    return [
        ("db", "upgrade"),
        ("db", "status"),
        ("db", "status", "--format", "json"),
        ("plugins",),
        ("plugins", "--all", "--format", "json"),
        ("apply", str(directory)),
        ("customer", "add", "--id", "acme", "--name", "ACME", "--domain", "acme.example"),
        ("customer", "list"),
        ("customer", "list", "--format", "json"),
        ("contact", "add", "--customer", "acme", "--name", "Ann", "--email", "ann@acme.example"),
        ("contact", "list"),
        ("contact", "list", "--format", "json"),
        ("agent", "add", "--login", "alice", "--name", "Alice", "--role", "dev"),
        ("agent", "add", "--login", "bob", "--name", "Bob", "--role", "dev"),
        ("agent", "list"),
        ("agent", "list", "--format", "json"),
        ("agent", "set", "bob", "--access", "admin"),
        ("agent", "show", "bob"),
        ("agent", "show", "bob", "--format", "json"),
        ("agent", "password", "alice", "--stdin"),
        ("contact", "password", "ann@acme.example", "--stdin"),
        ("token", "create", "--agent", "alice", "--name", "ci", "--expires", "90d"),
        ("token", "create", "--contact", "ann@acme.example", "--format", "json"),
        ("token", "list"),
        ("token", "list", "--format", "json"),
        ("token", "revoke", "1"),
        ("audit", "list"),
        ("audit", "list", "--format", "json", "--kind", "token_created", "--since", "1h"),
        ("queue", "add", "--name", "support"),
        ("queue", "list"),
        ("queue", "list", "--format", "json"),
        ("contract", "add", "--id", "acme-1", "--customer", "acme", "--support-type", "8x5", "--pricing", "hourly"),
        ("contract", "list"),
        ("contract", "list", "--format", "json"),
        ("ticket", "open", "--customer", "acme", "--subject", "Down", "--body", "HTTP 500"),
        ("ticket", "open", "--customer", "acme", "--subject", "Again", "--body", "x", "--format", "json"),
        ("ticket", "list"),
        ("ticket", "list", "--format", "json"),
        ("ticket", "show", "{n}"),
        ("ticket", "show", "{n}", "--format", "json"),
        ("ticket", "reply", "{n}", "--agent", "alice", "--body", "On it"),
        ("ticket", "note", "{n}", "--agent", "alice", "--body", "internal"),
        ("ticket", "lock", "{n}", "--agent", "alice"),
        ("ticket", "unlock", "{n}", "--agent", "alice"),
        ("ticket", "assign", "{n}", "--agent", "bob"),
        ("ticket", "state", "{n}", "open"),
        ("ticket", "priority", "{n}", "P2"),
        ("ticket", "move", "{n}", "hardware"),
        ("ticket", "search", "Down"),
        ("ticket", "search", "Down", "--format", "json"),
        ("ticket", "reindex"),
        ("ticket", "escalate", "{n}", "--to", "2", "--reason", "dev"),
        ("ticket", "estimate", "{n}", "--hours", "2", "--approve"),
        ("ticket", "merge", "{m}", "{n}"),
        ("time", "log", "{n}", "--agent", "alice", "--minutes", "30", "--date", "2026-10-05"),
        ("time", "list"),
        ("time", "list", "--format", "json"),
        ("time", "list", "--all"),
        ("time", "edit", "1", "--minutes", "45", "--agent", "alice"),
        ("time", "void", "1", "--reason", "typo", "--agent", "alice"),
        ("ticket", "customer", "{n}", "--customer", "acme", "--agent", "alice"),
        ("canned", "list"),
        ("canned", "list", "--format", "json"),
        ("canned", "show", "nope", "{n}"),
        ("intake", "run", "--once"),
        ("intake", "run", "--once", "--format", "json"),
        ("intake", "quarantine", "list"),
        ("intake", "quarantine", "list", "--format", "json"),
        ("intake", "quarantine", "show", "1"),
        ("intake", "quarantine", "retry", "1"),
        ("intake", "quarantine", "drop", "1"),
        ("sla", "due", "--calendar", "always", "--start", "2026-10-05T10:00:00Z", "--duration", "4h"),
        (
            "sla",
            "due",
            "--calendar",
            "always",
            "--start",
            "2026-10-05T10:00:00Z",
            "--duration",
            "4h",
            "--format",
            "json",
        ),
        ("sla", "check"),
        ("sla", "check", "--format", "json"),
        ("worker", "--once"),
        ("worker", "--once", "--jobs", "sla,intake", "--log-format", "json"),
        ("sla", "report", "--customer", "acme", "--period", "2026-10"),
        ("sla", "report", "--customer", "acme", "--period", "2026-10", "--format", "json"),
        ("outbox", "list"),
        ("outbox", "list", "--format", "json"),
        ("outbox", "show", "1"),
        ("outbox", "show", "1", "--format", "json"),
        ("outbox", "deliver"),
        ("outbox", "deliver", "--format", "json"),
        ("outbox", "retry", "--failed"),
        ("outbox", "retry", "1"),
        ("oncall", "who"),
        ("oncall", "who", "--format", "json"),
        ("plugin", "new", "planted-probe", "--kind", "channel", "--dir", str(tmp / "plugin")),
        ("invoice", "run", "--period", "2026-10"),
        ("invoice", "run", "--period", "2026-10", "--format", "json"),
        ("invoice", "issue", "--period", "2026-10"),
        *[("invoice", "list", "--format", fmt) for fmt in ("table", "json", "html", "csv", "text")],
        *[("invoice", "show", "INV-2026-00001", "--format", fmt) for fmt in ("table", "json", "html", "csv", "text")],
        ("invoice", "link", "INV-2026-00001"),
        ("invoice", "paid", "INV-2026-00001", "--amount", "1.00", "--date", "2026-11-05"),
        ("invoice", "paid", "INV-2026-00001", "--amount", "1.00", "--date", "2026-11-05", "--format", "json"),
        ("invoice", "void", "INV-2026-00001", "--reason", "test"),
        *[
            ("report", "customer", "acme", "--period", "2026-10", "--format", fmt)
            for fmt in ("text", "html", "json", "csv", "pdf")
        ],
        *[("report", "due", "--at", "2026-11-03", "--format", fmt) for fmt in ("table", "json")],
        ("report", "send", "--at", "2026-11-03"),
        ("project", "add", "--id", "portal", "--customer", "acme", "--title", "Portal", "--came-for", "help"),
        ("project", "set", "portal", "--goal-now", "self-service"),
        *[("project", "list", "--format", fmt) for fmt in ("table", "json")],
        ("timeline", "add", "--project", "portal", "--stage", "Launch", "--planned", "2026-12-01", "--agreed", "yes"),
        ("timeline", "set", "portal", "Launch", "--done", "2026-11-20"),
        *[("timeline", "list", "--format", fmt) for fmt in ("table", "json")],
        ("roadmap", "add", "--project", "portal", "--id", "sso", "--title", "SSO", "--status", "blocked"),
        ("roadmap", "set", "portal", "sso", "--blocker", "no IdP", "--blocker-who", "customer"),
        *[("roadmap", "list", "--format", fmt) for fmt in ("table", "json")],
        ("review", "note", "acme", "--period", "2026-10", "--question", "built", "--text", "FAQ moved"),
        *[
            ("review", "show", "acme", "--period", "2026-10", "--format", fmt)
            for fmt in ("text", "html", "json", "pdf")
        ],
        ("review", "show", "acme", "--link"),
        ("phone", "log", "--caller", "+74951234567", "--agent", "alice", "--summary", "Printer", "--duration", "5m"),
        ("phone", "import", str(calls)),
        ("chat", "replay", str(chat), "--channel", "site-chat"),
        ("import", "otrs", "--source", planted(bad_source)),
        ("import", "otrs", "--source", planted(bad_source), "--format", "json"),
        ("import", "otrs", "--source", f"postgresql://postgres:{PLANT}@127.0.0.1:port/x"),
        ("import", "otrs", "--source", f"nonsense postgres:{PLANT}@host"),
        ("serve", "--help"),
        ("demo", "--help"),
        ("init", str(tmp / "init")),
    ]


def run(cli: click.Group, config: Path, args: tuple[str, ...], env: dict[str, str]) -> Any:
    stdin = STDIN.get(args[1]) if len(args) > 1 else None
    result = CliRunner().invoke(cli, ["--config", str(config), *args], env=env, input=stdin)
    everything = result.output + (result.stderr or "") + repr(result.exception)
    if result.exc_info and not isinstance(result.exception, SystemExit):
        import traceback

        everything += "".join(traceback.format_exception(*result.exc_info))
    return result, everything


def test_no_command_prints_the_database_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url, drop = scratch_database(planted(postgres_url()), str(tmp_path / "unused.db"))
    try:
        assert PLANT in url
        config = tmp_path / "deskframe.toml"
        config.write_text(
            f'[desk]\ndatabase = "{url}"\n\n[pricing.hourly]\nmodel = "hourly"\ncurrency = "RUB"\n'
            'rates = { default = "1000" }\n\n[[channels]]\nname = "site-chat"\ntype = "chat"\n'
            'secret_env = "PLANTED_CHAT_SECRET"\n',
            encoding="utf-8",
        )
        cli = build_cli(build_plugins())
        env = {"DESKFRAME_DATABASE_URL": url, "PLANTED_CHAT_SECRET": "x" * 32}  # init's new config uses it too
        numbers: list[str] = []
        ran: set[tuple[str, ...]] = set()
        for args in invocations(tmp_path, url):
            args = tuple(
                a.replace("{n}", numbers[0] if numbers else "-").replace("{m}", numbers[1] if len(numbers) > 1 else "-")
                for a in args
            )
            result, everything = run(cli, config, args, env)
            assert PLANT not in everything, f"{' '.join(args)} printed the password:\n{everything}"
            if args[1:2] == ("password",):  # the planted secret was set as a password, and not repeated
                assert result.exit_code == 0, everything
            if args[:2] == ("ticket", "open"):
                numbers.append(
                    result.output.strip().splitlines()[0]
                    if "--format" not in args
                    else __import__("json").loads(result.output)["number"]
                )
            ran.add(next(p for p in leaf_commands(cli) if args[: len(p)] == p))
        status, _ = run(cli, config, ("db", "status"), env)
        assert ":***@" in status.output  # the URL is there, masked
        missing = leaf_commands(cli) - ran
        assert not missing, f"commands not run by this test: {sorted(missing)}"

        # a URL that does not parse, in the file and in the environment, is masked in its error
        for bad in (
            f"postgresql+psycopg://postgres:{PLANT}@127.0.0.1:abc/test",
            f"postgresql+psycopg://postgres:{PLANT}@[::1/test",
            f"postgres:{PLANT}@127.0.0.1/test",
        ):
            broken = tmp_path / "broken.toml"
            broken.write_text(f'[desk]\ndatabase = "{bad}"\n', encoding="utf-8")
            for env_url in ({}, {"DESKFRAME_DATABASE_URL": bad}):
                result, everything = run(cli, broken, ("db", "status"), env_url)
                assert result.exit_code == 2 and PLANT not in everything, everything
                assert len(result.output.splitlines()) == 1, result.output
        # a server that refuses the connection: the error names the URL, masked
        refused = planted(postgres_url()).replace(":5432/", ":1/")
        result, everything = run(cli, config, ("db", "status"), {"DESKFRAME_DATABASE_URL": refused})
        assert result.exit_code != 0 and PLANT not in everything, everything
    finally:
        drop()


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql+psycopg://u:{PLANT}@host:abc/db",
        f"postgresql://u:{PLANT}@[::1/db",
        f"u:{PLANT}@host",
        f"postgres:/u:{PLANT}@h",
        f"postgresql://u:{PLANT}@b@h:x/d",
        f"postgresql://u:{PLANT}@h/d",
    ],
)
def test_mask_url_never_shows_the_password(url: str) -> None:
    from deskframe.store.database import mask_url, url_problem

    assert PLANT not in mask_url(url)
    assert PLANT not in (url_problem(url) or "")
