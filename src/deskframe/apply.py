"""Directory data as code: ``deskframe apply FILE`` creates or updates by key.

The file holds ``[[queues]]``, ``[[customers]]``, ``[[contacts]]``, ``[[agents]]``
and ``[[contracts]]`` arrays, and the arrays plugins add (``register_apply_tables``,
:class:`~deskframe.extensions.ApplyTables`); applying it twice changes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .actors import Actor
from .config import read_toml
from .errors import BadValue, ConfigError, DeskframeError, DomainError, PluginError
from .model import Agent, Contact, Contract, Customer, Queue
from .tables import TableReader

if TYPE_CHECKING:
    from .desk import Desk
    from .extensions import ApplyTables

SECTIONS = ("queues", "customers", "contacts", "agents", "contracts")


def parse_customer(t: TableReader) -> Customer:
    t.reject_unknown(["id", "name", "domains", "inn", "kpp", "address"])
    inn, kpp = t.str("inn", None), t.str("kpp", None)
    if inn is not None and not (inn.isdigit() and len(inn) in (10, 12)):
        raise t.error("inn", f"must be 10 or 12 digits, got {inn!r}")
    if kpp is not None and not (len(kpp) == 9 and kpp.isalnum() and kpp.isascii()):
        raise t.error("kpp", f"must be 9 characters (digits and capital letters), got {kpp!r}")
    return Customer(
        key=t.str("id"),
        name=t.str("name"),
        domains=t.str_list("domains", []),
        inn=inn,
        kpp=kpp,
        address=t.str("address", None),
    )


def parse_contact(t: TableReader) -> Contact:
    t.reject_unknown(["customer", "name", "email", "phone", "customer_admin"])
    email = t.str("email", None)
    if email is not None and "@" not in email:
        raise t.error("email", f"not an e-mail address: {email!r}")
    return Contact(
        name=t.str("name"),
        email=email,
        phone=t.str("phone", None),
        customer=t.str("customer", None),
        customer_admin=t.bool("customer_admin", None),
    )


#: ``access`` of an agent: ``admin`` may do everything, ``agent`` has rights per queue.
AGENT_ACCESS = ("admin", "agent")
#: A right of an agent on a queue (``none`` states that there is none).
QUEUE_RIGHT_VALUES = ("read", "write", "none")


def parse_agent(t: TableReader) -> Agent:
    t.reject_unknown(["login", "name", "role", "line", "email", "access", "queues"])
    queues = t.table("queues", None)
    if queues is not None:
        rights = TableReader(queues, t.key("queues"))
        queues = {name: rights.choice(name, QUEUE_RIGHT_VALUES) for name in queues}
    return Agent(
        login=t.str("login"),
        name=t.str("name"),
        role=t.str("role", "engineer"),
        line=t.int("line", 1, minimum=1, maximum=3),
        email=t.str("email", None),
        access=t.choice("access", AGENT_ACCESS, None),
        queues=queues,
    )


def parse_queue(t: TableReader) -> Queue:
    t.reject_unknown(["name", "description"])
    return Queue(name=t.str("name"), description=t.str("description", ""))


def parse_contract(t: TableReader) -> Contract:
    t.reject_unknown(
        ["id", "customer", "support_type", "sla", "pricing", "params", "channels", "lines", "start", "end"]
    )
    lines = t.list("lines", [1, 2, 3])
    for i, line in enumerate(lines):
        if line not in (1, 2, 3) or isinstance(line, bool):
            raise ConfigError(f"must be 1, 2 or 3, got {line!r}", key=f"{t.key('lines')}[{i}]")
    return Contract(
        key=t.str("id"),
        customer=t.str("customer"),
        support_type=t.str("support_type"),
        sla=t.str("sla", None),
        pricing=t.str("pricing", None),
        params=t.table("params", {}),
        channels=t.str_list("channels", []),
        lines=tuple(lines),
        start=t.date("start", None),
        end=t.date("end", None),
    )


PARSERS = {
    "queues": parse_queue,
    "customers": parse_customer,
    "contacts": parse_contact,
    "agents": parse_agent,
    "contracts": parse_contract,
}


def plugin_tables(desk: Desk) -> list[ApplyTables]:
    """The apply tables plugins registered; an array claimed twice (or a core section) is a plugin error."""
    owners = dict.fromkeys(SECTIONS, "the core")
    found = []
    for ext in desk.plugins.registry.items("apply_tables"):
        for table in ext.tables:
            if table in owners:
                raise PluginError(f"apply table '{table}' of '{ext.name}' is already {owners[table]}'s")
            owners[table] = f"'{ext.name}'"
        found.append(ext)
    return found


def parse_directory(data: dict[str, Any], extra: tuple[str, ...] = ()) -> dict[str, list[Any]]:
    """Validate a directory document; errors name the entry, e.g. ``contacts[2].email``.
    ``extra`` names the plugins' arrays (checked by their own parsers)."""
    top = TableReader(data)
    top.reject_unknown([*SECTIONS, *extra])
    parsed: dict[str, list[Any]] = {}
    for section in SECTIONS:
        entries = top.list(section, [])
        parsed[section] = [PARSERS[section](TableReader(entry, f"{section}[{i}]")) for i, entry in enumerate(entries)]
    return parsed


