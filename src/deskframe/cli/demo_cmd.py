"""``deskframe demo [DIR]``: the reference configuration, end to end, in one command."""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import click

from .. import demo, serialize
from ..config import load_config
from .context import current_app
from .output import PORT


@click.command("demo")
@click.argument("directory", default="deskframe-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option("--example", default="webstudio", show_default=True, help="Example name or path (with demo.toml).")
@click.option("--reset", is_flag=True, help="Delete DIRECTORY first and start over.")
@click.option("--verbose", "-v", is_flag=True, help="Show every step's output.")
@click.option(
    "--serve",
    is_flag=True,
    help="Afterwards serve the agent pages, the portal, the API and the invoice links on 127.0.0.1, with fresh logins.",
)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def demo_command(directory: Path, example: str, reset: bool, verbose: bool, serve: bool, port: int, fmt: str) -> None:
    """Run an example's scenario (default: the web studio) in DIRECTORY and summarise it."""
    from . import build_cli

    app = current_app()
    directory = directory.resolve()  # steps run from inside it
    source = demo.find_example(example, demo.default_search_path())
    title, steps = demo.load_scenario(source)
    try:
        demo.prepare(source, directory, reset)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {exc.filename or directory}: {exc.strerror or exc}", param_hint="DIRECTORY"
        ) from None
    started = time.perf_counter()
    say = click.echo if fmt == "table" else (lambda text: None)
    say(f"{title}: running {len(steps)} steps in {directory}")

    def invoke(args: list[str]) -> tuple[int, str]:
        buffer = io.StringIO()
        command = build_cli(app.plugins)
        with redirect_stdout(buffer), redirect_stderr(buffer), _inside(directory):
            try:
                returned = command.main(args=args, prog_name="deskframe", standalone_mode=False)
                code = returned if isinstance(returned, int) else 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            except click.exceptions.Exit as exc:
                code = exc.exit_code
            except click.ClickException as exc:
                exc.show()
                code = exc.exit_code
        if verbose and fmt == "table":
            click.echo(buffer.getvalue().rstrip())
        return code or 0, buffer.getvalue()

    from ..desk import Desk

    fresh = Desk(load_config(directory / "deskframe.toml", app.plugins.registry), app.plugins)
    fresh.upgrade()
    fresh.close()

    def find_ticket(words: str) -> str:
        desk = Desk(load_config(directory / "deskframe.toml", app.plugins.registry), app.plugins)
        try:
            hits = desk.tickets.search(words, limit=1)
        finally:
            desk.close()
        if not hits:
            raise click.ClickException(f"demo: no ticket matches {words!r}")
        return hits[0]["number"]

    demo.run_steps(directory, steps, invoke, say if verbose else (lambda text: None), find_ticket)

    desk = Desk(load_config(directory / "deskframe.toml", app.plugins.registry), app.plugins)
    try:
        result = demo.summary(desk, directory, steps)
        result["seconds"] = round(time.perf_counter() - started, 1)
        if fmt == "json":
            click.echo(serialize.dumps(result))
        else:
            _print(result)
        if serve:
            import uvicorn

            from ..web import create_app

            base = f"http://127.0.0.1:{port}"
            for login in demo.serve_logins(desk):  # passwords to the terminal only, never in JSON
                page = "agent pages" if login["kind"] == "agent" else "customer portal"
                click.echo(
                    f"{page}: {base}{login['page']}  login {login['login']}  password {login['password']}",
                    err=fmt == "json",
                )
            click.echo(f"serving on {base} (Ctrl-C to stop)", err=fmt == "json")
            uvicorn.run(create_app(desk), host="127.0.0.1", port=port, log_level="warning")
    finally:
        desk.close()


@contextlib.contextmanager
def _inside(directory: Path) -> Iterator[None]:
    """Run a step from the demo directory, so the scenario's relative paths work."""
    previous = os.getcwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


def _print(result: dict[str, Any]) -> None:
    click.echo(f"\nDone in {result['seconds']} s. Desk: {result['directory']}/deskframe.toml")
    click.echo("Tickets by state: " + (", ".join(f"{k} {v}" for k, v in result["tickets"].items()) or "none"))
    sla = result["sla"]
    click.echo(
        f"SLA clocks ({sla['total']}): met {sla['met']}, missed {sla['missed']}, overdue {sla['overdue']}, "
        f"running {sla['running']}, paused {sla['paused']}, cancelled {sla['cancelled']} "
        f"(breached: {sla['breached']} = missed + overdue)"
    )
    click.echo(f"Invoices ({len(result['invoices'])}):")
    for inv in result["invoices"]:
        click.echo(
            f"  {inv['number']}  {inv['customer']:<12} {inv['period']}  {inv['total'] + ' ' + inv['currency']:>16}  "
            f"{inv['file'] or inv['link']}"
        )
    outbox = result["outbox"]
    counts = ", ".join(f"{state} {n}" for state, n in outbox["counts"].items() if n) or "none"
    click.echo(f"Outgoing messages ({len(outbox['messages'])}: {counts}):")
    width = max([9, *(len(m["topic"] or m["kind"]) for m in outbox["messages"])])  # notify.ticket_resolved
    for msg in outbox["messages"]:
        click.echo(
            f"  {msg['id']:>3} {msg['state']:<7} {msg['topic'] or msg['kind']:<{width}} {msg['to']:<32} "
            f"{msg['file'] or msg['subject']}"
        )
    if result["files"]:
        click.echo(f"Files the steps wrote ({len(result['files'])}):")
        for written in result["files"]:
            click.echo(f"  {written['file']}  (deskframe {written['command']})")
    click.echo(f"\nTry: cd {result['directory']} && deskframe ticket list")
