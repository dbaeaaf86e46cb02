"""The account review: the five questions answered from the data and the period's notes.

:func:`build` returns a plain dict (the ``--format json`` output, docs/review.md); every format
renders that dict. Nothing is invented: an answer with no data has ``"empty": true`` and the
formats say so plainly ("No notes for this period ...").
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from deskframe.errors import BadValue
from deskframe.periods import Period

from .entries import QUESTIONS
from .store import ReviewStore

#: SLA clock categories that are a breach (docs/sla.md).
BREACHED = ("missed", "overdue")


def find_customer(desk: Any, key: str) -> Any:
    for customer in desk.directory.customers():
        if customer.key == key:
            return customer
    raise BadValue(f"unknown customer '{key}'")


def stage_state(stage: dict[str, Any], as_of: dt.date) -> str:
    """``done``, ``late`` (not done, planned before ``as_of``) or ``planned``."""
    if stage["done"]:
        return "done"
    return "late" if dt.date.fromisoformat(stage["planned"]) < as_of else "planned"


def _went(item: dict[str, Any], status: str, period: Period) -> str | None:
    """The day in ``period`` the item last reached ``status``, or None."""
    days = [
        h["on"] for h in item.get("history", []) if h["status"] == status and dt.date.fromisoformat(h["on"]) in period
    ]
    return days[-1] if days else None


def _item(item: dict[str, Any], **extra: Any) -> dict[str, Any]:
    history = item.get("history", [])
    return {
        "project": item["project"],
        "id": item["id"],
        "title": item["title"],
        "status": item["status"],
        "since": history[-1]["on"] if history else None,
        "blocker": item.get("blocker"),
        "tickets": list(item.get("tickets", [])),
        **extra,
    }


def _breaches(desk: Any, customer: str, period: Period) -> list[dict[str, Any]]:
    zone = ZoneInfo(desk.config.timezone)
    start = dt.datetime.combine(period.first, dt.time(), zone)
    end = dt.datetime.combine(period.end, dt.time(), zone)
    found = []
    for ticket in desk.activity.tickets(customer, start, end):
        for clock in ticket.clocks:
            if clock.category in BREACHED and start <= clock.due_at < end:
                found.append(
                    {
                        "ticket": ticket.number,
                        "subject": ticket.subject,
                        "priority": ticket.priority,
                        "kind": clock.kind,
                        "category": clock.category,
                        "due_at": clock.due_at.astimezone(dt.timezone.utc).isoformat(),
                    }
                )
    return sorted(found, key=lambda b: (b["due_at"], b["ticket"], b["kind"]))


def build(desk: Any, customer_key: str, period: Period) -> dict[str, Any]:
    """The review of ``customer_key`` for ``period`` as the documented dict."""
    customer = find_customer(desk, customer_key)
    store = ReviewStore(desk)
    today = desk.local_date()
    as_of = min(today, period.last)
    projects = store.projects(customer.key)
    keys = {p["id"] for p in projects}
    items = [i for p in projects for i in store.items(p["id"])]
    stages = [dict(s, state=stage_state(s, as_of)) for p in projects for s in store.stages(p["id"])]
    notes: dict[str, list[str]] = {q: [] for q in QUESTIONS}
    for note in store.notes(customer.key, period.label):
        notes[note["question"]].append(note["text"])
    open_tickets = [
        {k: row[k] for k in ("number", "subject", "state", "priority")}
        for row in desk.tickets.list(customer=customer.key, open_only=True, limit=None)
    ]
    adopted = [_item(i, on=on) for i in items if (on := _went(i, "adopted", period))]
    answers: list[dict[str, Any]] = [
        {"question": "built", "notes": notes["built"], "adopted": adopted},
        {
            "question": "unused",
            "notes": notes["unused"],
            "delivered": [_item(i) for i in items if i["status"] == "delivered"],
        },
        {
            "question": "now",
            "notes": notes["now"],
            "in_progress": [_item(i) for i in items if i["status"] == "in-progress"],
            "blocked": [_item(i) for i in items if i["status"] == "blocked"],
            "open_tickets": sorted(open_tickets, key=lambda t: t["number"]),
            "sla_breaches": _breaches(desk, customer.key, period),
        },
        {
            "question": "came_for",
            "notes": notes["came_for"],
            "projects": [
                {"project": p["id"], "title": p["title"], "came_for": p["came_for"]} for p in projects if p["came_for"]
            ],
        },
        {
            "question": "goals",
            "notes": notes["goals"],
            "goals_now": [
                {"project": p["id"], "title": p["title"], "goals": p["goals_now"]} for p in projects if p["goals_now"]
            ],
            "stages_ahead": [s for s in stages if s["state"] != "done"],
        },
    ]
    for answer in answers:
        answer["empty"] = not any(v for k, v in answer.items() if k != "question")
    return {
        "customer": {"id": customer.key, "name": customer.name},
        "period": {"label": period.label, "first": period.first.isoformat(), "last": period.last.isoformat()},
        "as_of": as_of.isoformat(),
        "projects": [dict(p) for p in projects if p["id"] in keys],
        "answers": answers,
        "timeline": stages,
    }
