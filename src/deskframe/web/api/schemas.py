"""JSON Schemas (2020-12, as OpenAPI 3.1 takes them) of the API's bodies and answers: the
shapes of ``--format json`` (``docs/json.md``) and the request bodies (the CLI's flag names).

:data:`SCHEMAS` maps a name to its schema; routes name them (``response="Ticket"``) and the
schemas refer to each other with :func:`ref` (``#/components/schemas/NAME``), so the OpenAPI
document puts :data:`SCHEMAS` under ``components.schemas`` as they are. Request bodies hold no
references: :mod:`.validate` checks them as written.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]


def ref(name: str) -> Schema:
    """A reference to schema ``name`` of :data:`SCHEMAS`."""
    return {"$ref": f"#/components/schemas/{name}"}


def array_of(name: str) -> Schema:
    """An array of schema ``name``."""
    return {"type": "array", "items": ref(name)}


def _obj(fields: dict[str, Any], *, required: tuple[str, ...] | None = None, closed: bool = False) -> Schema:
    """An object with ``fields`` (all required unless ``required`` says which)."""
    out: Schema = {"type": "object", "properties": fields, "required": list(fields if required is None else required)}
    if closed:
        out["additionalProperties"] = False
    return out


STR: Schema = {"type": "string"}
OPT_STR: Schema = {"type": ["string", "null"]}
TIME: Schema = {"type": "string", "format": "date-time"}
OPT_TIME: Schema = {"type": ["string", "null"], "format": "date-time"}
OPT_DATE: Schema = {"type": ["string", "null"], "format": "date"}
INT: Schema = {"type": "integer"}
OPT_INT: Schema = {"type": ["integer", "null"]}
BOOL: Schema = {"type": "boolean"}
MONEY: Schema = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "description": "a decimal string in `currency`"}
STRINGS: Schema = {"type": "array", "items": STR}
TEXT: Schema = {"type": "string", "minLength": 1, "maxLength": 1_000_000}
NAME: Schema = {"type": "string", "minLength": 1, "maxLength": 1000}
OPT_NAME: Schema = {"type": ["string", "null"], "maxLength": 1000}
PRIORITY: Schema = {"type": "string", "minLength": 1, "maxLength": 100, "description": "P1..P4 or a configured name"}
QUEUE_RIGHTS: Schema = {"type": "object", "additionalProperties": {"type": "string", "enum": ["read", "write"]}}

TICKET_FIELDS: dict[str, Any] = {
    "number": STR,
    "subject": STR,
    "state": STR,
    "state_type": {"type": "string", "enum": ["new", "open", "pending", "resolved", "closed", "merged"]},
    "priority": STR,
    "customer": OPT_STR,
    "contact": OPT_STR,
    "contract": OPT_STR,
    "owner": OPT_STR,
    "locked_by": OPT_STR,
    "queue": STR,
    "line": INT,
    "channel": OPT_STR,
    "merged_into": OPT_STR,
    "created_at": TIME,
    "updated_at": TIME,
}

_ANSWERS: dict[str, Schema] = {
    "TicketSummary": _obj(TICKET_FIELDS),
    "Ticket": _obj(
        {
            **TICKET_FIELDS,
            "articles": array_of("Article"),
            "history": array_of("HistoryEntry"),
            "clocks": array_of("Clock"),
        }
    ),
    "TicketRow": _obj(
        {
            **{k: TICKET_FIELDS[k] for k in ("number", "subject", "state", "state_type", "priority", "queue")},
            **{k: TICKET_FIELDS[k] for k in ("customer", "owner", "locked_by", "created_at", "updated_at")},
            "due": OPT_TIME,
        }
    ),
    "TicketPage": _obj({"items": array_of("TicketRow"), "next_cursor": OPT_STR}),
    "Attachment": _obj({"filename": STR, "content_type": STR, "size": INT, "sha256": STR, "id": OPT_INT}),
    "Article": _obj(
        {
            "id": INT,
            "direction": {"type": "string", "enum": ["in", "out", "internal"]},
            "channel": OPT_STR,
            "sender": OPT_STR,
            "recipients": STRINGS,
            "subject": OPT_STR,
            "text": STR,
            "html": OPT_STR,
            "message_id": OPT_STR,
            "created_at": TIME,
            "agent": OPT_STR,
            "visible_to_customer": BOOL,
            "raw_sha256": OPT_STR,
            "attachments": array_of("Attachment"),
        }
    ),
    "HistoryEntry": _obj(
        {
            "at": TIME,
            "actor": OPT_STR,
            "action": STR,
            "old": OPT_STR,
            "new": OPT_STR,
            "reason": OPT_STR,
            "ticket": OPT_STR,
        }
    ),
    "Clock": _obj(
        {
            "kind": STR,
            "status": STR,
            "calendar": STR,
            "started_at": TIME,
            "due_at": TIME,
            "paused_seconds": INT,
            "stopped_at": OPT_TIME,
            "warned_at": OPT_TIME,
            "breached_at": OPT_TIME,
            "remaining_seconds": OPT_INT,
        }
    ),
    "Estimate": _obj({"ticket": STR, "hours": STR, "approved": BOOL, "approved_at": OPT_TIME, "approved_by": OPT_STR}),
    "SearchHit": _obj(
        {"number": STR, "subject": STR, "state": STR, "priority": STR, "updated_at": TIME, "customer": OPT_STR}
    ),
    "Customer": _obj({"id": STR, "name": STR, "domains": STRINGS, "inn": OPT_STR, "kpp": OPT_STR, "address": OPT_STR}),
    "Contact": _obj({"name": STR, "email": OPT_STR, "phone": OPT_STR, "customer": OPT_STR, "customer_admin": BOOL}),
    "Agent": _obj(
        {
            "login": STR,
            "name": STR,
            "role": OPT_STR,
            "line": INT,
            "email": OPT_STR,
            "access": {"type": "string", "enum": ["admin", "agent"]},
            "queues": QUEUE_RIGHTS,
        }
    ),
    "Contract": _obj(
        {
            "id": STR,
            "customer": STR,
            "support_type": STR,
            "sla": OPT_STR,
            "pricing": OPT_STR,
            "params": {"type": "object"},
            "channels": STRINGS,
            "lines": {"type": "array", "items": INT},
            "start": OPT_DATE,
            "end": OPT_DATE,
        }
    ),
    "TimeEntry": _obj(
        {
            "id": INT,
            "ticket": STR,
            "agent": STR,
            "minutes": INT,
            "date": {"type": "string", "format": "date"},
            "note": OPT_STR,
            "billable": BOOL,
            "customer": OPT_STR,
            "edited_at": OPT_TIME,
            "edited_by": OPT_STR,
            "voided_at": OPT_TIME,
            "voided_by": OPT_STR,
            "void_reason": OPT_STR,
        }
    ),
    "InvoiceRow": _obj(
        {
            "number": OPT_STR,
            "id": INT,
            "status": {"type": "string", "enum": ["draft", "issued", "void"]},
            "kind": {"type": "string", "enum": ["invoice", "credit"]},
            "customer": STR,
            "customer_name": STR,
            "contract": OPT_STR,
            "period": STR,
            "currency": STR,
            "subtotal": MONEY,
            "tax_rate": STR,
            "tax": MONEY,
            "total": MONEY,
            "created_at": OPT_TIME,
            "issued_at": OPT_TIME,
            "credit_for": OPT_STR,
            "reason": OPT_STR,
            "due_date": OPT_DATE,
            "paid": MONEY,
            "balance": MONEY,
        }
    ),
    "InvoiceLink": _obj({"number": STR, "link": {"type": "string", "format": "uri"}}),
    "Me": _obj(
        {
            "kind": {"type": "string", "enum": ["agent", "contact"]},
            "name": STR,
            "role": {"type": "string", "enum": ["admin", "agent", "contact"]},
            "queues": QUEUE_RIGHTS,
            "customer": OPT_STR,
            "customer_admin": BOOL,
            "via": {"type": "string", "enum": ["token", "session"]},
        }
    ),
    "Problem": _obj(
        {
            "type": STR,
            "title": STR,
            "status": INT,
            "detail": STR,
            "errors": {"type": "array", "items": _obj({"field": STR, "message": STR})},
            "holder": STR,
        },
        required=("type", "title", "status", "detail", "errors"),
    ),
}
_ANSWERS["Invoice"] = {
    "allOf": [
        ref("InvoiceRow"),
        _obj(
            {
                "lines": {"type": "array", "items": {"type": "object"}},
                "held": {"type": "array", "items": {"type": "object"}},
                "vendor": {"type": "object"},
                "customer_details": {"type": "object"},
                "payments": {"type": "array", "items": {"type": "object"}},
            }
        ),
    ]
}

#: Request bodies: the field names of the CLI's flags (``--non-billable`` is ``non_billable``).
_BODIES: dict[str, Schema] = {
    "TicketOpenBody": _obj(
        {
            "subject": NAME,
            "body": TEXT,
            "customer": OPT_NAME,
            "contact": OPT_NAME,
            "priority": PRIORITY,
            "channel": OPT_NAME,
            "queue": NAME,
        },
        required=("subject", "body"),
        closed=True,
    ),
    "ReplyBody": _obj({"body": {"type": "string", "maxLength": 1_000_000}, "canned": NAME}, required=(), closed=True),
    "NoteBody": _obj({"body": TEXT}, closed=True),
    "UnlockBody": _obj({"force": BOOL, "reason": OPT_NAME}, required=(), closed=True),
    "AssignBody": _obj({"agent": NAME}, closed=True),
    "StateBody": _obj({"state": NAME, "reason": OPT_NAME}, required=("state",), closed=True),
    "PriorityBody": _obj({"priority": PRIORITY}, closed=True),
    "MoveBody": _obj({"queue": NAME}, closed=True),
    "MergeBody": _obj({"into": NAME}, closed=True),
    "EscalateBody": _obj({"to": {"type": "integer", "minimum": 1, "maximum": 3}, "reason": NAME}, closed=True),
    "EstimateBody": _obj(
        {"hours": {"type": ["string", "number"], "description": 'e.g. "2.5"'}, "approve": BOOL},
        required=(),
        closed=True,
    ),
    "TimeLogBody": _obj(
        {
            "minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
            "date": {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "note": {"type": "string", "maxLength": 10_000},
            "non_billable": BOOL,
            "allow_future": BOOL,
        },
        required=("minutes",),
        closed=True,
    ),
    "CustomerBody": _obj(
        {
            "id": NAME,
            "name": NAME,
            "domains": {"type": "array", "items": NAME},
            "inn": OPT_NAME,
            "kpp": OPT_NAME,
            "address": OPT_NAME,
        },
        required=("id", "name"),
        closed=True,
    ),
    "ContactBody": _obj(
        {"email": NAME, "name": NAME, "phone": OPT_NAME, "customer": OPT_NAME, "customer_admin": BOOL},
        required=("email",),
        closed=True,
    ),
    "AgentBody": _obj(
        {
            "login": NAME,
            "name": NAME,
            "role": OPT_NAME,
            "line": {"type": "integer", "minimum": 1, "maximum": 3},
            "email": OPT_NAME,
            "access": {"type": "string", "enum": ["admin", "agent"]},
            "queues": QUEUE_RIGHTS,
        },
        required=("login",),
        closed=True,
    ),
    "ContractBody": _obj(
        {
            "id": NAME,
            "customer": NAME,
            "support_type": NAME,
            "sla": OPT_NAME,
            "pricing": OPT_NAME,
            "params": {"type": "object"},
            "channels": {"type": "array", "items": NAME},
            "lines": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 3}},
            "start": {"type": ["string", "null"], "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
            "end": {"type": ["string", "null"], "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
        },
        required=("id", "customer", "support_type"),
        closed=True,
    ),
}

#: ``PATCH`` bodies of the directory: the same fields, none required.
_PATCHES = {
    name.replace("Body", "Patch"): {**_BODIES[name], "required": []}
    for name in ("CustomerBody", "ContactBody", "AgentBody", "ContractBody")
}

#: Every schema by name, for the OpenAPI document's ``components.schemas``.
SCHEMAS: dict[str, Schema] = {**_ANSWERS, **_BODIES, **_PATCHES}


def body_schema(body: Schema | str | None) -> Schema | None:
    """The schema a route's ``body`` names (or is)."""
    return SCHEMAS[body] if isinstance(body, str) else body
