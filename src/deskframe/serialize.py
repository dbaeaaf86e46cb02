"""Stable JSON shapes of domain values (documented in docs/json.md).

Kept out of the value classes: the classes stay plain, the wire format is one
place to read and to test.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import attrs
import orjson

from .model import Agent, Article, Contact, Contract, Customer, HistoryEntry, Queue, Ticket, TimeEntry
from .money import Money


def _time(value: dt.datetime | dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def article(a: Article) -> dict[str, Any]:
    return {
        "id": a.id,
        "direction": a.direction,
        "channel": a.channel,
        "sender": a.sender,
        "recipients": list(a.recipients),
        "subject": a.subject,
        "text": a.text,
        "html": a.html,
        "message_id": a.message_id,
        "created_at": _time(a.created_at),
        "agent": a.agent,
        "visible_to_customer": a.visible_to_customer,
        "raw_sha256": a.raw_sha256,
        "attachments": [attrs.asdict(f) for f in a.attachments],
    }


def history(h: HistoryEntry) -> dict[str, Any]:
    return {
        "at": _time(h.at),
        "actor": h.actor,
        "action": h.action,
        "old": h.old,
        "new": h.new,
        "reason": h.reason,
        "ticket": h.ticket,
    }


def ticket(t: Ticket, *, full: bool = True) -> dict[str, Any]:
    out: dict[str, Any] = {
        "number": t.number,
        "subject": t.subject,
        "state": t.state,
        "state_type": t.state_type,
        "priority": t.priority,
        "customer": t.customer,
        "contact": t.contact,
        "contract": t.contract,
        "owner": t.owner,
        "locked_by": t.locked_by,
        "queue": t.queue,
        "line": t.line,
        "channel": t.channel,
        "merged_into": t.merged_into,
        "created_at": _time(t.created_at),
        "updated_at": _time(t.updated_at),
    }
    if full:
        out["articles"] = [article(a) for a in t.articles]
        out["history"] = [history(h) for h in t.history]
    return out


def customer(c: Customer) -> dict[str, Any]:
    return {"id": c.key, "name": c.name, "domains": list(c.domains), "inn": c.inn, "kpp": c.kpp, "address": c.address}


def contact(c: Contact) -> dict[str, Any]:
    return {
        "name": c.name,
        "email": c.email,
        "phone": c.phone,
        "customer": c.customer,
        "customer_admin": bool(c.customer_admin),
    }


def agent(a: Agent) -> dict[str, Any]:
    return {
        "login": a.login,
        "name": a.name,
        "role": a.role,
        "line": a.line,
        "email": a.email,
        "access": a.access or "agent",
        "queues": dict(a.queues or {}),
    }


def queue(q: Queue) -> dict[str, Any]:
    return {"name": q.name, "description": q.description}


def contract(c: Contract) -> dict[str, Any]:
    return {
        "id": c.key,
        "customer": c.customer,
        "support_type": c.support_type,
        "sla": c.sla,
        "pricing": c.pricing,
        "params": c.params,
        "channels": list(c.channels),
        "lines": list(c.lines),
        "start": _time(c.start),
        "end": _time(c.end),
    }


def time_entry(e: TimeEntry) -> dict[str, Any]:
    return {
        "id": e.id,
        "ticket": e.ticket,
        "agent": e.agent,
        "minutes": e.minutes,
        "date": _time(e.work_date),
        "note": e.note,
        "billable": e.billable,
        "customer": e.customer,
        "edited_at": _time(e.edited_at),
        "edited_by": e.edited_by,
        "voided_at": _time(e.voided_at),
        "voided_by": e.voided_by,
        "void_reason": e.void_reason,
    }


def clock(c: Any) -> dict[str, Any]:
    """An SLA clock (``ticket show``'s ``clocks``, ``GET /api/v1/tickets/{number}/sla``)."""
    return {
        "kind": c.kind,
        "status": c.status,
        "calendar": c.calendar,
        "started_at": _time(c.started_at),
        "due_at": _time(c.due_at),
        "paused_seconds": c.paused_seconds,
        "stopped_at": _time(c.stopped_at),
        "warned_at": _time(c.warned_at),
        "breached_at": _time(c.breached_at),
        "remaining_seconds": c.remaining_seconds,
    }


def estimate(e: Any) -> dict[str, Any]:
    """A ticket's estimate (``ticket estimate``): hours as a decimal string with 2 places (``"2.50"``)."""
    return {
        "ticket": e.ticket,
        "hours": format(Decimal(e.hours).quantize(Decimal("0.01")), "f"),
        "approved": e.approved,
        "approved_at": _time(e.approved_at),
        "approved_by": e.approved_by,
    }


def invoice_line(line: Any) -> dict[str, Any]:
    return {
        "kind": line.kind,
        "description": line.description,
        "ticket": line.ticket,
        "agent": line.agent,
        "date": _time(line.work_date),
        "original_date": _time(line.original_date),
        "quantity": str(line.quantity),
        "unit": line.unit,
        "unit_price": price(line.unit_price),
        "amount": money(line.amount),
        "estimate_hours": None if line.estimate_hours is None else str(line.estimate_hours),
        "time_entries": list(line.entry_ids),
    }


def invoice(inv: Any, *, lines: bool = True) -> dict[str, Any]:
    out = {
        "number": inv.number,
        "id": inv.id,
        "status": inv.status,
        "kind": inv.kind,
        "customer": inv.customer,
        "customer_name": inv.customer_name,
        "contract": inv.contract,
        "period": inv.period,
        "currency": inv.currency,
        "subtotal": money(inv.subtotal),
        "tax_rate": str(inv.tax_rate),
        "tax": money(inv.tax),
        "total": money(inv.total),
        "created_at": _time(inv.created_at),
        "issued_at": _time(inv.issued_at),
        "credit_for": inv.credit_for,
        "reason": inv.reason,
        "due_date": _time(inv.due_date),
        "paid": money(inv.total - inv.balance),
        "balance": money(inv.balance),
    }
    if lines:
        out["lines"] = [invoice_line(line) for line in inv.lines]
        out["held"] = list(inv.held)
        out["vendor"] = dict(inv.vendor)
        out["customer_details"] = dict(getattr(inv, "customer_details", {}) or {})
        out["payments"] = [
            {
                "amount": money(p.amount),
                "date": _time(p.paid_on),
                "reference": p.reference,
                "recorded_at": _time(p.recorded_at),
            }
            for p in getattr(inv, "payments", ())
        ]
    return out


def money(value: Money) -> str:
    """An amount as JSON writes money: a decimal string with a dot, to the currency's minor
    unit (``"1500.00"``); the currency is the ``currency`` field of the object holding it."""
    return format(value.rounded().amount, "f")


def price(value: Money) -> str:
    """A unit price as money, keeping digits beyond the minor unit when it has them (``"16.6667"``)."""
    if value.amount == value.rounded().amount:
        return money(value)
    return format(value.amount.normalize(), "f")


def _default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Money):  # one shape for money everywhere: see money()
        return money(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dumps(value: Any) -> str:
    """JSON text with ISO datetimes, Decimal as strings, non-ASCII kept readable."""
    return json.dumps(value, default=_default, ensure_ascii=False, indent=2)


def compact(value: Any) -> str:
    """:func:`dumps` on one line, without spaces (the HTTP API's bodies): the same values."""
    return json.dumps(value, default=_default, ensure_ascii=False, separators=(",", ":"))


#: orjson's options for :func:`compact_bytes`: subclasses of str, int, dict and list and
#: dataclasses go to :func:`_default` (which refuses them: the json module writes them then).
_FAST = orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS


def compact_bytes(value: Any) -> bytes:
    """:func:`compact` as UTF-8 bytes, written by orjson: its C encoder writes a page of 50
    ticket rows (with their datetimes) in about a sixth of the json module's time.

    The same bytes as :func:`compact` only for values without floats (orjson writes ``1e-05``
    as ``0.00001`` and NaN as ``null``) and without times whose UTC offset has seconds (orjson
    rounds it to minutes): the ticket list and ticket rows of the API, whose values are
    strings, integers, booleans, None and the database's datetimes. Checking a value for them
    would cost more than the json module saves, so the caller vouches for it; what orjson
    cannot write (big integers, keys that are not strings, subclasses) the json module writes."""
    try:
        return orjson.dumps(value, default=_default, option=_FAST)
    except TypeError:  # orjson.JSONEncodeError too
        return compact(value).encode()
