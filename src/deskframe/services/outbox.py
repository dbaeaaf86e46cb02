"""``desk.outbox``: outgoing messages written with the change that causes them, delivered later.

* :func:`enqueue_in` writes messages inside an open transaction (the change context calls it
  with what the ``outbound_messages`` hook returned); :meth:`OutboxService.enqueue` does the same
  in a transaction of its own. Either way each message's bytes are composed once, there, by its
  delivery's ``compose`` (:meth:`OutboxService.composer`), so delivery only sends them.
* :meth:`OutboxService.deliver_due` is one delivery pass (what ``deskframe worker`` and
  ``deskframe outbox deliver`` run): claim due messages with a lease, deliver each through its
  kind's registered :class:`~deskframe.outbound.Delivery` outside any transaction, record the
  outcome (``sent``; ``queued`` again with exponential back-off; ``failed``).
* :meth:`~OutboxService.list`, :meth:`~OutboxService.show`, :meth:`~OutboxService.retry` and
  :meth:`~OutboxService.retry_failed` serve the ``deskframe outbox`` commands.

The guarantees and the one crash window are in docs/outbox.md.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from .. import policy
from ..actors import Actor
from ..errors import BadValue, DomainError, NotFound
from ..outbound import STATES, BlobReader, Delivery, DeliveryError, OutboundMessage, OutboxEntry, fixed
from .outbox_recorder import Recorder
from .outbox_sessions import attempt, send_in_sessions

if TYPE_CHECKING:
    from ..registry import Registry
    from ..store import BlobStore, Repository
    from ..store.repository import RepositorySeries
    from .context import ServiceContext

log = logging.getLogger("deskframe.outbox")

#: Who records delivery outcomes in ticket histories.
OUTBOX_ACTOR = Actor.system("outbox")
#: The longest error text kept per message.
MAX_ERROR = 1000


@attrs.frozen
class DeliveryReport:
    """What one delivery pass did: messages claimed, sent, queued again for a retry, failed, and
    given back unsent because the worker was stopping."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0


def enqueue_in(
    repo: Repository,
    messages: Iterable[OutboundMessage],
    *,
    compose: Callable[[OutboundMessage], OutboundMessage] | None = None,
) -> list[int]:
    """Write ``messages`` to the outbox inside ``repo``'s open transaction; their ids.

    A message whose ``dedupe_key`` is already in the outbox (or earlier in ``messages``) is not
    written again; the first one's id stands for it. ``compose`` (:meth:`OutboxService.composer`)
    gives each message written its bytes.
    """
    ready = [fixed(m) for m in messages]
    if not ready:
        return []
    known = repo.outbox_ids_by_dedupe(m.dedupe_key for m in ready if m.dedupe_key)
    fresh: list[OutboundMessage] = []
    seen: set[str] = set()
    for m in ready:
        if m.dedupe_key and (m.dedupe_key in known or m.dedupe_key in seen):
            continue
        if m.dedupe_key:
            seen.add(m.dedupe_key)
        fresh.append(m)
    if compose is not None:
        fresh = [compose(m) for m in fresh]
    new_ids = iter(repo.insert_outbox(fresh))
    by_key = dict(known)
    ids = []
    for m in ready:
        if m.dedupe_key and m.dedupe_key in by_key:
            ids.append(by_key[m.dedupe_key])
            continue
        entry_id = next(new_ids)
        if m.dedupe_key:
            by_key[m.dedupe_key] = entry_id
        ids.append(entry_id)
    return ids


