"""RELIABILITY item 22 and the plugin contract of ``deskframe.hookspecs``.

Plugins here are module objects built in the test (``plugin(name, **hooks)``) and,
where the entry-point machinery itself is under test, fake installed
distributions (a module plus a ``.dist-info`` directory) on ``PYTHONPATH``.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import json
import logging
import os
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

import deskframe
from deskframe import (
    ChannelType,
    ConfigError,
    Contact,
    Customer,
    Importer,
    InboundMessage,
    PluginError,
    Route,
    TicketOpened,
)
from deskframe.actors import Actor
from deskframe.hooks import HookFailure
from deskframe.plugins import build_plugins
from deskframe.testing import Factory, registered

SCRIPT = Path(sys.executable).parent / "deskframe"
NOW = dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.timezone.utc)


def plugin(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """A plugin object named ``name`` implementing ``hooks`` (each marked with ``hookimpl``)."""
    module = types.ModuleType(name)
    for hook, function in hooks.items():
        function.__name__ = hook
        setattr(module, hook, deskframe.hookimpl(function))
    return module


def message(sender: str, subject: str = "Printer on fire", external_id: str = "m1", **kw: Any) -> InboundMessage:
    return InboundMessage(
        channel="test",
        external_id=external_id,
        received_at=NOW,
        sender=sender,
        subject=subject,
        text=kw.pop("text", "Please help."),
        **kw,
    )


# --- misspelled or malformed hook implementations ---------------------------


def test_misspelled_hook_names_the_plugin_and_suggests_the_hook() -> None:
    typo = plugin("typo", regster_commands=lambda register: None)
    with pytest.raises(PluginError) as info:
        build_plugins(entry_points=False, extra=[("typo-plugin", typo)])
    text = str(info.value)
    assert "'typo-plugin'" in text
    assert "'regster_commands'" in text
    assert "did you mean 'register_commands'" in text


def test_misspelled_notify_hook_is_an_error_too() -> None:
    typo = plugin("typo", ticket_openned=lambda event, desk: None)
    with pytest.raises(PluginError, match=r"plugin 'notify-typo' .*'ticket_openned'.*'ticket_opened'"):
        build_plugins(entry_points=False, extra=[("notify-typo", typo)])


def test_hook_with_unknown_argument_names_the_plugin() -> None:
    bad = plugin("bad", register_commands=lambda registr: None)
    with pytest.raises(PluginError, match="plugin 'bad-args'") as info:
        build_plugins(entry_points=False, extra=[("bad-args", bad)])
    assert "registr" in str(info.value)


def test_hook_with_unknown_argument_error_is_one_line() -> None:
    bad = plugin("bad", register_commands=lambda registr: None)
    with pytest.raises(PluginError) as info:
        build_plugins(entry_points=False, extra=[("bad-args", bad)])
    assert "\n" not in str(info.value)


def test_exception_in_a_register_hook_names_plugin_and_hook() -> None:
    def register_channel_types(register: Any) -> None:
        raise KeyError("missing setting")

    with pytest.raises(PluginError, match=r"plugin 'crashy' failed in register_channel_types: KeyError"):
        build_plugins(
            entry_points=False, extra=[("crashy", plugin("c", register_channel_types=register_channel_types))]
        )


def test_two_plugins_registering_one_channel_type_names_both() -> None:
    def make(name: str) -> types.ModuleType:
        return plugin(
            name, register_channel_types=lambda register: register(ChannelType("sms", build=lambda table, desk: None))
        )

    with pytest.raises(PluginError) as info:
        build_plugins(entry_points=False, extra=[("sms-one", make("a")), ("sms-two", make("b"))])
    text = str(info.value)
    assert "channel type 'sms'" in text
    assert "'sms-one'" in text and "'sms-two'" in text


def test_registry_remembers_who_registered_what() -> None:
    def register_channel_types(register: Any) -> None:
        register(ChannelType("pigeon", build=lambda table, desk: None))
        register(ChannelType("smoke", build=lambda table, desk: None))

    birds = plugin("b", register_channel_types=register_channel_types)
    plugins = build_plugins(entry_points=False, extra=[("birds", birds)])
    assert plugins.registry.by_plugin("birds") == {"channel_types": ["pigeon", "smoke"]}
    assert plugins.hook_names("birds") == ["register_channel_types"]
    assert {"pigeon", "smoke"} <= set(plugins.registry.names("channel_types"))


def test_plugin_command_clashing_with_a_core_command_is_an_error() -> None:
    import click

    from deskframe.cli import build_cli

    @click.command("ticket")
    def fake_ticket() -> None:
        """Not the real one."""

    hijack = plugin("h", register_commands=lambda register: register(fake_ticket))
    plugins = build_plugins(entry_points=False, extra=[("hijack", hijack)])
    with pytest.raises(PluginError, match=r"plugin 'hijack' registers command 'ticket'"):
        build_cli(plugins)


def test_importer_is_mounted_under_import(desk: Any, cli: Any) -> None:
    import click

    @click.command("acme-csv")
    def acme_csv() -> None:
        click.echo("imported 0 rows")

    importer = plugin("imp", register_importers=lambda register: register(Importer("acme-csv", acme_csv)))
    with registered(desk, importer, name="acme-importer"):
        result = cli(desk)("import", "acme-csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "imported 0 rows"


# --- notify hooks -----------------------------------------------------------


def _boom(event: Any, desk: Any) -> None:
    raise RuntimeError("smtp server exploded")


@pytest.mark.parametrize("boom_first", [True, False], ids=["failing-plugin-first", "failing-plugin-last"])
def test_exception_in_notify_hook_is_logged_and_does_not_roll_back(
    make_desk: Any, caplog: Any, boom_first: bool
) -> None:
    seen: list[str] = []
    boom = plugin("boom-plugin", ticket_opened=_boom)
    good = plugin("good-plugin", ticket_opened=lambda event, desk: seen.append(event.ticket.number))
    desk = make_desk(plugins=[boom, good] if boom_first else [good, boom], entry_points=False)
    caplog.set_level(logging.ERROR, logger="deskframe.plugins")

    ticket = desk.tickets.open(subject="Disk full", body="df says 100%", actor=Actor.operator())

    assert desk.tickets.get(ticket.number).subject == "Disk full"  # committed, not rolled back
    assert seen == [ticket.number]  # the other plugin still ran
    assert desk.last_hook_failures == [
        HookFailure("boom-plugin", "ticket_opened", "RuntimeError: smtp server exploded")
    ]
    records = [r for r in caplog.records if r.name == "deskframe.plugins"]
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    text = records[0].getMessage()
    assert "boom-plugin" in text and "ticket_opened" in text and "smtp server exploded" in text
    assert records[0].exc_info is not None  # the traceback goes to the log, not to the user


def test_notify_failure_in_intake_keeps_the_message(make_desk: Any, caplog: Any) -> None:
    desk = make_desk(plugins=[plugin("boom-plugin", ticket_opened=_boom, article_added=_boom)], entry_points=False)
    caplog.set_level(logging.ERROR, logger="deskframe.plugins")
    first = desk.intake.receive(message("ann@nowhere.example"))
    assert first.created and not first.duplicate
    assert [f.plugin for f in desk.last_hook_failures] == ["boom-plugin"]
    # the intake was committed: the same message again is a duplicate, not a second ticket
    again = desk.intake.receive(message("ann@nowhere.example"))
    assert again.duplicate and again.ticket == first.ticket
    assert len(desk.tickets.list()) == 1
    # a later change without failures clears the record
    desk.tickets.set_priority(first.ticket, "P2", actor=Actor.operator())
    assert desk.last_hook_failures == []


def test_notify_hooks_get_frozen_events_after_commit(make_desk: Any) -> None:
    observed: dict[str, Any] = {}

    def ticket_opened(event: TicketOpened, desk: Any) -> None:
        observed["event"] = event
        observed["stored"] = desk.tickets.get(event.ticket.number)  # a new transaction sees the committed ticket
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.ticket = None  # type: ignore[misc]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.ticket.subject = "changed"  # type: ignore[misc]

    desk = make_desk(plugins=[plugin("watcher", ticket_opened=ticket_opened)], entry_points=False)
    ticket = desk.tickets.open(subject="VPN drops", body="every 5 minutes", actor=Actor.operator())
    assert desk.last_hook_failures == []
    event = observed["event"]
    assert isinstance(event, TicketOpened)
    assert event.ticket.number == ticket.number
    assert event.article is not None and event.article.text == "every 5 minutes"
    assert observed["stored"].number == ticket.number
    assert [a.text for a in observed["stored"].articles] == ["every 5 minutes"]


def test_a_notify_hook_may_change_the_ticket_it_was_told_about(make_desk: Any) -> None:
    """An auto-acknowledge plugin adds an article from inside ``ticket_opened``."""

    def ticket_opened(event: TicketOpened, desk: Any) -> None:
        desk.tickets.add_article(
            event.ticket.number, direction="out", body="We received your request.", actor=Actor.operator()
        )

    desk = make_desk(plugins=[plugin("auto-ack", ticket_opened=ticket_opened)], entry_points=False)
    result = desk.intake.receive(message("ann@nowhere.example"))
    shown = desk.tickets.get(result.ticket)
    assert [a.direction for a in shown.articles] == ["in", "out"]


def test_article_added_and_ticket_changed_fire_with_the_new_values(make_desk: Any) -> None:
    calls: list[tuple[str, Any]] = []
    watcher = plugin(
        "watcher",
        article_added=lambda event, desk: calls.append(("article", event.article.direction)),
        ticket_changed=lambda event, desk: calls.append(
            ("changed", (event.action, event.old, event.new, event.ticket.state))
        ),
    )
    desk = make_desk(plugins=[watcher], entry_points=False)
    Factory(desk).agent("alice")
    ticket = desk.tickets.open(subject="s", body="b", actor=Actor.operator())
    desk.tickets.note(ticket.number, actor=Actor.agent("alice"), body="looking")
    desk.tickets.set_state(ticket.number, "pending", actor=Actor.operator())
    assert calls == [("article", "internal"), ("changed", ("state", "new", "pending", "pending"))]


def test_registered_helper_adds_and_removes_a_plugin(desk: Any) -> None:
    seen: list[str] = []
    watcher = plugin("w", ticket_opened=lambda event, desk: seen.append(event.ticket.subject))
    with registered(desk, watcher, name="temporary"):
        desk.tickets.open(subject="inside", body="x", actor=Actor.operator())
    desk.tickets.open(subject="outside", body="x", actor=Actor.operator())
    assert seen == ["inside"]


# --- resolve hooks ------------------------------------------------------------


@pytest.fixture
def routed(make_desk: Any) -> Callable[..., Any]:
    """A desk with ACME (domain acme.example, contact ann) and Globex (contact pat at a free-mail domain)."""

    def make(*plugins: Any, config: str = "") -> Any:
        desk = make_desk(config, plugins=plugins, entry_points=False)
        desk.directory.add_customer(Customer("acme", "ACME LLC", domains=("acme.example",)), actor=Actor.operator())
        desk.directory.add_customer(Customer("globex", "Globex"), actor=Actor.operator())
        desk.directory.add_contact(Contact("Ann", email="ann@acme.example", customer="acme"), actor=Actor.operator())
        desk.directory.add_contact(
            Contact("Pat", email="pat@freemail.example", customer="globex"), actor=Actor.operator()
        )
        return desk

    return make


def test_route_message_plugin_wins_over_the_default(routed: Callable[..., Any]) -> None:
    views: list[Any] = []

    def route_message(message: InboundMessage, directory: Any) -> Route | None:
        views.append(directory.customer_by_domain("acme.example"))
        return Route(customer="acme", queue="vip") if "vip" in message.subject else None

    desk = routed(plugin("vip-router", route_message=route_message))
    result = desk.intake.receive(message("ceo@acme.example", subject="vip: board meeting"))
    ticket = desk.tickets.get(result.ticket)
    assert (ticket.queue, ticket.customer) == ("vip", "acme")
    assert views and views[0].key == "acme"  # the plugin looked the directory up without a session

    # returning None falls through to the core's default
    plain = desk.tickets.get(desk.intake.receive(message("ceo@acme.example", subject="plain", external_id="m2")).ticket)
    assert (plain.queue, plain.customer) == ("support", "acme")


def test_route_fields_left_none_are_filled_by_the_default(routed: Callable[..., Any]) -> None:
    desk = routed(plugin("queue-only", route_message=lambda message, directory: Route(queue="vip")))
    ticket = desk.tickets.get(desk.intake.receive(message("ann@acme.example")).ticket)
    assert ticket.queue == "vip"
    assert ticket.customer == "acme"


@pytest.mark.parametrize(
    ("sender", "customer", "queue", "contact"),
    [
        ("ann@acme.example", "acme", "support", "ann@acme.example"),  # e-mail -> contact -> customer
        ("ANN@Acme.Example", "acme", "support", "ann@acme.example"),  # case does not matter
        ("pat@freemail.example", "globex", "support", "pat@freemail.example"),  # the contact beats the domain
        ("bob@acme.example", "acme", "support", "bob@acme.example"),  # domain -> customer, new contact
        ("eve@nowhere.example", None, "unknown", "eve@nowhere.example"),  # unknown: unknown queue
    ],
    ids=["contact", "contact-case", "contact-other-domain", "domain", "unknown"],
)
def test_default_route(routed: Callable[..., Any], sender: str, customer: str | None, queue: str, contact: str) -> None:
    desk = routed(plugin("abstainer", route_message=lambda message, directory: None))
    ticket = desk.tickets.get(desk.intake.receive(message(sender)).ticket)
    assert (ticket.customer, ticket.queue, ticket.contact) == (customer, queue, contact)
    created = {c.email: c for c in desk.directory.contacts()}
    assert created[contact].customer == customer
    assert len(created) == 2 + (contact not in ("ann@acme.example", "pat@freemail.example"))


def test_default_route_picks_the_active_contract(routed: Callable[..., Any]) -> None:
    desk = routed()
    Factory(desk).contract("acme", key="acme-2026", lines=(2, 3))
    ticket = desk.tickets.get(desk.intake.receive(message("ann@acme.example")).ticket)
    assert ticket.contract == "acme-2026"
    assert ticket.line == 2


def test_classify_priority_sets_the_priority(routed: Callable[..., Any]) -> None:
    def classify_priority(message: InboundMessage, route: Route) -> str | None:
        return "critical" if "URGENT" in message.subject else None

    desk = routed(
        plugin("urgency", classify_priority=classify_priority), config='[tickets.priorities]\nP1 = "critical"\n'
    )
    urgent = desk.tickets.get(desk.intake.receive(message("ann@acme.example", subject="URGENT: prod down")).ticket)
    calm = desk.tickets.get(
        desk.intake.receive(message("ann@acme.example", subject="question", external_id="m2")).ticket
    )
    assert (urgent.priority, calm.priority) == ("P1", "P3")


def test_route_priority_is_the_default_classification(routed: Callable[..., Any]) -> None:
    desk = routed(plugin("r", route_message=lambda message, directory: Route(customer="acme", priority="P2")))
    assert desk.tickets.get(desk.intake.receive(message("ann@acme.example")).ticket).priority == "P2"


# --- channel types validate their tables ---------------------------------------


def test_channel_type_validate_errors_are_located(make_desk: Any) -> None:
    def validate(table: dict[str, Any]) -> None:
        if "address" not in table:
            raise ConfigError("is required", key="address")

    channels = plugin(
        "vchan",
        register_channel_types=lambda register: register(
            ChannelType("vtest", build=lambda table, desk: None, validate=validate)
        ),
    )
    with pytest.raises(ConfigError) as info:
        make_desk('[[channels]]\nname = "support"\ntype = "vtest"\n', plugins=[channels], entry_points=False)
    assert info.value.key == "channels[0].address"
    assert str(info.value).endswith("deskframe.toml: channels[0].address: is required")

    desk = make_desk(
        '[[channels]]\nname = "support"\ntype = "vtest"\naddress = "help@vendor.example"\n',
        plugins=[channels],
        entry_points=False,
    )
    assert desk.config.channel("support") == {"name": "support", "type": "vtest", "address": "help@vendor.example"}


# --- entry points through the real console script ------------------------------

HELLO_PLUGIN = '''
import click
import deskframe
from deskframe.cli import pass_desk


@click.command("hello")
@click.option("--name", default="world")
def hello(name):
    """Say hello."""
    click.echo(f"Hello, {name}!")


@click.command("default-queue")
@pass_desk
def default_queue(desk):
    """Print the configured default queue."""
    click.echo(desk.config.tickets.default_queue)


@deskframe.hookimpl
def register_commands(register):
    register(hello)
    register(default_queue)


@deskframe.hookimpl
def ticket_opened(event, desk):
    pass
'''

BROKEN_PLUGINS = {
    "ZeroDivisionError": "RATIO = 1 / 0\n",
    "ModuleNotFoundError": "import deskframe_no_such_dependency\n",
}


def make_dist(site: Path, dist: str, version: str, module: str, source: str, entry: str) -> None:
    """A fake installed distribution: ``module.py`` plus its ``.dist-info`` with one entry point."""
    site.mkdir(parents=True, exist_ok=True)
    (site / f"{module}.py").write_text(source, encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[deskframe]\n{entry} = {module}\n", encoding="utf-8")


def run(args: list[str], *sites: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_") and k != "PYTHONPATH"}
    clean.update(PYTHONPATH=os.pathsep.join(map(str, sites)), PYTHONIOENCODING="utf-8", **env)
    return subprocess.run(
        [str(SCRIPT), *args], env=clean, cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=60
    )


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every console-script scenario of this module, run two at a time."""
    root = tmp_path_factory.mktemp("plugin-sites")
    hello = root / "hello"
    make_dist(hello, "deskframe-hello", "2.3.1", "hello_plugin_mod", HELLO_PLUGIN, "hello")
    broken: dict[str, Path] = {}
    for error, source in BROKEN_PLUGINS.items():
        broken[error] = root / f"broken-{error}"
        make_dist(broken[error], "broken-plugin", "1.0", "broken_plugin_mod", source, "broken")
    badargs = root / "badargs"
    make_dist(
        badargs,
        "badargs-plugin",
        "0.1",
        "badargs_plugin_mod",
        "import deskframe\n\n@deskframe.hookimpl\ndef register_commands(registr):\n    pass\n",
        "badargs",
    )
    jobs: dict[str, Callable[[], subprocess.CompletedProcess[str]]] = {
        # the broken plugin is installed but disabled; the working one is listed
        "disabled": lambda: run(
            ["plugins", "--format", "json"],
            broken["ZeroDivisionError"],
            hello,
            cwd=root,
            DESKFRAME_DISABLE_PLUGINS="other, broken",
        ),
        "hello-run": lambda: run(["hello", "--name", "Ann"], hello, cwd=root),
        "badargs": lambda: run(["plugins"], badargs, cwd=root),
    }
    for error in BROKEN_PLUGINS:
        jobs[f"broken-{error}"] = (lambda site: lambda: run(["plugins"], site, hello, cwd=root))(broken[error])
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
        return {key: f.result() for key, f in futures.items()}


