"""The review's data as plain JSON objects, validated the same way from ``apply`` tables and the CLI.

Shapes (docs/review.md), dates as ISO ``YYYY-MM-DD`` strings:

* project: ``{"id", "customer", "title", "goal", "came_for", "goals_now": [str]}``;
* stage: ``{"project", "stage", "goal", "start", "planned", "done", "agreed", "agreed_on"}``
  (``start``, ``done``, ``agreed_on`` may be null);
* roadmap item: ``{"project", "id", "title", "status", "blocker": {"text", "who"} | null,
  "tickets": [str], "history": [{"status", "on"}]}`` (``history`` kept by the store, oldest first);
* note: ``{"customer", "period", "question", "text"}``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from deskframe.tables import TableReader

STATUSES = ("requested", "accepted", "planned", "in-progress", "delivered", "adopted", "blocked")
BLOCKER_WHO = ("us", "customer", "third-party")
#: The five questions a review answers, in order; notes are filed under one of them.
QUESTIONS = ("built", "unused", "now", "came_for", "goals")
PROJECT_FIELDS = ("id", "customer", "title", "goal", "came_for", "goals_now")
STAGE_FIELDS = ("project", "stage", "goal", "start", "planned", "done", "agreed")
ITEM_FIELDS = ("project", "id", "title", "status", "since", "blocker", "tickets")
NOTE_FIELDS = ("customer", "period", "question", "text")


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _text_list(t: TableReader, name: str) -> list[str]:
    """A string or a list of strings, as a list."""
    value = t.data.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [t.str(name, max_length=5000)]
    return list(t.str_list(name))


def project(t: TableReader) -> dict[str, Any]:
    """A ``[[projects]]`` table or the CLI's options."""
    t.reject_unknown(PROJECT_FIELDS)
    key = t.name("id", max_length=60)
    if "/" in key:
        raise t.error("id", f"must not contain '/' (it separates a project from its stages), got {key!r}")
    return {
        "id": key,
        "customer": t.name("customer"),
        "title": t.str("title", max_length=300),
        "goal": t.str("goal", None, max_length=5000),
        "came_for": t.str("came_for", None, max_length=5000),
        "goals_now": _text_list(t, "goals_now"),
    }


def stage(t: TableReader) -> dict[str, Any]:
    """A ``[[timeline]]`` table: ``agreed`` is true/false or the date it was agreed on."""
    t.reject_unknown(STAGE_FIELDS)
    agreed_raw = t.data.get("agreed", False)
    if isinstance(agreed_raw, bool):
        agreed, agreed_on = agreed_raw, None
    else:
        agreed, agreed_on = True, t.date("agreed")
    start, planned, done = t.date("start", None), t.date("planned"), t.date("done", None)
    if start is not None and start > planned:
        raise t.error("start", f"{start} is after planned {planned}")
    return {
        "project": t.name("project", max_length=60),
        "stage": t.name("stage", max_length=100),
        "goal": t.str("goal", None, max_length=5000),
        "start": _iso(start),
        "planned": _iso(planned),
        "done": _iso(done),
        "agreed": agreed,
        "agreed_on": _iso(agreed_on),
    }


def blocker(t: TableReader) -> dict[str, str] | None:
    """``blocker = { text = "...", who = "customer" }`` (who: us, customer, third-party)."""
    raw = t.data.get("blocker")
    if raw is None:
        return None
    if isinstance(raw, str):
        return {"text": t.str("blocker", max_length=5000), "who": "us"}
    b = t.sub("blocker")
    b.reject_unknown(["text", "who"])
    who = str(b.data.get("who", "")).replace(" ", "-").replace("_", "-") or "us"
    b = TableReader({**b.data, "who": who}, t.key("blocker"))
    return {"text": b.str("text", max_length=5000), "who": b.choice("who", BLOCKER_WHO)}


def item(t: TableReader) -> dict[str, Any]:
    """A ``[[roadmap]]`` table; ``id`` defaults to the title, ``since`` is when it reached ``status``."""
    t.reject_unknown(ITEM_FIELDS)
    tickets = t.list("tickets", [])
    for i, number in enumerate(tickets):
        if isinstance(number, bool) or not isinstance(number, (str, int)) or not str(number).strip():
            raise t.error(f"tickets[{i}]", f"must be a ticket number, got {number!r}")
    title = t.str("title", max_length=300)
    return {
        "project": t.name("project", max_length=60),
        "id": t.name("id", title[:100].strip(), max_length=100),
        "title": title,
        "status": t.choice("status", STATUSES),
        "since": _iso(t.date("since", None)),
        "blocker": blocker(t),
        "tickets": [str(n).strip() for n in tickets],
    }


def note(t: TableReader) -> dict[str, Any]:
    """A ``[[review_notes]]`` table or ``deskframe review note``."""
    from deskframe.periods import Period

    t.reject_unknown(NOTE_FIELDS)
    return {
        "customer": t.name("customer"),
        "period": Period.parse(t.str("period")).label,
        "question": t.choice("question", QUESTIONS),
        "text": t.str("text", max_length=20000),
    }
