"""``[[projects]]``, ``[[timeline]]``, ``[[roadmap]]`` and ``[[review_notes]]`` in ``deskframe apply FILE``."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deskframe.errors import ConfigError
from deskframe.tables import TableReader

from . import entries
from .store import ReviewStore

#: apply array -> (record kind, parser)
TABLES: dict[str, tuple[str, Callable[[TableReader], dict[str, Any]]]] = {
    "projects": ("project", entries.project),
    "timeline": ("stage", entries.stage),
    "roadmap": ("item", entries.item),
    "review_notes": ("note", entries.note),
}


def parse(desk: Any, tables: dict[str, list[Any]], known_customer: Callable[[str], bool]) -> list[tuple[str, Any]]:
    """Validate every table; a project of an unknown customer, or a stage or item of an unknown
    project, is an error naming the entry."""
    parsed: list[tuple[str, Any]] = []
    for name, (kind, parser) in TABLES.items():
        for i, raw in enumerate(tables.get(name, [])):
            parsed.append((kind, parser(TableReader(raw, f"{name}[{i}]"))))
    in_file = {data["id"] for kind, data in parsed if kind == "project"}
    stored = (
        {p["id"] for p in ReviewStore(desk).projects()} if any(k in ("stage", "item") for k, _ in parsed) else set()
    )
    counter = dict.fromkeys(TABLES, 0)
    for kind, data in parsed:
        name = next(n for n, (k, _) in TABLES.items() if k == kind)
        where = f"{name}[{counter[name]}]"
        counter[name] += 1
        if kind in ("project", "note") and not known_customer(data["customer"]):
            raise ConfigError(f"unknown customer '{data['customer']}'", key=f"{where}.customer")
        if kind in ("stage", "item") and data["project"] not in in_file | stored:
            raise ConfigError(f"unknown project '{data['project']}'", key=f"{where}.project")
    return parsed


def write(desk: Any, parsed: list[tuple[str, Any]], actor: Any) -> Mapping[str, int]:
    """Store the parsed entries in one transaction; counts such as ``projects created: 1``."""
    return ReviewStore(desk).write(parsed, actor)