class OutboxService:
    """The outbox of one desk (``desk.outbox``); deliveries come from the plugins' registry."""

    def __init__(self, ctx: ServiceContext, registry: Registry):
        self.ctx = ctx
        self.registry = registry

    # --- writing and reading ---------------------------------------------------------------
    def enqueue(self, messages: Iterable[OutboundMessage], *, actor: Actor) -> list[int]:
        """Enqueue ``messages`` in a transaction of their own (outside a change: scripts, jobs)."""
        try:
            ready = [fixed(m) for m in messages]
        except ValueError as exc:
            raise BadValue(str(exc)) from None
        with self.ctx.store.write() as repo:
            policy.check(actor, "outbox.enqueue", repo=repo)
            return enqueue_in(repo, ready, compose=self.composer(blob_reader(self.ctx.blobs, repo)))

    def composer(self, blob: BlobReader) -> Callable[[OutboundMessage], OutboundMessage]:
        """A function giving a message its bytes (:attr:`OutboundMessage.raw`), composed by the
        ``compose`` of the delivery that will send it (its kind's, after ``[outbox] redirect``);
        ``blob`` reads attachments in the enqueuing transaction. A message whose delivery composes
        nothing, or whose composing fails, is returned as it is: it is composed at delivery, where
        a problem is reported like any delivery error."""
        config = self.ctx.config
        redirect = config.outbox.redirect

        def compose(message: OutboundMessage) -> OutboundMessage:
            if message.raw is not None:
                return message
            delivery = self.registry.get("deliveries", redirect.get(message.kind, message.kind))
            if delivery is None or delivery.compose is None:
                return message
            try:
                raw = delivery.compose(message, config, blob)
            except Exception as exc:  # left to the delivery, which reports it on the message
                log.debug(
                    "outbox: message %s not composed at enqueue: %s: %s", message.message_id, type(exc).__name__, exc
                )
                return message
            return message if raw is None else attrs.evolve(message, raw=bytes(raw))

        return compose

    def list(
        self,
        state: str | None = None,
        *,
        ticket: str | None = None,
        limit: int | None = 100,
        actor: Actor | None = None,
    ) -> list[OutboxEntry]:
        """Messages, newest first, optionally of one ``state`` or ``ticket``."""
        if state is not None and state not in STATES:
            raise BadValue(f"unknown outbox state {state!r} (known: {', '.join(STATES)})")
        with self.ctx.store.read() as repo:
            if actor is not None:
                policy.check(actor, "outbox.read", repo=repo)
            if ticket is not None:
                repo.ticket_row(ticket)  # NotFound for a ticket that does not exist
            return repo.outbox_entries(state=state, ticket=ticket, limit=limit)

    def show(self, entry_id: int, *, actor: Actor | None = None) -> OutboxEntry:
        """One message (``NotFound`` if there is none with this id)."""
        with self.ctx.store.read() as repo:
            if actor is not None:
                policy.check(actor, "outbox.read", repo=repo)
            entry = repo.outbox_entry(entry_id)
        if entry is None:
            raise NotFound(f"no outbox message {entry_id}")
        return entry

    def counts(self) -> dict[str, int]:
        """How many messages are in each state (every state present, zeros included)."""
        with self.ctx.store.read() as repo:
            found = repo.outbox_counts()
        return {state: found.get(state, 0) for state in STATES}

    # --- requeueing ------------------------------------------------------------------------
    def retry(self, entry_id: int, *, actor: Actor) -> OutboxEntry:
        """Queue a ``failed`` (or ``queued``) message again, due now, with its attempts reset;
        the same message (same Message-ID) is sent. A ``sent`` or ``sending`` one is refused."""
        with self.ctx.store.write() as repo:
            policy.check(actor, "outbox.retry", repo=repo)
            entry = repo.outbox_entry(entry_id)
            if entry is None:
                raise NotFound(f"no outbox message {entry_id}")
            if entry.state in ("sent", "sending"):
                raise DomainError(f"outbox message {entry_id} is {entry.state}: nothing to retry")
            repo.requeue_outbox([entry_id], states=("failed", "queued"))
            found = repo.outbox_entry(entry_id)
        assert found is not None
        return found

    def retry_failed(self, *, actor: Actor) -> int:
        """Queue every ``failed`` message again; how many."""
        with self.ctx.store.write() as repo:
            policy.check(actor, "outbox.retry", repo=repo)
            return len(repo.requeue_outbox(None, states=("failed",)))

    # --- delivering ------------------------------------------------------------------------
    def deliver_due(
        self,
        worker_id: str,
        *,
        limit: int = 100,
        lease: float | dt.timedelta | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> int:
        """One delivery pass of worker ``worker_id``; returns how many messages it claimed
        (a worker runs passes until one claims fewer than ``limit``). See :meth:`deliver_pass`."""
        return self.deliver_pass(worker_id, limit=limit, lease=lease, stop=stop).claimed

    def deliver_pass(
        self,
        worker_id: str,
        *,
        limit: int = 100,
        lease: float | dt.timedelta | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> DeliveryReport:
        """Claim up to ``limit`` due messages for ``lease`` (seconds; default ``[outbox] lease``),
        deliver them, record each outcome; what happened (docs/outbox.md).

        ``stop`` (a worker's shutdown flag) is asked before each message: once it answers True
        the pass sends nothing more and gives its remaining claims back (``queued``, due now,
        the attempt not counted), so a worker stopping on SIGTERM leaves nothing half-claimed."""
        if not worker_id or len(worker_id) > 200:
            raise BadValue("a worker id needs 1 to 200 characters")
        if limit < 1:
            raise BadValue("limit must be at least 1")
        settings = self.ctx.config.outbox
        held = settings.lease if lease is None else lease
        if not isinstance(held, dt.timedelta):
            held = dt.timedelta(seconds=float(held))
        with self.ctx.store.write() as repo:
            claimed = repo.claim_outbox(worker_id, lease_until=repo.now + held, limit=limit)
        counts = {"sent": 0, "queued": 0, "failed": 0}
        released: set[int] = set()
        batches: dict[str, list[OutboxEntry]] = {}
        # The outcomes go through one connection, committed without waiting for the WAL flush: a commit
        # lost only to a crash of the database server leaves its message `sending` and sent once more
        # after the lease (docs/outbox.md, the crash window).
        with self.ctx.store.write_series(lazy_commit=True) as write:
            for entry in claimed:
                if entry.attempts > settings.max_attempts:  # its worker died holding it, attempts used up
                    error = f"claim expired {entry.attempts - 1} times; gave up"
                    self._record(write, entry, worker_id, DeliveryError(error, permanent=True), counts)
                else:
                    batches.setdefault(entry.message.kind, []).append(entry)
            for kind, entries in batches.items():
                delivery = self.registry.get("deliveries", settings.redirect.get(kind, kind))
                if delivery is None:
                    known = ", ".join(self.registry.names("deliveries")) or "none"
                    for entry in entries:
                        self._record(
                            write,
                            entry,
                            worker_id,
                            DeliveryError(f"no delivery for kind {kind!r} (known: {known})"),
                            counts,
                        )
                    continue
                self._deliver_batch(
                    write, delivery, entries, worker_id, counts, lambda e: self._turn(e, stop, released)
                )
        if released:
            with self.ctx.store.write() as repo:
                repo.release_outbox(sorted(released), worker_id)
        return DeliveryReport(len(claimed), counts["sent"], counts["queued"], counts["failed"], len(released))

    def _deliver_batch(
        self,
        write: RepositorySeries,
        delivery: Delivery,
        entries: Sequence[OutboxEntry],
        worker_id: str,
        counts: dict[str, int],
        turn: Callable[[OutboxEntry], bool],
    ) -> None:
        desk = self.ctx.owner
        if delivery.session is None:
            for entry in entries:
                if turn(entry):
                    self._record(
                        write, entry, worker_id, attempt(lambda m: delivery.deliver(m, desk), entry.message), counts
                    )
            return
        # A pipelined delivery's gate holds each message back, right before the step that lets the
        # server accept it, until no other message of the pass is accepted but unrecorded. Only such
        # a delivery, and only if its sessions may run side by side, gets several ([outbox] sessions);
        # their outcomes are recorded by the session that sent them, under the gate (while the other
        # sessions send their envelopes). One session's are recorded in a thread of their own,
        # beside the session's next envelope.
        parallel = delivery.pipelined and delivery.parallel
        sessions = min(self.ctx.config.outbox.sessions if parallel else 1, len(entries))

        def record(entry: OutboxEntry, error: DeliveryError | None) -> None:
            self._record(write, entry, worker_id, error, counts)

        recorder = Recorder(record, inline=sessions > 1) if delivery.pipelined else None
        try:
            send_in_sessions(
                delivery.session,
                desk,
                entries,
                turn=turn,
                record=record,
                recorder=recorder,
                count=sessions,
            )
        finally:
            if recorder is not None:
                recorder.close()

    def _turn(self, entry: OutboxEntry, stop: Callable[[], bool] | None, released: set[int]) -> bool:
        """Whether to send ``entry`` now: not once ``stop`` says so (the claim is given back), and
        not if the claim expired during a slow pass (another worker may have taken it over;
        sending it here could send it twice)."""
        if released or (stop is not None and stop()):
            released.add(entry.id)
            return False
        if entry.lease_until is None or self.ctx.clock() < entry.lease_until:
            return True
        log.warning("outbox message %s: claim expired before its turn in the pass; left to another worker", entry.id)
        return False

    def _record(
        self,
        write: RepositorySeries,
        entry: OutboxEntry,
        worker_id: str,
        error: DeliveryError | None,
        counts: dict[str, int],
    ) -> None:
        """Record one outcome in its own transaction (only if the claim is still this worker's)."""
        settings = self.ctx.config.outbox
        message = entry.message
        if error is None and not message.ticket:  # one row changes: one statement, its own transaction
            own = write.finish_outbox(entry.id, worker_id, state="sent", sent_at=self.ctx.clock(), last_error=None)
            if own:
                counts["sent"] += 1
            else:
                log.warning(
                    "outbox message %s: claim of %s expired before its outcome was recorded", entry.id, worker_id
                )
            return
        with write() as repo:
            if error is None:
                state = "sent"
                own = repo.finish_outbox(entry.id, worker_id, state=state, sent_at=repo.now, last_error=None)
            else:
                text = str(error)[:MAX_ERROR] or type(error).__name__
                final = error.permanent or entry.attempts >= settings.max_attempts
                state = "failed" if final else "queued"
                next_at = repo.now + settings.delay(entry.attempts)
                own = repo.finish_outbox(
                    entry.id, worker_id, state=state, last_error=text, **({} if final else {"next_attempt_at": next_at})
                )
            if own and message.ticket and state != "queued":
                _note_on_ticket(repo, entry, state, error)
        if not own:
            log.warning("outbox message %s: claim of %s expired before its outcome was recorded", entry.id, worker_id)
            return
        counts[state] += 1
        if error is not None:
            log.warning("outbox message %s (%s) %s: %s", entry.id, message.kind, state, error)


def blob_reader(blobs: BlobStore, repo: Repository) -> BlobReader:
    """Reads a blob as ``repo``'s open transaction sees it: its file, else its database row."""

    def read(sha256: str) -> bytes | None:
        try:
            return blobs.path(sha256).read_bytes()
        except (OSError, ValueError):
            return repo.stored_blob(sha256)

    return read


def _note_on_ticket(repo: Repository, entry: OutboxEntry, state: str, error: DeliveryError | None) -> None:
    """The ticket's history line of a sent or failed message; a sent article gets its Message-ID."""
    message = entry.message
    row = repo.ticket_row_or_none(message.ticket or "")
    if row is None:
        return
    who = OUTBOX_ACTOR.history_name
    target = ", ".join(message.recipients)
    if state == "sent":
        try:
            article = repo.article_row(message.article_id) if message.article_id is not None else None
        except NotFound:  # the article is gone: the message still went out
            article = None
        if article is not None:
            article.message_id = message.message_id
            article.recipients = list(message.recipients)
            repo.history(row, who, "sent", new=str(message.article_id), reason=f"via {message.kind} to {target}"[:500])
        else:
            repo.history(
                row, who, "outbox_sent", new=str(entry.id), reason=f"{message.topic or message.kind} to {target}"[:500]
            )
    else:
        repo.history(
            row,
            who,
            "delivery_failed",
            new=str(message.article_id if message.article_id is not None else entry.id),
            reason=f"{message.kind} to {target}: {error}"[:500],
        )
