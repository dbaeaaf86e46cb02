"""``/api/v1/customers``, ``/contacts``, ``/agents``, ``/contracts``: read for agents, write
(create-or-update by key, as ``deskframe customer add`` and ``apply``) for admins.

Bodies are read as ``apply`` files' tables (:mod:`deskframe.apply`), so the same checks hold;
``PATCH`` changes only the fields it sends. A JSON ``null`` is a field not given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import serialize
from ...apply import parse_agent, parse_contact, parse_contract, parse_customer
from ...errors import ConfigError, NotFound
from ...tables import TableReader
from .base import Call, operation
from .errors import ApiError
from .routing import ApiRoute, Param
from .schemas import array_of


def _kinds(desk: Any) -> dict[str, Any]:
    """Per kind: (list function, key field, serializer, parser, path key name, schema name)."""
    d = desk.directory
    return {
        "customers": (lambda p: d.customers(), "id", serialize.customer, parse_customer, "id", "Customer"),
        "contacts": (
            lambda p: d.contacts(p.get("customer")),
            "email",
            serialize.contact,
            parse_contact,
            "email",
            "Contact",
        ),
        "agents": (lambda p: d.agents(), "login", serialize.agent, parse_agent, "login", "Agent"),
        "contracts": (
            lambda p: d.contracts(p.get("customer")),
            "id",
            serialize.contract,
            parse_contract,
            "id",
            "Contract",
        ),
    }


def _find(call: Call, kind: str, key: str) -> dict[str, Any]:
    lister, field, dump, *_ = _kinds(call.desk)[kind]
    for item in lister({}):
        shown = dump(item)
        value = str(shown.get(field) or "")
        if value == key or (field == "email" and value.lower() == key.lower()):
            return dict(shown)
    raise NotFound(f"unknown {kind[:-1]} '{key}'")


def _parse(parser: Callable[[TableReader], Any], data: dict[str, Any]) -> Any:
    try:
        return parser(TableReader({k: v for k, v in data.items() if v is not None}))
    except ConfigError as exc:
        raise ApiError(422, exc.format(), field=exc.key) from None


def _handlers(kind: str) -> dict[str, Callable[[Call], Any]]:
    async def listing(call: Call) -> Any:
        lister, _, dump, *_ = _kinds(call.desk)[kind]
        return [dump(item) for item in await call.run(lister, call.params)]

    async def show(call: Call) -> Any:
        return await call.run(_find, call, kind, call.params["key"])

    async def write(call: Call, data: dict[str, Any]) -> Any:
        _, field, _, parser, *_ = _kinds(call.desk)[kind]
        entry = _parse(parser, data)
        await call.run(call.desk.directory.upsert_one, entry, actor=call.actor)
        return await call.run(_find, call, kind, str(data[field]))

    async def create(call: Call) -> Any:
        return await write(call, dict(call.body))

    async def patch(call: Call) -> Any:
        _, field, *_ = _kinds(call.desk)[kind]
        current = await call.run(_find, call, kind, call.params["key"])
        if kind == "contacts":
            current.pop("customer_admin")  # not stated: the stored value stays
        changes = {k: v for k, v in call.body.items() if v is not None}
        if field in changes and changes[field] != current[field]:
            raise ApiError(422, f"{field} names the entry: it cannot change", field=field)
        return await write(call, {**current, **changes})

    return {"list": listing, "show": show, "create": create, "patch": patch}


def routes() -> list[ApiRoute]:
    """List, show, create-or-update and patch routes of the four directory kinds."""
    out: list[ApiRoute] = []
    labels = {"customers": "customer", "contacts": "contact", "agents": "agent", "contracts": "contract"}
    for kind, label in labels.items():
        handlers = _handlers(kind)
        schema = label.capitalize()
        key_name = {"contacts": "e-mail address", "agents": "login"}.get(kind, "id")
        key = Param("key", where="path", required=True, description=f"the {label}'s {key_name}")
        filters = (Param("customer", description="customer id"),) if kind in ("contacts", "contracts") else ()
        out += [
            operation(
                f"/{kind}",
                "GET",
                handlers["list"],
                operation_id=f"{kind}.list",
                summary=f"Every {label}",
                tag="directory",
                access="agent",
                params=filters,
                response=array_of(schema),
                errors=(422,),
            ),
            operation(
                f"/{kind}/{{key}}",
                "GET",
                handlers["show"],
                operation_id=f"{kind}.show",
                summary=f"One {label}",
                tag="directory",
                access="agent",
                params=(key,),
                response=schema,
                errors=(404,),
            ),
            operation(
                f"/{kind}",
                "POST",
                handlers["create"],
                operation_id=f"{kind}.create",
                summary=f"Create or update a {label} (by its {key_name})",
                tag="directory",
                access="admin",
                action="directory.write",
                body=f"{schema}Body",
                response=schema,
                errors=(400, 409, 415, 422),
            ),
            operation(
                f"/{kind}/{{key}}",
                "PATCH",
                handlers["patch"],
                operation_id=f"{kind}.update",
                summary=f"Change some fields of a {label}",
                tag="directory",
                access="admin",
                action="directory.write",
                params=(key,),
                body=f"{schema}Patch",
                response=schema,
                errors=(400, 404, 409, 415, 422),
            ),
        ]
    return out
