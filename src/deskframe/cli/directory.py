"""``deskframe customer|contact|agent|queue|contract ...`` and ``deskframe apply``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import click

from .. import serialize
from ..apply import (
    QUEUE_RIGHT_VALUES,
    apply_file,
    parse_agent,
    parse_contact,
    parse_contract,
    parse_customer,
    parse_queue,
)
from ..errors import ConfigError
from ..model import Agent
from ..tables import TableReader
from .accounts_cmd import agent_password, contact_password
from .context import actor_for, pass_desk
from .output import FORMAT_OPTION, emit, emit_one


def _report(outcome: str, what: str) -> None:
    click.echo(f"{what} {outcome}")


@click.group("customer")
def customer_group() -> None:
    """Customers (organizations) the vendor supports."""


@customer_group.command("add")
@click.option("--id", "key", required=True, help="Handle used on the command line.")
@click.option("--name", required=True)
@click.option("--domain", "domains", multiple=True, help="Mail domain routed to this customer (repeatable).")
@click.option("--inn", help="Taxpayer number (ИНН, 10 or 12 digits), printed on invoices.")
@click.option("--kpp", help="Tax registration reason code (КПП, 9 characters), printed on invoices.")
@click.option("--address", help="Legal address, printed on invoices.")
@pass_desk
def customer_add(
    desk: Any, key: str, name: str, domains: tuple[str, ...], inn: str | None, kpp: str | None, address: str | None
) -> None:
    """Create or update a customer."""
    extra = {k: v for k, v in (("inn", inn), ("kpp", kpp), ("address", address)) if v is not None}
    customer = parse_customer(TableReader({"id": key, "name": name, "domains": list(domains), **extra}))
    _report(desk.directory.add_customer(customer, actor=actor_for()), f"customer {key}")


@customer_group.command("list")
@FORMAT_OPTION
@pass_desk
def customer_list(desk: Any, fmt: str) -> None:
    """List customers."""
    emit(
        [serialize.customer(c) for c in desk.directory.customers()],
        ("id", "name", "domains"),
        fmt,
        empty="No customers.",
    )


@click.group("contact")
def contact_group() -> None:
    """People at customers."""


@contact_group.command("add")
@click.option("--customer")
@click.option("--name", required=True)
@click.option("--email")
@click.option("--phone")
@pass_desk
def contact_add(desk: Any, customer: str | None, name: str, email: str | None, phone: str | None) -> None:
    """Create or update a contact (keyed by e-mail)."""
    data = {k: v for k, v in dict(customer=customer, name=name, email=email, phone=phone).items() if v is not None}
    _report(desk.directory.add_contact(parse_contact(TableReader(data)), actor=actor_for()), f"contact {email or name}")


@contact_group.command("list")
@click.option("--customer")
@FORMAT_OPTION
@pass_desk
def contact_list(desk: Any, customer: str | None, fmt: str) -> None:
    """List contacts."""
    emit(
        [serialize.contact(c) for c in desk.directory.contacts(customer)],
        ("name", "email", "phone", "customer", "customer_admin"),
        fmt,
        empty="No contacts.",
    )


@click.group("agent")
def agent_group() -> None:
    """The vendor's support engineers."""


ACCESS_OPTION = click.option(
    "--access",
    type=click.Choice(["admin", "agent"]),
    help="admin: may do everything; agent: rights per queue (--queue). New agents: agent.",
)
QUEUE_OPTION = click.option(
    "--queue",
    "queue_rights",
    multiple=True,
    metavar="NAME=RIGHT",
    help="A queue right: read, write or none (repeatable).",
)


def _queue_rights(values: tuple[str, ...]) -> dict[str, str]:
    """``("support=write", "billing=read")`` as ``{"support": "write", "billing": "read"}`` (exit 2 if malformed)."""
    rights: dict[str, str] = {}
    for value in values:
        name, sep, right = value.partition("=")
        if not sep or not name.strip() or right.strip() not in QUEUE_RIGHT_VALUES:
            raise click.BadParameter(
                f"{value!r}: give NAME=RIGHT, RIGHT one of {', '.join(QUEUE_RIGHT_VALUES)}", param_hint="--queue"
            )
        rights[name.strip()] = right.strip()
    return rights


def _agent_view(agent: Agent) -> tuple[dict[str, Any], str]:
    """An agent's JSON shape (with its access as ``access``) and its text for people."""
    data = serialize.agent(agent)
    queues = ", ".join(f"{q}={r}" for q, r in data["queues"].items()) or "-"
    text = "\n".join(
        [
            f"login:  {data['login']}",
            f"name:   {data['name']}",
            f"role:   {data['role']} (line {data['line']})",
            f"email:  {data['email'] or '-'}",
            f"access: {data['access']}",
            f"queues: {'all (admin)' if data['access'] == 'admin' else queues}",
        ]
    )
    return data, text


@agent_group.command("add")
@click.option("--login", required=True)
@click.option("--name", required=True)
@click.option("--role", default="engineer", show_default=True, help="Rate cards key on the role.")
@click.option("--line", type=click.IntRange(1, 3), default=1, show_default=True, help="Support line 1, 2 or 3.")
@click.option("--email")
@ACCESS_OPTION
@QUEUE_OPTION
@pass_desk
def agent_add(
    desk: Any,
    login: str,
    name: str,
    role: str,
    line: int,
    email: str | None,
    access: str | None,
    queue_rights: tuple[str, ...],
) -> None:
    """Create or update an agent; --queue rights given replace its stored ones."""
    given = dict(login=login, name=name, role=role, line=line, email=email, access=access)
    data: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if queue_rights:
        data["queues"] = _queue_rights(queue_rights)
    _report(desk.directory.add_agent(parse_agent(TableReader(data)), actor=actor_for()), f"agent {login}")


