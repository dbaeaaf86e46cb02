"""Directory data as code: ``deskframe apply FILE`` creates or updates by key.

The file holds ``[[queues]]``, ``[[customers]]``, ``[[contacts]]``, ``[[agents]]``
and ``[[contracts]]`` arrays; applying it twice changes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import read_toml
from .errors import BadValue, ConfigError, DeskframeError
from .model import Agent, Contact, Contract, Customer, Queue
from .tables import TableReader

if TYPE_CHECKING:
    from .desk import Desk

SECTIONS = ("queues", "customers", "contacts", "agents", "contracts")


def parse_customer(t: TableReader) -> Customer:
    t.reject_unknown(["id", "name", "domains"])
    return Customer(key=t.str("id"), name=t.str("name"), domains=t.str_list("domains", []))


def parse_contact(t: TableReader) -> Contact:
    t.reject_unknown(["customer", "name", "email", "phone"])
    email = t.str("email", None)
    if email is not None and "@" not in email:
        raise t.error("email", f"not an e-mail address: {email!r}")
    return Contact(name=t.str("name"), email=email, phone=t.str("phone", None), customer=t.str("customer", None))


def parse_agent(t: TableReader) -> Agent:
    t.reject_unknown(["login", "name", "role", "line", "email"])
    return Agent(login=t.str("login"), name=t.str("name"), role=t.str("role", "engineer"),
                 line=t.int("line", 1, minimum=1, maximum=3), email=t.str("email", None))


def parse_queue(t: TableReader) -> Queue:
    t.reject_unknown(["name", "description"])
    return Queue(name=t.str("name"), description=t.str("description", ""))


def parse_contract(t: TableReader) -> Contract:
    t.reject_unknown(["id", "customer", "support_type", "sla", "pricing", "params", "channels",
                      "lines", "start", "end"])
    lines = t.list("lines", [1, 2, 3])
    for i, line in enumerate(lines):
        if line not in (1, 2, 3) or isinstance(line, bool):
            raise ConfigError(f"must be 1, 2 or 3, got {line!r}", key=f"{t.key('lines')}[{i}]")
    return Contract(key=t.str("id"), customer=t.str("customer"), support_type=t.str("support_type"),
                    sla=t.str("sla", None), pricing=t.str("pricing", None), params=t.table("params", {}),
                    channels=t.str_list("channels", []), lines=tuple(lines), start=t.date("start", None),
                    end=t.date("end", None))


PARSERS = {"queues": parse_queue, "customers": parse_customer, "contacts": parse_contact,
           "agents": parse_agent, "contracts": parse_contract}


def parse_directory(data: dict[str, Any]) -> dict[str, list[Any]]:
    """Validate a directory document; errors name the entry, e.g. ``contacts[2].email``."""
    top = TableReader(data)
    top.reject_unknown(SECTIONS)
    parsed: dict[str, list[Any]] = {}
    for section in SECTIONS:
        entries = top.list(section, [])
        parsed[section] = [PARSERS[section](TableReader(entry, f"{section}[{i}]")) for i, entry in enumerate(entries)]
    return parsed


def apply_file(desk: "Desk", path: Path) -> Counter[str]:
    """Apply a directory file; returns counts such as ``customers created: 2``."""
    data = read_toml(path)
    try:
        parsed = parse_directory(data)
    except ConfigError as exc:
        raise exc.within(file=str(path)) from None
    return apply_parsed(desk, parsed, label=str(path))


def apply_parsed(desk: "Desk", parsed: dict[str, list[Any]], label: str = "") -> Counter[str]:
    """Create or update every entry (queues, customers, contacts, agents, contracts in that order)."""
    counts: Counter[str] = Counter()
    adders = {"queues": desk.add_queue, "customers": desk.add_customer, "contacts": desk.add_contact,
              "agents": desk.add_agent, "contracts": desk.add_contract}
    for section in SECTIONS:
        for i, entry in enumerate(parsed[section]):
            try:
                outcome = adders[section](entry)
            except DeskframeError as exc:
                where = f"{label}: " if label else ""
                if isinstance(exc, ConfigError):
                    raise
                raise BadValue(f"{where}{section}[{i}]: {exc}") from None
            counts[f"{section} {outcome}"] += 1
    return counts
