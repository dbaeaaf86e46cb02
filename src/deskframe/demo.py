"""``deskframe demo``: run a reference configuration's scenario end to end.

A scenario is a ``demo.toml`` beside an example's ``deskframe.toml``: a list of
CLI steps, each optionally at a simulated time (``at``), run in-process against
a copy of the example in a fresh directory. The core knows no concrete channel
or price: the scenario says which (plugin) commands to run. After the steps the
demo prints a summary: tickets by state, SLA clocks by category (met, missed,
overdue, running, paused, cancelled: each clock in exactly one, docs/sla.md), the
issued invoices with their totals and files, the files the steps wrote (``-o FILE``,
such as an account review), and the outgoing messages (an example without a mail server
redirects them to the ``file`` delivery: ``.eml`` files, docs/outbox.md).
"""

from __future__ import annotations

import collections
import datetime as dt
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs

from . import serialize
from .billing.formats import render_options
from .config import read_toml
from .errors import BadValue, ConfigError, DomainError
from .tables import TableReader

SCENARIO = "demo.toml"


@attrs.frozen
class Step:
    """One step of a scenario: optionally copy a file into place (new mail arriving),
    then run one CLI command, optionally at a simulated time. ``{ticket:WORDS}`` in an
    argument stands for the newest ticket a full-text search for WORDS finds."""

    args: tuple[str, ...] = ()
    at: str | None = None
    expect_failure: bool = False
    note: str = ""
    copy: tuple[str, str] | None = None


def find_example(name: str, search: list[Path]) -> Path:
    """The example directory ``name`` (a path, or a name under an ``examples/`` directory)."""
    candidate = Path(name)
    if (candidate / SCENARIO).is_file():
        return candidate
    for root in search:
        if (root / name / SCENARIO).is_file():
            return root / name
    raise BadValue(f"example '{name}' not found (looked in {', '.join(str(r) for r in search)})")


def default_search_path() -> list[Path]:
    here = Path(__file__).resolve()
    return [Path.cwd() / "examples", here.parents[2] / "examples"]


def load_scenario(example: Path) -> tuple[str, list[Step]]:
    path = example / SCENARIO
    data = read_toml(path)
    try:
        top = TableReader(data)
        top.reject_unknown(["title", "steps"])
        steps = []
        for i, raw in enumerate(top.list("steps")):
            table = TableReader(raw, f"steps[{i}]")
            table.reject_unknown(["run", "at", "expect_failure", "note", "copy"])
            copy = table.str_list("copy", None)
            if copy is not None and len(copy) != 2:
                raise table.error("copy", "must be [source, destination]")
            if copy is None and "run" not in raw:
                raise table.error("run", "is required (or give copy)")
            steps.append(
                Step(
                    args=tuple(table.str_list("run", [])),
                    at=table.str("at", None),
                    expect_failure=table.bool("expect_failure", False),
                    note=table.str("note", ""),
                    copy=(copy[0], copy[1]) if copy else None,
                )
            )
        return top.str("title", example.name), steps
    except ConfigError as exc:
        raise exc.within(file=str(path)) from None


def prepare(example: Path, target: Path, reset: bool) -> None:
    """Copy the example into ``target`` (fresh), or refuse if it exists without ``reset``."""
    if target.exists():
        if not reset:
            raise DomainError(f"{target} exists: run 'deskframe demo {target}' with --reset to start over")
        shutil.rmtree(target)
    shutil.copytree(example, target, ignore=shutil.ignore_patterns("*.db", "*.db-*", "data", "__pycache__"))


TICKET_REF = re.compile(r"\{ticket:([^}]+)\}")


def run_steps(
    target: Path,
    steps: list[Step],
    invoke: Callable[[list[str]], tuple[int, str]],
    echo: Callable[[str], None],
    find_ticket: Callable[[str], str],
) -> None:
    """Run every step; a step whose outcome differs from what it expects stops the demo."""
    config = str(target / "deskframe.toml")
    for step in steps:
        if step.copy:
            source, destination = (target / p for p in step.copy)
            if not source.resolve().is_relative_to(target.resolve()) or not destination.resolve().is_relative_to(
                target.resolve()
            ):
                raise BadValue(f"demo step copies outside the demo directory: {step.copy}")
            shutil.copy2(source, destination)
            echo(f"(new file {step.copy[1]}/{source.name})" if destination.is_dir() else f"(new file {step.copy[1]})")
        if not step.args:
            continue
        resolved = [TICKET_REF.sub(lambda m: find_ticket(m.group(1)), arg) for arg in step.args]
        args = ["--config", config] + (["--now", step.at] if step.at else []) + resolved
        code, output = invoke(args)
        shown = " ".join(resolved)
        if (code != 0) != step.expect_failure:
            raise DomainError(f"demo step failed (exit {code}): deskframe {shown}\n{output.strip()}")
        echo(
            f"$ deskframe {shown}"
            + (f"   # at {step.at}" if step.at else "")
            + (f"  ({step.note})" if step.note else "")
        )