def assert_one_error_line(proc: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == code, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    return lines[0]


@pytest.mark.parametrize("error", list(BROKEN_PLUGINS))
def test_plugin_that_fails_to_import_is_named(script_runs: dict[str, Any], error: str) -> None:
    line = assert_one_error_line(script_runs[f"broken-{error}"])
    assert "plugin 'broken'" in line
    assert "broken-plugin 1.0" in line
    assert f"{error}:" in line
    assert ("division by zero" if error == "ZeroDivisionError" else "deskframe_no_such_dependency") in line


def test_disabled_plugin_is_not_imported(script_runs: dict[str, Any]) -> None:
    proc = script_runs["disabled"]
    assert proc.returncode == 0, proc.stderr
    names = [row["name"] for row in json.loads(proc.stdout)]
    assert "broken" not in names and "hello" in names


def test_plugin_hook_with_bad_argument_is_one_line(script_runs: dict[str, Any]) -> None:
    line = assert_one_error_line(script_runs["badargs"])
    assert "plugin 'badargs'" in line and "registr" in line


def test_plugin_hook_with_bad_argument_fails_start_up_naming_it(script_runs: dict[str, Any]) -> None:
    proc = script_runs["badargs"]
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("Error: plugin 'badargs'")


def test_plugins_json_lists_distribution_version_hooks_and_registrations(script_runs: dict[str, Any]) -> None:
    proc = script_runs["disabled"]
    assert proc.returncode == 0, proc.stderr
    rows = {row["name"]: row for row in json.loads(proc.stdout)}
    assert rows["hello"] == {
        "name": "hello",
        "distribution": "deskframe-hello",
        "version": "2.3.1",
        "hooks": ["register_commands", "ticket_opened"],
        "registered": {"commands": ["default-queue", "hello"]},
    }
    assert "deskframe.defaults" not in rows  # built-ins only with --all


def test_plugin_command_from_an_entry_point_runs(script_runs: dict[str, Any]) -> None:
    proc = script_runs["hello-run"]
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "Hello, Ann!\n", "")