def contract_problems(config: Any, contract: Contract, hooks: Any = None) -> list[tuple[str, str]]:
    """What is wrong with a contract against the config, as ``(field, problem)`` pairs:
    an SLA policy or pricing model the config does not define, an end before the start, and
    (with ``hooks``) the plugins' ``contract_param_problems`` as ``params.KEY``."""
    problems: list[tuple[str, str]] = []
    if hooks is not None:
        problems.extend((f"params.{key}", problem) for key, problem in hooks.contract_param_problems(contract.params))
    if contract.sla and contract.sla not in config.sla:
        problems.append(
            ("sla", f"unknown SLA policy '{contract.sla}' (configured: {', '.join(sorted(config.sla)) or 'none'})")
        )
    if contract.pricing and contract.pricing not in config.pricing:
        problems.append(
            (
                "pricing",
                (
                    f"unknown pricing model '{contract.pricing}' "
                    f"(configured: {', '.join(sorted(config.pricing)) or 'none'})"
                ),
            )
        )
    if contract.start and contract.end and contract.end < contract.start:
        problems.append(("end", f"end {contract.end} is before start {contract.start}"))
    return problems


def apply_file(desk: Desk, path: Path) -> Counter[str]:
    """Apply a directory file; returns counts such as ``customers created: 2``.

    All or nothing: the whole file is validated first (syntax, keys, and references to
    customers, SLA policies and pricing models), then written in one transaction.
    """
    data = read_toml(path)
    extensions = plugin_tables(desk)
    try:
        parsed = parse_directory(data, tuple(t for ext in extensions for t in ext.tables))
        known = customer_check(desk, parsed)
        extra = []
        for ext in extensions:
            tables = {name: TableReader(data).list(name, []) for name in ext.tables}
            if any(tables.values()):
                extra.append((ext, ext.parse(desk, tables, known)))
    except ConfigError as exc:
        raise exc.within(file=str(path)) from None
    counts = apply_parsed(desk, parsed, label=str(path))
    for ext, value in extra:
        try:
            counts.update(ext.write(desk, value, Actor.operator()))
        except ConfigError as exc:
            raise exc.within(file=str(path)) from None
    return counts


def customer_check(desk: Desk, parsed: dict[str, list[Any]]) -> Callable[[str], bool]:
    """``known(key)``: whether customer ``key`` is in the parsed file or stored (looked up once each)."""
    in_file = {c.key for c in parsed["customers"]}
    checked: dict[str, bool] = {}

    def known(key: str) -> bool:
        if key in in_file:
            return True
        if key not in checked:
            with desk.directory.lookup() as directory:
                checked[key] = directory.customer(key) is not None
        return checked[key]

    return known


def check_parsed(desk: Desk, parsed: dict[str, list[Any]], label: str = "") -> None:
    """Cross-check a parsed directory against the config and the stored customers; the
    first problem raises a :class:`ConfigError` naming file and entry
    (``directory.toml: contracts[2].sla: unknown SLA policy 'x' ...``)."""
    known = customer_check(desk, parsed)
    for section in ("contacts", "contracts"):
        for i, entry in enumerate(parsed[section]):
            if entry.customer and not known(entry.customer):
                raise ConfigError(
                    f"unknown customer '{entry.customer}'", file=label or None, key=f"{section}[{i}].customer"
                )
    for i, contract in enumerate(parsed["contracts"]):
        for field, problem in contract_problems(desk.config, contract, desk.hooks):
            raise ConfigError(problem, file=label or None, key=f"contracts[{i}].{field}")


def apply_parsed(desk: Desk, parsed: dict[str, list[Any]], label: str = "") -> Counter[str]:
    """Check, then create or update every entry (queues, customers, contacts, agents, contracts
    in that order) in one transaction: an error anywhere writes nothing."""
    check_parsed(desk, parsed, label)
    entries = [entry for section in SECTIONS for entry in parsed[section]]
    if not entries:
        return Counter()
    try:
        return Counter(desk.directory.upsert(entries, actor=Actor.operator()))
    except ConfigError:
        raise
    except DeskframeError as exc:
        where = f"{label}: " if label else ""
        raise (BadValue if isinstance(exc, BadValue) else DomainError)(f"{where}{exc}") from None