def outbox_summary(desk: Any) -> dict[str, Any]:
    """The outgoing messages: how many in each state, and each one (files of the ``file`` delivery)."""
    from .file_delivery import directory, file_name

    folder = directory(desk)
    messages = [
        {
            "id": e.id,
            "state": e.state,
            "kind": e.message.kind,
            "topic": e.message.topic,
            "ticket": e.message.ticket,
            "to": ", ".join(e.message.recipients),
            "subject": e.message.subject,
            "file": str(path) if (path := folder / file_name(e.message)).exists() else None,
        }
        for e in reversed(desk.outbox.list(limit=None))
    ]
    return {"counts": desk.outbox.counts(), "messages": messages}


#: The options by which a step names the file it writes.
OUTPUT_OPTIONS = ("-o", "--output")


def step_outputs(steps: list[Step]) -> list[dict[str, str]]:
    """``{"file", "command"}`` of every step that writes a file (``-o FILE`` / ``--output FILE``)."""
    found = []
    for step in steps:
        args = list(step.args)
        for i, arg in enumerate(args[:-1]):
            if arg in OUTPUT_OPTIONS:
                found.append({"file": args[i + 1], "command": " ".join(args[: min(len(args), 2)])})
    return found


def summary(desk: Any, target: Path, steps: list[Step] | None = None) -> dict[str, Any]:
    """Tickets by state, SLA clocks, invoices with totals and rendered files/links, and the
    files the ``steps`` wrote."""
    states = collections.Counter(row["state"] for row in desk.tickets.list(limit=None))
    with desk.store.read() as repo:
        clocks = repo.clock_figures(desk.clock())
    invoices = []
    html = desk.plugins.registry.get("output_formats", "html")
    folder = target / "invoices"
    for invoice in desk.billing.invoices(status="issued"):
        entry = {
            "number": invoice.number,
            "customer": invoice.customer,
            "period": invoice.period,
            "total": serialize.money(invoice.total),
            "currency": invoice.currency,
            "link": desk.billing.link(invoice.number),
            "file": None,
        }
        if html is not None:
            folder.mkdir(exist_ok=True)
            options = render_options(desk.config, html)
            file = folder / f"{invoice.number}.html"
            file.write_text(html.render("invoice", invoice, **options), encoding="utf-8")
            entry["file"] = str(file)
        invoices.append(entry)
    return {
        "directory": str(target),
        "tickets": dict(sorted(states.items())),
        "sla": dict(clocks, breached=clocks["missed"] + clocks["overdue"]),
        "invoices": invoices,
        "outbox": outbox_summary(desk),
        "files": [
            dict(o, file=str(target / o["file"])) for o in step_outputs(steps or []) if (target / o["file"]).is_file()
        ],
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(),
    }


def serve_logins(desk: Any) -> list[dict[str, str]]:
    """Give the demo's web logins fresh random passwords and return them: the first
    admin agent (the agent pages, ``/login``) and the first customer-admin contact (the
    portal, ``/portal/login``). ``{"kind", "login", "password", "page"}`` each; what the
    example lacks is left out."""
    import secrets

    from .accounts.service import Accounts
    from .actors import Actor

    accounts = Accounts.of(desk)
    found: list[dict[str, str]] = []
    agent = next((a for a in desk.directory.agents() if a.access == "admin"), None)
    if agent is not None:
        found.append({"kind": "agent", "login": agent.login, "page": "/login"})
    contact = next((c for c in desk.directory.contacts() if c.email and c.customer_admin), None)
    if contact is not None and contact.email:
        found.append({"kind": "contact", "login": contact.email, "page": "/portal/login"})
    for login in found:
        login["password"] = secrets.token_urlsafe(9)
        accounts.set_password(login["kind"], login["login"], login["password"], actor=Actor.operator())
    return found