@agent_group.command("set")
@click.argument("login")
@click.option("--name")
@click.option("--role", help="Rate cards key on the role.")
@click.option("--line", type=click.IntRange(1, 3), help="Support line 1, 2 or 3.")
@click.option("--email")
@ACCESS_OPTION
@QUEUE_OPTION
@click.option("--clear-queues", is_flag=True, help="Drop every queue right first (then --queue adds).")
@pass_desk
def agent_set(
    desk: Any,
    login: str,
    name: str | None,
    role: str | None,
    line: int | None,
    email: str | None,
    access: str | None,
    queue_rights: tuple[str, ...],
    clear_queues: bool,
) -> None:
    """Change agent LOGIN: only what is given; --queue NAME=none drops that queue's right."""
    agent = desk.directory.agent(login)
    queues = {} if clear_queues else dict(agent.queues or {})
    queues.update(_queue_rights(queue_rights))  # "none" drops the right; an unknown queue: exit 2
    given = dict(name=name, role=role, line=line, email=email, access=access)
    updated = attrs.evolve(agent, **{k: v for k, v in given.items() if v is not None}, queues=queues)
    _report(desk.directory.add_agent(updated, actor=actor_for()), f"agent {login}")


@agent_group.command("show")
@click.argument("login")
@FORMAT_OPTION
@pass_desk
def agent_show(desk: Any, login: str, fmt: str) -> None:
    """Show agent LOGIN with its access and queue rights."""
    data, text = _agent_view(desk.directory.agent(login))
    emit_one(data, fmt, text)


@agent_group.command("list")
@FORMAT_OPTION
@pass_desk
def agent_list(desk: Any, fmt: str) -> None:
    """List agents."""
    emit(
        [serialize.agent(a) for a in desk.directory.agents()],
        ("login", "name", "role", "line", "email", "access", "queues"),
        fmt,
        empty="No agents.",
    )


agent_group.add_command(agent_password)
contact_group.add_command(contact_password)


@click.group("queue")
def queue_group() -> None:
    """Work queues."""


@queue_group.command("add")
@click.option("--name", required=True)
@click.option("--description", default="")
@pass_desk
def queue_add(desk: Any, name: str, description: str) -> None:
    """Create or update a queue."""
    _report(
        desk.directory.add_queue(
            parse_queue(TableReader({"name": name, "description": description})), actor=actor_for()
        ),
        f"queue {name}",
    )


@queue_group.command("list")
@FORMAT_OPTION
@pass_desk
def queue_list(desk: Any, fmt: str) -> None:
    """List queues with their open ticket counts."""
    rows = [dict(serialize.queue(q), open=count) for q, count in desk.directory.queues()]
    emit(rows, ("name", "open", "description"), fmt, empty="No queues.")


@click.group("contract")
def contract_group() -> None:
    """What customers bought: support type, SLA policy, pricing model."""


@contract_group.command("add")
@click.option("--id", "key", required=True)
@click.option("--customer", required=True)
@click.option("--support-type", "support_type", required=True, help="warranty | 8x5 | 24x7 | premium | ...")
@click.option("--sla", help="SLA policy name from the config.")
@click.option("--pricing", help="Pricing model name from the config.")
@click.option("--params", help='Pricing inputs as JSON, e.g. \'{"users": 1200, "servers": 3}\'.')
@click.option("--channel", "channels", multiple=True, help="Agreed channel (repeatable; the first is primary).")
@click.option("--line", "lines", type=click.IntRange(1, 3), multiple=True, help="Support line covered (repeatable).")
@click.option("--start", help="YYYY-MM-DD")
@click.option("--end", help="YYYY-MM-DD")
@pass_desk
def contract_add(
    desk: Any,
    key: str,
    customer: str,
    support_type: str,
    sla: str | None,
    pricing: str | None,
    params: str | None,
    channels: tuple[str, ...],
    lines: tuple[int, ...],
    start: str | None,
    end: str | None,
) -> None:
    """Create or update a contract."""
    data: dict[str, Any] = {"id": key, "customer": customer, "support_type": support_type}
    for name, value in (("sla", sla), ("pricing", pricing), ("start", start), ("end", end)):
        if value is not None:
            data[name] = value
    if params:
        try:
            data["params"] = json.loads(params)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not valid JSON: {exc.msg}", key="--params") from None
    if channels:
        data["channels"] = list(channels)
    if lines:
        data["lines"] = sorted(set(lines))
    _report(desk.directory.add_contract(parse_contract(TableReader(data)), actor=actor_for()), f"contract {key}")


@contract_group.command("list")
@click.option("--customer")
@FORMAT_OPTION
@pass_desk
def contract_list(desk: Any, customer: str | None, fmt: str) -> None:
    """List contracts."""
    emit(
        [serialize.contract(c) for c in desk.directory.contracts(customer)],
        ("id", "customer", "support_type", "sla", "pricing", "start", "end", "params"),
        fmt,
        empty="No contracts.",
    )


@click.command("apply")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_desk
def apply_command(desk: Any, file: Path) -> None:
    """Create or update customers, contacts, agents, queues and contracts from a TOML FILE."""
    counts = apply_file(desk, file)
    if not counts:
        click.echo(f"{file}: nothing to apply")
    for key in sorted(counts):
        click.echo(f"{key}: {counts[key]}")
