"""The review's data in the core's plugin records (``desk.records("deskframe_review")``).

Kinds and keys: ``project`` by project id; ``stage`` by ``PROJECT/STAGE``; ``item`` (roadmap)
by ``PROJECT/ID``; ``note`` by ``CUSTOMER/PERIOD/QUESTION/DIGEST`` (the same note twice is
one note); ``link`` by the link's token, ``link_of`` by ``CUSTOMER`` (its token).
Every write names an actor and is one transaction (:meth:`ReviewStore.write`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from deskframe.errors import DomainError, NotFound

PLUGIN = "deskframe_review"
#: Record kind -> the word counts use (``projects created: 1``).
WORDS = {"project": "projects", "stage": "timeline stages", "item": "roadmap items", "note": "review notes"}


def note_key(note: dict[str, Any]) -> str:
    """The key of a note: its customer, period, question and a digest of its text."""
    digest = hashlib.sha256(note["text"].encode()).hexdigest()[:16]
    return f"{note['customer']}/{note['period']}/{note['question']}/{digest}"


def key_of(kind: str, data: dict[str, Any]) -> str:
    """The record key of an entry of ``kind``."""
    if kind == "project":
        return str(data["id"])
    if kind == "stage":
        return f"{data['project']}/{data['stage']}"
    if kind == "item":
        return f"{data['project']}/{data['id']}"
    return note_key(data)


def with_history(old: dict[str, Any] | None, new: dict[str, Any], today: str) -> dict[str, Any]:
    """A roadmap item as stored: ``since`` folded into its status ``history``.

    A new status is appended with ``since`` (or ``today``); the same status with another
    ``since`` moves the date of the last change; otherwise the history stays as it was."""
    data = {k: v for k, v in new.items() if k != "since"}
    history = list(old.get("history", [])) if old else []
    since = new.get("since")
    if not history or history[-1]["status"] != new["status"]:
        history.append({"status": new["status"], "on": since or today})
    elif since and history[-1]["on"] != since:
        history[-1] = {"status": new["status"], "on": since}
    data["history"] = history
    return data


class ReviewStore:
    """Reads and writes of the review's records."""

    def __init__(self, desk: Any):
        self.desk = desk
        self.records = desk.records(PLUGIN)

    def today(self) -> str:
        """The desk's local date, ISO."""
        return str(self.desk.local_date().isoformat())

    # --- reads -------------------------------------------------------------
    def projects(self, customer: str | None = None) -> list[dict[str, Any]]:
        """Projects (of ``customer``), by id."""
        found = [r.data for r in self.records.list("project")]
        return [p for p in found if customer is None or p["customer"] == customer]

    def project(self, key: str) -> dict[str, Any]:
        """One project; an unknown one is a :class:`NotFound` (exit 2)."""
        record = self.records.get("project", key)
        if record is None:
            raise NotFound(f"unknown project '{key}'")
        return dict(record.data)

    def stages(self, project: str | None = None) -> list[dict[str, Any]]:
        """Timeline stages (of ``project``), by planned date."""
        found = [r.data for r in self.records.list("stage", prefix=f"{project}/" if project else None)]
        return sorted(found, key=lambda s: (s["project"], s["planned"], s["stage"]))

    def items(self, project: str | None = None) -> list[dict[str, Any]]:
        """Roadmap items (of ``project``), by project and id."""
        return [r.data for r in self.records.list("item", prefix=f"{project}/" if project else None)]

    def notes(self, customer: str, period: str) -> list[dict[str, Any]]:
        """The notes of a customer's period, oldest first."""
        found = self.records.list("note", prefix=f"{customer}/{period}/")
        return [r.data for r in sorted(found, key=lambda r: (r.created_at, r.key))]

    # --- writes ------------------------------------------------------------
    def write(self, entries: list[tuple[str, dict[str, Any]]], actor: Any) -> Counter[str]:
        """Create or update entries ``(kind, data)`` in one transaction; counts by kind and outcome.

        Roadmap items get their status history (:func:`with_history`); an entry equal to the
        stored one is counted ``unchanged`` and not written."""
        counts: Counter[str] = Counter()
        puts = []
        today = self.today()
        # projects, stages and items are few: one read per kind; notes are looked up one by one
        known = {
            kind: {r.key: r for r in self.records.list(kind)}
            for kind in {k for k, _ in entries}
            if kind != "note" and len(entries) > 1
        }
        for kind, data in entries:
            key = key_of(kind, data)
            old = known[kind].get(key) if kind in known else self.records.get(kind, key)
            value = with_history(old.data if old else None, data, today) if kind == "item" else data
            outcome = "created" if old is None else ("unchanged" if old.data == value else "updated")
            counts[f"{WORDS[kind]} {outcome}"] += 1
            if outcome != "unchanged":
                puts.append((kind, key, value))
        if puts:
            self.records.put_many(puts, actor=actor)
        return counts

    def add(self, kind: str, data: dict[str, Any], actor: Any) -> None:
        """Create one entry; one that exists is refused (exit 1: use ``set``)."""
        if self.records.get(kind, key_of(kind, data)) is not None:
            raise DomainError(f"{kind} '{key_of(kind, data)}' exists: change it with 'set'")
        self.write([(kind, data)], actor)

    def stored(self, kind: str, key: str) -> dict[str, Any]:
        """The stored entry (``since`` of an item restored from its history), or :class:`NotFound`."""
        record = self.records.get(kind, key)
        if record is None:
            raise NotFound(f"unknown {WORDS[kind][:-1]} '{key}'")
        data = dict(record.data)
        if kind == "item":
            data["since"] = data.pop("history")[-1]["on"]
        return data