def _queue_command() -> Any:
    import click

    from deskframe.cli import pass_desk

    @click.command("default-queue")
    @pass_desk
    def default_queue(desk: Any) -> None:
        click.echo(desk.config.tickets.default_queue)

    return default_queue


def test_plugin_command_receives_the_configured_desk(make_desk: Any, cli: Any) -> None:
    command = _queue_command()
    desk = make_desk(
        '[tickets]\ndefault_queue = "first-line"\n',
        plugins=[plugin("queue-cmd", register_commands=lambda register: register(command))],
        entry_points=False,
    )
    result = cli(desk)("default-queue")
    assert (result.exit_code, result.stdout) == (0, "first-line\n")


def test_plugins_command_all_and_table(make_desk: Any, cli: Any) -> None:
    command = _queue_command()
    desk = make_desk(
        plugins=[
            plugin(
                "queue-cmd",
                register_commands=lambda register: register(command),
                ticket_opened=lambda event, desk: None,
            )
        ],
        entry_points=False,
    )
    run_cli = cli(desk)
    rows = {row["name"]: row for row in json.loads(run_cli("plugins", "--all", "--format", "json").stdout)}
    assert rows["deskframe.defaults"]["distribution"] == "deskframe"
    assert rows["deskframe.defaults"]["hooks"] == ["classify_priority", "register_deliveries", "route_message"]
    assert rows["queue-cmd"]["hooks"] == ["register_commands", "ticket_opened"]
    assert rows["queue-cmd"]["registered"] == {"commands": ["default-queue"]}
    assert "deskframe.defaults" not in {r["name"] for r in json.loads(run_cli("plugins", "--format", "json").stdout)}
    table = run_cli("plugins").stdout
    assert "queue-cmd" in table
    assert "hooks: register_commands, ticket_opened" in table
    assert "commands: default-queue" in table


# --- the core knows no concrete plugin ----------------------------------------------


def test_core_imports_no_plugin_package_and_loads_no_entry_point(tmp_path: Path) -> None:
    marker = tmp_path / "imported.txt"
    make_dist(
        tmp_path / "site",
        "deskframe-spy",
        "0.1",
        "deskframe_spy",
        f"open({str(marker)!r}, 'w').write('loaded')\n",
        "spy",
    )
    code = textwrap.dedent("""
        import sys
        import deskframe, deskframe.cli, deskframe.desk, deskframe.store, deskframe.testing, deskframe.plugins
        import deskframe.hookspecs, deskframe.config, deskframe.web
        print(sorted(m for m in sys.modules if m.startswith("deskframe_")))
    """)
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKFRAME_")}
    env["PYTHONPATH"] = str(tmp_path / "site")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    assert not marker.exists(), "an entry point was loaded at import time"
