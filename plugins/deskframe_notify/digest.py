"""The digest of a ticket that changes too often: held notifications, sent as one when the window ends.

When one recipient already had ``digest_after`` notifications about one ticket within
``digest_window``, a window of ``digest_window`` starts: every notification to that recipient
about that ticket within it is held, each a ``notify_skipped`` history line written with the
change ("<event> to <address>: held for the digest of <window start> (<language>)"). When the
window has ended, the worker's ``notify_digest`` job (:func:`run`) sends one digest per ticket,
recipient and window, listing the held notifications; single notifications resume after it.

The job finds the tickets to look at through the outbox (a window starts only after
``digest_after`` notifications, so its ticket has one within the window before it) and keeps,
as plugin records, when it last looked and which digests it enqueued; each digest has a dedupe
key too, so several workers never send one twice. Nothing sleeps: the worker calls the job
every :data:`EVERY`, and the desk's clock decides which windows have ended.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from deskframe.actors import Actor
from deskframe.errors import Conflict

PLUGIN = "deskframe_notify"
ACTOR = Actor.plugin(PLUGIN)
#: How often the worker runs the digest job.
EVERY = dt.timedelta(seconds=10)
#: How far back the first run (with no record of an earlier one) looks for windows.
FIRST_LOOK_BACK = dt.timedelta(days=1)
#: Plugin record kinds: when the job last looked; the digests it enqueued.
SCANNED, SENT = "digest_scan", "digest_sent"

_HELD = re.compile(
    r"^(?P<event>\S+) to (?P<address>\S+): held for the digest of (?P<start>\S+) \((?P<language>[A-Za-z_-]+)\)$"
)


@attrs.frozen
class Held:
    """One held notification, read back from its history line."""

    event: str
    address: str
    start: dt.datetime
    language: str
    at: dt.datetime


def held_reason(start: dt.datetime, language: str) -> str:
    """The ``why`` of a held notification's history line (after "<event> to <address>: ")."""
    return f"held for the digest of {start.astimezone(dt.timezone.utc).isoformat()} ({language})"


def held(history: Iterable[Any]) -> list[Held]:
    """The held notifications among a ticket's history entries, oldest first."""
    found: list[Held] = []
    for entry in history:
        if entry.action != "notify_skipped" or not entry.reason:
            continue
        match = _HELD.match(entry.reason)
        if match is None:
            continue
        try:
            start = dt.datetime.fromisoformat(match["start"])
        except ValueError:
            continue
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=dt.timezone.utc)
        found.append(Held(match["event"], match["address"], start, match["language"], at))
    return found


def holding(history: Iterable[Any], address: str, now: dt.datetime, window: dt.timedelta) -> dt.datetime | None:
    """The start of the window whose notifications to ``address`` are held now, or None."""
    starts = [h.start for h in held(history) if h.address == address]
    if starts and now < max(starts) + window:
        return max(starts)
    return None


def _candidates(desk: Any, since: dt.datetime) -> set[str]:
    """Tickets with a notification enqueued since ``since`` (newest first, read in growing pages)."""
    limit = 200
    while True:
        entries = desk.outbox.list(limit=limit, actor=ACTOR)
        if len(entries) < limit or entries[-1].enqueued_at < since:
            break
        limit *= 4
    return {
        e.message.ticket
        for e in entries
        if e.enqueued_at >= since and e.message.ticket and e.message.topic.startswith("notify.")
    }


def run(desk: Any) -> dict[str, int] | None:
    """The ``notify_digest`` job: one digest for each window that has ended since the last run."""
    settings = desk.config.sections.get("notify")
    if settings is None or not settings.enabled:
        return None
    now = desk.clock()
    window = settings.digest_window
    records = desk.records(PLUGIN)
    last = records.get(SCANNED, "last")
    scanned = dt.datetime.fromisoformat(last.data["at"]) if last is not None else now - FIRST_LOOK_BACK
    sent = 0
    for number in sorted(_candidates(desk, scanned - 2 * window)):
        ticket = desk.tickets.get(number, actor=ACTOR)
        windows: dict[tuple[str, dt.datetime], list[Held]] = {}
        for item in held(ticket.history):
            if item.start + window <= now:
                windows.setdefault((item.address, item.start), []).append(item)
        for (address, start), items in sorted(windows.items()):
            key = f"{number}:{start.isoformat()}:{address}"
            if records.get(SENT, key) is not None:
                continue
            if _send(desk, settings, ticket, items, key):
                sent += 1
            records.put(SENT, key, {"ticket": number, "to": address, "held": len(items)}, actor=ACTOR)
    records.put(SCANNED, "last", {"at": now.isoformat()}, actor=ACTOR)
    return {"digests": sent}


def _send(desk: Any, settings: Any, ticket: Any, items: list[Held], key: str) -> bool:
    """Enqueue the digest of one window (once, whoever else does too); False if its template failed."""
    from .notices import DIGEST, SKIPPED, TOPIC, mail

    zone = ZoneInfo(desk.config.timezone)
    first, latest = items[0], items[-1]
    customer = next((c for c in desk.directory.customers() if c.key == ticket.customer), None)
    values: dict[str, Any] = {
        "event": latest.event,
        "recipient": first.address,
        "language": first.language,
        "ticket": ticket,
        "customer": customer.name if customer else "",
        "count": len(items),
        "window": f"{int(settings.digest_window.total_seconds())} s",
        "since": f"{first.start.astimezone(zone):%Y-%m-%d %H:%M:%S}",
        "until": f"{(first.start + settings.digest_window).astimezone(zone):%H:%M:%S} ({desk.config.timezone})",
        "changes": [{"at": f"{h.at.astimezone(zone):%H:%M:%S}", "event": h.event} for h in items],
    }

    def failed(why: str) -> None:
        reason = f"digest to {first.address}: {why}"[:500]
        desk.tickets.annotate(ticket.number, SKIPPED, new=DIGEST, reason=reason, actor=ACTOR)

    message = mail(
        desk.config,
        settings,
        desk.clock(),
        ticket=ticket,
        template=DIGEST,
        values=values,
        address=first.address,
        language=first.language,
        topic=TOPIC + DIGEST,
        event=DIGEST,
        dedupe_key=f"notify:digest:{key}",
        on_error=failed,
    )
    if message is None:
        return False
    with contextlib.suppress(Conflict):  # another worker stored the same dedupe key meanwhile: its message stands
        desk.outbox.enqueue([message], actor=ACTOR)
    return True
